"""Redraw a GRPO run's training curves from its console log (the dicts TRL prints at every logging step).

    python trainers/prlm_log_curves.py runs/prlm_grpo.log docs/results/prlm/training_curves.png

For a run whose process drew its curves with an older panel set, or whose checkpoints were pruned: the
log has every logged step, so the figure is exactly what was logged.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_ENTRY = re.compile(r"\{'loss': .*?\}")


def log_history(text: str) -> list[dict[str, Any]]:
    """Every ``{'loss': ...}`` dict in the log, numbers parsed, with its step (1-based, in order).

    >>> log_history("x {'loss': '0.5', 'reward': '1.2', 'pr2/baseline_score': None} y")
    [{'loss': 0.5, 'reward': 1.2, 'pr2/baseline_score': None, 'step': 1}]
    """
    entries = []
    for n, match in enumerate(_ENTRY.finditer(text), start=1):
        raw = ast.literal_eval(match.group(0))
        entry = {k: (float(v) if isinstance(v, str) else v) for k, v in raw.items()}
        entries.append({**entry, "step": n})
    return entries


def main(argv: list[str] | None = None) -> int:
    """Parse the log and draw the figure."""
    from trainers.curves import plot_training_curves

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python trainers/prlm_log_curves.py LOG OUT.png", file=sys.stderr)  # noqa: T201
        return 2
    history = log_history(Path(args[0]).read_text(encoding="utf-8", errors="replace"))
    if not history:
        print(f"prlm_log_curves: error: no logged step in {args[0]}", file=sys.stderr)  # noqa: T201
        return 2
    plot_training_curves(history, args[1])
    print(f"{len(history)} steps -> {args[1]}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
