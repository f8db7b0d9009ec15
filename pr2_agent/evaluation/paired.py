"""Paired comparison of two systems on the same questions: the margin, a bootstrap interval, a sign test.

``pr2 eval`` tables show means; whether ``rag`` beats ``nopers`` on 15 questions needs the per-question
differences. Both tests are paired (each question compared with itself) and need no distributional
assumption: the bootstrap resamples questions, the sign test counts wins and losses (ties dropped).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class PairedMargin:
    """``a − b`` over the questions both systems answered."""

    a: str
    b: str
    n: int
    margin: float
    """Mean of the per-question differences ``a − b``."""
    ci_low: float
    ci_high: float
    """95% percentile bootstrap interval of the margin (questions resampled with replacement)."""
    wins: int
    losses: int
    ties: int
    sign_p: float
    """Two-sided exact sign-test p-value over the non-tied questions (1.0 when all tie)."""

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict."""
        return asdict(self)


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact binomial p-value of ``wins`` against ``losses`` at p = 1/2.

    Example:
        >>> sign_test(0, 0), round(sign_test(9, 1), 4)
        (1.0, 0.0215)
    """
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(wins, losses) + 1)) / 2**n
    return min(1.0, 2 * tail)


def paired_margin(
    a: str,
    b: str,
    scores_a: Mapping[str, float],
    scores_b: Mapping[str, float],
    *,
    resamples: int = 10_000,
    seed: int = 0,
) -> PairedMargin:
    """Compare system ``a`` with ``b`` on the question ids both scored.

    Raises:
        ValueError: The two systems share no question.
    """
    common = sorted(set(scores_a) & set(scores_b))
    if not common:
        raise ValueError(f"{a} and {b} share no question; evaluate both on the same --data/--limit.")
    diffs = [scores_a[q] - scores_b[q] for q in common]
    rng = random.Random(seed)
    means = sorted(sum(rng.choices(diffs, k=len(diffs))) / len(diffs) for _ in range(resamples))
    wins, losses = sum(d > 0 for d in diffs), sum(d < 0 for d in diffs)
    return PairedMargin(
        a=a,
        b=b,
        n=len(diffs),
        margin=sum(diffs) / len(diffs),
        ci_low=_percentile(means, 0.025),
        ci_high=_percentile(means, 0.975),
        wins=wins,
        losses=losses,
        ties=len(diffs) - wins - losses,
        sign_p=sign_test(wins, losses),
    )


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]
