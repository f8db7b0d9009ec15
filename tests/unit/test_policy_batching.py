"""BatchingPolicy: concurrent calls coalesce into one generate_batch; no deadlocks; errors reach callers."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pr2_agent.policy.base import Generation, GenerationRequest, Policy
from pr2_agent.policy.batching import BatchingPolicy
from pr2_agent.policy.local import LocalPolicy
from tests.tiny_model import build_tiny_model


class EchoPolicy:
    """Answers each request with its user message + step number; records every batch."""

    name = "echo"

    def __init__(self, fail_on: str | None = None, delay_s: float = 0.0) -> None:
        self.batches: list[list[str]] = []
        self.fail_on = fail_on
        self.delay_s = delay_s
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def encode(self, text: str) -> list[int]:
        return [len(text)]

    def generate(self, request: GenerationRequest) -> Generation:
        return self.generate_batch([request])[0]

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.batches.append([r.messages[0]["content"] for r in requests])
        try:
            time.sleep(self.delay_s)
            if self.fail_on is not None and any(r.messages[0]["content"] == self.fail_on for r in requests):
                raise RuntimeError(f"backend failed on {self.fail_on}")
            return [
                Generation(
                    text=f"{r.messages[0]['content']}#{len(r.segments)}",
                    token_ids=None,
                    prompt_ids=None,
                    finish_reason="eos",
                )
                for r in requests
            ]
        finally:
            with self._lock:
                self.active -= 1


def req(user: str, steps_done: int = 0) -> GenerationRequest:
    segments = [{"kind": "model", "text": "x", "token_ids": None}] * steps_done
    return GenerationRequest(messages=[{"role": "user", "content": user}], segments=segments)  # type: ignore[arg-type]


def run_trajectories(policy: BatchingPolicy, users: list[str], steps: dict[str, int], jitter_s: float = 0.0):
    """Each user runs ``steps[user]`` generate calls in its own thread, with random work in between."""
    rng = random.Random(0)
    pauses = {u: [rng.uniform(0, jitter_s) for _ in range(steps[u])] for u in users}

    def trajectory(user: str) -> list[str]:
        with session.participant():
            out = []
            for step in range(steps[user]):
                time.sleep(pauses[user][step])  # retrieval, parsing, ...
                out.append(policy.generate(req(user, step)).text)
            return out

    with policy.session(len(users)) as session, ThreadPoolExecutor(len(users)) as pool:
        return list(pool.map(trajectory, users))


def test_concurrent_calls_become_one_batch_per_step() -> None:
    inner = EchoPolicy(delay_s=0.01)
    policy = BatchingPolicy(inner, max_wait_s=30)
    users = [f"u{i}" for i in range(8)]
    results = run_trajectories(policy, users, {u: 3 for u in users}, jitter_s=0.05)
    assert results == [[f"{u}#0", f"{u}#1", f"{u}#2"] for u in users]  # each caller got its own rows
    assert policy.batch_sizes == [8, 8, 8]
    assert inner.max_active == 1


def test_finished_trajectories_leave_and_do_not_stall_the_others() -> None:
    inner = EchoPolicy()
    policy = BatchingPolicy(inner, max_wait_s=30)  # a stall would show up as a 30 s wait
    users = ["a", "b", "c", "d"]
    start = time.monotonic()
    results = run_trajectories(policy, users, {"a": 1, "b": 2, "c": 3, "d": 3}, jitter_s=0.02)
    assert time.monotonic() - start < 10
    assert [len(r) for r in results] == [1, 2, 3, 3]
    assert policy.batch_sizes == [4, 3, 2]
    assert policy.participants == 0


def test_a_trajectory_that_raises_releases_the_others() -> None:
    policy = BatchingPolicy(EchoPolicy(), max_wait_s=30)

    def trajectory(user: str) -> str:
        with session.participant():
            if user == "bad":
                raise KeyError("the graph failed before reaching the model")
            time.sleep(0.05)
            return policy.generate(req(user)).text

    start = time.monotonic()
    with policy.session(3) as session, ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(trajectory, u) for u in ("ok1", "bad", "ok2")]
        with pytest.raises(KeyError):
            futures[1].result()
        assert [futures[0].result(), futures[2].result()] == ["ok1#0", "ok2#0"]
    assert time.monotonic() - start < 10
    assert policy.batch_sizes == [2]


def test_backend_errors_reach_every_caller_of_that_batch_only() -> None:
    policy = BatchingPolicy(EchoPolicy(fail_on="boom"), max_wait_s=30)
    users = ["a", "boom", "c"]

    def trajectory(user: str) -> str:
        with session.participant():
            try:
                return policy.generate(req(user)).text
            except RuntimeError as err:
                return f"error: {err}"

    with policy.session(3) as session, ThreadPoolExecutor(3) as pool:
        results = list(pool.map(trajectory, users))
    assert results == ["error: backend failed on boom"] * 3
    # The policy is still usable afterwards.
    assert policy.generate(req("after")).text == "after#0"


def test_without_participants_a_lone_call_fires_immediately() -> None:
    policy = BatchingPolicy(EchoPolicy(), max_wait_s=30)
    start = time.monotonic()
    assert policy.generate(req("solo")).text == "solo#0"
    assert time.monotonic() - start < 1


def test_without_participants_calls_arriving_during_a_batch_are_collected() -> None:
    inner = EchoPolicy(delay_s=0.6)
    policy = BatchingPolicy(inner)
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(policy.generate, req("first"))
        time.sleep(0.1)  # "first" is running now; the next five wait for it
        rest = [pool.submit(policy.generate, req(f"r{i}")) for i in range(5)]
        assert first.result().text == "first#0"
        assert [f.result().text for f in rest] == [f"r{i}#0" for i in range(5)]
    assert policy.batch_sizes == [1, 5]


def test_safety_net_fires_when_a_participant_never_arrives() -> None:
    policy = BatchingPolicy(EchoPolicy(), max_wait_s=0.2)
    with policy.session(2):  # miscounted: only one trajectory actually runs
        start = time.monotonic()
        assert policy.generate(req("lonely")).text == "lonely#0"
        waited = time.monotonic() - start
    assert 0.15 <= waited < 5


def test_max_batch_splits_and_serves_everyone() -> None:
    inner = EchoPolicy(delay_s=0.01)
    policy = BatchingPolicy(inner, max_batch=3, max_wait_s=30)
    users = [f"u{i}" for i in range(7)]
    results = run_trajectories(policy, users, {u: 1 for u in users})
    assert results == [[f"{u}#0"] for u in users]
    assert all(size <= 3 for size in policy.batch_sizes) and sum(policy.batch_sizes) == 7


def test_rows_are_ordered_by_content_not_by_arrival() -> None:
    inner = EchoPolicy()
    policy = BatchingPolicy(inner, max_wait_s=30)
    users = ["delta", "alpha", "charlie", "bravo"]
    run_trajectories(policy, users, {u: 1 for u in users}, jitter_s=0.05)
    assert inner.batches == [sorted(users)]


def test_session_bookkeeping_errors_are_explained() -> None:
    policy = BatchingPolicy(EchoPolicy())
    with policy.session(1) as session:
        session.leave()
        with pytest.raises(RuntimeError, match="more times than"):
            session.leave()
    with pytest.raises(RuntimeError, match="matching register"):
        policy.unregister()
    with pytest.raises(ValueError, match="max_batch"):
        BatchingPolicy(EchoPolicy(), max_batch=0)


def test_batching_a_local_model_gives_the_same_rows_as_one_batch(tmp_path: Path) -> None:
    local = LocalPolicy(build_tiny_model(tmp_path / "tiny"))
    questions = ["What food do I like?", "hello", "Where do you live?", "How can I sleep better?"]
    reqs = [
        GenerationRequest(messages=[{"role": "user", "content": q}], max_new_tokens=6, temperature=0.0)
        for q in questions
    ]
    expected = [g.token_ids for g in local.generate_batch(reqs)]
    policy = BatchingPolicy(local, max_wait_s=30)

    def trajectory(r: GenerationRequest) -> list[int] | None:
        with session.participant():
            return policy.generate(r).token_ids

    with policy.session(len(reqs)) as session, ThreadPoolExecutor(len(reqs)) as pool:
        got = list(pool.map(trajectory, reqs))
    assert got == expected
    assert policy.batch_sizes == [4]
    assert policy.encode("hello") == local.encode("hello")
    assert isinstance(policy, Policy) and policy.name == local.name
