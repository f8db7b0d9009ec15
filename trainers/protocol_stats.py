"""Does a model follow the PR2 protocol? Run the graph on held-out questions and count.

For each trajectory of ``--model`` on ``--data`` (default: the bundled test split), through the
real graph and store:

* **searched**: at least one ``<search>`` was executed;
* **answered**: the run ended with the model's own parseable ``<answer>`` (``finish == "answer"``),
  not one the graph forced after the budget or the corrections ran out;
* **within budget**: the model never asked for a search after the budget was spent;
* **corrected**: the graph had to insert the invalid-action observation at least once;
* **protocol**: searched and answered and within budget (the target of cold-start SFT);
* **think before answer**: a non-empty ``<think>`` closes before the ``<answer>`` (PR2's structure
  check), and the mean number of searches and evidence recall (bundled set only).

Runs go through ``BatchingPolicy`` on ``--batch-size`` threads. Prints a table and writes JSON::

    python trainers/protocol_stats.py --model embedded --out outputs/protocol/base.json
    python trainers/protocol_stats.py --model outputs/sft-smollm2 --out outputs/protocol/sft.json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pr2_agent import prompts
from pr2_agent.context import Context
from pr2_agent.parsing import has_think_before_answer, parse_action
from pr2_agent.run.environment import offline_defaults
from pr2_agent.tasks import Example
from pr2_agent.trajectory import Trajectory

# Run as `python trainers/protocol_stats.py` from a checkout: only pr2_agent is installed, not `trainers`,
# so the checkout root goes on the import path.
if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainers.trajectories import SearchCache, evidence_recall, model_runner, with_progress  # noqa: E402

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunStats:
    """Protocol facts about one trajectory."""

    record_id: str
    sample: int
    searches: int
    searched: bool
    answered: bool
    within_budget: bool
    corrected: bool
    think_before_answer: bool
    evidence_recall: float | None

    @property
    def protocol(self) -> bool:
        """Searched, answered on its own, and stayed within the budget."""
        return self.searched and self.answered and self.within_budget


def run_stats(example: Example, sample: int, state: dict[str, Any]) -> RunStats:
    """Read the protocol facts off one finished graph state."""
    segments = Trajectory.from_state(state).segments
    # The forced answer right after a model turn that searched means the budget was exceeded (after
    # an invalid turn it means the corrections ran out instead).
    over_budget = any(
        seg["text"] == prompts.FORCED_ANSWER_OBSERVATION
        and before["kind"] == "model"
        and parse_action(before["text"]).kind == "search"
        for before, seg in zip(segments, segments[1:], strict=False)
    )
    model_text = "".join(s["text"] for s in segments if s["kind"] == "model")
    searches = list(state.get("searches", []))
    return RunStats(
        record_id=example.id,
        sample=sample,
        searches=len(searches),
        searched=bool(searches),
        answered=state.get("finish") == "answer",
        within_budget=not over_budget,
        corrected=any(s["text"] == prompts.INVALID_ACTION_OBSERVATION for s in segments),
        think_before_answer=has_think_before_answer(model_text),
        evidence_recall=evidence_recall(example, state.get("retrieved_ids", [])),
    )


def summarize(stats: Sequence[RunStats]) -> dict[str, float | int | None]:
    """Shares over all runs (0..1), mean searches and mean evidence recall."""
    n = len(stats)
    if n == 0:
        raise ValueError("no runs to summarize.")
    recalls = [s.evidence_recall for s in stats if s.evidence_recall is not None]

    def share(flag: str) -> float:
        return sum(bool(getattr(s, flag)) for s in stats) / n

    return {
        "runs": n,
        "searched": share("searched"),
        "answered": share("answered"),
        "within_budget": share("within_budget"),
        "protocol": share("protocol"),
        "corrected": share("corrected"),
        "think_before_answer": share("think_before_answer"),
        "mean_searches": sum(s.searches for s in stats) / n,
        "evidence_recall": sum(recalls) / len(recalls) if recalls else None,
    }


def format_table(model: str, summary: dict[str, Any]) -> str:
    """A small plain-text table of the summary."""
    rows = [
        ("runs", str(summary["runs"])),
        ("search >= 1", f"{summary['searched']:.1%}"),
        ("own <answer> (not forced)", f"{summary['answered']:.1%}"),
        ("within search budget", f"{summary['within_budget']:.1%}"),
        ("protocol (all three)", f"{summary['protocol']:.1%}"),
        ("needed a correction", f"{summary['corrected']:.1%}"),
        ("think before answer", f"{summary['think_before_answer']:.1%}"),
        ("mean searches", f"{summary['mean_searches']:.2f}"),
    ]
    if summary["evidence_recall"] is not None:
        rows.append(("evidence recall", f"{summary['evidence_recall']:.3f}"))
    width = max(len(k) for k, _ in rows)
    return "\n".join([f"model: {model}", *(f"  {k.ljust(width)}  {v}" for k, v in rows)])


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="embedded", help="'embedded', a checkpoint directory, or a served name")
    p.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint for a served --model")
    p.add_argument("--data", default="devset:test", help="data file of --task, or devset:SPLIT (default: %(default)s)")
    p.add_argument("--task", default="lampqa", help="task of --data (default: %(default)s)")
    p.add_argument("--method", default="pr2", help="method whose graph runs (default: %(default)s)")
    p.add_argument("--store", default=".pr2/store", help="profile store directory (profiles are ingested)")
    p.add_argument("--limit", type=int, default=None, help="use only the first N records")
    p.add_argument("--samples", type=int, default=1, help="runs per question")
    p.add_argument("--top-k", type=int, default=3)
    p.add_argument("--max-searches", type=int, default=3)
    p.add_argument("--max-new-tokens", type=int, default=256)
    p.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (as pr2 eval)")
    p.add_argument("--top-p", type=float, default=0.95)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=16, help="graph runs in flight (one batched generate)")
    p.add_argument("--out", default=None, help="write the summary and per-run facts as JSON here")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def measure(args: argparse.Namespace) -> tuple[dict[str, Any], list[RunStats]]:
    """Run the graph as the arguments say and return (summary, per-run facts)."""
    from pr2_agent.methods import get_method
    from pr2_agent.policy.resolve import resolve_policy
    from pr2_agent.run.data import load_examples
    from pr2_agent.run.fanout import batched, run_jobs
    from pr2_agent.run.ingest import open_store_with_profiles
    from pr2_agent.tasks import get_task

    examples = load_examples([args.data], get_task(args.task))[: args.limit]
    if not examples:
        raise ValueError(f"{args.data} holds no records.")
    store = SearchCache(open_store_with_profiles(examples, args.store))
    policy = batched(resolve_policy(args.model, base_url=args.base_url, seed=args.seed), args.batch_size)
    context = Context(
        top_k=args.top_k,
        max_searches=args.max_searches,
        max_new_tokens=args.max_new_tokens,
        temperature=args.temperature,
        top_p=args.top_p,
    )
    began = time.perf_counter()
    jobs = [(e, s) for e in examples for s in range(args.samples)]
    run_one = model_runner(policy, store, context, method=get_method(args.method))
    runs = run_jobs(jobs, run_one, workers=args.batch_size, batching=policy, thread_name="pr2-protocol")
    stats = [run_stats(example, sample, state) for example, sample, state in with_progress(runs, len(jobs))]
    summary: dict[str, Any] = {
        "model": args.model,
        "data": args.data,
        "prompt_version": prompts.PROMPT_VERSION,
        "settings": {k: getattr(args, k) for k in ("samples", "top_k", "max_searches", "max_new_tokens")}
        | {"temperature": args.temperature, "top_p": args.top_p, "seed": args.seed},
        **summarize(stats),
        "seconds": round(time.perf_counter() - began, 1),
    }
    return summary, stats


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python trainers/protocol_stats.py``."""
    offline_defaults()
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    summary, stats = measure(args)
    print(format_table(args.model, summary))
    print(f"  time: {summary['seconds']} s")
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        payload = {**summary, "runs_detail": [asdict(s) | {"protocol": s.protocol} for s in stats]}
        out.write_text(json.dumps(payload, indent=1) + "\n")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
