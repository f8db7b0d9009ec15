"""A judge that cannot judge is an error, never a score (issue 16 item 4), against a fault server on 127.0.0.1.

Before the fix: a 200 reply of the wrong shape scored 0.000 (11 calls per aspect) and ``pr2 eval`` exited 0;
a malformed JSON body raised a raw ``JSONDecodeError`` without a retry; a hung judge took 3 x 120 s to fail
and ``pr2 eval`` had no timeout flag.
"""

from __future__ import annotations

import time

import pytest

from pr2_agent.cli import main
from pr2_agent.judges import JudgeEndpointError, LaMPQAJudge
from pr2_agent.run.judging import JudgeSpec
from tests.reliability.fault_server import FaultServer

ASPECTS = [
    {"aspect": "Budget", "reason": "Money is tight.", "evidence": "700 euros"},
    {"aspect": "Weight", "reason": "Carried all day.", "evidence": "light"},
]


@pytest.fixture
def fault():
    servers = []

    def start(mode, **kw):
        servers.append(FaultServer(mode, **kw))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def judge_once(server, **kw):
    judge = LaMPQAJudge(server.base_url, model="fault", concurrency=1, timeout=kw.pop("timeout", 5), **kw)
    return judge.judge("Which laptop?", "I need a cheap light one.", ASPECTS, "<answer>A light one.</answer>")


def test_a_healthy_endpoint_scores(fault):
    assert judge_once(fault("ok")).score == 1.0


@pytest.mark.parametrize("mode", ["wrong_shape", "empty_choices", "null_content", "html"])
def test_a_reply_that_is_no_chat_completion_is_an_error_at_once(fault, mode):
    server = fault(mode)
    with pytest.raises(JudgeEndpointError, match="not a chat completion"):
        judge_once(server)
    assert server.calls == 1


@pytest.mark.parametrize(("mode", "match"), [("malformed_json", "not valid JSON"), ("server_error", "HTTP 500")])
def test_transient_faults_are_retried_a_bounded_number_of_times(fault, mode, match):
    server = fault(mode)
    with pytest.raises(JudgeEndpointError, match=match):
        judge_once(server, transport_retries=2)
    assert server.calls == 3


@pytest.mark.parametrize("mode", ["malformed_once", "overloaded_once"])
def test_a_fault_that_clears_is_retried_and_scores(fault, mode):
    server = fault(mode)
    assert judge_once(server, transport_retries=2).score == 1.0
    assert server.calls == 1 + len(ASPECTS)


def test_a_dropped_connection_is_an_error(fault):
    with pytest.raises(JudgeEndpointError, match="cannot reach the judge endpoint"):
        judge_once(fault("drop_connection"), transport_retries=1)


def test_a_hung_judge_fails_within_its_timeout_without_retrying(fault):
    server = fault("hang", hang_s=20)
    start = time.monotonic()
    with pytest.raises(JudgeEndpointError, match=r"did not answer within 1 s.*--judge-timeout"):
        judge_once(server, timeout=1, transport_retries=2)
    assert time.monotonic() - start < 5 and server.calls == 1


def test_timeouts_are_finite_by_default_and_validated():
    assert LaMPQAJudge("http://127.0.0.1:9/v1").timeout == 60.0 == JudgeSpec().timeout
    for bad in (0, -1, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="timeout"):
            LaMPQAJudge("http://127.0.0.1:9/v1", timeout=bad)
        with pytest.raises(ValueError, match="timeout"):
            JudgeSpec("lampqa", "http://127.0.0.1:9/v1", timeout=bad)


@pytest.mark.parametrize(
    ("mode", "match"),
    [
        ("wrong_shape", "not a chat completion"),
        ("malformed_json", "not valid JSON"),
        ("hang", "did not answer within 1 s"),
        ("prose", "cannot judge"),
        ("server_error", "HTTP 500"),
    ],
)
def test_pr2_eval_stops_with_one_line_before_generating(fault, mode, match, tmp_path, capsys):
    server = fault(mode, hang_s=20)
    out = tmp_path / "eval"
    args = ["eval", "--data", "devset:test", "--limit", "1", "--systems", "nopers", "--out", str(out)]
    args += ["--judge", "lampqa", "--judge-base-url", server.base_url, "--judge-timeout", "1"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pr2 eval: error:") and match in err and "\n" not in err and "Traceback" not in err
    assert not list(out.glob("scores_*.jsonl"))


def test_a_reply_nested_too_deeply_is_a_judge_error_not_a_crash(fault):
    server = fault("deep_json")
    with pytest.raises(JudgeEndpointError, match="nested too deeply"):
        judge_once(server, transport_retries=1)
    assert server.calls == 2
