"""What each advantage estimator does to one LaMP-2 group, computed exactly (no model, no sampling).

    python tools/lampset/estimator_exact.py --out docs/results/lamp/estimators_exact

A LaMP-2 score is 0 or 1 (accuracy). For a question whose K = 4 personalized rollouts are each right
with probability ``p`` and whose one no-profile rollout is right with probability ``q``, this
enumerates all 2^5 outcomes and, with the estimators of :mod:`pr2_agent.advantage` exactly as the
trainer calls them (``grpo`` = the group alone, as TRL's group normalisation), reports:

* ``P(no signal)``: probability that every advantage of the group is 0 (nothing is learned from it);
* ``E[A | right] - E[A | wrong]``: how far a right rollout is pushed above a wrong one (the signal);
* ``E[mean A]``: the drift of the whole group (all rows pushed up > 0, down < 0, whatever they did).

It describes the estimators, it does not replace training runs: the learning curves measure those.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pr2_agent.advantage import contrastive_advantages, pr2_advantages  # noqa: E402

K = 4
ESTIMATORS = ("pr2", "contrastive", "grpo")
CASES: tuple[tuple[float, float], ...] = ((0.2, 0.05), (0.35, 0.05), (0.5, 0.05), (0.8, 0.05), (0.35, 0.5), (0.8, 0.5))
"""(p, q): 0.05 / 0.35 / 0.2 are the measured greedy LaMP-2 test accuracies of nopers / rag / the shipped pr2."""


def advantages(estimator: str, scores: list[float], baseline: float) -> list[float]:
    """One group's advantages under an estimator (the trainer's calls, without penalties)."""
    if estimator == "pr2":
        return pr2_advantages(scores, baseline)
    if estimator == "contrastive":
        return contrastive_advantages(scores, [baseline])
    return contrastive_advantages(scores, [])  # the group alone: GRPO's group-relative advantage


def exact(estimator: str, p: float, q: float) -> dict[str, float]:
    """The three quantities of the module doc for one estimator and one (p, q)."""
    no_signal = 0.0
    right_sum = wrong_sum = right_mass = wrong_mass = drift = 0.0
    for outcome in itertools.product((0.0, 1.0), repeat=K + 1):
        scores, baseline = list(outcome[:K]), outcome[K]
        prob = 1.0
        for s in scores:
            prob *= p if s else 1 - p
        prob *= q if baseline else 1 - q
        adv = advantages(estimator, scores, baseline)
        if all(a == 0.0 for a in adv):
            no_signal += prob
        drift += prob * sum(adv) / K
        for s, a in zip(scores, adv, strict=True):
            if s:
                right_sum, right_mass = right_sum + prob * a, right_mass + prob
            else:
                wrong_sum, wrong_mass = wrong_sum + prob * a, wrong_mass + prob
    return {
        "no_signal": no_signal,
        "separation": right_sum / right_mass - wrong_sum / wrong_mass,
        "drift": drift,
    }


def render(rows: list[dict[str, Any]]) -> str:
    """One markdown row per (p, q, estimator)."""
    lines = [
        "| p (personalized right) | q (no-profile right) | estimator | P(no signal) | E[A\\|right] − E[A\\|wrong] "
        "| E[mean A] (drift) |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['p']:.2f} | {r['q']:.2f} | {r['estimator']} | {r['no_signal']:.3f} | {r['separation']:+.3f} "
            f"| {r['drift']:+.3f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Compute every case, write ``<out>.md`` and ``<out>.json``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="output path without extension")
    args = parser.parse_args(argv)
    rows = [{"p": p, "q": q, "estimator": e, **exact(e, p, q)} for p, q in CASES for e in ESTIMATORS]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(render(rows), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
