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

PR2's formula subtracts the baseline twice (inside ``A_all`` and again as ``K_SHIFT * r_v / std_rag``),
so with any positive baseline every sample is pushed down: scores ``[1.0, 0.5, 1.5, 0.0]`` with
``r_v = 0.5`` give ``[-1.900, -2.777, -1.023, -3.654]``. ``contrastive`` is the principled
alternative: the question's K personalized and M non-personalized scores form ONE group, z-scored
together (sample std, 1.0 when it is 0), and only the personalized rows are trained::

    pool = s_1..s_K, v_1..v_M          A_i = (s_i - mean(pool)) / std(pool)

It is GRPO's group-relative advantage with the non-personalized rollouts as extra group members: a
personalized rollout is rewarded for beating what the pool (and so the no-profile answer) achieves,
the advantages of the trained rows need not sum to zero (all rise when personalization beats the
baseline, all fall when it loses), and a group whose K personalized scores are equal still carries a
signal when the baseline differs, where GRPO's is exactly 0. The rollout passes the M baseline scores
as their mean, so with M > 1 they enter the pool as one value (PR2 and the configs use M = 1).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Literal

AdvantageKind = Literal["pr2", "grpo", "contrastive"]
ADVANTAGE_KINDS: tuple[AdvantageKind, ...] = ("pr2", "grpo", "contrastive")
"""``pr2`` = PR2's formula; ``grpo`` = TRL's own group-normalised advantage (no baseline);
``contrastive`` = one z-scored group of personalized and non-personalized scores (see the module doc)."""
BASELINE_ADVANTAGES: tuple[AdvantageKind, ...] = ("pr2", "contrastive")
"""The estimators that read the non-personalized baseline (they need ``num_baseline >= 1``)."""

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


def contrastive_advantages(scores: Sequence[float], baselines: Sequence[float], *, eps: float = STD_EPS) -> list[float]:
    """Return the contrastive advantage of each personalized rollout of one question.

    The personalized scores and the non-personalized ``baselines`` are one group, normalised
    together; the value of each personalized row is returned (the baselines are never trained).

    Args:
        scores: Scores of the question's personalized rollouts (at least one).
        baselines: Scores of its non-personalized rollouts (may be empty: then this is GRPO's advantage).
        eps: Floor of the standard deviation.

    Raises:
        ValueError: No scores, or a value is not a finite number.

    Example:
        >>> [round(a, 4) for a in contrastive_advantages([1.0, 1.0], [0.0])]
        [0.5774, 0.5774]
    """
    if not scores:
        raise ValueError("contrastive_advantages needs at least one personalized score for the question.")
    values = [float(s) for s in scores]
    pooled = [*values, *(float(b) for b in baselines)]
    if not all(math.isfinite(v) for v in pooled):
        raise ValueError(
            f"scores and baselines must be finite numbers, got scores={list(scores)!r}, "
            f"baselines={list(baselines)!r}; drop unscored rollouts before computing the advantage."
        )
    mu = statistics.fmean(pooled)
    std = max(sample_std(pooled), eps)
    return [(s - mu) / std for s in values]


def group_advantages(
    kind: AdvantageKind,
    scores: Sequence[float],
    baseline: float,
    penalties: Sequence[float] | None = None,
    *,
    k_shift: float = K_SHIFT,
    eps: float = STD_EPS,
) -> list[float]:
    """Return the final advantages of one question's rows under a baseline estimator, plus the penalties.

    Rows whose score is NaN (unscored) get no estimator term and are left out of the statistics. A
    NaN baseline (no non-personalized rollout could be scored) counts as 0 for ``pr2``, as in PR2's
    code when the non-personalized row is missing, and is left out of the group for ``contrastive``.
    Penalties (e.g. the structure penalty) are added, NaN treated as 0: as they are for ``pr2`` (PR2's
    code), centred on the question's mean penalty for ``contrastive`` (so only differences between its
    rollouts count, as for the scores).

    Args:
        kind: ``pr2`` or ``contrastive`` (``grpo`` is TRL's own and never computed here).
        scores: The rows' scores (NaN = unscored).
        baseline: ``r_v`` for the question (NaN = unavailable).
        penalties: Per-row sum of the other (weighted) reward terms, or None.
        k_shift: See :func:`pr2_advantages`.
        eps: Floor of the standard deviations.

    Returns:
        One advantage per row, in order.
    """
    if kind not in BASELINE_ADVANTAGES:
        raise ValueError(f"group_advantages computes {BASELINE_ADVANTAGES}, got {kind!r} (grpo is TRL's own).")
    if penalties is not None and len(penalties) != len(scores):
        raise ValueError(f"got {len(scores)} scores but {len(penalties)} penalties; pass one per row.")
    rows = [i for i, s in enumerate(scores) if math.isfinite(s)]
    out = [0.0] * len(scores)
    if rows:
        scored = [scores[i] for i in rows]
        if kind == "pr2":
            r_v = baseline if math.isfinite(baseline) else 0.0
            values = pr2_advantages(scored, r_v, k_shift=k_shift, eps=eps)
        else:
            values = contrastive_advantages(scored, [baseline] if math.isfinite(baseline) else [], eps=eps)
        for i, a in zip(rows, values, strict=True):
            out[i] = a
    if penalties is not None:
        terms = [p if math.isfinite(p) else 0.0 for p in penalties]
        if kind == "contrastive":
            # Centred within the question: a penalty every rollout shares (all forced) says nothing
            # about which one is better, and adding it raw pushes every sampled sequence down at once,
            # which raised the entropy until the policy wrote noise (LaMP-2 GRPO run, steps 10-15).
            mean = statistics.fmean(terms)
            terms = [p - mean for p in terms]
        out = [a + p for a, p in zip(out, terms, strict=True)]
    return out


def pr2_group_advantages(
    scores: Sequence[float],
    baseline: float,
    penalties: Sequence[float] | None = None,
    *,
    k_shift: float = K_SHIFT,
    eps: float = STD_EPS,
) -> list[float]:
    """Return the final advantages of one question's rows under PR2's formula (see :func:`group_advantages`)."""
    return group_advantages("pr2", scores, baseline, penalties, k_shift=k_shift, eps=eps)
