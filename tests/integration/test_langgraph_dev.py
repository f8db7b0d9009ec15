"""Acceptance: the graph served by `langgraph dev`, driven by langgraph_sdk (a client nobody here wrote)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ok(url: str, proc: subprocess.Popen) -> None:
    """Wait until the server answers /ok, however long a loaded machine makes its start, while it makes progress."""

    def ok() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/ok", timeout=2) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    wait_until(ok, proc, what=f"langgraph dev at {url}", poll=0.5)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    langgraph = shutil.which("langgraph", path=str(Path(sys.executable).parent))
    if langgraph is None:
        pytest.skip("langgraph CLI not installed: pip install 'pr2-agent[serve]'")
    store = tmp_path_factory.mktemp("store") / "chroma"
    profile = tmp_path_factory.mktemp("profile") / "maya.json"
    profile.write_text(json.dumps([
        {"id": "m1", "text": "I stopped eating meat two years ago."},
        {"id": "m2", "text": "I only have 20 minutes to cook on weeknights."},
        {"id": "m3", "text": "My cat scratches the sofa."},
    ]))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "LANGGRAPH_CLI_NO_ANALYTICS": "1",
           "LANGSMITH_TRACING": "false"}
    # Ingest in a separate process: an embedded Chroma directory belongs to one process at a time.
    subprocess.run([sys.executable, "-m", "pr2_agent.cli", "ingest", "--user", "maya", str(profile),
                    "--store", str(store)], check=True, env=env, cwd=ROOT)
    port = _free_port()
    log = tmp_path_factory.mktemp("log") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [langgraph, "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ok(url, proc)
        yield url, str(store)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if proc.returncode not in (0, -15, None):
            print(log.read_text()[-4000:])


def test_sdk_thread_run_stream_state(served):
    from langgraph_sdk import get_sync_client

    url, store = served
    client = get_sync_client(url=url)
    assistants = client.assistants.search()
    assert any(a["graph_id"] == "pr2" for a in assistants)

    context = {"user_id": "maya", "store_path": store, "max_new_tokens": 48, "max_searches": 1, "temperature": 0.0}
    thread = client.threads.create()
    result = client.runs.wait(thread["thread_id"], "pr2", input={"question": "What should I cook tonight?"},
                              context=context)
    assert isinstance(result["answer"], str) and result["answer"].strip()
    assert result["finish"] in ("answer", "forced")
    assert result["segments"] and result["segments"][0]["kind"] == "model"
    assert all(i in {"m1", "m2", "m3"} for i in result["retrieved_ids"])

    events = list(client.runs.stream(None, "pr2", input={"question": "Any dinner ideas?"}, context=context,
                                     stream_mode=["updates"]))
    nodes = [name for e in events if e.event == "updates" for name in e.data]
    assert nodes[0] == "reason" and nodes[-1] in ("reason", "force_answer")

    state = client.threads.get_state(thread["thread_id"])
    assert state["values"]["answer"] == result["answer"]
    assert state["values"]["question"] == "What should I cook tonight?"


def test_bad_context_is_reported_not_crashing(served):
    from langgraph_sdk import get_sync_client

    url, store = served
    client = get_sync_client(url=url)
    thread = client.threads.create()
    run = client.runs.create(thread["thread_id"], "pr2", input={"question": "hi"},
                             context={"user_id": "maya", "store_path": store, "top_k": 0})
    client.runs.join(thread["thread_id"], run["run_id"])
    status = client.runs.get(thread["thread_id"], run["run_id"])["status"]
    assert status == "error"
