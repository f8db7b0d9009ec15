"""LaMPQAJudge against a fake OpenAI-compatible HTTP server on loopback (the real openai client)."""

from __future__ import annotations

import json
import logging
import pickle
import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pr2_agent.judges import JudgeEndpointError, JudgeItem, LaMPQAJudge
from pr2_agent.judges.lampqa import temperature_schedule
from pr2_agent.prompts import LAMPQA_JUDGE_SYSTEM_PROMPT, LAMPQA_JUDGE_USER_TEMPLATE

from .test_judge_base import ASPECT

ASPECTS = [
    {"aspect": "Budget", "reason": "Money is tight.", "evidence": "around 700 euros at most"},
    {"aspect": "Battery life", "reason": "Carried all day.", "evidence": "battery life and weight matter"},
    {"aspect": "Linux", "reason": "Wants Linux.", "evidence": "I'd like to run Linux on it"},
]


def verdict(score: int) -> str:
    return f'```json\n{{"match_score": {score}}}\n```'


class FakeJudgeServer:
    """Serves /v1/models and /v1/chat/completions; ``reply(request_json, call_index)`` makes the content."""

    def __init__(self, reply: Callable[[dict[str, Any], int], str], *, models=("fake-judge",), status=200):
        self.reply = reply
        self.models = list(models)
        self.status = status
        self.delay = 0.0
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path.rstrip("/") != "/v1/models":
                    self._send(404, {"error": {"message": "not found"}})
                    return
                data = [{"id": m, "object": "model", "created": 0, "owned_by": "test"} for m in server.models]
                self._send(200, {"object": "list", "data": data})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != "/v1/chat/completions" or server.status != 200:
                    self._send(server.status if server.status != 200 else 404, {"error": {"message": "nope"}})
                    return
                with server.lock:
                    index = len(server.requests)
                    server.requests.append(body)
                time.sleep(server.delay)
                content = server.reply(body, index)
                self._send(
                    200,
                    {
                        "id": f"c{index}",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body["model"],
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": content},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                )

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False  # a deliberately slow handler must not stall teardown
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def temperatures(self) -> list[float]:
        return [r["temperature"] for r in self.requests]


@pytest.fixture
def serve() -> Iterator[Callable[..., FakeJudgeServer]]:
    servers: list[FakeJudgeServer] = []

    def start(reply: Callable[[dict[str, Any], int], str], **kwargs: Any) -> FakeJudgeServer:
        server = FakeJudgeServer(reply, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def aspect_of(request: dict[str, Any]) -> str:
    match = re.search(r"aspect: -aspect: (.*)\n", request["messages"][1]["content"])
    assert match is not None, request
    return match.group(1)


def test_one_call_per_response_and_aspect_with_the_exact_protocol_prompts(serve):
    server = serve(lambda req, i: verdict(2))
    judge = LaMPQAJudge(server.base_url, concurrency=1)
    items = [
        JudgeItem(
            "Which laptop?", "I'm a student.", ASPECTS, "<think>hmm</think><answer>A ThinkPad.</answer>"
        ),
        JudgeItem("Which laptop?", "I'm a student.", ASPECTS, "plain answer"),
    ]
    results = judge.judge_batch(items)
    assert len(server.requests) == 6
    first = server.requests[0]
    assert first["messages"] == [
        {"role": "system", "content": LAMPQA_JUDGE_SYSTEM_PROMPT},
        {
            "role": "user",
            "content": LAMPQA_JUDGE_USER_TEMPLATE.format(
                question="Which laptop?",
                narrative="I'm a student.",
                response="A ThinkPad.",  # only the <answer> span reaches the judge
                aspect="Budget",
                reason="Money is tight.",
                evidence="around 700 euros at most",
            ),
        },
    ]
    assert first["temperature"] == 0.0 and first["top_p"] == 0.95 and first["max_tokens"] == 4096
    assert first["model"] == "fake-judge"  # model=None: the first model the server lists
    assert "response_format" not in first
    assert "response: plain answer\n" in server.requests[3]["messages"][1]["content"]
    assert [r.score for r in results] == [1.0, 1.0]
    assert all(s.parsed and s.raw == verdict(2) for r in results for s in r.scores)
    assert results[0].judge == "lampqa:fake-judge" and not results[0].is_proxy


def test_score_formula_over_mixed_verdicts_and_order_under_concurrency(serve):
    by_aspect = {"Budget": 2, "Battery life": 1, "Linux": 0}
    server = serve(lambda req, i: verdict(by_aspect[aspect_of(req)]))
    server.delay = 0.02  # make replies overlap so completion order differs from submission order
    judge = LaMPQAJudge(server.base_url, concurrency=4)
    results = judge.judge_batch([JudgeItem(f"Q{i}", "N", ASPECTS, f"R{i}") for i in range(4)])
    for result in results:
        assert [(s.aspect, s.match_score) for s in result.scores] == [
            ("Budget", 2),
            ("Battery life", 1),
            ("Linux", 0),
        ]
        assert result.score == pytest.approx(3 / 6)
    assert len(server.requests) == 12


def test_duplicate_prompts_in_a_batch_are_judged_once(serve):
    server = serve(lambda req, i: verdict(1))
    judge = LaMPQAJudge(server.base_url, concurrency=3)
    same = "<think>a</think><answer>Same answer.</answer>"
    items = [
        JudgeItem("Q", "N", ASPECTS, same),
        JudgeItem("Q", "N", ASPECTS, "<think>other reasoning</think><answer>Same answer.</answer>"),
        JudgeItem("Q", "N", ASPECTS[:1], "A different answer."),
    ]
    results = judge.judge_batch(items)
    assert len(server.requests) == 3 + 1  # the first two share their answer span
    assert [len(r.scores) for r in results] == [3, 3, 1]
    assert results[0] == results[1]


def test_unparseable_replies_are_retried_with_rising_temperature(serve):
    replies = iter(["I think it is covered.", '{"score": 2}', "```json\n{match_score: 2}\n```", verdict(1)])
    server = serve(lambda req, i: next(replies))
    result = LaMPQAJudge(server.base_url).judge("Q", "N", [ASPECT], "R")
    assert server.temperatures() == [0.0, 0.1, 0.2, 0.3]
    assert result.scores[0].match_score == 1 and result.scores[0].parsed
    assert result.score == 0.5


def test_after_max_retries_the_aspect_scores_zero_and_is_flagged(serve, caplog):
    server = serve(lambda req, i: f"no json here #{i}")
    judge = LaMPQAJudge(server.base_url, max_retries=3)
    with caplog.at_level(logging.WARNING, logger="pr2_agent.judges.lampqa"):
        result = judge.judge("Q", "N", [ASPECT], "R")
    assert server.temperatures() == [0.0, 0.1, 0.2, 0.3]
    verdict_ = result.scores[0]
    assert (verdict_.match_score, verdict_.parsed, verdict_.raw) == (0, False, "no json here #3")
    assert result.score == 0.0
    assert "after 4 attempts" in caplog.text


def test_default_schedule_is_eleven_attempts_capped_at_one():
    assert temperature_schedule(10) == [round(0.1 * i, 6) for i in range(11)]
    assert temperature_schedule(13)[-4:] == [1.0, 1.0, 1.0, 1.0]
    assert temperature_schedule(0) == [0.0]


def test_retries_stop_per_aspect_independently(serve):
    # Budget parses at once; Linux needs two retries; Battery life never parses.
    attempts: dict[str, int] = {}

    def reply(req: dict[str, Any], i: int) -> str:
        name = aspect_of(req)
        attempts[name] = attempts.get(name, 0) + 1
        if name == "Budget" or (name == "Linux" and attempts[name] == 3):
            return verdict(2)
        return "?"

    server = serve(reply)
    result = LaMPQAJudge(server.base_url, max_retries=4, concurrency=1).judge("Q", "N", ASPECTS, "R")
    assert attempts == {"Budget": 1, "Battery life": 5, "Linux": 3}
    assert [s.match_score for s in result.scores] == [2, 0, 2]
    assert [s.parsed for s in result.scores] == [True, False, True]
    assert result.score == pytest.approx(4 / 6)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [('{"match_score": 7}', 2), ('{"match_score": -1}', 0), ('Sure:\n```json\n{"match_score": "1"}\n```', 1)],
)
def test_out_of_range_and_loosely_formatted_scores(serve, reply, expected):
    server = serve(lambda req, i: reply)
    result = LaMPQAJudge(server.base_url).judge("Q", "N", [ASPECT], "R")
    assert result.scores[0].match_score == expected
    assert len(server.requests) == 1


def test_json_mode_and_generation_settings_are_sent(serve):
    server = serve(lambda req, i: verdict(0))
    LaMPQAJudge(server.base_url, model="judge-x", json_mode=True, max_tokens=64, top_p=0.9).judge(
        "Q", "N", [ASPECT], "R"
    )
    request = server.requests[0]
    assert request["response_format"] == {"type": "json_object"}
    assert (request["model"], request["max_tokens"], request["top_p"]) == ("judge-x", 64, 0.9)


def test_pickle_round_trip_drops_the_client_and_keeps_working(serve):
    server = serve(lambda req, i: verdict(2))
    judge = LaMPQAJudge(server.base_url, max_retries=2, json_mode=True)
    before = pickle.loads(pickle.dumps(judge))  # never used
    judge.judge("Q", "N", [ASPECT], "R")  # creates the client and resolves the model
    assert judge._client is not None
    after = pickle.loads(pickle.dumps(judge))
    assert after._client is None
    assert (after.base_url, after.max_retries, after.json_mode, after.name) == (
        judge.base_url,
        2,
        True,
        "lampqa:fake-judge",
    )
    assert after.judge("Q", "N", [ASPECT], "R").score == 1.0
    assert before.judge("Q", "N", [ASPECT], "R").score == 1.0


def test_unreachable_endpoint_gives_one_readable_error():
    judge = LaMPQAJudge("http://127.0.0.1:9/v1", transport_retries=0, timeout=5)
    with pytest.raises(JudgeEndpointError) as info:
        judge.judge("Q", "N", [ASPECT], "R")
    message = str(info.value)
    assert "http://127.0.0.1:9/v1" in message and "Check that the server is running" in message
    assert info.value.__suppress_context__  # no chained SDK/httpx traceback


def test_wrong_path_or_model_is_explained(serve):
    server = serve(lambda req, i: verdict(1), status=404)
    with pytest.raises(JudgeEndpointError, match=r"answered 404.*ending in /v1"):
        LaMPQAJudge(server.base_url, model="nope", transport_retries=0).judge("Q", "N", [ASPECT], "R")


def test_server_errors_are_reported_with_their_status(serve):
    server = serve(lambda req, i: verdict(1), status=500)
    with pytest.raises(JudgeEndpointError, match="HTTP 500"):
        LaMPQAJudge(server.base_url, model="m", transport_retries=0).judge("Q", "N", [ASPECT], "R")


def test_a_server_without_models_is_explained(serve):
    server = serve(lambda req, i: verdict(1), models=())
    with pytest.raises(JudgeEndpointError, match="serves no models"):
        LaMPQAJudge(server.base_url).judge("Q", "N", [ASPECT], "R")


def test_a_slow_endpoint_times_out_with_advice(serve):
    server = serve(lambda req, i: verdict(1))
    server.delay = 2.0
    with pytest.raises(JudgeEndpointError, match="did not answer within"):
        LaMPQAJudge(server.base_url, model="m", timeout=0.3, transport_retries=0).judge(
            "Q", "N", [ASPECT], "R"
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"base_url": "127.0.0.1:8000/v1"}, "not an http"),
        ({"max_retries": -1}, "max_retries"),
        ({"concurrency": 0}, "concurrency"),
        ({"max_tokens": 0}, "max_tokens"),
    ],
)
def test_bad_configuration_is_rejected(kwargs, match):
    args = {"base_url": "http://127.0.0.1:9/v1", **kwargs}
    with pytest.raises(ValueError, match=match):
        LaMPQAJudge(**args)


def test_an_empty_batch_makes_no_calls():
    assert LaMPQAJudge("http://127.0.0.1:9/v1").judge_batch([]) == []
