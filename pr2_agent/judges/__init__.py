"""Rubric judges: score a response against a LaMP-QA question's aspects.

* :class:`LaMPQAJudge` runs the benchmark's own protocol against any OpenAI-compatible endpoint.
* :class:`EmbeddingProxyJudge` is an offline stand-in (MiniLM similarity), labelled proxy: fast
  and deterministic, the default GRPO reward where no judge model is served.
* :class:`SpecificsJudge` is the offline judge that measures personalization: an aspect counts only
  when the answer uses the user's concrete facts (semantic and lexical), never the topic alone or
  the wrong specifics.
* :class:`YesNoProxyJudge` is another offline stand-in: P(Yes) of a local causal LM per aspect.

The proxies share :class:`ProxyJudge` (a per-aspect signal, thresholded to 0/1/2), and every judge
builds on :class:`~pr2_agent.judges.base.BaseJudge` (configuration only, picklable).

Every judge reads only the ``<answer>`` span of a completion and returns a :class:`JudgeResult`
with per-aspect 0..2 scores and the normalised question score in [0, 1].
"""

from __future__ import annotations

from pr2_agent.judges.base import AspectJudgement, Judge, JudgeItem, JudgeResult, RubricAspect, coerce_aspects
from pr2_agent.judges.embedding import DEFAULT_THRESHOLDS, EmbeddingProxyJudge
from pr2_agent.judges.lampqa import JudgeEndpointError, LaMPQAJudge
from pr2_agent.judges.match_score import parse_match_score
from pr2_agent.judges.proxy import ProxyJudge
from pr2_agent.judges.specifics import DEFAULT_SPECIFICS_THRESHOLDS, SpecificsJudge
from pr2_agent.judges.yes_no import DEFAULT_YES_NO_THRESHOLDS, YesNoProxyJudge

__all__ = [
    "DEFAULT_SPECIFICS_THRESHOLDS",
    "DEFAULT_THRESHOLDS",
    "DEFAULT_YES_NO_THRESHOLDS",
    "AspectJudgement",
    "EmbeddingProxyJudge",
    "Judge",
    "JudgeEndpointError",
    "JudgeItem",
    "JudgeResult",
    "LaMPQAJudge",
    "ProxyJudge",
    "RubricAspect",
    "SpecificsJudge",
    "YesNoProxyJudge",
    "coerce_aspects",
    "parse_match_score",
]
