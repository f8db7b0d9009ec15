"""BatchingPolicy: many concurrent ``generate`` calls become one ``generate_batch`` call.

The graph stays the only rollout loop: a trainer or an evaluator runs one graph per trajectory, each
in its own thread, all sharing one ``BatchingPolicy``. Every ``generate`` call parks its request; a
batch fires as soon as every registered participant is waiting, so each policy step is one batched
``generate`` over all active trajectories::

    policy = BatchingPolicy(LocalPolicy(model_dir))
    with policy.session(len(questions)) as session:

        def run(question):
            with session.participant():  # leaves the session even if the run raises
                return graph.invoke({"question": question}, context=...)

        with ThreadPoolExecutor(len(questions)) as pool:
            results = list(pool.map(run, questions))

Rules, in order (checked whenever something changes; one batch runs at a time):

1. ``max_batch`` requests are waiting: fire.
2. Participants are registered and all of them are waiting: fire.
3. No participant is registered: fire whatever is waiting as soon as no batch is running (requests
   that arrive meanwhile are collected for the next batch).
4. Safety net: the oldest waiting request has waited ``max_wait_s`` (a participant is slow or was
   miscounted): fire what is there.

Determinism: a batch holds the oldest ``max_batch`` waiting requests, ordered by their content (not by
thread timing), so with a seeded backend the same set of trajectories gives the same outputs.
Identical requests are interchangeable: which of their callers gets which output is not fixed.
If the backend raises, every caller whose request was in that batch gets the exception.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from pr2_agent.policy.base import Generation, GenerationRequest, Policy

logger = logging.getLogger(__name__)


@dataclass
class _Pending:
    request: GenerationRequest
    arrived: float
    seq: int
    result: Generation | None = None
    error: BaseException | None = None
    done: bool = False
    key: str = field(default="", init=False)

    def __post_init__(self) -> None:
        r = self.request
        segs = [(s["kind"], s["text"], s["token_ids"]) for s in r.segments]
        self.key = repr((r.messages, segs, r.stop, r.max_new_tokens, r.temperature, r.top_p))


class BatchSession:
    """A group of participants registered together (see ``BatchingPolicy.session``)."""

    def __init__(self, owner: BatchingPolicy, size: int) -> None:
        """Use ``BatchingPolicy.session`` instead of constructing this directly."""
        self._owner = owner
        self._remaining = size
        self._lock = threading.Lock()

    @property
    def remaining(self) -> int:
        """Participants that have not left yet."""
        return self._remaining

    def leave(self) -> None:
        """Mark one participant as finished (its trajectory will not call ``generate`` again)."""
        with self._lock:
            if self._remaining <= 0:
                raise RuntimeError(
                    "BatchSession.leave() called more times than the session has participants."
                )
            self._remaining -= 1
        self._owner.unregister()

    @contextlib.contextmanager
    def participant(self) -> Iterator[None]:
        """Run one trajectory; leave the session when it ends, whether it returned or raised."""
        try:
            yield
        finally:
            self.leave()

    def _close(self) -> None:
        with self._lock:
            left_over, self._remaining = self._remaining, 0
        if left_over:
            self._owner.unregister(left_over)


class BatchingPolicy:
    """A thread-safe ``Policy`` that coalesces concurrent ``generate`` calls into ``inner.generate_batch``.

    Args:
        inner: The backend that does the work (``LocalPolicy``, ``ChatModelPolicy``, ...).
        max_batch: Largest batch handed to ``inner`` at once.
        max_wait_s: Safety net: how long a request waits for registered participants that are not
            waiting yet before its batch fires anyway. Unused when no participant is registered.
    """

    def __init__(self, inner: Policy, *, max_batch: int = 64, max_wait_s: float = 1.0) -> None:
        """Wrap ``inner``."""
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch}.")
        if max_wait_s < 0:
            raise ValueError(f"max_wait_s must be >= 0 seconds, got {max_wait_s}.")
        self.inner = inner
        self.name = inner.name
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self._cond = threading.Condition()
        self._pending: list[_Pending] = []
        self._participants = 0
        self._running = False
        self._seq = 0
        self.batch_sizes: list[int] = []
        """Size of every batch fired so far (for logs, tests and benchmarks)."""

    # ----------------------------------------------------------------------------------------------
    # Participants

    def register(self, n: int = 1) -> None:
        """Announce ``n`` trajectories that will call ``generate`` until they ``unregister``."""
        if n < 0:
            raise ValueError(f"register(n) needs n >= 0, got {n}.")
        with self._cond:
            self._participants += n
            self._cond.notify_all()

    def unregister(self, n: int = 1) -> None:
        """Announce that ``n`` trajectories finished; a batch may now be complete and fire."""
        with self._cond:
            if n > self._participants:
                raise RuntimeError(
                    f"unregister({n}) with only {self._participants} participants registered: every "
                    "unregister needs a matching register (use session() to keep them paired)."
                )
            self._participants -= n
            self._cond.notify_all()

    @property
    def participants(self) -> int:
        """Currently registered participants."""
        return self._participants

    @contextlib.contextmanager
    def session(self, n: int) -> Iterator[BatchSession]:
        """Register ``n`` participants for the block; any that have not left are removed at its end.

        Registering all of them before any starts matters: otherwise the first trajectory to reach
        the model would find itself alone and fire a batch of one.
        """
        if n < 0:
            raise ValueError(f"session(n) needs n >= 0, got {n}.")
        session = BatchSession(self, n)
        self.register(n)
        try:
            yield session
        finally:
            session._close()

    # ----------------------------------------------------------------------------------------------
    # Policy interface

    def encode(self, text: str) -> list[int] | None:
        """Delegate to the inner backend."""
        return self.inner.encode(text)

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Delegate a ready-made batch straight to the inner backend."""
        return self.inner.generate_batch(requests)

    def generate(self, request: GenerationRequest) -> Generation:
        """Wait for this request's batch to run and return its generation (or raise its error)."""
        with self._cond:
            item = _Pending(request, time.monotonic(), self._seq)
            self._seq += 1
            self._pending.append(item)
            self._cond.notify_all()
            while not item.done:
                batch, reason = self._take_batch_if_ready()
                if batch:
                    self._run(batch, reason)
                    continue
                self._cond.wait(timeout=self._wait_timeout())
        if item.error is not None:
            raise item.error
        assert item.result is not None  # done without error means a result was stored
        return item.result

    # ----------------------------------------------------------------------------------------------
    # Internals (called with self._cond held)

    def _take_batch_if_ready(self) -> tuple[list[_Pending], str]:
        if self._running or not self._pending:
            return [], ""
        waiting = len(self._pending)
        if waiting >= self.max_batch:
            reason = "full"
        elif self._participants == 0:
            reason = "idle"
        elif waiting >= self._participants:
            reason = "all waiting"
        elif time.monotonic() - self._pending[0].arrived >= self.max_wait_s:
            reason = "timeout"
        else:
            return [], ""
        # Oldest first (no starvation), then by content so thread timing does not change row order.
        batch = sorted(self._pending[: self.max_batch], key=lambda p: (p.key, p.seq))
        del self._pending[: self.max_batch]
        return batch, reason

    def _run(self, batch: list[_Pending], reason: str) -> None:
        """Run ``batch`` on the inner backend with the lock released, then wake every waiter."""
        self._running = True
        if reason == "timeout":
            logger.debug(
                "Batch of %d fired after max_wait_s=%.2fs with %d participants registered",
                len(batch),
                self.max_wait_s,
                self._participants,
            )
        self.batch_sizes.append(len(batch))
        self._cond.release()
        try:
            results = self.inner.generate_batch([p.request for p in batch])
            if len(results) != len(batch):
                raise RuntimeError(
                    f"{type(self.inner).__name__}.generate_batch returned {len(results)} generations for "
                    f"{len(batch)} requests."
                )
            for p, gen in zip(batch, results, strict=True):
                p.result = gen
        except BaseException as err:  # delivered to every caller of this batch, including this one
            for p in batch:
                p.error = err
        finally:
            self._cond.acquire()
            for p in batch:
                p.done = True
            self._running = False
            self._cond.notify_all()

    def _wait_timeout(self) -> float | None:
        if self._running or not self._pending or self._participants == 0:
            return None  # woken by the running batch finishing, or by a new arrival
        return max(0.0, self._pending[0].arrived + self.max_wait_s - time.monotonic())
