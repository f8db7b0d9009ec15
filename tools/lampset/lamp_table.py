"""The per-task LaMP table: official metrics of each system and the personalization margins, from ``pr2 eval`` outputs.

    python tools/lampset/lamp_table.py runs/eval/lamp1 ... runs/eval/lamp7 --out docs/results/lamp/per_task

Each directory is one ``pr2 eval --task lampN`` output (``summary.json`` + ``scores_<system>.jsonl``). The
table gives LaMP's official metrics per system (accuracy + macro-F1, MAE + RMSE, ROUGE-1 + ROUGE-L) and the
margins ``rag - nopers`` and ``rag - rag_random`` on the per-question score (accuracy, ``1 - |error| / 4``,
ROUGE-1; higher is better for every task) with a 95% paired bootstrap interval over the questions, so
"rag beats nopers clearly" is a statement about the interval, not the point estimate. Writes
``<out>.md`` and ``<out>.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path
from typing import Any

SYSTEMS: tuple[str, ...] = ("nopers", "rag", "rag_random", "pr2")
LOWER_IS_BETTER = {"MAE", "RMSE"}
BOOTSTRAP_SAMPLES = 2000


def per_question(out_dir: Path, system: str) -> dict[str, float]:
    """``{question id: score}`` of one system in one eval output directory (empty if it did not run)."""
    path = out_dir / f"scores_{system}.jsonl"
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {str(r["qid"]): float(r["score"]) for r in rows}


def paired_margin(a: dict[str, float], b: dict[str, float], seed: int = 0) -> dict[str, float] | None:
    """Mean of ``a - b`` over their shared questions and its 95% bootstrap interval (None if none shared)."""
    shared = sorted(set(a) & set(b))
    if not shared:
        return None
    diffs = [a[q] - b[q] for q in shared]
    rng = random.Random(seed)
    means = sorted(statistics.fmean(rng.choices(diffs, k=len(diffs))) for _ in range(BOOTSTRAP_SAMPLES))
    return {
        "mean": statistics.fmean(diffs),
        "low": means[int(0.025 * BOOTSTRAP_SAMPLES)],
        "high": means[int(0.975 * BOOTSTRAP_SAMPLES) - 1],
        "n": len(shared),
    }


def task_rows(out_dir: Path) -> dict[str, Any]:
    """One task's systems, official metrics and margins."""
    summary = json.loads((out_dir / "summary.json").read_text())
    systems = {s["system"]: s for s in summary["systems"]}
    scores = {name: per_question(out_dir, name) for name in SYSTEMS}
    return {
        "task": summary["judge"],
        "model": summary.get("model"),
        "n": {name: systems[name]["n"] for name in SYSTEMS if name in systems},
        "official": {name: systems[name].get("official", {}) for name in SYSTEMS if name in systems},
        "score": {name: systems[name]["scores"]["macro"] for name in SYSTEMS if name in systems},
        "pr2_mean_searches": systems.get("pr2", {}).get("mean_searches"),
        "rag_minus_nopers": paired_margin(scores["rag"], scores["nopers"]),
        "rag_minus_rag_random": paired_margin(scores["rag"], scores["rag_random"]),
        "pr2_minus_nopers": paired_margin(scores["pr2"], scores["nopers"]),
    }


def _margin(m: dict[str, float] | None) -> str:
    if m is None:
        return "-"
    flag = " ✔" if m["low"] > 0 else (" ✘" if m["high"] < 0 else "")
    return f"{m['mean']:+.3f} [{m['low']:+.3f}, {m['high']:+.3f}]{flag}"


def render(tasks: list[dict[str, Any]]) -> str:
    """The markdown tables: official metrics, then the margins on the per-question score."""
    lines = [
        "| task | metric | nopers | rag | rag_random | pr2 (no LaMP training) | n |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for t in tasks:
        metrics = list(t["official"].get("rag", {}))
        for metric in metrics:
            cells = [f"{t['official'][s][metric]:.3f}" if metric in t["official"].get(s, {}) else "-" for s in SYSTEMS]
            label = metric + (" (lower better)" if metric in LOWER_IS_BETTER else "")
            lines.append(f"| {t['task']} | {label} | " + " | ".join(cells) + f" | {t['n'].get('rag', '-')} |")
    lines += [
        "",
        "Margins on the per-question score (accuracy; 1 - |error|/4 for LaMP-3; ROUGE-1 for 4-7), mean and 95% "
        "paired bootstrap interval over the test questions; ✔ = interval above 0, ✘ = below 0.",
        "",
        "| task | rag − nopers | rag − rag_random | pr2 − nopers | pr2 searches/question |",
        "|---|---|---|---|---:|",
    ]
    for t in tasks:
        searches = t["pr2_mean_searches"]
        lines.append(
            f"| {t['task']} | {_margin(t['rag_minus_nopers'])} | {_margin(t['rag_minus_rag_random'])} | "
            f"{_margin(t['pr2_minus_nopers'])} | {searches if searches is None else f'{searches:.2f}'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Read the eval directories, write ``<out>.md`` and ``<out>.json``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", nargs="+", type=Path, help="pr2 eval --task lampN output directories")
    parser.add_argument("--out", type=Path, required=True, help="output path without extension")
    args = parser.parse_args(argv)
    missing = [str(d) for d in args.dirs if not (d / "summary.json").is_file()]
    if missing:
        parser.error(f"no summary.json in {', '.join(missing)}: run pr2 eval there first.")
    tasks = [task_rows(d) for d in args.dirs]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(render(tasks), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(tasks, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(render(tasks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
