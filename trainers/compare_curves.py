"""Reward curves of several GRPO runs in one chart (e.g. advantage estimators x seeds).

    python trainers/compare_curves.py runs/est-pr2-s0 runs/est-contrastive-s0 ... \
           --key pr2/personalized_score --out docs/results/lamp/estimators_curves.png

Each run directory holds the ``pr2_training.json`` that ``trainers/grpo_train.py`` writes (its
``log_history``). Runs are grouped by their ``script_arguments.advantage``: one colour per estimator,
one line style per seed, and the per-step mean over the seeds drawn thick. Also writes the curves as
JSON next to the PNG.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainers.curves import series  # noqa: E402

SUMMARY_FILENAME = "pr2_training.json"
STYLES = ("--", ":", "-.", (0, (1, 3)))


def load_run(run_dir: Path, key: str) -> dict[str, Any]:
    """One run's estimator, seed and ``(steps, values)`` of ``key``."""
    path = run_dir / SUMMARY_FILENAME
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: is {run_dir} a finished trainers/grpo_train.py output?")
    summary = json.loads(path.read_text())
    history = summary.get("log_history")
    if not history:
        raise ValueError(f"{path} has no log_history: it was written before grpo_train.py saved it.")
    steps, values = series(history, key)
    return {
        "run": str(run_dir),
        "advantage": summary["script_arguments"]["advantage"],
        "seed": summary.get("seed", _seed(history, run_dir)),
        "steps": steps,
        "values": values,
        "train_seconds": summary.get("train_seconds"),
    }


def _seed(history: list[dict[str, Any]], run_dir: Path) -> str:
    """The seed from the directory name's ``-s<N>`` suffix (the summary does not carry TRL's args)."""
    tail = run_dir.name.rsplit("-s", 1)
    return tail[1] if len(tail) == 2 and tail[1].isdigit() else run_dir.name


def plot(runs: list[dict[str, Any]], key: str, out: Path) -> Path:
    """Draw every run (thin) and each estimator's mean over seeds per step (thick) into ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4))
    colours: dict[str, str] = {}
    for run in runs:
        colour = colours.setdefault(run["advantage"], f"C{len(colours)}")
        style = STYLES[sorted({r["seed"] for r in runs}).index(run["seed"]) % len(STYLES)]
        ax.plot(run["steps"], run["values"], color=colour, linestyle=style, linewidth=1, alpha=0.7,
                label=f"{run['advantage']} seed {run['seed']}")  # fmt: skip
    for advantage, colour in colours.items():
        group = [r for r in runs if r["advantage"] == advantage]
        common = sorted(set.intersection(*(set(r["steps"]) for r in group)))
        means = [statistics.fmean(r["values"][r["steps"].index(s)] for r in group) for s in common]
        ax.plot(common, means, color=colour, linewidth=2.5, label=f"{advantage} mean of {len(group)}")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel(key)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    """Load the runs, draw the chart, write the curves JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path, help="grpo_train.py output directories")
    parser.add_argument("--key", default="pr2/personalized_score", help="logged metric to draw")
    parser.add_argument("--out", type=Path, required=True, help="PNG path (a .json with the curves goes next to it)")
    args = parser.parse_args(argv)
    try:
        runs = [load_run(r, args.key) for r in args.runs]
    except (FileNotFoundError, ValueError) as err:
        parser.error(str(err))
    plot(runs, args.key, args.out)
    args.out.with_suffix(".json").write_text(json.dumps(runs, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(runs)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
