"""PR2's advantage: personalized rollouts scored against a non-personalized baseline.

For one question, K personalized rollouts get judge scores ``s_1..s_K`` and M non-personalized
rollouts (no profile access) get a mean score ``r_v``. PR2's training code (``src/training.py``,
"RAG(4x)+Vanilla(1x) stacked GRPO with normalized advantage") then gives personalized rollout ``i``::

    all    = s_1..s_K, r_v
    A_i    = (s_i - r_v - mean(all)) / std(all) - K_SHIFT * r_v / std(s_1..s_K)

with sample standard deviations (ddof=1), a standard deviation of exactly 0 (or fewer than two
values) replaced by 1.0, every standard deviation floored at 1e-6, and ``K_SHIFT = 2.0``. The
non-personalized rollouts are baselines only and are never trained on.

This is applied as the final advantage, never fed to a generic GRPO trainer as a reward: TRL would
subtract the group mean again and the ``r_v`` terms, constant within a group, would cancel.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Literal

AdvantageKind = Literal["pr2", "grpo"]
ADVANTAGE_KINDS: tuple[AdvantageKind, ...] = ("pr2", "grpo")
"""``pr2`` = the formula below; ``grpo`` = TRL's own group-normalised advantage (the ablation)."""

K_SHIFT = 2.0
"""Weight of the baseline term ``r_v / std_rag`` (PR2's ``K_SHIFT``)."""
STD_EPS = 1e-6
"""Floor of every standard deviation (PR2's ``max(std, 1e-6)``)."""


def sample_std(values: Sequence[float]) -> float:
    """Return the sample standard deviation (ddof=1), or 1.0 when it is undefined or exactly 0.

    ``statistics.stdev`` computes with exact fractions, so identical floats give exactly 0 (a
    float mean would leave rounding noise that the 1e-6 floor would then blow up).
    """
    if len(values) < 2:
        return 1.0
    std = statistics.stdev(values)
    return 1.0 if std == 0 else std


def pr2_advantages(
    scores: Sequence[float], baseline: float, *, k_shift: float = K_SHIFT, eps: float = STD_EPS
) -> list[float]:
    """Return PR2's advantage for each personalized rollout of one question.

    Args:
        scores: Judge scores ``s_i`` of the question's personalized rollouts (at least one).
        baseline: ``r_v``, the mean judge score of the question's non-personalized rollouts.
        k_shift: Weight of the ``r_v / std_rag`` term.
        eps: Floor of the standard deviations.

    Returns:
        One advantage per score, in order.

    Raises:
        ValueError: No scores, or a score / the baseline is not a finite number.

    Example:
        >>> [round(a, 4) for a in pr2_advantages([1.0, 0.0], 0.5)]
        [-1.4142, -3.4142]
    """
    if not scores:
        raise ValueError("pr2_advantages needs at least one personalized score for the question.")
    values = [float(s) for s in scores]
    if not all(math.isfinite(v) for v in values) or not math.isfinite(baseline):
        raise ValueError(
            f"scores and baseline must be finite numbers, got scores={list(scores)!r}, "
            f"baseline={baseline!r}; drop unscored rollouts before computing the advantage."
        )
    std_rag = max(sample_std(values), eps)
    pooled = [*values, float(baseline)]
    mu_all = statistics.fmean(pooled)
    std_all = max(sample_std(pooled), eps)
    shift = k_shift * baseline / std_rag
    return [(s - baseline - mu_all) / std_all - shift for s in values]


def pr2_group_advantages(
    scores: Sequence[float],
    baseline: float,
    penalties: Sequence[float] | None = None,
    *,
    k_shift: float = K_SHIFT,
    eps: float = STD_EPS,
) -> list[float]:
    """Return the final advantages of one question's rows: PR2's term plus the unnormalised penalties.

    Rows whose score is NaN (the judge could not score them) get no PR2 term and are left out of
    the statistics; a NaN baseline (no non-personalized rollout could be scored) counts as 0, as in
    PR2's code when the non-personalized row is missing. Penalties (e.g. the structure penalty) are
    added as they are, NaN treated as 0.

    Args:
        scores: The rows' judge scores (NaN = unscored).
        baseline: ``r_v`` for the question (NaN = unavailable).
        penalties: Per-row sum of the other (weighted) reward terms, or None.
        k_shift: See :func:`pr2_advantages`.
        eps: See :func:`pr2_advantages`.

    Returns:
        One advantage per row, in order.
    """
    if penalties is not None and len(penalties) != len(scores):
        raise ValueError(f"got {len(scores)} scores but {len(penalties)} penalties; pass one per row.")
    rows = [i for i, s in enumerate(scores) if math.isfinite(s)]
    out = [0.0] * len(scores)
    if rows:
        r_v = baseline if math.isfinite(baseline) else 0.0
        for i, a in zip(rows, pr2_advantages([scores[i] for i in rows], r_v, k_shift=k_shift, eps=eps), strict=True):
            out[i] = a
    if penalties is not None:
        out = [a + (p if math.isfinite(p) else 0.0) for a, p in zip(out, penalties, strict=True)]
    return out
