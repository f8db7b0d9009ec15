"""PrLM's two result tables from ``pr2 eval`` score files: systems x LaMP tasks, and k x retriever.

    python trainers/prlm_table.py --eval lamp4=outputs/prlm-eval/lamp4 lamp7=outputs/prlm-eval/lamp7 \
        --robust outputs/prlm-robust/dense-k1 outputs/prlm-robust/bm25-k1 ... --out docs/results/prlm/tables.md

Every cell is LaMP's ROUGE-1 / ROUGE-L over the questions a system answered (the task's official evaluator,
``LaMPTask.corpus_metrics``, over the ``scores_<system>.jsonl`` rows), with their number; a missing run is
shown as such, never filled in. Robustness directories are named ``<retriever>-k<k>`` and hold one system.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SYSTEM_ORDER = ("nopers", "rag", "pr2@shipped", "prlm", "prlm@grpo")
_ROBUST_DIR = re.compile(r"(?P<retriever>dense|bm25)-k(?P<k>\d+)$")


def scored_systems(out_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """``{system: result rows}`` of every ``scores_<system>.jsonl`` in ``out_dir``."""
    found = {}
    for path in sorted(out_dir.glob("scores_*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        found[path.name[len("scores_") : -len(".jsonl")]] = [r for r in rows if "prediction" in r]
    return found


def cell(task: str, rows: list[dict[str, Any]] | None) -> str:
    """``R1 / RL (n)`` over the rows, or "not run"."""
    from pr2_agent.tasks import get_task

    if not rows:
        return "not run"
    metrics = get_task(task).corpus_metrics(rows)  # type: ignore[attr-defined]  # LaMP tasks have it
    return f"{metrics['rouge-1']:.3f} / {metrics['rouge-L']:.3f} (n={len(rows)})"


def comparison_table(runs: dict[str, Path]) -> list[str]:
    """Systems (rows) x tasks (columns)."""
    by_task = {task: scored_systems(d) for task, d in runs.items()}
    names = {n for systems in by_task.values() for n in systems}
    ordered = [n for n in SYSTEM_ORDER if n in names] + sorted(names - set(SYSTEM_ORDER))
    lines = ["| system | " + " | ".join(by_task) + " |", "|---|" + "---|" * len(by_task)]
    for name in ordered:
        lines.append(f"| {name} | " + " | ".join(cell(t, s.get(name)) for t, s in by_task.items()) + " |")
    return lines


def robustness_table(dirs: list[Path], task: str = "lamp4") -> list[str]:
    """k (rows) x retriever (columns), one system per directory."""
    results: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for d in dirs:
        match = _ROBUST_DIR.search(d.name)
        if match is None:
            raise ValueError(f"{d}: robustness directories are named <dense|bm25>-k<k>, e.g. dense-k5.")
        systems = scored_systems(d)
        if systems:
            results[(int(match["k"]), match["retriever"])] = next(iter(systems.values()))
    ks = sorted({k for k, _ in results})
    retrievers = ["dense", "bm25"]
    lines = ["| k | " + " | ".join(retrievers) + " |", "|---|" + "---|" * len(retrievers)]
    for k in ks:
        lines.append(f"| {k} | " + " | ".join(cell(task, results.get((k, r))) for r in retrievers) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Write both tables as markdown."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--eval", nargs="+", default=[], help="TASK=DIR: a pr2 eval --out dir per task")
    p.add_argument("--robust", nargs="+", type=Path, default=[], help="<retriever>-k<k> dirs (LaMP-4)")
    p.add_argument("--out", type=Path, required=True, help="markdown file to write")
    args = p.parse_args(argv)
    try:
        runs = {}
        for spec in args.eval:
            task, sep, path = spec.partition("=")
            if not sep or not Path(path).is_dir():
                raise ValueError(f"--eval {spec!r}: give TASK=DIR with an existing directory, e.g. lamp4=outputs/x.")
            runs[task] = Path(path)
        lines = ["ROUGE-1 / ROUGE-L (LaMP's evaluator over each run's questions), greedy decoding.", ""]
        if runs:
            lines += ["## Systems x tasks (bundled LaMP test splits)", "", *comparison_table(runs), ""]
        if args.robust:
            lines += ["## Trained PrLM: k x retriever (LaMP-4 test)", "", *robustness_table(args.robust), ""]
    except (KeyError, ValueError) as err:
        print(f"prlm_table: error: {err}", file=sys.stderr)  # noqa: T201
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
