"""Run the PR2 graph over LaMP-QA records and export its trajectories as pre-tokenized SFT rows.

Every row is one finished graph run, turned into ids by :class:`~pr2_agent.trajectory.Trajectory`:
``input_ids = prompt_ids + completion_ids + [EOS]`` and ``completion_mask`` is 0 on the prompt and
on everything the graph inserted (``<information>`` blocks, corrective and forced-answer text) and
1 on what the policy wrote plus the final EOS. TRL's ``SFTTrainer`` takes such rows as they are
(``completion_only_loss=True`` turns the mask into ``-100`` labels).

Sources (``--source``):

* ``demo``: :class:`~trainers.demonstrations.DemonstrationPolicy` writes the turns from the data's
  evidence plan (the bundled development set); ``--samples`` seeds per record vary the wording.
* ``teacher``: a model behind an OpenAI-compatible endpoint drives the same graph; each run is
  judged and kept only if its score reaches ``--min-score`` (rejection sampling).

Example::

    python trainers/export.py --data pr2_agent/data/devset/train.json --source demo --samples 2 \\
        --out outputs/sft-data/demo_train.jsonl
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import queue
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pr2_agent import prompts
from pr2_agent.context import DEFAULT_STORE_PATH, Context
from pr2_agent.data.lampqa import LaMPQARecord, load_lampqa
from pr2_agent.store import ProfileHit
from pr2_agent.trajectory import Trajectory
from trainers.demonstrations import META_KEY, DemonstrationPolicy, TokenizedPolicy, read_evidence

if TYPE_CHECKING:
    from datasets import Dataset

    from pr2_agent.judges import Judge
    from pr2_agent.policy.base import Policy
    from pr2_agent.policy.batching import BatchingPolicy

logger = logging.getLogger(__name__)

SOURCES = ("demo", "teacher")
JUDGES = ("none", "proxy", "lampqa")
DATASET_SUFFIXES = (".jsonl", ".json", ".parquet")

RunOne = Callable[[LaMPQARecord, int], dict[str, Any]]
"""Runs the graph once for (record, sample number) and returns the final state."""


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


# ------------------------------------------------------------------------------------------------
# Rows


def evidence_recall(record: LaMPQARecord, retrieved_ids: Sequence[str]) -> float | None:
    """Share of the record's evidence items the run retrieved (None without an evidence plan)."""
    if META_KEY not in record.extra:
        return None
    wanted = {i for a in read_evidence(record) for i in a.item_ids}
    return len(wanted & set(retrieved_ids)) / len(wanted) if wanted else None


def trajectory_row(record: LaMPQARecord, state: dict[str, Any], *, eos_token_id: int) -> dict[str, Any]:
    """Turn one finished graph run into a pre-tokenized SFT row.

    Raises:
        ValueError: The run has segments without token ids (a chat backend not wrapped in
            :class:`~trainers.demonstrations.TokenizedPolicy`).
    """
    traj = Trajectory.from_state(state)
    if not traj.has_token_ids or traj.prompt_ids is None:
        raise ValueError(
            f"the run for record {record.id!r} has no token ids; wrap the policy in TokenizedPolicy(policy, "
            "tokenizer) so every turn carries the student's ids."
        )
    prompt_ids = list(traj.prompt_ids)
    completion_ids = traj.completion_ids()
    env_mask = traj.env_mask()
    retrieved = list(state.get("retrieved_ids", []))
    return {
        "record_id": record.id,
        "user_id": record.id,
        "question": record.question,
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
        "evidence_recall": evidence_recall(record, retrieved),
        "judge_score": None,
        "judge": "",
        "prompt_version": prompts.PROMPT_VERSION,
    }


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


# ------------------------------------------------------------------------------------------------
# Running the graph


def run_records(
    records: Sequence[LaMPQARecord],
    run_one: RunOne,
    *,
    samples: int = 1,
    workers: int = 1,
    batching: BatchingPolicy | None = None,
) -> Iterator[tuple[LaMPQARecord, int, dict[str, Any]]]:
    """Run the graph ``samples`` times per record on ``workers`` threads; yield each run as it ends.

    With ``batching``, every worker is a participant of one session for its whole life, so the
    model is called with one batch whenever every worker waits for it (see ``BatchingPolicy``).
    """
    jobs = [(r, s) for r in records for s in range(samples)]
    if workers <= 1 or len(jobs) <= 1:
        for record, sample in jobs:
            yield record, sample, run_one(record, sample)
        return
    todo: queue.SimpleQueue[tuple[LaMPQARecord, int]] = queue.SimpleQueue()
    for job in jobs:
        todo.put(job)
    done: queue.SimpleQueue[tuple[LaMPQARecord, int, dict[str, Any] | None, BaseException | None]]
    done = queue.SimpleQueue()
    stop = threading.Event()
    n_workers = min(workers, len(jobs))

    def work(leave: Callable[[], None] | None) -> None:
        try:
            while not stop.is_set():
                try:
                    record, sample = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    done.put((record, sample, run_one(record, sample), None))
                except BaseException as err:  # re-raised by the consuming thread
                    done.put((record, sample, None, err))
                    return
        finally:
            if leave is not None:
                leave()

    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="pr2-export"))
        session = stack.enter_context(batching.session(n_workers)) if batching is not None else None
        # Runs in flight finish on an error or interrupt, but no new one starts.
        stack.callback(stop.set)
        for _ in range(n_workers):
            pool.submit(work, session.leave if session is not None else None)
        for _ in jobs:
            record, sample, state, error = done.get()
            if error is not None:
                raise error
            assert state is not None
            yield record, sample, state


def with_progress(
    runs: Iterator[tuple[LaMPQARecord, int, dict[str, Any]]], total: int, *, enabled: bool = True
) -> Iterator[tuple[LaMPQARecord, int, dict[str, Any]]]:
    """Yield ``runs`` unchanged while a progress bar counts them (graph runs take seconds each)."""
    from tqdm.auto import tqdm

    with tqdm(total=total, desc="graph runs", unit="run", disable=not enabled) as bar:
        for run in runs:
            bar.update(1)
            yield run


def run_context(base: Context, record: LaMPQARecord) -> Context:
    """The run's context for one record: its id is the user whose profile is searched."""
    return replace(base, user_id=record.id, personalized=True)


def demonstration_runner(store: Any, tokenizer: Any, context: Context, *, seed: int, probe: bool) -> RunOne:
    """Return a ``RunOne`` that drives a fresh graph with a :class:`DemonstrationPolicy` per run."""
    from pr2_agent.graph import build_graph

    def run_one(record: LaMPQARecord, sample: int) -> dict[str, Any]:
        def search(query: str) -> list[str]:
            return [h.id for h in store.search(record.id, query, context.top_k)]

        inner = DemonstrationPolicy(
            record, seed=seed + sample, max_searches=context.max_searches, probe=search if probe else None
        )
        graph = build_graph(model=TokenizedPolicy(inner, tokenizer), store=cast(Any, store))
        return dict(graph.invoke({"question": record.question}, context=run_context(context, record)))

    return run_one


def model_runner(policy: Policy, store: Any, context: Context) -> RunOne:
    """Return a ``RunOne`` that drives one shared graph with ``policy`` (a model backend)."""
    from pr2_agent.graph import build_graph

    graph = build_graph(model=policy, store=cast(Any, store))

    def run_one(record: LaMPQARecord, sample: int) -> dict[str, Any]:
        return dict(graph.invoke({"question": record.question}, context=run_context(context, record)))

    return run_one


@dataclass(frozen=True)
class Kept:
    """Why runs were kept or dropped."""

    rows: list[dict[str, Any]]
    dropped_low_score: int
    dropped_forced: int


def collect_rows(
    runs: Iterator[tuple[LaMPQARecord, int, dict[str, Any]]],
    *,
    eos_token_id: int,
    judge: Judge | None = None,
    min_score: float | None = None,
    keep_forced: bool = False,
) -> Kept:
    """Turn runs into rows, judging each one if a judge is given and keeping those that pass."""
    rows: list[dict[str, Any]] = []
    low = forced = 0
    for record, sample, state in runs:
        if state.get("finish") != "answer" and not keep_forced:
            forced += 1
            continue
        row = trajectory_row(record, state, eos_token_id=eos_token_id)
        row["sample"] = sample
        if judge is not None:
            model_text = Trajectory.from_state(state).model_text()
            result = judge.judge(record.question, record.narrative, record.rubric_aspects, model_text)
            row["judge_score"], row["judge"] = float(result.score), judge.name
            if min_score is not None and result.score < min_score:
                low += 1
                continue
        rows.append(row)
    return Kept(rows, low, forced)


# ------------------------------------------------------------------------------------------------
# CLI


def build_judge(kind: str, base_url: str | None, model: str | None) -> Judge | None:
    """Return the judge named by ``--judge``."""
    if kind == "none":
        return None
    if kind == "proxy":
        from pr2_agent.judges import EmbeddingProxyJudge

        return EmbeddingProxyJudge()
    if kind == "lampqa":
        if not base_url:
            raise ValueError("--judge lampqa needs --judge-base-url (an OpenAI-compatible endpoint ending in /v1).")
        from pr2_agent.judges import LaMPQAJudge

        return LaMPQAJudge(base_url, model)
    raise ValueError(f"--judge must be one of {JUDGES}, got {kind!r}.")


def load_student_tokenizer(spec: str) -> Any:
    """Load the tokenizer of ``spec``: an embedded model name ('embedded', 'smollm2-135m') or a directory."""
    from transformers import AutoTokenizer

    from pr2_agent.weights import DEFAULT_MODEL, EMBEDDED_MODELS, ensure_model

    if spec == "embedded" or spec in EMBEDDED_MODELS:
        path = ensure_model(DEFAULT_MODEL if spec == "embedded" else spec)
    else:
        path = Path(spec)
        if not path.is_dir():
            raise ValueError(f"--tokenizer {spec!r} is neither an embedded model name nor a directory.")
    return AutoTokenizer.from_pretrained(path, local_files_only=True)


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    from pr2_agent.data.devset import devset_path

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(devset_path("train")), help="LaMP-QA JSON file (default: bundled train)")
    p.add_argument("--source", choices=SOURCES, default="demo", help="who writes the turns")
    p.add_argument("--out", required=True, help="output file: .jsonl/.json (JSON Lines) or .parquet")
    p.add_argument("--tokenizer", default="embedded", help="student model whose token ids to export")
    p.add_argument("--store", default=DEFAULT_STORE_PATH, help="profile store directory (profiles are ingested)")
    p.add_argument("--samples", type=int, default=1, help="runs per record (demo: one seed each)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=None, help="use only the first N records")
    p.add_argument("--top-k", type=int, default=3)
    p.add_argument("--max-searches", type=int, default=3)
    p.add_argument("--max-new-tokens", type=int, default=256)
    p.add_argument("--no-probe", action="store_true", help="demo: do not pick query phrasings by probing the store")
    p.add_argument("--teacher-model", default=None, help="teacher: model name at --base-url")
    p.add_argument("--base-url", default=None, help="teacher: OpenAI-compatible endpoint (.../v1)")
    p.add_argument("--temperature", type=float, default=0.7, help="teacher sampling temperature")
    p.add_argument("--workers", type=int, default=8, help="teacher: graph runs in flight")
    p.add_argument("--judge", choices=JUDGES, default=None, help="default: proxy for teacher, none for demo")
    p.add_argument("--judge-base-url", default=None)
    p.add_argument("--judge-model", default=None)
    p.add_argument("--min-score", type=float, default=None, help="keep runs scoring >= this (teacher default 0.5)")
    p.add_argument("--keep-forced", action="store_true", help="also keep runs whose answer was forced")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def export(args: argparse.Namespace) -> tuple[Kept, float]:
    """Run the export described by parsed arguments; return what was kept and the seconds taken."""
    from trainers.records import ensure_profile_store

    if args.samples < 1:
        raise ValueError(f"--samples must be >= 1, got {args.samples}.")
    records = load_lampqa(args.data)[: args.limit]
    tokenizer = load_student_tokenizer(args.tokenizer)
    eos = tokenizer.eos_token_id
    if eos is None:
        raise ValueError("the student tokenizer has no eos_token; set one (e.g. '<|im_end|>' for ChatML models).")
    store = SearchCache(ensure_profile_store(records, args.store))
    context = Context(top_k=args.top_k, max_searches=args.max_searches, max_new_tokens=args.max_new_tokens)
    judge_kind = args.judge or ("proxy" if args.source == "teacher" else "none")
    judge = build_judge(judge_kind, args.judge_base_url, args.judge_model)
    min_score = args.min_score if args.min_score is not None else (0.5 if args.source == "teacher" else None)
    began = time.perf_counter()
    if args.source == "demo":
        run_one = demonstration_runner(store, tokenizer, context, seed=args.seed, probe=not args.no_probe)
        runs = run_records(records, run_one, samples=args.samples)
    else:
        if not args.teacher_model or not args.base_url:
            raise ValueError("--source teacher needs --teacher-model NAME and --base-url http://HOST:PORT/v1.")
        from pr2_agent.policy.batching import BatchingPolicy
        from pr2_agent.policy.chat import ChatModelPolicy, openai_chat_model

        teacher = ChatModelPolicy(openai_chat_model(args.teacher_model, args.base_url), name=args.teacher_model)
        batching = BatchingPolicy(TokenizedPolicy(teacher, tokenizer), max_batch=args.workers)
        sampled = replace(context, temperature=args.temperature)
        runs = run_records(
            records,
            model_runner(batching, store, sampled),
            samples=args.samples,
            workers=args.workers,
            batching=batching,
        )
    kept = collect_rows(
        with_progress(runs, len(records) * args.samples),
        eos_token_id=int(eos),
        judge=judge,
        min_score=min_score,
        keep_forced=args.keep_forced,
    )
    for row in kept.rows:
        row["source"] = args.source if args.source == "demo" else f"teacher:{args.teacher_model}"
    write_dataset(kept.rows, args.out)
    return kept, time.perf_counter() - began


def summarize(kept: Kept, seconds: float) -> str:
    """One paragraph about what was exported."""
    rows = kept.rows
    n = len(rows)
    searches = Counter(r["num_searches"] for r in rows)
    recalls = [r["evidence_recall"] for r in rows if r["evidence_recall"] is not None]
    lengths = sorted(len(r["input_ids"]) for r in rows)
    lines = [
        f"rows kept: {n} (dropped: {kept.dropped_low_score} below min score, {kept.dropped_forced} forced)",
        f"searches per run: {dict(sorted(searches.items()))}",
        f"tokens per row: min {lengths[0]}, median {lengths[n // 2]}, max {lengths[-1]}" if n else "",
        f"evidence recall: {sum(recalls) / len(recalls):.3f}" if recalls else "",
        f"time: {seconds:.1f} s",
    ]
    return "\n".join(line for line in lines if line)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python trainers/export.py``."""
    for var, value in (
        ("HF_HUB_OFFLINE", "1"),
        ("TRANSFORMERS_OFFLINE", "1"),
        ("TOKENIZERS_PARALLELISM", "false"),
    ):
        os.environ.setdefault(var, value)
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    kept, seconds = export(args)
    print(summarize(kept, seconds))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
