"""How well a policy follows TagPR's tag schema, read from ``pr2 eval`` outputs (no model needed).

    pr2 eval --task lamp2 --data lamp:2:test --systems tagpr --model embedded-base --label base --out outputs/t/lamp2
    python trainers/tagpr_stats.py outputs/t/lamp2 outputs/t/lamp4 ...

For every ``scores_tagpr*.jsonl`` (one per generator label) in the given ``pr2 eval`` directories it
prints: questions, the share of valid tagged chains (:func:`pr2_agent.tags.check_chain` on all the
model wrote), the share answered without a forced ``<answer>``, the mean task score, and the most
frequent rule violations. ``--json`` prints the same as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pr2_agent.tags import check_chain  # noqa: E402

SCORES_GLOB = "scores_tagpr*.jsonl"


def chain_stats(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Validity, answering and score over result rows of one system (each with ``raw``, ``finish``, ``score``)."""
    n = valid = answered = 0
    score = 0.0
    problems: Counter[str] = Counter()
    for row in rows:
        check = check_chain(str(row.get("raw", "")))
        n += 1
        valid += check.valid
        answered += row.get("finish") == "answer"
        score += float(row.get("score", 0.0))
        problems.update(p.split(" '")[0] for p in check.problems)
    return {
        "questions": n,
        "valid_share": valid / n if n else float("nan"),
        "answered_share": answered / n if n else float("nan"),
        "mean_score": score / n if n else float("nan"),
        "top_problems": dict(problems.most_common(4)),
    }


def collect(directories: Sequence[Path]) -> dict[str, dict[str, Any]]:
    """``{"<dir name>/<system label>": stats}`` for every TagPR scores file, plus ``all/<label>`` pooled over dirs."""
    out: dict[str, dict[str, Any]] = {}
    pooled: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for directory in directories:
        files = sorted(directory.glob(SCORES_GLOB))
        if not files:
            raise FileNotFoundError(
                f"{directory} has no {SCORES_GLOB}: run pr2 eval --systems tagpr --out {directory} first."
            )
        for path in files:
            rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
            system = path.stem.removeprefix("scores_")
            out[f"{directory.name}/{system}"] = chain_stats(rows)
            pooled[system] += rows
    if len(directories) > 1:
        out.update({f"all/{system}": chain_stats(rows) for system, rows in pooled.items()})
    return out


def score_table(directories: Sequence[Path], base: str) -> str:
    """A markdown table: every system scored in the directories x directory, mean score and gain over ``base``.

    Each directory is one task's ``pr2 eval --out``, averaged over the questions every system there
    answered; the gain is the mean over tasks of
    ``(system - base) / base``, over the tasks where both were scored and ``base`` is above 0.
    """
    means: dict[str, dict[str, float]] = defaultdict(dict)
    for directory in directories:
        files = {
            path.stem.removeprefix("scores_"): [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]
            for path in sorted(directory.glob("scores_*.jsonl"))
        }
        files = {system: rows for system, rows in files.items() if rows}
        # Only the questions every system of this task answered, so the columns compare like with like.
        shared = set.intersection(*({str(r.get("qid")) for r in rows} for rows in files.values())) if files else set()
        for system, rows in files.items():
            kept = [r["score"] for r in rows if str(r.get("qid")) in shared]
            if kept:
                means[system][directory.name] = sum(kept) / len(kept)
    names = [d.name for d in directories]
    lines = [
        f"| system | {' | '.join(names)} | mean | vs {base} |",
        "| --- |" + " ---: |" * (len(names) + 2),
    ]
    for system, per_task in sorted(means.items()):
        cells = [f"{per_task[n]:.3f}" if n in per_task else "-" for n in names]
        mean = sum(per_task.values()) / len(per_task)
        both = [n for n in names if n in per_task and means.get(base, {}).get(n, 0) > 0]
        gain = sum((per_task[n] - means[base][n]) / means[base][n] for n in both) / len(both) if both else None
        lines.append(f"| {system} | {' | '.join(cells)} | {mean:.3f} | {'-' if gain is None else f'{gain:+.1%}'} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the statistics of the given ``pr2 eval`` directories."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dirs", nargs="+", type=Path, help="pr2 eval --out directories with tagpr scores")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--table", metavar="BASE", default=None,
                   help="instead: a markdown table of every system's mean score, with the gain over system BASE")
    args = p.parse_args(argv)
    if args.table:
        print(score_table(args.dirs, args.table))
        return 0
    try:
        stats = collect(args.dirs)
    except FileNotFoundError as err:
        print(f"tagpr_stats: error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    print(f"{'run':<32} {'n':>4} {'valid':>6} {'answered':>8} {'score':>6}  top problems")
    for name, s in stats.items():
        print(
            f"{name:<32} {s['questions']:>4} {s['valid_share']:>6.2f} {s['answered_share']:>8.2f} "
            f"{s['mean_score']:>6.3f}  {s['top_problems']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
