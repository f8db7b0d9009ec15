"""PrLM's two result tables from ``pr2 eval`` summaries: systems x LaMP tasks, and k x retriever.

    pr2 eval --out outputs/prlm-eval/lamp4 --report-only          # (each dir: refresh summary.json first)
    python trainers/prlm_table.py --eval outputs/prlm-eval/lamp4 outputs/prlm-eval/lamp5 outputs/prlm-eval/lamp7 \
        --robust outputs/prlm-robust/* --out docs/results/prlm/tables.md

Every cell is LaMP's ROUGE-1 / ROUGE-L over the run (the task's official numbers in ``summary.json``), with
the number of questions; a missing run is shown as such, never filled in.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

SYSTEM_ORDER = ("nopers", "rag", "pr2@shipped", "prlm", "prlm@grpo")


def read_summary(out_dir: Path) -> dict[str, Any]:
    """The ``summary.json`` ``pr2 eval`` wrote in ``out_dir``."""
    path = out_dir / "summary.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `pr2 eval --out {out_dir} --report-only` first.")
    summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return summary


def cell(system: dict[str, Any] | None) -> str:
    """``R1 / RL (n)`` of one system's row, or a dash for a run that does not exist."""
    if system is None:
        return "not run"
    official = system.get("official", {})
    r1, rl = official.get("rouge-1", float("nan")), official.get("rouge-L", float("nan"))
    return f"{r1:.3f} / {rl:.3f} (n={system['n']})"


def comparison_table(dirs: list[Path]) -> list[str]:
    """Systems (rows) x tasks (columns)."""
    summaries = {str(read_summary(d)["run"].get("task", d.name)): read_summary(d) for d in dirs}
    rows = {s["system"]: s for summary in summaries.values() for s in summary["systems"]}
    names = [n for n in SYSTEM_ORDER if n in rows] + sorted(set(rows) - set(SYSTEM_ORDER))
    lines = [
        "| system | generator | " + " | ".join(summaries) + " |",
        "|---|---|" + "---|" * len(summaries),
    ]
    for name in names:
        by_task = {t: next((s for s in summary["systems"] if s["system"] == name), None) for t, summary in
                   summaries.items()}
        model = next((s["model"] for s in by_task.values() if s is not None), "")
        lines.append(f"| {name} | {model} | " + " | ".join(cell(s) for s in by_task.values()) + " |")
    return lines


def robustness_table(dirs: list[Path]) -> list[str]:
    """k (rows) x retriever (columns), one system per directory."""
    results: dict[tuple[int, str], dict[str, Any]] = {}
    for d in dirs:
        summary = read_summary(d)
        run = summary["run"]
        retriever = str(run.get("retriever", "")).split("/")[0]
        results[(int(run["top_k"]), retriever)] = summary["systems"][0]
    ks = sorted({k for k, _ in results})
    retrievers = sorted({r for _, r in results})
    lines = ["| k | " + " | ".join(retrievers) + " |", "|---|" + "---|" * len(retrievers)]
    for k in ks:
        lines.append(f"| {k} | " + " | ".join(cell(results.get((k, r))) for r in retrievers) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Write both tables as markdown."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--eval", nargs="+", type=Path, default=[], help="pr2 eval --out dirs, one per task")
    p.add_argument("--robust", nargs="+", type=Path, default=[], help="pr2 eval --out dirs, one per (k, retriever)")
    p.add_argument("--out", type=Path, required=True, help="markdown file to write")
    args = p.parse_args(argv)
    try:
        lines = ["ROUGE-1 / ROUGE-L (LaMP's evaluator over each run), greedy decoding.", ""]
        if args.eval:
            lines += ["## Systems x tasks (bundled LaMP test splits)", "", *comparison_table(args.eval), ""]
        if args.robust:
            lines += ["## Trained PrLM: k x retriever (LaMP-4 test)", "", *robustness_table(args.robust), ""]
    except (FileNotFoundError, KeyError, ValueError) as err:
        print(f"prlm_table: error: {err}", file=sys.stderr)  # noqa: T201
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
