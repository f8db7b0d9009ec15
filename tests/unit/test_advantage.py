"""PR2's advantage against numbers computed by hand (papers.md §1.5)."""

from __future__ import annotations

import math

import pytest

from pr2_agent.advantage import (
    ADVANTAGE_KINDS,
    contrastive_advantages,
    group_advantages,
    pr2_advantages,
    pr2_group_advantages,
    sample_std,
)


def test_two_rollouts_by_hand():
    # s = [1, 0], r_v = 0.5
    # std_rag = stdev([1, 0]) = sqrt(0.5) = 0.70711
    # all = [1, 0, 0.5]: mu_all = 0.5, std_all = stdev = 0.5
    # A_1 = (1 - 0.5 - 0.5) / 0.5 - 2 * 0.5 / 0.70711 = 0 - 1.41421 = -1.41421
    # A_2 = (0 - 0.5 - 0.5) / 0.5 - 1.41421 = -2 - 1.41421 = -3.41421
    a = pr2_advantages([1.0, 0.0], 0.5)
    assert a == pytest.approx([-math.sqrt(2), -2 - math.sqrt(2)], abs=1e-9)


def test_four_rollouts_by_hand():
    # s = [1.0, 0.5, 0.5, 0.0], r_v = 0.25 (K=4, M=1 as in PR2)
    # std_rag = stdev(s): mean 0.5, squared deviations 0.25, 0, 0, 0.25 -> var 0.5/3 -> 0.408248
    # all = s + [0.25]: mean 2.25/5 = 0.45
    #   deviations 0.55, 0.05, 0.05, -0.45, -0.2 -> squares .3025 .0025 .0025 .2025 .04 = 0.55 -> var .1375
    #   std_all = 0.370810
    # shift = 2 * 0.25 / 0.408248 = 1.224745
    # A_i = (s_i - 0.25 - 0.45) / 0.370810 - 1.224745:
    #   0.3 / 0.370810 = 0.809040, -0.2 / 0.370810 = -0.539360, -0.7 / 0.370810 = -1.887760
    std_all = math.sqrt(0.55 / 4)
    shift = 2 * 0.25 / math.sqrt(0.5 / 3)
    expected = [(s - 0.7) / std_all - shift for s in (1.0, 0.5, 0.5, 0.0)]
    assert expected == pytest.approx([-0.415705, -1.764105, -1.764105, -3.112505], abs=1e-5)
    assert pr2_advantages([1.0, 0.5, 0.5, 0.0], 0.25) == pytest.approx(expected, abs=1e-12)


def test_identical_scores_use_unit_std():
    # Both stds degenerate -> 1.0: A = (0.1 - 0.1 - 0.1) - 2 * 0.1 = -0.3 (exact, no 1e-6 blow-up)
    assert pr2_advantages([0.1, 0.1, 0.1], 0.1) == pytest.approx([-0.3] * 3, abs=1e-12)


def test_identical_personalized_scores_keep_pooled_std():
    # std_rag degenerate -> 1; all = [.5,.5,.5,.5,.25]: mean .45, var = (4*.0025 + .04)/4 = .0125
    a = pr2_advantages([0.5] * 4, 0.25)
    assert a == pytest.approx([(0.5 - 0.25 - 0.45) / math.sqrt(0.0125) - 0.5] * 4, abs=1e-12)


def test_single_rollout_has_unit_rag_std():
    # std_rag undefined -> 1; all = [0.8, 0.2]: mean 0.5, std = sqrt(0.18) = 0.424264
    assert pr2_advantages([0.8], 0.2) == pytest.approx([(0.8 - 0.2 - 0.5) / math.sqrt(0.18) - 0.4], abs=1e-12)


def test_zero_baseline_is_plain_shifted_normalisation():
    # r_v = 0 removes both baseline terms: A_i = (s_i - mean(s + [0])) / std(s + [0])
    s = [1.0, 0.0]
    mu, std = 1 / 3, math.sqrt(((2 / 3) ** 2 + (1 / 3) ** 2 * 2) / 2)
    assert pr2_advantages(s, 0.0) == pytest.approx([(x - mu) / std for x in s], abs=1e-12)


def test_better_than_baseline_ranks_higher():
    a = pr2_advantages([0.9, 0.4, 0.1, 0.6], 0.3)
    assert sorted(range(4), key=a.__getitem__) == [2, 1, 3, 0]


def test_sample_std():
    assert sample_std([]) == 1.0
    assert sample_std([3.0]) == 1.0
    assert sample_std([2.0, 2.0]) == 1.0
    assert sample_std([0.0, 2.0]) == pytest.approx(math.sqrt(2))


def test_group_adds_penalties_and_skips_unscored_rows():
    scores = [1.0, math.nan, 0.0]
    penalties = [0.0, -0.5, -0.5]
    out = pr2_group_advantages(scores, 0.5, penalties)
    base = pr2_advantages([1.0, 0.0], 0.5)
    assert out == pytest.approx([base[0], -0.5, base[1] - 0.5], abs=1e-12)


def test_group_nan_baseline_counts_as_zero():
    assert pr2_group_advantages([1.0, 0.0], math.nan) == pytest.approx(pr2_advantages([1.0, 0.0], 0.0))


def test_group_all_unscored_is_zero():
    assert pr2_group_advantages([math.nan, math.nan], 0.4, [0.0, -0.5]) == [0.0, -0.5]


@pytest.mark.parametrize(
    ("scores", "baseline"),
    [([], 0.0), ([math.nan], 0.0), ([0.5], math.inf)],
)
def test_bad_input_is_rejected(scores, baseline):
    with pytest.raises(ValueError):
        pr2_advantages(scores, baseline)


def test_penalty_count_must_match():
    with pytest.raises(ValueError, match="penalties"):
        pr2_group_advantages([0.1, 0.2], 0.0, [0.0])


# ----------------------------------------------------------------------------- the issue's worked example


def test_issue_worked_example_pr2_pushes_every_sample_down():
    # s = [1.0, 0.5, 1.5, 0.0], r_v = 0.5 (issue 10, item 6)
    # std_rag = stdev(s): mean 0.75, squares .0625 .0625 .5625 .5625 -> var 1.25/3 -> 0.645497
    # all = s + [0.5]: mean 3.5/5 = 0.7; squares .09 .04 .64 .49 .04 = 1.3 -> var .325 -> std_all 0.570088
    # shift = 2 * 0.5 / 0.645497 = 1.549193
    # A_i = (s_i - 0.5 - 0.7) / 0.570088 - 1.549193 = -0.350823, -1.227881, 0.526235, -2.104939 minus the shift
    a = pr2_advantages([1.0, 0.5, 1.5, 0.0], 0.5)
    assert a == pytest.approx([-1.900, -2.777, -1.023, -3.654], abs=5e-4)
    assert max(a) < 0  # even the best sample, 1.0 above the baseline, is pushed down


def test_issue_worked_example_contrastive():
    # one group [1.0, 0.5, 1.5, 0.0, 0.5]: mean 0.7, std 0.570088 (as above); the four personalized rows:
    # 0.3 / 0.570088, -0.2 / 0.570088, 0.8 / 0.570088, -0.7 / 0.570088
    a = contrastive_advantages([1.0, 0.5, 1.5, 0.0], [0.5])
    assert a == pytest.approx([0.526235, -0.350823, 1.403293, -1.227881], abs=1e-6)
    assert a[2] > 0 > a[3]  # above the pool: pushed up; below it: pushed down


# ----------------------------------------------------------------------------- contrastive


def test_contrastive_without_baseline_is_grpo():
    # GRPO's advantage over the group alone (sample std, as TRL's torch.std)
    s = [1.0, 0.0, 0.0, 1.0]
    mu, std = 0.5, math.sqrt(1 / 3)
    assert contrastive_advantages(s, []) == pytest.approx([(x - mu) / std for x in s], abs=1e-12)


def test_contrastive_equal_personalized_scores_still_learn_from_the_baseline():
    # All 4 personalized right, the no-profile answer wrong: GRPO gives 0, contrastive pushes all up.
    assert contrastive_advantages([1.0] * 4, []) == [0.0] * 4
    a = contrastive_advantages([1.0] * 4, [0.0])
    # pool mean 0.8, var (4 * .04 + .64) / 4 = 0.2
    assert a == pytest.approx([0.2 / math.sqrt(0.2)] * 4, abs=1e-12)
    # ... and all down when personalization lost to the baseline
    assert all(x < 0 for x in contrastive_advantages([0.0] * 4, [1.0]))


def test_contrastive_all_equal_is_no_signal():
    assert contrastive_advantages([0.5, 0.5], [0.5]) == [0.0, 0.0]


def test_contrastive_rejects_bad_input():
    with pytest.raises(ValueError, match="at least one"):
        contrastive_advantages([], [0.0])
    with pytest.raises(ValueError, match="finite"):
        contrastive_advantages([0.5], [math.nan])


def test_group_contrastive_skips_unscored_rows_and_a_missing_baseline():
    out = group_advantages("contrastive", [1.0, math.nan, 0.0], math.nan, [0.0, -0.5, -0.5])
    base = contrastive_advantages([1.0, 0.0], [])
    # Penalties centred on their mean (-1/3), the unscored row's included.
    assert out == pytest.approx([base[0] + 1 / 3, -1 / 6, base[1] - 1 / 6], abs=1e-12)
    with_baseline = group_advantages("contrastive", [1.0, 0.0], 0.25)
    assert with_baseline == pytest.approx(contrastive_advantages([1.0, 0.0], [0.25]), abs=1e-12)


def test_group_advantages_names_the_estimators():
    assert set(ADVANTAGE_KINDS) == {"pr2", "grpo", "contrastive"}
    with pytest.raises(ValueError, match="TRL's own"):
        group_advantages("grpo", [1.0], 0.0)


def test_contrastive_centres_penalties_within_the_question():
    from pr2_agent.advantage import contrastive_advantages, group_advantages

    # Every rollout forced (same penalty, same score): no rollout is better, so nothing is pushed.
    assert group_advantages("contrastive", [0.0] * 4, 0.0, [-0.5] * 4) == pytest.approx([0.0] * 4)
    # Only the differences count: the forced rollout loses 0.375 - (-0.125) = 0.5 to the others.
    scores, penalties = [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, -0.5]
    base = contrastive_advantages(scores, [0.0])
    out = group_advantages("contrastive", scores, 0.0, penalties)
    assert out == pytest.approx([base[0] + 0.125, base[1] + 0.125, base[2] + 0.125, base[3] - 0.375])
    # PR2's own formula keeps its penalties as they are (as in its code).
    assert group_advantages("pr2", [0.0] * 4, 0.0, [-0.5] * 4) == pytest.approx([-0.5] * 4)
