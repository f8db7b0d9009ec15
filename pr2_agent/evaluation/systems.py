"""The systems compared by ``pr2 eval``: LaMP-QA's baselines and the PR2 graph, on one shared policy.

* ``nopers`` - LaMP-QA No-Personalization: the question alone.
* ``rag`` - LaMP-QA RAG-Personalization: the question is the query to the asker's profile; the top-k
  items, best first, are joined into the benchmark's user turn.
* ``rag_random`` - the same prompt over *another* user's profile (a fixed donor per question): the
  benchmark's sanity floor, which personalization must beat.
* ``planpers`` - LaMP-QA's PlanPers: the generator first lists the aspects the answer should cover
  from the question and the same top-k items (the task's planner prompt), then answers with that
  plan in the prompt. LaMP-QA's planner is a fine-tuned Qwen2.5-7B; here the shared generator plans
  zero-shot, so this is PlanPers' inference procedure, not its trained planner.
* ``pr2`` (and every registered method) - the method's graph itself, searching the asker's profile
  on its own.

The single-turn systems send one ``GenerationRequest`` per question through ``generate_batch`` in
chunks; a method's graph runs once per question through the run layer's fan-out
(:mod:`pr2_agent.run.fanout`), and ``BatchingPolicy`` coalesces the runs' concurrent model calls
into batches. Every system reads its sampling and budgets from one template ``Context``. Systems
differ only in what they put in front of the model, so a trained checkpoint is evaluated by pointing
every system at it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, cast

from pr2_agent.context import Context
from pr2_agent.policy.base import GenerationRequest, Policy
from pr2_agent.tasks import Example, PlanningTask, Task, get_task

if TYPE_CHECKING:
    from pr2_agent.methods import Method
    from pr2_agent.store import ProfileHit

logger = logging.getLogger(__name__)

BASELINE_NAMES: tuple[str, ...] = ("nopers", "rag", "rag_random", "planpers")
"""The single-turn baselines; every registered method is a system too (see :func:`system_names`)."""


def system_names() -> tuple[str, ...]:
    """Every system ``pr2 eval`` knows, in report order: the baselines, then each method."""
    from pr2_agent.methods import method_names

    return (*BASELINE_NAMES, *method_names())


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


Answered = list[tuple[Example, SystemAnswer]]


class System(Protocol):
    """A way of answering a task's questions."""

    name: str

    def run(self, examples: Sequence[Example]) -> Iterator[Answered]:
        """Answer ``examples``, yielding groups of finished answers as soon as each group is done."""
        ...


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
class Prompt:
    """A single-turn system's input for one question, and what it read to build it."""

    messages: list[dict[str, str]]
    profile_user: str | None = None
    searches: list[str] = field(default_factory=list)
    retrieved_ids: list[str] = field(default_factory=list)


class SingleTurnSystem:
    """Shared loop of the baselines: the task's prompt, ``generate_batch`` per chunk, the task's reply parser."""

    name = "single_turn"

    def __init__(self, policy: Policy, context: Context, batch_size: int = 8, *, task: Task | None = None) -> None:
        """Bind the generator, the run template (turn budget, sampling), the chunk size and the task (LaMP-QA)."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
        self.policy = policy
        self.context = context
        self.batch_size = batch_size
        self.task = task if task is not None else get_task("lampqa")

    def prompt(self, example: Example) -> Prompt:
        """Return the model input for ``example``."""
        raise NotImplementedError

    def run(self, examples: Sequence[Example]) -> Iterator[Answered]:
        """Answer ``examples`` in chunks of ``batch_size``; one yielded group per chunk."""
        size = self.batch_size
        for start in range(0, len(examples), size):
            chunk = examples[start : start + size]
            began = time.perf_counter()
            prepared = [self.prompt(r) for r in chunk]
            requests = [
                GenerationRequest(
                    messages=p.messages,
                    max_new_tokens=self.context.max_new_tokens,
                    temperature=float(self.context.temperature),
                    top_p=float(self.context.top_p),
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
                answer, parsed = self.task.parse_reply(gen.text)
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

    def prompt(self, example: Example) -> Prompt:
        """The question alone, in the task's no-personalization prompt."""
        return Prompt(self.task.baseline_messages(example, None))


class ProfileRag(SingleTurnSystem):
    """LaMP-QA's RAG-Personalization baseline over the asker's own profile."""

    name = "rag"

    def __init__(
        self,
        policy: Policy,
        context: Context,
        store: ProfileSearch,
        k: int = 10,
        *,
        batch_size: int = 8,
        task: Task | None = None,
    ) -> None:
        """Bind the generator, the profile store and how many items to retrieve (LaMP-QA: 10)."""
        super().__init__(policy, context, batch_size, task=task)
        if k < 1:
            raise ValueError(f"rag k must be >= 1, got {k}. LaMP-QA retrieves 10 profile items.")
        self.store = store
        self.k = k

    def profile_owner(self, example: Example) -> str:
        """Whose profile to search for ``example``: the asker's."""
        return example.user_id

    def prompt(self, example: Example) -> Prompt:
        """Retrieve with the question as the query and fill the task's RAG prompt."""
        owner = self.profile_owner(example)
        hits = self.store.search(owner, example.question, self.k)
        return Prompt(
            self.task.baseline_messages(example, [h.text for h in hits]),
            profile_user=owner,
            searches=[example.question],
            retrieved_ids=[h.id for h in hits],
        )


class RandomProfileRag(ProfileRag):
    """RAG-Personalization over another user's profile: what personalization must beat."""

    name = "rag_random"

    def __init__(
        self,
        policy: Policy,
        context: Context,
        store: ProfileSearch,
        k: int = 10,
        *,
        pool: Sequence[str],
        seed: int = 0,
        batch_size: int = 8,
        task: Task | None = None,
    ) -> None:
        """Like ``rag``, reading the profile of a donor drawn from ``pool`` (user ids with a profile)."""
        super().__init__(policy, context, store, k, batch_size=batch_size, task=task)
        self.pool = list(pool)
        self.seed = seed

    def profile_owner(self, example: Example) -> str:
        """A fixed other user for this question (see :func:`donor_for`)."""
        return donor_for(example.user_id, self.pool, self.seed)


class PlanPers(ProfileRag):
    """LaMP-QA's PlanPers: plan the aspects to cover from the retrieved profile, then answer with the plan.

    Two ``generate_batch`` calls per chunk (all plans, then all answers), both on the shared policy.
    """

    name = "planpers"

    PLAN_TOKENS = 192
    """Cap on the planner's output: a bullet list of aspects, not an answer."""

    def __init__(
        self,
        policy: Policy,
        context: Context,
        store: ProfileSearch,
        k: int = 10,
        *,
        batch_size: int = 8,
        task: Task | None = None,
    ) -> None:
        """Like ``rag``; the task must own PlanPers' prompts (a :class:`~pr2_agent.tasks.PlanningTask`)."""
        super().__init__(policy, context, store, k, batch_size=batch_size, task=task)
        if not isinstance(self.task, PlanningTask):
            raise ValueError(
                f"planpers needs a task with planning prompts (plan_messages, planned_messages); task "
                f"{self.task.name!r} has none. Drop planpers from --systems for this task."
            )
        self.planning: PlanningTask = self.task

    def run(self, examples: Sequence[Example]) -> Iterator[Answered]:
        """Per chunk: retrieve, plan every question in one batch, then answer every question in one batch."""
        for start in range(0, len(examples), self.batch_size):
            chunk = examples[start : start + self.batch_size]
            began = time.perf_counter()
            owners = [self.profile_owner(e) for e in chunk]
            hits = [self.store.search(owner, e.question, self.k) for owner, e in zip(owners, chunk, strict=True)]
            texts = [[h.text for h in found] for found in hits]
            plan_budget = min(self.PLAN_TOKENS, self.context.max_new_tokens)
            plans = self._generate(
                [self.planning.plan_messages(e, t) for e, t in zip(chunk, texts, strict=True)], plan_budget
            )
            answers = self._generate(
                [self.planning.planned_messages(e, t, p.text) for e, t, p in zip(chunk, texts, plans, strict=True)],
                self.context.max_new_tokens,
            )
            share = (time.perf_counter() - began) / len(chunk)
            group: Answered = []
            for example, owner, found, plan, gen in zip(chunk, owners, hits, plans, answers, strict=True):
                answer, parsed = self.task.parse_reply(gen.text)
                group.append(
                    (
                        example,
                        SystemAnswer(
                            answer=answer,
                            raw=f"{PLAN_HEADER}{plan.text}\n{ANSWER_HEADER}{gen.text}",
                            json_parsed=parsed,
                            profile_user=owner,
                            searches=[example.question],
                            retrieved_ids=[h.id for h in found],
                            finish=gen.finish_reason,
                            seconds=share,
                        ),
                    )
                )
            yield group

    def _generate(self, messages: list[list[dict[str, str]]], max_new_tokens: int) -> list[Any]:
        requests = [
            GenerationRequest(
                messages=m,
                max_new_tokens=max_new_tokens,
                temperature=float(self.context.temperature),
                top_p=float(self.context.top_p),
            )
            for m in messages
        ]
        generations = self.policy.generate_batch(requests)
        if len(generations) != len(requests):
            raise RuntimeError(
                f"policy {self.policy.name!r} returned {len(generations)} generations for "
                f"{len(requests)} requests; generate_batch must answer every request, in order."
            )
        return list(generations)


PLAN_HEADER = "[plan]\n"
ANSWER_HEADER = "[answer]\n"
"""How a PlanPers trace (``SystemAnswer.raw``) separates the planner's output from the answer."""


class GraphSystem:
    """A method's graph, one run per question, ``batch_size`` runs at once sharing batched model calls.

    Each worker of the run layer's fan-out is one participant of a ``BatchingPolicy`` session for its
    whole life and pulls question after question, so the policy fires a batch whenever every worker
    is waiting for the model, and a finished question never shrinks the batch.
    """

    def __init__(
        self, method: Method, policy: Policy, store: ProfileSearch, context: Context, *, batch_size: int = 8
    ) -> None:
        """Build the method's graph on a batching wrapper of ``policy``.

        Args:
            method: Whose graph runs (PR2, ...); the system is reported under its name.
            policy: The generator (shared with the other systems).
            store: The profile store.
            context: The run template; ``user_id`` is replaced by each example's.
            batch_size: How many graph runs are in flight at once.
        """
        from pr2_agent.run.fanout import batched

        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
        self.name = method.name
        self.batching = batched(policy, batch_size)
        self.graph = method.build_graph(model=self.batching, profile_store=cast(Any, store))
        self.context = context
        self.batch_size = batch_size

    def answer_one(self, example: Example) -> SystemAnswer:
        """Run the graph for one example and collect its trace."""
        context = replace(self.context, user_id=example.user_id, personalized=True)
        began = time.perf_counter()
        out = self.graph.invoke({"question": example.question}, context=context)
        seconds = time.perf_counter() - began
        raw = "".join(s["text"] for s in out.get("segments", []) if s["kind"] == "model")
        return SystemAnswer(
            answer=str(out.get("answer", "")).strip(),
            raw=raw,
            json_parsed=None,
            profile_user=example.user_id,
            searches=list(out.get("searches", [])),
            retrieved_ids=list(out.get("retrieved_ids", [])),
            finish=str(out.get("finish", "")),
            seconds=seconds,
        )

    def run(self, examples: Sequence[Example]) -> Iterator[Answered]:
        """Answer ``examples`` on ``batch_size`` workers; yield each answer as soon as its run ends."""
        from pr2_agent.run.fanout import run_jobs

        if not examples:
            return
        runs = run_jobs(
            examples, self.answer_one, workers=self.batch_size, batching=self.batching, thread_name="pr2-eval"
        )
        for finished in runs:
            yield [(finished.job, finished.result)]
        sizes = self.batching.batch_sizes
        if sizes:
            logger.info(
                "%s: %d model calls, mean batch %.1f, max %d",
                self.name,
                len(sizes),
                sum(sizes) / len(sizes),
                max(sizes),
            )
