"""The graph as a LangGraph citizen, through `langgraph dev` and langgraph_sdk (clients nobody here wrote).

One server serves two graphs from a temporary ``langgraph.json``: ``pr2`` (the project's entry point, the same
file the checked-in ``langgraph.json`` serves) and ``pr2_scripted`` (the same graph on a scripted policy, so a run
searches deterministically without loading a model).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.integration.test_langgraph_dev import _free_port, _wait_ok

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

SCRIPTED_GRAPH = textwrap.dedent(
    """
    from pr2_agent import build_graph
    from pr2_agent.policy.scripted import ScriptedPolicy


    class Replay(ScriptedPolicy):
        # Every run searches once for 'cook', then answers: endless turns for as many runs as the test makes.
        def generate(self, request):
            searched = any(s["kind"] == "env" for s in request.segments)
            self._turns = ["<answer>done</answer>" if searched else "<search>cook</search>"]
            return super().generate(request)


    graph = build_graph(model=Replay([]))
    """
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    langgraph = shutil.which("langgraph", path=str(Path(sys.executable).parent))
    if langgraph is None:
        pytest.skip("langgraph CLI not installed: pip install 'pr2-agent[serve]'")
    work = tmp_path_factory.mktemp("langgraph_app")
    (work / "scripted.py").write_text(SCRIPTED_GRAPH)
    config = {
        "dependencies": [str(ROOT)],
        "graphs": {"pr2": str(ROOT / "graphs" / "pr2.py") + ":graph", "pr2_scripted": "./scripted.py:graph"},
        "env": {},
    }
    (work / "langgraph.json").write_text(json.dumps(config))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "LANGGRAPH_CLI_NO_ANALYTICS": "1",
           "LANGSMITH_TRACING": "false", "PYTHONPATH": str(ROOT)}
    port = _free_port()
    log = work / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [langgraph, "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1", "--port", str(port),
             "--config", str(work / "langgraph.json")],
            cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ok(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if proc.returncode not in (0, -15, None):
            print(log.read_text()[-4000:])


def _assistant(client, graph_id: str) -> dict:
    return next(a for a in client.assistants.search(graph_id=graph_id) if a["graph_id"] == graph_id)


def test_server_serves_input_output_and_context_schemas(server):
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=server)
    schemas = client.assistants.get_schemas(_assistant(client, "pr2")["assistant_id"])
    assert schemas["input_schema"] is not None, "the server could not build the input schema"
    assert "question" in schemas["input_schema"]["properties"]
    assert schemas["input_schema"]["properties"]["question"]["type"] == "string"
    output = schemas["output_schema"]["properties"]
    assert {"question", "answer", "finish", "segments", "retrieved_ids"} <= set(output)
    assert "user_id" in schemas["context_schema"]["properties"]


def test_a_run_reads_the_profile_the_app_put_into_the_servers_store(server):
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=server)
    client.store.put_item(["pr2", "profiles", "maya"], key="m2", value={"text": "I have 20 minutes to cook."})
    client.store.put_item(["pr2", "profiles", "maya"], key="m3", value={"text": "My cat scratches the sofa."})
    client.store.put_item(["pr2", "profiles", "leo"], key="l1", value={"text": "I cook steak every day."})

    thread = client.threads.create()
    result = client.runs.wait(
        thread["thread_id"], "pr2_scripted",
        input={"messages": [{"role": "user", "content": "What should I cook tonight?"}]},
        context={"user_id": "maya", "top_k": 3},
    )
    assert result["retrieved_ids"] == ["m2"], result.get("retrieved_ids")
    assert result["messages"][-1]["type"] == "ai" and result["messages"][-1]["content"] == "done"
    assert result["question"] == "What should I cook tonight?"
    # The same run for leo reads leo's namespace only.
    other = client.runs.wait(None, "pr2_scripted", input={"question": "cook?"}, context={"user_id": "leo"})
    assert other["retrieved_ids"] == ["l1"]
