"""One LaMP task, several systems or checkpoints in one table, on the questions they all answered.

    python tools/lampset/runs_table.py --task 2 --out docs/results/lamp/lamp2_learning \
        "No-Pers=runs/eval/lamp2/scores_nopers@base.jsonl" "RAG=runs/eval/lamp2/scores_rag@base.jsonl" \
        "PR2 untrained=runs/est/eval-untrained/scores_pr2@untrained.jsonl" ...

Each ``LABEL=PATH`` is a ``scores_<system>.jsonl`` that ``pr2 eval`` wrote. Rows are restricted to the
question ids every file has, so a run on ``--limit 10`` and one on the whole split are compared on the
same questions. Columns: the task's official metrics (LaMP's evaluator, via the task), the mean
per-question score, searches per question (graph systems). Labels ``GROUP/MEMBER`` (e.g.
``contrastive/seed 0``) also get one row per group: the mean and range of its members. Writes
``<out>.md`` and ``<out>.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pr2_agent.tasks import get_task  # noqa: E402

BASELINES = ("nopers", "rag", "rag_random", "planpers")


def read_scores(path: Path) -> dict[str, dict[str, Any]]:
    """``{question id: result row}`` of one scores file."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {str(r["qid"]): r for r in rows}


def table(task: int, runs: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """Metrics of every run over the shared questions, and per-group summaries."""
    shared = sorted(set.intersection(*(set(rows) for rows in runs.values())))
    if not shared:
        raise ValueError("the scores files share no question id: were they run on the same split?")
    lamp = get_task(f"lamp{task}")
    out: dict[str, Any] = {"task": f"lamp{task}", "n": len(shared), "qids": shared, "rows": {}, "groups": {}}
    for label, rows in runs.items():
        picked = [rows[q] for q in shared]
        # Only a graph system decides its searches; a baseline's one retrieval is not a search.
        searches = [
            len(r["searches"])
            for r in picked
            if isinstance(r.get("searches"), list) and not str(r.get("system", "pr2")).startswith(BASELINES)
        ]
        out["rows"][label] = {
            **lamp.corpus_metrics(picked),  # type: ignore[attr-defined]  # every LaMP task has it
            "score": statistics.fmean(float(r["score"]) for r in picked),
            "searches": statistics.fmean(searches) if searches else None,
        }
    groups: dict[str, list[str]] = {}
    for label in runs:
        if "/" in label:
            groups.setdefault(label.split("/", 1)[0], []).append(label)
    for group, members in groups.items():
        metrics = [k for k, v in out["rows"][members[0]].items() if isinstance(v, float)]
        out["groups"][group] = {
            m: {
                "mean": statistics.fmean(out["rows"][x][m] for x in members),
                "min": min(out["rows"][x][m] for x in members),
                "max": max(out["rows"][x][m] for x in members),
            }
            for m in metrics
        } | {"members": len(members)}
    return out


def render(result: dict[str, Any]) -> str:
    """Markdown: one row per run, then one per group (mean [min, max] over its members)."""
    first = next(iter(result["rows"].values()))
    metrics = [k for k in first if k != "searches"]
    head = f"| run | {' | '.join(metrics)} | searches/question |"
    lines = [
        f"{result['task']}, {result['n']} test questions every run answered.",
        "",
        head,
        "|---|" + "---:|" * (len(metrics) + 1),
    ]
    for label, row in result["rows"].items():
        cells = [f"{row[m]:.3f}" for m in metrics]
        searches = "-" if row["searches"] is None else f"{row['searches']:.2f}"
        lines.append(f"| {label} | {' | '.join(cells)} | {searches} |")
    if result["groups"]:
        lines += ["", f"| estimator (mean [min, max] over seeds) | {' | '.join(metrics)} | seeds |"]
        lines.append("|---|" + "---|" * len(metrics) + "---:|")
        for group, row in result["groups"].items():
            cells = [f"{row[m]['mean']:.3f} [{row[m]['min']:.3f}, {row[m]['max']:.3f}]" for m in metrics if m in row]
            lines.append(f"| {group} | {' | '.join(cells)} | {row['members']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Parse ``LABEL=PATH`` runs, write the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="LABEL=path/to/scores_<system>.jsonl")
    parser.add_argument("--task", type=int, required=True, choices=range(1, 8), help="LaMP task number")
    parser.add_argument("--out", type=Path, required=True, help="output path without extension")
    args = parser.parse_args(argv)
    runs: dict[str, dict[str, dict[str, Any]]] = {}
    for spec in args.runs:
        label, sep, path = spec.partition("=")
        if not sep or not Path(path).is_file():
            parser.error(f"{spec!r}: give LABEL=PATH with an existing scores_<system>.jsonl")
        runs[label] = read_scores(Path(path))
    try:
        result = table(args.task, runs)
    except ValueError as err:
        parser.error(str(err))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(render(result), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
