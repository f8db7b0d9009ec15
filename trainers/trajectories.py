"""Graph runs turned into pre-tokenized SFT rows: the library behind ``trainers/export.py``.

Every row is one finished graph run, turned into ids by :class:`~pr2_agent.trajectory.Trajectory`:
``input_ids = prompt_ids + completion_ids + [EOS]`` and ``completion_mask`` is 0 on the prompt and
on everything the graph inserted (``<information>`` blocks, corrective and forced-answer text) and
1 on what the policy wrote plus the final EOS. TRL's ``SFTTrainer`` takes such rows as they are
(``completion_only_loss=True`` turns the mask into ``-100`` labels).

Runs come from :func:`pr2_agent.run.fanout.run_jobs` over ``(example, sample)`` jobs, driven by a
:class:`~trainers.demonstrations.DemonstrationPolicy` (:func:`demonstration_runner`) or a model
(:func:`model_runner`).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pr2_agent import prompts
from pr2_agent.context import Context
from pr2_agent.data.lampqa import LaMPQARecord
from pr2_agent.methods import Method
from pr2_agent.run.fanout import Finished
from pr2_agent.store import ProfileHit
from pr2_agent.tasks import Example, Task
from pr2_agent.trajectory import Trajectory
from trainers.demonstrations import META_KEY, DemonstrationPolicy, TokenizedPolicy, read_evidence

if TYPE_CHECKING:
    from datasets import Dataset

    from pr2_agent.judges import Judge
    from pr2_agent.policy.base import Policy

DATASET_SUFFIXES = (".jsonl", ".json", ".parquet")

Job = tuple[Example, int]
"""One graph run: an example and its sample number (the demonstration seed offset)."""
RunOne = Callable[[Job], dict[str, Any]]
"""Runs the graph once for (example, sample number) and returns the final state."""


class SearchCache:
    """Memoise ``search(user, query, k)`` of a store for one export.

    Demonstrations probe phrasings before they search and several seeds of one record repeat
    queries; on a busy CPU each embedding costs a noticeable fraction of a second.
    """

    def __init__(self, store: Any) -> None:
        """Wrap ``store`` (anything with ``search(user_id, query, k)``)."""
        self.store = store
        self._hits: dict[tuple[str, str, int], list[ProfileHit]] = {}
        self._lock = threading.Lock()

    def search(self, user_id: str, query: str, k: int) -> list[ProfileHit]:
        """Return the store's hits, computing each distinct search once."""
        key = (user_id, query, k)
        with self._lock:
            hits = self._hits.get(key)
        if hits is None:
            hits = list(self.store.search(user_id, query, k))
            with self._lock:
                self._hits[key] = hits
        return list(hits)


def evidence_recall(example: Example, retrieved_ids: Sequence[str]) -> float | None:
    """Share of the example's evidence items the run retrieved (None without an evidence plan)."""
    record = example.reference
    if not isinstance(record, LaMPQARecord) or META_KEY not in record.extra:
        return None
    wanted = {i for a in read_evidence(record) for i in a.item_ids}
    return len(wanted & set(retrieved_ids)) / len(wanted) if wanted else None


def trajectory_row(example: Example, state: dict[str, Any], *, eos_token_id: int) -> dict[str, Any]:
    """Turn one finished graph run into a pre-tokenized SFT row.

    Raises:
        ValueError: The run has segments without token ids (a chat backend not wrapped in
            :class:`~trainers.demonstrations.TokenizedPolicy`).
    """
    traj = Trajectory.from_state(state)
    if not traj.has_token_ids or traj.prompt_ids is None:
        raise ValueError(
            f"the run for record {example.id!r} has no token ids; wrap the policy in TokenizedPolicy(policy, "
            "tokenizer) so every turn carries the student's ids."
        )
    prompt_ids = list(traj.prompt_ids)
    completion_ids = traj.completion_ids()
    env_mask = traj.env_mask()
    retrieved = list(state.get("retrieved_ids", []))
    return {
        "record_id": example.id,
        "user_id": example.user_id,
        "question": example.question,
        "prompt_ids": prompt_ids,
        "completion_ids": completion_ids,
        "env_mask": env_mask,
        "input_ids": prompt_ids + completion_ids + [eos_token_id],
        "completion_mask": [0] * len(prompt_ids) + env_mask + [1],
        "text": traj.text(),
        "answer": str(state.get("answer", "")),
        "finish": str(state.get("finish", "")),
        "searches": list(state.get("searches", [])),
        "num_searches": len(state.get("searches", [])),
        "retrieved_ids": retrieved,
        "evidence_recall": evidence_recall(example, retrieved),
        "judge_score": None,
        "judge": "",
        "prompt_version": prompts.PROMPT_VERSION,
    }


def bundled_lamp_examples(
    tasks: Sequence[int], split: str, limit: int | None, *, allowed: Sequence[int], which: str
) -> list[tuple[int, Example]]:
    """The bundled LaMP ``split`` of each task in ``allowed`` (``which`` names them in the error), first ``limit`` each.

    Raises:
        ValueError: ``tasks`` is empty or names a task outside ``allowed``.
    """
    from pr2_agent.run.data import load_examples
    from pr2_agent.tasks import get_task

    if not tasks or any(n not in allowed for n in tasks):
        raise ValueError(f"--tasks takes {which} {sorted(allowed)}, got {list(tasks)}.")
    out: list[tuple[int, Example]] = []
    for n in dict.fromkeys(tasks):
        out += [(n, e) for e in load_examples([f"lamp:{n}:{split}"], get_task(f"lamp{n}"))[:limit]]
    return out


def write_dataset(rows: Sequence[dict[str, Any]], out: str | Path) -> Path:
    """Write rows as a ``datasets.Dataset`` to JSON Lines (``.jsonl``/``.json``) or Parquet, atomically.

    Raises:
        ValueError: No rows, or an unsupported suffix.
    """
    from datasets import Dataset

    out = Path(out)
    if out.suffix not in DATASET_SUFFIXES:
        raise ValueError(f"--out {out} must end in one of {DATASET_SUFFIXES} (JSON Lines or Parquet).")
    if not rows:
        raise ValueError(f"no rows to write to {out}: every run was filtered out (lower --min-score?).")
    out.parent.mkdir(parents=True, exist_ok=True)
    dataset = Dataset.from_list(list(rows))
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    try:
        if out.suffix == ".parquet":
            dataset.to_parquet(tmp)
        else:
            dataset.to_json(tmp, lines=True)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a dataset is meant to be shared
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def load_rows(path: str | Path) -> Dataset:
    """Read rows written by :func:`write_dataset`."""
    from datasets import Dataset

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist; write it with `python trainers/export.py --out {path}`.")
    if path.suffix == ".parquet":
        return Dataset.from_parquet(str(path))
    return Dataset.from_json(str(path))


def with_progress(
    runs: Iterator[Finished[Job, dict[str, Any]]], total: int, *, enabled: bool = True
) -> Iterator[tuple[Example, int, dict[str, Any]]]:
    """Yield ``runs`` unchanged while a progress bar counts them (graph runs take seconds each)."""
    from tqdm.auto import tqdm

    with tqdm(total=total, desc="graph runs", unit="run", disable=not enabled) as bar:
        for run in runs:
            bar.update(1)
            example, sample = run.job
            yield example, sample, run.result


def demonstration_runner(
    store: Any, tokenizer: Any, context: Context, *, seed: int, probe: bool, method: Method
) -> RunOne:
    """Return a ``RunOne`` that drives a fresh graph with a :class:`DemonstrationPolicy` per run."""

    def run_one(job: Job) -> dict[str, Any]:
        example, sample = job

        def search(query: str) -> list[str]:
            return [h.id for h in store.search(example.user_id, query, context.top_k)]

        inner = DemonstrationPolicy(
            example.reference, seed=seed + sample, max_searches=context.max_searches, probe=search if probe else None
        )
        graph = method.build_graph(model=TokenizedPolicy(inner, tokenizer), store=cast(Any, store))
        return dict(graph.invoke({"question": example.question}, context=run_context(context, example)))

    return run_one


def model_runner(policy: Policy, store: Any, context: Context, *, method: Method) -> RunOne:
    """Return a ``RunOne`` that drives one shared graph with ``policy`` (a model backend)."""
    graph = method.build_graph(model=policy, store=cast(Any, store))

    def run_one(job: Job) -> dict[str, Any]:
        example, _ = job
        return dict(graph.invoke({"question": example.question}, context=run_context(context, example)))

    return run_one


def run_context(template: Context, example: Example) -> Context:
    """The run's context for one example: its user's profile is searched."""
    return replace(template, user_id=example.user_id, personalized=True)


@dataclass(frozen=True)
class Kept:
    """Why runs were kept or dropped."""

    rows: list[dict[str, Any]]
    dropped_low_score: int
    dropped_forced: int


def collect_rows(
    runs: Iterator[tuple[Example, int, dict[str, Any]]],
    *,
    eos_token_id: int,
    task: Task | None = None,
    judge: Judge | None = None,
    min_score: float | None = None,
    keep_forced: bool = False,
) -> Kept:
    """Turn runs into rows, scoring each one with ``task`` if a judge is given and keeping those that pass."""
    rows: list[dict[str, Any]] = []
    low = forced = 0
    for example, sample, state in runs:
        if state.get("finish") != "answer" and not keep_forced:
            forced += 1
            continue
        row = trajectory_row(example, state, eos_token_id=eos_token_id)
        row["sample"] = sample
        if judge is not None:
            if task is None:
                raise ValueError("collect_rows: scoring runs needs the task as well as the judge.")
            model_text = Trajectory.from_state(state).model_text()
            result = task.score([example], [model_text], judge)[0]
            row["judge_score"], row["judge"] = float(result.score), result.scorer
            if min_score is not None and result.score < min_score:
                low += 1
                continue
        rows.append(row)
    return Kept(rows, low, forced)
