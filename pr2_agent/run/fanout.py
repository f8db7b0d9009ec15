"""Many graph runs at once: the one fan-out used by rollouts, export, evaluation and protocol stats.

Each job runs on a worker thread. With a :class:`~pr2_agent.policy.batching.BatchingPolicy`, every
worker is a participant of one batching session for its whole life, so the model is called with one
batch whenever every live worker waits for it, and a finished job never shrinks the batch while
jobs remain (the worker pulls the next one)::

    policy = batched(LocalPolicy(model_dir), max_batch=8)
    graph = build_graph(model=policy, profile_store=store)
    for done in run_jobs(records, lambda r: graph.invoke(...), workers=8, batching=policy):
        print(done.index, done.result["answer"])

Results are yielded as runs finish (``Finished.index`` is the job's position); :func:`run_all`
collects them in job order. The first run that raises stops new jobs from starting and is re-raised
in the consuming thread; runs already in flight finish and are dropped.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from pr2_agent.policy.base import Policy
    from pr2_agent.policy.batching import BatchingPolicy

J = TypeVar("J")
R = TypeVar("R")

STRAGGLER_WAIT_S = 30.0
"""How long a batch waits for a run still busy between model turns (retrieval, graph steps).

Every worker is a registered participant, so a batch normally fires the moment all of them wait;
this is only the safety net. BatchingPolicy's default (1 s) is too short on a loaded CPU: one slow
profile search then splits a step into two generations, which also changes what a seeded sampler
draws for each row, so a run would depend on the machine's load."""


def batched(policy: Policy, max_batch: int) -> BatchingPolicy:
    """Wrap ``policy`` for many concurrent graph runs (one ``generate_batch`` per reasoning step)."""
    from pr2_agent.policy.batching import BatchingPolicy

    return BatchingPolicy(policy, max_batch=max_batch, max_wait_s=STRAGGLER_WAIT_S)


@dataclass(frozen=True)
class Finished(Generic[J, R]):
    """One finished run."""

    index: int
    """Position of the job in the sequence given to :func:`run_jobs`."""
    job: J
    result: R


def run_jobs(
    jobs: Sequence[J],
    run_one: Callable[[J], R],
    *,
    workers: int | None = None,
    batching: BatchingPolicy | None = None,
    thread_name: str = "pr2-run",
) -> Iterator[Finished[J, R]]:
    """Run ``run_one(job)`` for every job on ``workers`` threads; yield each run as it finishes.

    Args:
        jobs: What to run (records, (record, sample) pairs, training rows...).
        run_one: Runs one job, typically one ``graph.invoke``.
        workers: Runs in flight at once; None = all jobs at once (a training step's rollouts).
            With 1 (or a single job) everything runs in the calling thread, in order.
        batching: The graph's policy, when it is a ``BatchingPolicy``: each worker joins its session.
        thread_name: Prefix of the worker threads' names (shows in stack dumps and logs).

    Raises:
        ValueError: ``workers`` < 1.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1 (runs in flight at once), got {workers}.")
    n_workers = min(len(jobs) if workers is None else workers, len(jobs))
    if n_workers <= 1:
        for index, job in enumerate(jobs):
            yield Finished(index, job, run_one(job))
        return
    todo: queue.SimpleQueue[tuple[int, J]] = queue.SimpleQueue()
    for item in enumerate(jobs):
        todo.put(item)
    done: queue.SimpleQueue[tuple[int, J, R | None, BaseException | None]] = queue.SimpleQueue()
    stop = threading.Event()

    def work(leave: Callable[[], None] | None) -> None:
        try:
            while not stop.is_set():
                try:
                    index, job = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    done.put((index, job, run_one(job), None))
                except BaseException as err:  # handed to the consuming thread, which re-raises it
                    done.put((index, job, None, err))
                    return
        finally:
            if leave is not None:
                leave()

    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix=thread_name))
        session = stack.enter_context(batching.session(n_workers)) if batching is not None else None
        stack.callback(stop.set)  # on an error or an interrupt no new run starts
        for _ in range(n_workers):
            pool.submit(work, session.leave if session is not None else None)
        for _ in jobs:
            index, job, result, error = done.get()
            if error is not None:
                raise error
            yield Finished(index, job, result)  # type: ignore[arg-type]  # no error means a result


def run_all(
    jobs: Sequence[J],
    run_one: Callable[[J], R],
    *,
    workers: int | None = None,
    batching: BatchingPolicy | None = None,
    thread_name: str = "pr2-run",
) -> list[R]:
    """Like :func:`run_jobs`, but wait for every run and return the results in job order."""
    results: dict[int, R] = {}
    for finished in run_jobs(jobs, run_one, workers=workers, batching=batching, thread_name=thread_name):
        results[finished.index] = finished.result
    return [results[i] for i in range(len(jobs))]
