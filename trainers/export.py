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

This script is wiring only: the rows, runners and dataset I/O live in :mod:`trainers.trajectories`,
the fan-out of graph runs in :mod:`pr2_agent.run.fanout`.

Example::

    python trainers/export.py --data devset:train --source demo --samples 2 --out outputs/sft-data/demo_train.jsonl
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pr2_agent.context import DEFAULT_STORE_PATH, Context
from pr2_agent.run.environment import offline_defaults

# Run as `python trainers/export.py` from a checkout: only pr2_agent is installed, not `trainers`,
# so the checkout root goes on the import path.
if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainers.demonstrations import TokenizedPolicy  # noqa: E402
from trainers.trajectories import (  # noqa: E402
    Kept,
    SearchCache,
    collect_rows,
    demonstration_runner,
    model_runner,
    with_progress,
    write_dataset,
)

logger = logging.getLogger(__name__)

SOURCES = ("demo", "teacher")
JUDGES = ("none", "proxy", "specifics", "lampqa")


# ------------------------------------------------------------------------------------------------
# CLI


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default="devset:train", help="data file of --task, or devset:SPLIT (default: %(default)s)")
    p.add_argument("--task", default="lampqa", help="task of --data (default: %(default)s)")
    p.add_argument("--method", default="pr2", help="method whose graph runs (default: %(default)s)")
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
    p.add_argument(
        "--request-timeout",
        type=float,
        default=600.0,
        help="teacher: seconds one request may take, queueing included (a busy server answers late, not never)",
    )
    p.add_argument("--judge", choices=JUDGES, default=None, help="default: proxy for teacher, none for demo")
    p.add_argument("--judge-base-url", default=None)
    p.add_argument("--judge-model", default=None)
    p.add_argument("--min-score", type=float, default=None, help="keep runs scoring >= this (teacher default 0.5)")
    p.add_argument("--keep-forced", action="store_true", help="also keep runs whose answer was forced")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def export(args: argparse.Namespace) -> tuple[Kept, float]:
    """Run the export described by parsed arguments; return what was kept and the seconds taken."""
    from transformers import AutoTokenizer

    from pr2_agent.methods import get_method
    from pr2_agent.policy.resolve import checkpoint_dir
    from pr2_agent.run.data import load_examples
    from pr2_agent.run.fanout import run_jobs
    from pr2_agent.run.ingest import open_store_with_profiles
    from pr2_agent.run.judging import JudgeSpec, make_judge
    from pr2_agent.tasks import get_task

    if args.samples < 1:
        raise ValueError(f"--samples must be >= 1, got {args.samples}.")
    task, method = get_task(args.task), get_method(args.method)
    examples = load_examples([args.data], task)[: args.limit]
    tokenizer = AutoTokenizer.from_pretrained(checkpoint_dir(args.tokenizer), local_files_only=True)
    eos = tokenizer.eos_token_id
    if eos is None:
        raise ValueError("the student tokenizer has no eos_token; set one (e.g. '<|im_end|>' for ChatML models).")
    store = SearchCache(open_store_with_profiles(examples, args.store))
    context = Context(top_k=args.top_k, max_searches=args.max_searches, max_new_tokens=args.max_new_tokens)
    judge_kind = args.judge or ("proxy" if args.source == "teacher" else "none")
    judge = None if judge_kind == "none" else make_judge(JudgeSpec(judge_kind, args.judge_base_url, args.judge_model))
    min_score = args.min_score if args.min_score is not None else (0.5 if args.source == "teacher" else None)
    jobs = [(e, s) for e in examples for s in range(args.samples)]
    began = time.perf_counter()
    if args.source == "demo":
        run_one = demonstration_runner(
            store, tokenizer, context, seed=args.seed, probe=not args.no_probe, method=method
        )
        runs = run_jobs(jobs, run_one, workers=1)
    else:
        if not args.teacher_model or not args.base_url:
            raise ValueError("--source teacher needs --teacher-model NAME and --base-url http://HOST:PORT/v1.")
        from pr2_agent.policy.chat import ChatModelPolicy, openai_chat_model
        from pr2_agent.run.fanout import batched

        chat = openai_chat_model(args.teacher_model, args.base_url, timeout=args.request_timeout)
        teacher = ChatModelPolicy(chat, name=args.teacher_model)
        batching = batched(TokenizedPolicy(teacher, tokenizer), args.workers)
        sampled = replace(context, temperature=args.temperature)
        run_one = model_runner(batching, store, sampled, method=method)
        runs = run_jobs(jobs, run_one, workers=args.workers, batching=batching, thread_name="pr2-export")
    kept = collect_rows(
        with_progress(runs, len(jobs)),
        eos_token_id=int(eos),
        task=task,
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
    offline_defaults()
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    kept, seconds = export(args)
    print(summarize(kept, seconds))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
