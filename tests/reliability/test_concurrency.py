"""Hundreds of graph runs at once over one store: every run sees only its own user (no cross-talk).

The policy is scripted but reads its request (no shared turn queue): it searches for its question, then
answers with the ids it was shown, so any mixing of users, states or inserted text between concurrent
runs shows up in the answer.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import chromadb

from pr2_agent import build_graph, prompts
from pr2_agent.context import Context
from pr2_agent.policy.base import Generation, GenerationRequest
from pr2_agent.store import open_profile_store
from tests.reliability.hostile import hostile_ids, profile

RUNS = 240
_MARKER = re.compile(r"marker(\d+)x\d+")


class EchoPolicy:
    """Turn 1: search the question. Turn 2: answer with every profile marker the information showed."""

    name = "echo"

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def encode(self, text: str) -> list[int] | None:
        return None

    def generate(self, request: GenerationRequest) -> Generation:
        with self._lock:
            self.calls += 1
        time.sleep(0.001)  # let other runs interleave inside a turn
        inserted = "".join(s["text"] for s in request.segments if s["kind"] != "model")
        if prompts.open_tag(prompts.INFORMATION_TAG) not in inserted:
            question = request.messages[-1]["content"].rsplit("Question:\n", 1)[1].strip()
            text = f"<think>look it up</think><search>{question}</search>"
        else:
            text = f"<answer>{' '.join(_MARKER.findall(inserted))}</answer>"
        return Generation(text=text, token_ids=None, prompt_ids=None, finish_reason="stop")

    def generate_batch(self, requests):
        return [self.generate(r) for r in requests]


def setup():
    store = open_profile_store(
        client=chromadb.EphemeralClient(), collection=f"conc-{uuid.uuid4().hex[:10]}", embedding="hash"
    )
    # Ids with control characters are refused by Context (tested in test_bad_inputs_api); the store-level
    # isolation tests still use them.
    users = [u for u in hostile_ids(80) if u.isprintable()][:60]
    for index, user in enumerate(users):
        store.upsert(user, profile(index))
    policy = EchoPolicy()
    return store, users, policy, build_graph(model=policy, store=store)


def check(out, index: int) -> None:
    assert out["finish"] == "answer"
    owners = set(out["answer"].split())
    assert owners == {str(index)}, (index, out["answer"])
    assert out["searches"] == [f"What about tea, owner{index}?"]
    assert len(out["retrieved_ids"]) == 3


def test_threads_running_hundreds_of_graphs_never_cross_users():
    store, users, policy, graph = setup()

    def one(n: int):
        index = n % len(users)
        out = graph.invoke(
            {"question": f"What about tea, owner{index}?"}, context=Context(user_id=users[index], top_k=3)
        )
        return index, out

    with ThreadPoolExecutor(max_workers=48) as pool:
        results = list(pool.map(one, range(RUNS)))
    for index, out in results:
        check(out, index)
    assert len(results) == RUNS and policy.calls == 2 * RUNS


def test_concurrent_async_runs_never_cross_users():
    store, users, policy, graph = setup()
    indices = [n % len(users) for n in range(RUNS)]
    inputs = [{"question": f"What about tea, owner{i}?"} for i in indices]

    async def run_all():
        return await asyncio.gather(
            *(
                graph.ainvoke(inp, context=Context(user_id=users[i], top_k=3))
                for inp, i in zip(inputs, indices, strict=True)
            )
        )

    outs = asyncio.run(run_all())
    for out, index in zip(outs, indices, strict=True):
        check(out, index)
    assert policy.calls == 2 * RUNS
