"""A faulty model endpoint is one clear line and a non-zero exit, never a traceback (issue 15 item 9, issue 16 item 3).

``pr2 ask`` and ``pr2 eval --base-url`` run against the fault server on 127.0.0.1 (and a port nothing listens
on). Before the fix: an unreachable server printed a 50-frame traceback before its one-line message, and 6 of
7 fault modes (HTTP 500/503, a 200 of the wrong shape, truncated JSON, an HTML page) printed up to 147 lines
of raw ``openai`` / ``langchain`` errors; a hung server could not be given a shorter timeout.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from pr2_agent.cli import main
from pr2_agent.policy.base import GenerationRequest
from pr2_agent.policy.chat import BackendUnavailableError, ChatModelPolicy, openai_chat_model
from pr2_agent.policy.resolve import clear_policy_cache
from tests.reliability.fault_server import FaultServer
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]

# mode -> words the one-line error must contain (what failed; the fix is checked separately).
FAULTS = {
    "server_error": ("HTTP 500", "CUDA out of memory", "log"),
    "wrong_shape": ("not an OpenAI chat completion", "base_url"),
    "empty_choices": ("not an OpenAI chat completion",),
    "malformed_json": ("not an OpenAI chat completion", "JSONDecodeError"),
    "html": ("not an OpenAI chat completion",),
    "deep_json": ("not an OpenAI chat completion", "RecursionError"),
    "drop_connection": ("Cannot reach", "curl"),
    "hang": ("did not answer within 1.0 s", "--timeout"),
}


@pytest.fixture
def fault():
    servers: list[FaultServer] = []

    def start(mode: str) -> FaultServer:
        servers.append(FaultServer(mode, hang_s=4))
        return servers[-1]

    yield start
    for server in servers:
        server.close()
    clear_policy_cache()


def _one_clear_line(capsys: pytest.CaptureFixture[str], code: int, command: str) -> str:
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert "Traceback" not in err and "\n" not in err, err
    assert err.startswith(f"pr2 {command}: error: "), err
    return err


@pytest.mark.parametrize("mode", list(FAULTS))
def test_ask_against_a_faulty_endpoint_is_one_line(fault, capsys, mode):
    server = fault(mode)
    start = time.perf_counter()
    code = main(["ask", "--no-personalize", "--model", "fault", "--base-url", server.base_url, "--timeout", "1",
                 "--no-stream", "What should I cook?"])
    err = _one_clear_line(capsys, code, "ask")
    for word in FAULTS[mode]:
        assert word in err, f"{mode}: {word!r} missing from {err!r}"
    assert server.base_url in err
    assert time.perf_counter() - start < 30  # the hang is cut by --timeout (the openai client retries once)


def test_ask_against_a_closed_port_is_one_line(capsys):
    url = f"http://127.0.0.1:{free_port()}/v1"
    code = main(["ask", "--no-personalize", "--model", "m", "--base-url", url, "--no-stream", "Hello?"])
    err = _one_clear_line(capsys, code, "ask")
    assert "Cannot reach" in err and f"curl {url}/models" in err


@pytest.mark.parametrize("mode", ["server_error", "malformed_json"])
def test_eval_against_a_faulty_endpoint_is_one_line(fault, capsys, tmp_path, mode):
    server = fault(mode)
    code = main(["eval", "--task", "lamp2", "--data", "lamp:2:test", "--systems", "nopers", "--limit", "2",
                 "--model", "fault", "--base-url", server.base_url, "--out", str(tmp_path), "--no-progress"])
    err = _one_clear_line(capsys, code, "eval")
    assert FAULTS[mode][0] in err


def test_a_healthy_endpoint_still_answers(fault, capsys):
    server = fault("ok")
    assert main(["ask", "--no-personalize", "--model", "fault", "--base-url", server.base_url, "--json",
                 "Hello?"]) == 0
    assert '"answer"' in capsys.readouterr().out


def test_the_python_api_raises_the_same_one_line_error(fault):
    server = fault("server_error")
    policy = ChatModelPolicy(openai_chat_model("fault", server.base_url, timeout=2, max_retries=0))
    with pytest.raises(BackendUnavailableError, match="HTTP 500") as caught:
        policy.generate(GenerationRequest(messages=[{"role": "user", "content": "hi"}]))
    assert "\n" not in str(caught.value)


def test_the_console_shows_one_line_for_an_unreachable_endpoint():
    """The real command in a fresh process: stderr is exactly one line (no traceback, no warnings)."""
    url = f"http://127.0.0.1:{free_port()}/v1"
    proc = subprocess.run(
        [sys.executable, "-m", "pr2_agent.cli", "ask", "--no-personalize", "--model", "m", "--base-url", url,
         "Hello?"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()], proc.stderr
    assert proc.stderr.startswith("pr2 ask: error: Cannot reach")
