"""The systems compared by ``pr2 eval``: LaMP-QA's baselines and the PR2 graph, on one shared policy.

* ``nopers`` - LaMP-QA No-Personalization: the question alone.
* ``rag`` - LaMP-QA RAG-Personalization: the question is the query to the asker's profile; the top-k
  items, best first, are joined into the benchmark's user turn.
* ``rag_random`` - the same prompt over *another* user's profile (a fixed donor per question): the
  benchmark's sanity floor, which personalization must beat.
* ``pr2`` - the PR2 graph itself, searching the asker's profile on its own.

The single-turn systems send one ``GenerationRequest`` per question through ``generate_batch`` in
chunks; ``pr2`` runs one graph per question in a thread pool, and ``BatchingPolicy`` coalesces the
threads' concurrent model calls into batches. Systems differ only in what they put in front of the
model, so a trained checkpoint is evaluated by pointing every system at it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, cast

from pr2_agent import prompts
from pr2_agent.context import Context
from pr2_agent.data.lampqa import LaMPQARecord
from pr2_agent.policy.base import GenerationRequest, Policy
from pr2_agent.store import ProfileHit

if TYPE_CHECKING:
    from pr2_agent.policy.batching import BatchSession

logger = logging.getLogger(__name__)

STRAGGLER_WAIT_S = 30.0
"""How long pr2's batch waits for a worker still busy between model turns (retrieval, graph steps).

Every worker is a registered participant, so a batch normally fires the moment all of them wait;
this is only the safety net. BatchingPolicy's default (1 s) is too short on a loaded CPU: one slow
profile search then splits a step into two full-length generations."""

SYSTEM_NAMES: tuple[str, ...] = ("nopers", "rag", "rag_random", "pr2")
"""Every system ``pr2 eval`` knows, in report order."""

ANSWER_FIELD = "personalized_answer"
"""The JSON field LaMP-QA's baseline prompts ask the generator to fill."""

_JSON_BLOCK = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


class ProfileSearch(Protocol):
    """The part of ``ProfileStore`` the systems use (tests pass an in-memory stand-in)."""

    def search(self, user_id: str, query: str, k: int) -> list[ProfileHit]: ...  # noqa: D102


@dataclass(frozen=True)
class SystemAnswer:
    """What one system produced for one question, with the trace the report needs."""

    answer: str
    """The text the judge scores and the response file stores."""
    raw: str
    """Everything the model wrote (for pr2: all model segments, concatenated)."""
    json_parsed: bool | None = None
    """Single-turn systems: whether the ```json``` block parsed; None for pr2."""
    profile_user: str | None = None
    """Whose profile the system read (None: no profile access)."""
    searches: list[str] = field(default_factory=list)
    """Queries sent to the profile store."""
    retrieved_ids: list[str] = field(default_factory=list)
    """Profile item ids returned, in order."""
    finish: str = "answer"
    """``answer`` / ``forced`` (pr2), or the backend's finish reason (``stop``/``eos``/``length``)."""
    seconds: float = 0.0
    """Generation wall time attributed to this question: a batch's time split evenly over its
    questions (single-turn systems), or this graph run's own latency under concurrency (pr2)."""


Answered = list[tuple[LaMPQARecord, SystemAnswer]]


class System(Protocol):
    """A way of answering LaMP-QA questions."""

    name: str

    def run(self, records: Sequence[LaMPQARecord]) -> Iterator[Answered]:
        """Answer ``records``, yielding groups of finished answers as soon as each group is done."""
        ...


def extract_personalized_answer(text: str) -> tuple[str, bool]:
    """Return the ``personalized_answer`` of a LaMP-QA baseline reply, and whether it parsed.

    The prompts ask for a ```json``` block holding ``{"personalized_answer": ...}``; a bare JSON
    object is accepted too. Anything else (small models rarely produce valid JSON) falls back to
    the raw text, stripped, so the judge still sees what the model said.

    Example:
        >>> extract_personalized_answer('```json\\n{"personalized_answer": "Try oat milk."}\\n```')
        ('Try oat milk.', True)
        >>> extract_personalized_answer("Just try oat milk.")
        ('Just try oat milk.', False)
    """
    candidates = [m.group(1) for m in _JSON_BLOCK.finditer(text)] + [text]
    for candidate in candidates:
        try:
            value = json.loads(candidate.strip())
        except ValueError:
            continue
        if isinstance(value, Mapping) and isinstance(value.get(ANSWER_FIELD), str):
            return value[ANSWER_FIELD].strip(), True
    return text.strip(), False


def donor_for(qid: str, pool: Sequence[str], seed: int) -> str:
    """Pick the user whose profile ``rag_random`` reads for question ``qid``: never ``qid`` itself.

    The choice is a hash of (seed, qid) over the sorted pool, so it is the same on every run, in
    every process, and does not depend on the order records were loaded in.

    Raises:
        ValueError: The pool holds no user other than ``qid``.

    Example:
        >>> donor_for("q1", ["q1", "q2"], seed=0)
        'q2'
    """
    others = sorted({u for u in pool if u != qid})
    if not others:
        raise ValueError(
            f"rag_random needs another user's profile for question {qid!r}, but no other record has a "
            "profile. Evaluate at least two records with non-empty profiles, or drop rag_random from "
            "--systems."
        )
    digest = hashlib.sha256(f"{seed}\x00{qid}".encode()).hexdigest()
    return others[int(digest, 16) % len(others)]


@dataclass(frozen=True)
class Sampling:
    """Sampling settings shared by every system of one run."""

    max_new_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 0.95
    batch_size: int = 8
    """Questions per ``generate_batch`` call (single-turn) or graph runs in flight (pr2)."""

    def __post_init__(self) -> None:
        """Reject settings no backend can honour."""
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}.")
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}.")


@dataclass(frozen=True)
class Prompt:
    """A single-turn system's input for one question, and what it read to build it."""

    messages: list[dict[str, str]]
    profile_user: str | None = None
    searches: list[str] = field(default_factory=list)
    retrieved_ids: list[str] = field(default_factory=list)


def nopers_messages(question: str) -> list[dict[str, str]]:
    """LaMP-QA No-Personalization prompt for one question."""
    return [
        {"role": "system", "content": prompts.NOPERS_SYSTEM_PROMPT},
        {"role": "user", "content": prompts.NOPERS_USER_TEMPLATE.format(question=question)},
    ]


def rag_messages(question: str, profile_texts: Sequence[str]) -> list[dict[str, str]]:
    """LaMP-QA RAG-Personalization prompt: retrieved profile texts (best first) + the question."""
    profile = prompts.RAG_PROFILE_SEPARATOR.join(profile_texts)
    return [
        {"role": "system", "content": prompts.RAG_SYSTEM_PROMPT},
        {"role": "user", "content": prompts.RAG_USER_TEMPLATE.format(profile=profile, question=question)},
    ]


class SingleTurnSystem:
    """Shared loop of the LaMP-QA baselines: build prompts, ``generate_batch`` per chunk, parse JSON."""

    name = "single_turn"

    def __init__(self, policy: Policy, settings: Sampling) -> None:
        """Bind the generator and its sampling settings."""
        self.policy = policy
        self.settings = settings

    def prompt(self, record: LaMPQARecord) -> Prompt:
        """Return the model input for ``record``."""
        raise NotImplementedError

    def run(self, records: Sequence[LaMPQARecord]) -> Iterator[Answered]:
        """Answer ``records`` in chunks of ``batch_size``; one yielded group per chunk."""
        size = self.settings.batch_size
        for start in range(0, len(records), size):
            chunk = records[start : start + size]
            began = time.perf_counter()
            prepared = [self.prompt(r) for r in chunk]
            requests = [
                GenerationRequest(
                    messages=p.messages,
                    max_new_tokens=self.settings.max_new_tokens,
                    temperature=self.settings.temperature,
                    top_p=self.settings.top_p,
                )
                for p in prepared
            ]
            generations = self.policy.generate_batch(requests)
            if len(generations) != len(requests):
                raise RuntimeError(
                    f"policy {self.policy.name!r} returned {len(generations)} generations for "
                    f"{len(requests)} requests; generate_batch must answer every request, in order."
                )
            share = (time.perf_counter() - began) / len(chunk)
            group: Answered = []
            for record, trace, gen in zip(chunk, prepared, generations, strict=True):
                answer, parsed = extract_personalized_answer(gen.text)
                group.append(
                    (
                        record,
                        SystemAnswer(
                            answer=answer,
                            raw=gen.text,
                            json_parsed=parsed,
                            profile_user=trace.profile_user,
                            searches=trace.searches,
                            retrieved_ids=trace.retrieved_ids,
                            finish=gen.finish_reason,
                            seconds=share,
                        ),
                    )
                )
            yield group


class NoPersonalization(SingleTurnSystem):
    """LaMP-QA's No-Personalization baseline."""

    name = "nopers"

    def prompt(self, record: LaMPQARecord) -> Prompt:
        """The question alone, under the benchmark's system prompt."""
        return Prompt(nopers_messages(record.question))


class ProfileRag(SingleTurnSystem):
    """LaMP-QA's RAG-Personalization baseline over the asker's own profile."""

    name = "rag"

    def __init__(self, policy: Policy, settings: Sampling, store: ProfileSearch, k: int = 10) -> None:
        """Bind the generator, the profile store and how many items to retrieve (LaMP-QA: 10)."""
        super().__init__(policy, settings)
        if k < 1:
            raise ValueError(f"rag k must be >= 1, got {k}. LaMP-QA retrieves 10 profile items.")
        self.store = store
        self.k = k

    def profile_owner(self, record: LaMPQARecord) -> str:
        """Whose profile to search for ``record``: the asker's."""
        return record.id

    def prompt(self, record: LaMPQARecord) -> Prompt:
        """Retrieve with the question as the query and fill the benchmark's RAG prompt."""
        owner = self.profile_owner(record)
        hits = self.store.search(owner, record.question, self.k)
        return Prompt(
            rag_messages(record.question, [h.text for h in hits]),
            profile_user=owner,
            searches=[record.question],
            retrieved_ids=[h.id for h in hits],
        )


class RandomProfileRag(ProfileRag):
    """RAG-Personalization over another user's profile: what personalization must beat."""

    name = "rag_random"

    def __init__(
        self,
        policy: Policy,
        settings: Sampling,
        store: ProfileSearch,
        k: int = 10,
        *,
        pool: Sequence[str],
        seed: int = 0,
    ) -> None:
        """Like ``rag``, reading the profile of a donor drawn from ``pool`` (user ids with a profile)."""
        super().__init__(policy, settings, store, k)
        self.pool = list(pool)
        self.seed = seed

    def profile_owner(self, record: LaMPQARecord) -> str:
        """A fixed other user for this question (see :func:`donor_for`)."""
        return donor_for(record.id, self.pool, self.seed)


class PR2System:
    """The PR2 graph, one run per question, ``batch_size`` runs at once sharing batched model calls.

    Each of ``batch_size`` worker threads is one participant of a ``BatchingPolicy`` session for its
    whole life and pulls question after question, so the policy fires a batch whenever every worker
    is waiting for the model, and a finished question never shrinks the batch.
    """

    name = "pr2"

    def __init__(self, policy: Policy, store: ProfileSearch, context: Context, settings: Sampling) -> None:
        """Build the graph on a batching wrapper of ``policy``.

        Args:
            policy: The generator (shared with the other systems).
            store: The profile store (user = record id).
            context: Budgets and sampling; ``user_id`` is replaced by each record's id.
            settings: ``batch_size`` = how many graph runs are in flight at once.
        """
        from pr2_agent.graph import build_graph
        from pr2_agent.policy.batching import BatchingPolicy

        self.batching = BatchingPolicy(policy, max_batch=settings.batch_size, max_wait_s=STRAGGLER_WAIT_S)
        self.graph = build_graph(model=self.batching, store=cast(Any, store))
        self.context = context
        self.settings = settings

    def answer_one(self, record: LaMPQARecord) -> SystemAnswer:
        """Run the graph for one record (user = record id) and collect its trace."""
        context = replace(self.context, user_id=record.id, personalized=True)
        began = time.perf_counter()
        out = self.graph.invoke({"question": record.question}, context=context)
        seconds = time.perf_counter() - began
        raw = "".join(s["text"] for s in out.get("segments", []) if s["kind"] == "model")
        return SystemAnswer(
            answer=str(out.get("answer", "")).strip(),
            raw=raw,
            json_parsed=None,
            profile_user=record.id,
            searches=list(out.get("searches", [])),
            retrieved_ids=list(out.get("retrieved_ids", [])),
            finish=str(out.get("finish", "")),
            seconds=seconds,
        )

    def run(self, records: Sequence[LaMPQARecord]) -> Iterator[Answered]:
        """Answer ``records`` on ``batch_size`` workers; yield each answer as soon as its run ends."""
        if not records:
            return
        todo: queue.SimpleQueue[LaMPQARecord] = queue.SimpleQueue()
        for record in records:
            todo.put(record)
        finished: queue.SimpleQueue[tuple[LaMPQARecord, SystemAnswer | None, BaseException | None]]
        finished = queue.SimpleQueue()
        stop = threading.Event()
        workers = min(self.settings.batch_size, len(records))

        def work(session: BatchSession) -> None:
            with session.participant():
                while not stop.is_set():
                    try:
                        record = todo.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        finished.put((record, self.answer_one(record), None))
                    except BaseException as err:  # handed to the consuming thread, which re-raises it
                        finished.put((record, None, err))
                        return

        with (
            self.batching.session(workers) as session,
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pr2-eval") as pool,
        ):
            for _ in range(workers):
                pool.submit(work, session)
            try:
                for _ in records:
                    record, answer, error = finished.get()
                    if error is not None:
                        raise error
                    assert answer is not None
                    yield [(record, answer)]
            finally:
                # On an error or an interrupt, start no new question; runs in flight finish and are dropped.
                stop.set()
        sizes = self.batching.batch_sizes
        if sizes:
            logger.info(
                "pr2: %d model calls, mean batch %.1f, max %d",
                len(sizes),
                sum(sizes) / len(sizes),
                max(sizes),
            )
