"""GRPO rollouts produced by the PR2 graph itself (TRL's ``rollout_func``).

Per training step TRL hands the rollout the generation batch: K consecutive copies of each
question. For every row this runs one personalized graph invocation, and for every distinct
question M extra non-personalized ones (``Context(personalized=False)``: searches return no
profile). All of them run at once in threads through a :class:`BatchingPolicy`, so each reasoning
step of the whole batch is one batched ``generate`` call. The M non-personalized answers are scored
with the same judge to give the question's baseline ``r_v``; they are never training rows.

Each personalized trajectory becomes ``completion_ids`` (the exact sampled ids and the inserted
observation ids, concatenated, never re-tokenized) with ``env_mask`` 1 on sampled tokens and 0 on
inserted ones, plus per-row fields the reward functions and the trainer's logging read.

The policy generates with the training model itself (``LocalPolicy``), or with TRL's vLLM engine when
the GRPOConfig sets ``use_vllm`` (``trainers.vllm_policy.VLLMPolicy``, whose sampled log-probabilities
also feed TRL's importance-sampling correction).
"""

from __future__ import annotations

import contextlib
import logging
import math
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from pr2_agent.context import Context
from pr2_agent.methods import Method, get_method
from pr2_agent.policy.base import Policy
from pr2_agent.policy.batching import BatchingPolicy
from pr2_agent.run.fanout import batched, run_all
from pr2_agent.trajectory import Trajectory

if TYPE_CHECKING:
    from langgraph.graph.state import CompiledStateGraph

    from pr2_agent.store import ProfileStore

logger = logging.getLogger(__name__)

Scorer = Callable[..., list[float | None]]
"""The score reward function itself, in TRL's signature ``(prompts, completions, **columns)``: the
rubric judge (LaMP-QA) or a LaMP metric. The non-personalized answers are scored by calling it on
their question's row columns with their own ``answer`` / ``model_text``, so any task's score works."""
PolicyFactory = Callable[[Any, Any], Policy]
"""``(backend, tokenizer) -> Policy`` used for one step's rollouts. The backend is the unwrapped training
model, or TRL's ``trainer.vllm_generation`` when the GRPOConfig sets ``use_vllm``."""

ROLLOUT_FIELDS: tuple[str, ...] = ("answer", "model_text", "num_searches", "finish", "baseline_score")
"""Per-row fields the rollout adds for rewards and logging."""


@dataclass(frozen=True)
class RolloutSettings:
    """How a training step runs the graph.

    Sampling (temperature, top_p) comes from the trainer's GRPOConfig and replaces the template's.
    """

    context: Context = field(default_factory=lambda: Context(max_new_tokens=128))
    """Template of every run's Context (search budget, items per search, turn budget, store settings);
    each run gets its row's user and its sampling on top of it."""
    num_baseline: int = 1
    """M: non-personalized rollouts per question (PR2: 1). 0 = no baseline (only with advantage 'grpo')."""
    max_batch: int = 256
    """Largest generate batch; all of a step's graph runs are in flight at once, so this caps memory."""

    def __post_init__(self) -> None:
        """Validate; messages name the field and the fix."""
        if not isinstance(self.context, Context):
            raise TypeError(f"context must be a pr2_agent.Context, got {type(self.context).__name__}.")
        if not (isinstance(self.num_baseline, int) and self.num_baseline >= 0):
            raise ValueError(f"num_baseline must be an integer >= 0, got {self.num_baseline!r} (PR2 uses 1).")
        if not (isinstance(self.max_batch, int) and self.max_batch >= 1):
            raise ValueError(f"max_batch must be an integer >= 1, got {self.max_batch!r}.")


@dataclass(frozen=True)
class RolloutSample:
    """One finished graph run."""

    record_id: str
    personalized: bool
    output: Mapping[str, Any]
    """The graph's output state."""
    trajectory: Trajectory

    @property
    def answer(self) -> str:
        """The final answer (empty if none)."""
        return str(self.output.get("answer", ""))

    @property
    def finish(self) -> str:
        """``answer`` (the model answered) or ``forced`` (the graph forced it)."""
        return str(self.output.get("finish", ""))

    @property
    def num_searches(self) -> int:
        """Searches the graph executed."""
        return len(self.output.get("searches", []))


@dataclass
class RolloutBatch:
    """One step's rollouts: the training rows and the baselines per question."""

    samples: list[RolloutSample]
    """Personalized runs, aligned 1:1 with the rows."""
    baselines: dict[str, list[RolloutSample]] = field(default_factory=dict)
    """Non-personalized runs per record id."""
    baseline_scores: dict[str, float] = field(default_factory=dict)
    """``r_v`` per record id: mean judge score of its non-personalized answers (NaN without any)."""


class RowSource(Protocol):
    """What the rollout needs from the trainer besides TRL's own attributes."""

    rollout_rows: list[dict[str, Any]] | None


def run_graph_rollouts(
    graph: CompiledStateGraph[Any, Any, Any, Any],
    rows: Sequence[Mapping[str, Any]],
    settings: RolloutSettings,
    *,
    temperature: float,
    top_p: float,
    batching: BatchingPolicy | None = None,
) -> RolloutBatch:
    """Run one personalized rollout per row and ``num_baseline`` non-personalized ones per question.

    All runs are in flight at once (one thread each), so every reasoning step is one batch.

    Args:
        graph: A method's graph built with an explicit policy and store.
        rows: Training rows (``record_id``, ``user_id``, ``question``); repeated questions share baselines.
        settings: The run template and budgets.
        temperature: Sampling temperature of every turn (the GRPOConfig's).
        top_p: Nucleus mass of every turn (the GRPOConfig's).
        batching: The graph's policy when it is a ``BatchingPolicy``: every run joins its session, so each
            reasoning step fires once all still-running trajectories are waiting.

    Returns:
        The samples (row order) and the non-personalized samples per record id (unscored).
    """
    jobs: list[tuple[Mapping[str, Any], bool]] = [(row, True) for row in rows]
    first_rows: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        first_rows.setdefault(str(row["record_id"]), row)
    jobs += [(row, False) for row in first_rows.values() for _ in range(settings.num_baseline)]
    if not jobs:
        return RolloutBatch(samples=[])
    template = replace(settings.context, temperature=temperature, top_p=top_p)

    def invoke(job: tuple[Mapping[str, Any], bool]) -> RolloutSample:
        row, personalized = job
        context = replace(template, user_id=str(row["user_id"]), personalized=personalized)
        try:
            output = graph.invoke({"question": str(row["question"])}, context=context)
        except Exception as err:
            kind = "personalized" if personalized else "non-personalized"
            raise RuntimeError(f"{kind} rollout of record {row['record_id']!r} failed: {err}") from err
        return RolloutSample(str(row["record_id"]), personalized, output, Trajectory.from_state(output))

    results = run_all(jobs, invoke, batching=batching, thread_name="pr2-rollout")
    batch = RolloutBatch(samples=results[: len(rows)])
    for sample in results[len(rows) :]:
        batch.baselines.setdefault(sample.record_id, []).append(sample)
    return batch


def score_baselines(batch: RolloutBatch, rows: Sequence[Mapping[str, Any]], scorer: Scorer) -> None:
    """Score every non-personalized answer and store ``r_v`` (their mean) per record id in ``batch``.

    ``scorer`` is the score reward function; it reads the question's row columns (rubric, or LaMP's
    ``lamp_task`` and ``gold``) and each baseline's ``answer``. A None or NaN score is left out of the mean.
    """
    first_rows = {str(row["record_id"]): row for row in reversed(rows)}
    flat = [(rid, s) for rid, samples in batch.baselines.items() for s in samples]
    per_record: dict[str, list[float]] = {}
    if flat:
        columns = {
            name: [first_rows[rid][name] for rid, _ in flat]
            for name in first_rows[flat[0][0]]
            if name not in ("prompt", *ROLLOUT_FIELDS)
        }
        answers = [s.answer for _, s in flat]
        scores = scorer(
            [first_rows[rid]["prompt"] for rid, _ in flat],
            [[{"role": "assistant", "content": a}] for a in answers],
            **columns,
            answer=answers,
            model_text=[s.trajectory.model_text() for _, s in flat],
        )
        if len(scores) != len(flat):
            raise RuntimeError(f"the baseline scorer returned {len(scores)} scores for {len(flat)} answers.")
        for (rid, _), score in zip(flat, scores, strict=True):
            value = math.nan if score is None else float(score)
            if math.isfinite(value):
                per_record.setdefault(rid, []).append(value)
    batch.baseline_scores = {
        rid: statistics.fmean(per_record[rid]) if per_record.get(rid) else math.nan for rid in first_rows
    }


def completion_for_training(
    trajectory: Trajectory, *, eos_token_id: int, max_length: int
) -> tuple[list[int], list[int]]:
    """Return ``(completion_ids, env_mask)`` for one trajectory.

    EOS is appended (mask 1) when the last model turn ended on its own, as its backend reported
    (a stop tag such as ``</answer>``, or end-of-sequence, which the policy strips from the ids), not
    when it ran out of tokens; TRL then does not count the completion as truncated. The result is
    cut to ``max_length`` tokens.

    Raises:
        ValueError: The trajectory has no token ids (a chat-API backend), no model turn, or a last
            model turn without a finish reason.
    """
    ids = trajectory.completion_ids()
    mask = trajectory.env_mask()
    model_turns = [s for s in trajectory.segments if s["kind"] == "model"]
    if not model_turns:
        raise ValueError("the trajectory has no model turn: the graph run did not generate anything.")
    finish = model_turns[-1].get("finish_reason")
    if finish is None:
        raise ValueError(
            "the last model turn has no finish_reason: the trajectory was recorded by a graph or policy that "
            "does not report one. Record trajectories with this version's graph and a local policy."
        )
    if finish != "length":
        ids = [*ids, eos_token_id]
        mask = [*mask, 1]
    return ids[:max_length], mask[:max_length]


def completion_logprobs(trajectory: Trajectory, length: int, *, eos_token_id: int) -> list[float | None]:
    """Return the sampling log-probability of each of the ``length`` tokens ``completion_for_training`` kept.

    Model segments carry what their backend reported; inserted tokens, and segments without logprobs,
    get None (TRL then leaves that token uncorrected). The EOS ``completion_for_training`` appends gets
    the logprob of the end-of-turn token the policy sampled and stripped when that was ``eos_token_id``,
    else None (e.g. the turn closed ``</answer>``).
    """
    out: list[float | None] = []
    end: float | None = None
    for seg in trajectory.segments:
        n = len(seg["token_ids"] or [])
        recorded = seg.get("logprobs") if seg["kind"] == "model" else None
        out += list(recorded["tokens"]) if recorded is not None else [None] * n
        end = recorded["end"] if recorded is not None and recorded["end_token_id"] == eos_token_id else None
    if length > len(out):
        out.append(end)
    return out[:length]


def default_policy_factory(model: Any, tokenizer: Any) -> Policy:
    """Wrap the trainer's (unwrapped) model as a local policy that returns its exact sampled ids."""
    from pr2_agent.policy.local import LocalPolicy

    return LocalPolicy.from_model(model, tokenizer)


class GraphRollout:
    """TRL ``rollout_func``: runs the PR2 graph for a generation batch (use with ``PR2GRPOTrainer``).

    Args:
        store: The profile store the personalized runs search.
        settings: The run template and budgets.
        scorer: The score reward function (rubric judge, LaMP metric); it scores the non-personalized answers.
        policy_factory: Builds the step's backend from ``(backend, tokenizer)``; the rollout wraps it in
            a ``BatchingPolicy`` so concurrent graph runs share one ``generate`` per reasoning step.
            Default: ``VLLMPolicy`` over ``trainer.vllm_generation`` when the GRPOConfig sets
            ``use_vllm``, else ``LocalPolicy`` over the unwrapped training model.

    Attributes:
        last_batch: The latest step's rollouts (trajectories, baselines, ``r_v``), for inspection.
    """

    def __init__(
        self,
        store: ProfileStore,
        settings: RolloutSettings,
        scorer: Scorer | None,
        *,
        policy_factory: PolicyFactory | None = None,
        method: Method | None = None,
    ) -> None:
        """Keep the resources; nothing runs until TRL calls the object (``method`` default: PR2)."""
        if settings.num_baseline > 0 and scorer is None:
            raise ValueError(
                "num_baseline > 0 needs a scorer for the non-personalized answers (the score reward function)."
            )
        self.store = store
        self.settings = settings
        self.scorer = scorer
        self.policy_factory = policy_factory
        self.method = method or get_method("pr2")
        self.last_batch: RolloutBatch | None = None

    def __call__(self, prompts: list[Any], trainer: Any) -> dict[str, Any]:
        """Generate one completion per prompt and return TRL's rollout dict."""
        rows = _rows_for(prompts, trainer)
        args = trainer.args
        use_vllm = bool(getattr(args, "use_vllm", False))
        tokenizer = trainer.processing_class
        with self._backend(trainer, use_vllm) as backend:
            started = time.perf_counter()
            factory = self.policy_factory or _default_factory(use_vllm)
            inner = factory(backend, tokenizer)
            policy = batched(inner, self.settings.max_batch)
            graph = self.method.build_graph(model=policy, store=self.store)
            # The graph's requests carry the GRPOConfig's sampling, which is also what TRL configured vLLM with.
            batch = run_graph_rollouts(
                graph,
                rows,
                self.settings,
                temperature=float(args.temperature),
                top_p=float(args.top_p),
                batching=policy,
            )
            generated = time.perf_counter()
        if self.scorer is not None and batch.baselines:
            score_baselines(batch, rows, self.scorer)
        logger.info(
            "rollouts: %d graph runs in %.1f s (generate batches %s), baseline judging %.1f s",
            len(batch.samples) + sum(len(v) for v in batch.baselines.values()),
            generated - started,
            policy.batch_sizes,
            time.perf_counter() - generated,
        )
        self.last_batch = batch
        return rollout_output(
            batch,
            eos_token_id=int(tokenizer.eos_token_id),
            max_length=int(args.max_completion_length),
            with_logprobs=use_vllm,
        )

    @staticmethod
    def _backend(trainer: Any, use_vllm: bool) -> contextlib.AbstractContextManager[Any]:
        """The engine the policy generates with: TRL's vLLM (weights already synced) or the unwrapped model."""
        if use_vllm:
            from trainers.vllm_policy import check_vllm_rollouts

            generation = getattr(trainer, "vllm_generation", None)
            if generation is None:
                raise ValueError(
                    "use_vllm=True but the trainer has no vllm_generation: build the trainer with this "
                    "GRPOConfig (TRL creates the engine when use_vllm is set), or set use_vllm: false."
                )
            check_vllm_rollouts(trainer.args, int(trainer.accelerator.num_processes))
            return contextlib.nullcontext(generation)
        from trl.models import unwrap_model_for_generation

        return unwrap_model_for_generation(
            trainer.model_wrapped,
            trainer.accelerator,
            gradient_checkpointing_kwargs=trainer.args.gradient_checkpointing_kwargs,
        )


def make_rollout_func(
    store: ProfileStore,
    settings: RolloutSettings,
    scorer: Scorer | None,
    *,
    policy_factory: PolicyFactory | None = None,
    method: Method | None = None,
) -> GraphRollout:
    """Return the ``rollout_func`` for ``PR2GRPOTrainer`` (see :class:`GraphRollout`)."""
    return GraphRollout(store, settings, scorer, policy_factory=policy_factory, method=method)


def rollout_output(
    batch: RolloutBatch,
    *,
    eos_token_id: int,
    max_length: int,
    with_logprobs: bool = False,
) -> dict[str, Any]:
    """Convert a rollout batch into TRL's rollout dict (ids, ``env_mask``, per-row fields).

    ``with_logprobs``: fill TRL's ``logprobs`` from what the segments carry (the vLLM policy reports
    them); otherwise they are None.
    """
    prompt_ids: list[list[int]] = []
    completion_ids: list[list[int]] = []
    env_masks: list[list[int]] = []
    sampled: list[list[float | None]] = []
    for sample in batch.samples:
        if sample.trajectory.prompt_ids is None:
            raise ValueError(
                "the policy returned no prompt ids: training needs a local model backend that exposes token ids."
            )
        ids, mask = completion_for_training(sample.trajectory, eos_token_id=eos_token_id, max_length=max_length)
        prompt_ids.append(list(sample.trajectory.prompt_ids))
        completion_ids.append(ids)
        env_masks.append(mask)
        if with_logprobs:
            sampled.append(completion_logprobs(sample.trajectory, len(ids), eos_token_id=eos_token_id))
    return {
        "prompt_ids": prompt_ids,
        "completion_ids": completion_ids,
        "logprobs": sampled if with_logprobs else None,
        "env_mask": env_masks,
        "answer": [s.answer for s in batch.samples],
        "model_text": [s.trajectory.model_text() for s in batch.samples],
        "num_searches": [s.num_searches for s in batch.samples],
        "finish": [s.finish for s in batch.samples],
        "baseline_score": [batch.baseline_scores.get(s.record_id, math.nan) for s in batch.samples],
    }


def _default_factory(use_vllm: bool) -> PolicyFactory:
    if use_vllm:
        from trainers.vllm_policy import vllm_policy_factory

        return vllm_policy_factory
    return default_policy_factory


def _rows_for(prompts: Sequence[Any], trainer: Any) -> list[dict[str, Any]]:
    rows = getattr(trainer, "rollout_rows", None)
    if rows is None:
        raise RuntimeError(
            "the PR2 graph rollout needs the batch rows (user id, question) next to the prompts: use "
            "trainers.pr2_trainer.PR2GRPOTrainer, which passes them, instead of a plain GRPOTrainer."
        )
    if len(rows) != len(prompts):
        raise RuntimeError(f"got {len(prompts)} prompts but {len(rows)} rows: the trainer's row stash is stale.")
    for i, (row, prompt) in enumerate(zip(rows, prompts, strict=True)):
        if row.get("prompt") != prompt:
            raise RuntimeError(f"prompt {i} does not match its row ({row.get('record_id')!r}): rows are misaligned.")
    return list(rows)
