"""Proxy judges: an offline per-aspect signal mapped to LaMP-QA's 0..2 scale by two thresholds.

A proxy judge computes one number per (response, aspect), a similarity or a probability, or None
when the answer is empty, and :func:`~pr2_agent.judges.base.threshold_score` turns it into the
aspect's match score. Proxy numbers are not comparable with published LaMP-QA scores, so every
result is labelled proxy.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import ClassVar

from pr2_agent.judges.base import (
    AspectJudgement,
    BaseJudge,
    JudgeItem,
    JudgeResult,
    check_thresholds,
    threshold_score,
)
from pr2_agent.parsing import answer_text

SIGNAL_DECIMALS = 4
"""Signals are rounded to this many decimals, so float noise from batch padding cannot flip a score."""


class ProxyJudge(BaseJudge):
    """A judge that thresholds a per-aspect signal; a subclass computes the signal in :meth:`signals`.

    Args:
        thresholds: ``(somewhat, well)`` values of the signal at which an aspect counts as somewhat
            (1) and well (2) covered.
        continuous: Return float scores in [0, 2] (ties broken by the signal) instead of 0/1/2.
        extract_answer: Score only the ``<answer>`` span of each response.
    """

    is_proxy = True
    signal_name: ClassVar[str]
    """Names the signal in each verdict's ``raw`` (``similarity=0.2134``)."""
    signal_range: ClassVar[tuple[float, float]]
    """The lowest and highest value the signal can take; thresholds must lie within it."""
    signal_plural: ClassVar[str]
    """What the thresholds are, for the error message (``cosine similarities``)."""

    def __init__(self, *, thresholds: tuple[float, float], continuous: bool, extract_answer: bool) -> None:
        super().__init__()
        lowest, highest = self.signal_range
        check_thresholds(thresholds, lowest=lowest, highest=highest, what=self.signal_plural)
        self.thresholds = (float(thresholds[0]), float(thresholds[1]))
        self.continuous = continuous
        self.extract_answer = extract_answer

    @abstractmethod
    def signals(self, items: Sequence[JudgeItem]) -> list[list[float | None]]:
        """Per item, per aspect: the signal the score is read from, None for an empty answer."""

    def judge_batch(self, items: Sequence[JudgeItem]) -> list[JudgeResult]:
        """Score several responses from the signals of the whole batch, computed together."""
        results = []
        for item, row in zip(items, self.signals(items), strict=True):
            verdicts = [self._verdict(a.aspect, value) for a, value in zip(item.aspects, row, strict=True)]
            results.append(JudgeResult.from_judgements(verdicts, judge=self.name, is_proxy=True))
        return results

    def answer_text(self, item: JudgeItem) -> str:
        """The text that is scored: the ``<answer>`` span, or the whole response stripped."""
        return answer_text(item.response) if self.extract_answer else item.response.strip()

    def _verdict(self, aspect: str, value: float | None) -> AspectJudgement:
        if value is None:
            return AspectJudgement(aspect, 0, f"{self.signal_name}=n/a (empty answer)")
        score = threshold_score(value, self.thresholds, continuous=self.continuous)
        return AspectJudgement(aspect, score, f"{self.signal_name}={value:.{SIGNAL_DECIMALS}f}")
