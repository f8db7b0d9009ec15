"""Paired margins: mean difference, bootstrap interval and exact sign test on the shared questions."""

from __future__ import annotations

import doctest

import pytest

from pr2_agent.evaluation import paired
from pr2_agent.evaluation.paired import paired_margin, sign_test


def test_doctests() -> None:
    assert doctest.testmod(paired).failed == 0


def test_a_consistent_win_has_a_positive_interval_and_a_small_sign_p() -> None:
    a = {f"q{i}": 0.5 + 0.01 * i for i in range(10)}
    b = {f"q{i}": 0.2 for i in range(10)} | {"only_b": 1.0}
    m = paired_margin("rag", "nopers", a, b)
    assert m.n == 10 and (m.wins, m.losses, m.ties) == (10, 0, 0)
    assert m.margin == pytest.approx(0.345) and 0 < m.ci_low <= m.margin <= m.ci_high
    assert m.sign_p == pytest.approx(2 / 2**10)


def test_ties_are_dropped_from_the_sign_test() -> None:
    m = paired_margin("a", "b", {"q1": 0.0, "q2": 0.0, "q3": 1.0}, {"q1": 0.0, "q2": 0.0, "q3": 0.0})
    assert (m.wins, m.losses, m.ties) == (1, 0, 2) and m.sign_p == 1.0
    assert sign_test(3, 3) == 1.0


def test_disjoint_questions_are_refused() -> None:
    with pytest.raises(ValueError, match="share no question"):
        paired_margin("a", "b", {"q1": 1.0}, {"q2": 1.0})
