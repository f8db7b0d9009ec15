"""An offline rubric judge that credits an aspect only when the answer uses this user's specifics.

The embedding proxy (:class:`~pr2_agent.judges.EmbeddingProxyJudge`) scores how close an answer
comes to an aspect's *topic*, so a long generic answer that names budget, time and diet scores
well without knowing any of them. This judge scores an aspect against the user's concrete facts
(``RubricAspect.facts``: "spending limit of about $40 per game") and penalises the wrong specifics
of the same topic (``RubricAspect.contrasts``: "$25", "loves heavy strategy games"), which the
bundled development set's generator writes per aspect. On LaMP-QA itself, where aspects carry no
facts, the user's own narrative span (``evidence``) stands in for them and nothing is contrasted.

The signal of one aspect, computed from the answer's sentences:

* **semantic**: the best MiniLM cosine similarity of a sentence to a fact (or the evidence), with
  the question direction projected out as in the embedding proxy, so restating the question earns
  nothing;
* **lexical**: the share of the fact's *distinctive* words the answer uses (two suffice) - the fact's content
  words minus those of the question and of every contrast ("40" survives "spending limit of about
  $40 per game" against "$25"; "spending", "limit" do not), so naming the topic earns nothing;
* **contrast penalty**: how much more the answer matches a wrong specific than the right one,
  semantically and lexically.

``signal = (semantic + lexical) / 2 - penalty``, mapped to LaMP-QA's 0/1/2 by two thresholds
calibrated on hand-labelled answers (``bench/specifics_agreement.py``). One MiniLM pass over the
distinct texts of a batch: fast enough to be a GRPO reward on CPU. Labelled proxy: its numbers are
not comparable with published LaMP-QA scores.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import numpy as np

from pr2_agent.judges.base import JudgeItem, RubricAspect
from pr2_agent.judges.embedding import EmbeddingProxyJudge, split_sentences
from pr2_agent.judges.proxy import SIGNAL_DECIMALS

DEFAULT_SPECIFICS_THRESHOLDS: tuple[float, float] = (0.45, 0.7)
"""Signal at which an aspect counts as somewhat (1) and well (2) covered (see the module docstring).

Chosen with ``bench/specifics_agreement.py --calibrate`` on the calibration half of the hand labels
(bench/data/specifics_labels.json); the other half is the held-out report.
"""

LEXICAL_ENOUGH = 2
"""Distinctive fact words that count as full lexical coverage: an answer says "cooperative, under
30 minutes", it does not recite "prefers cooperative games, dislikes competitive conflict"."""

CONTRAST_WEIGHT = 1.0
"""How hard a closer match to a wrong specific than to the right one is penalised."""

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being below between
    both but by can could did do does doing don down during each even every few for from further get had has
    have having he her here hers him his how i if in into is it its itself just like more most much must my no
    nor not now of off on once one only or other our out over own per same she should so some such than that
    the their them then there these they this those through to too under until up us very was we were what
    when where which while who whom why will with would you your yours""".split()
)


def content_words(text: str) -> set[str]:
    """Lower-cased content words of ``text``, a plural ``s`` stripped (so "games" meets "game").

    Example:
        >>> sorted(content_words("A spending limit of about $40 per game"))
        ['40', 'game', 'limit', 'spending']
    """
    words = set()
    for word in _WORD.findall(text.lower()):
        if word in _STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.add(word)
    return words


def distinctive_words(aspect: RubricAspect, question: str) -> tuple[set[str], list[set[str]]]:
    """The fact's words no contrast or question shares, and each contrast's words the fact does not have.

    Example:
        >>> a = RubricAspect("Budget", "r", "e", facts=("limit of $40 per game",), contrasts=("limit of $25 per game",))
        >>> distinctive_words(a, "Which game should I buy?")
        ({'40'}, [{'25'}])
    """
    facts = set().union(*(content_words(f) for f in _facts(aspect)))
    asked = content_words(question)
    contrasts = [content_words(c) for c in aspect.contrasts]
    own = facts - asked - set().union(*contrasts)
    return own, [c - facts - asked for c in contrasts]


class SpecificsJudge(EmbeddingProxyJudge):
    """Rubric judge: does the answer use this user's facts for each aspect, not the topic or wrong specifics?

    Holds configuration only; the encoder loads on first use and is dropped when pickled.

    Args:
        model_path: A sentence-transformers model directory (None: the bundled MiniLM).
        thresholds: ``(somewhat, well)`` thresholds on the signal; see :data:`DEFAULT_SPECIFICS_THRESHOLDS`.
        continuous: Float scores in [0, 2] (ties broken by the signal) instead of 0/1/2.
        extract_answer: Score only the ``<answer>`` span of each response.
        batch_size: Sentences per encoder batch.
        device: Torch device for the encoder.
    """

    signal_name = "specifics"
    signal_range = (-2.0, 2.0)
    signal_plural = "specifics signals"

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        *,
        thresholds: tuple[float, float] = DEFAULT_SPECIFICS_THRESHOLDS,
        continuous: bool = False,
        extract_answer: bool = True,
        batch_size: int = 64,
        device: str = "cpu",
    ) -> None:
        super().__init__(
            model_path,
            thresholds=thresholds,
            continuous=continuous,
            extract_answer=extract_answer,
            batch_size=batch_size,
            device=device,
        )

    @property
    def name(self) -> str:
        """``specifics-proxy:<encoder>``."""
        return "specifics-" + super().name.removeprefix("embedding-")

    def signals(self, items: Sequence[JudgeItem]) -> list[list[float | None]]:
        """Per item, per aspect: the specifics signal (see the module docstring), None for an empty answer."""
        if not items:
            return []
        answers = [self.answer_text(it) for it in items]
        sentences = [split_sentences(a) for a in answers]
        texts = sorted(
            {s for group in sentences for s in group}
            | {it.question for it in items}
            | {t for it in items for a in it.aspects for t in (*_facts(a), *a.contrasts)}
        )
        vectors = self._embed(texts)
        index = {t: i for i, t in enumerate(texts)}
        out: list[list[float | None]] = []
        for item, answer, sents in zip(items, answers, sentences, strict=True):
            if not sents:
                out.append([None] * len(item.aspects))
                continue
            said = content_words(answer)
            sent_vecs = vectors[[index[s] for s in sents]]
            question_vec = vectors[index[item.question]]
            row: list[float | None] = []
            for aspect in item.aspects:
                own, others = distinctive_words(aspect, item.question)
                semantic = _best_similarity(vectors, index, sent_vecs, question_vec, _facts(aspect))
                wrong_semantic = _best_similarity(vectors, index, sent_vecs, question_vec, aspect.contrasts)
                lexical = min(1.0, len(own & said) / min(len(own), LEXICAL_ENOUGH)) if own else semantic
                wrong_lexical = max((len(c & said) / len(c) for c in others if c), default=0.0)
                penalty = max(0.0, wrong_semantic - semantic) + max(0.0, wrong_lexical - lexical)
                signal = (semantic + lexical) / 2 - CONTRAST_WEIGHT * penalty
                row.append(round(min(max(signal, -2.0), 2.0), SIGNAL_DECIMALS))
            out.append(row)
        return out


def _best_similarity(
    vectors: np.ndarray, index: dict[str, int], sentences: np.ndarray, question: np.ndarray, targets: Sequence[str]
) -> float:
    """The best question-adjusted similarity of an answer sentence to one of ``targets`` (0 for none)."""
    if not targets:
        return 0.0
    vecs = vectors[[index[t] for t in targets]]
    # Project the question out: restating the question must not count as coverage.
    sims = sentences @ vecs.T - np.outer(sentences @ question, vecs @ question)
    return float(sims.max())


def _facts(aspect: RubricAspect) -> tuple[str, ...]:
    """What an answer must use: the aspect's facts, or the user's own narrative span when it has none."""
    return aspect.facts or tuple(t for t in (aspect.evidence,) if t.strip()) or (aspect.aspect,)
