"""LaMP metrics, matching the official ``eval/evaluation.py`` without pulling in HF ``evaluate``.

- Tasks 1 and 2: accuracy and macro-F1 over the task's label set. Predictions (stripped) outside the
  label set count as wrong and, as in LaMP (sklearn ``f1_score(labels=..., average="macro")``), a
  label that is neither predicted nor gold contributes F1 = 0 to the macro average.
- Task 3: MAE and RMSE. A prediction that does not parse as a number is replaced by the rating
  farther from the gold one (1 when the gold is nearer 5, else 5) -- LaMP's rule.
- Tasks 4-7: ROUGE-1 and ROUGE-L F1 from the ``rouge-score`` package (the implementation behind HF
  ``evaluate``'s "rouge", which LaMP's evaluator loads; default tokenizer, no stemming), averaged over
  examples. LaMP reports the ``mid`` of ``evaluate``'s bootstrap aggregate, which estimates this same
  mean up to resampling noise.

Deliberate differences: a gold label outside the label set is an error here (LaMP would map it to
-1 and count an equally unparseable prediction as correct), and non-finite numbers (``"nan"``) are
unparseable ratings (LaMP would return NaN).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pr2_agent.data.lamp import task_number

LAMP1_LABELS: tuple[str, ...] = ("[1]", "[2]")
LAMP2_MOVIE_TAGS: tuple[str, ...] = (
    "sci-fi",
    "based on a book",
    "comedy",
    "action",
    "twist ending",
    "dystopia",
    "dark comedy",
    "classic",
    "psychology",
    "fantasy",
    "romance",
    "thought-provoking",
    "social commentary",
    "violence",
    "true story",
)
"""LaMP-2 (final release, personalized movie tagging)."""
LAMP2_NEWS_CATEGORIES: tuple[str, ...] = (
    "food & drink",
    "sports",
    "education",
    "parents",
    "religion",
    "travel",
    "business",
    "crime",
    "science & technology",
    "culture & arts",
    "entertainment",
    "politics",
    "women",
    "style & beauty",
    "healthy living",
)
"""LaMP-2 first release (news categorization); still the list in the official evaluation script."""
LAMP3_RATINGS: tuple[str, ...] = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class ClassificationScores:
    """Scores for LaMP-1 and LaMP-2."""

    accuracy: float
    macro_f1: float


@dataclass(frozen=True)
class RatingErrors:
    """Scores for LaMP-3 (lower is better)."""

    mae: float
    rmse: float


@dataclass(frozen=True)
class RougeScores:
    """Scores for LaMP-4 to LaMP-7: mean per-example F1."""

    rouge1: float
    rouge_l: float


def classification_scores(
    predictions: Sequence[str], golds: Sequence[str], labels: Sequence[str]
) -> ClassificationScores:
    """Accuracy and macro-F1 over ``labels`` (LaMP-1, LaMP-2).

    >>> s = classification_scores(["[1]", "[2]", "[1]", "oops"], ["[1]", "[2]", "[2]", "[1]"], LAMP1_LABELS)
    >>> s.accuracy, round(s.macro_f1, 4)
    (0.5, 0.5833)
    """
    _check_lengths(predictions, golds)
    index = {label: i for i, label in enumerate(labels)}
    bad = sorted({g.strip() for g in golds if g.strip() not in index})
    if bad:
        raise ValueError(
            f"gold labels {bad[:5]!r} are not in the label set {tuple(labels)!r}; pass the label set of "
            "this task version (LaMP-2 news vs movie tags)"
        )
    pred_ids = [index.get(p.strip(), -1) for p in predictions]
    gold_ids = [index[g.strip()] for g in golds]
    accuracy = sum(p == g for p, g in zip(pred_ids, gold_ids, strict=True)) / len(gold_ids)
    f1_sum = 0.0
    for label in range(len(labels)):
        tp = sum(p == label and g == label for p, g in zip(pred_ids, gold_ids, strict=True))
        fp = sum(p == label and g != label for p, g in zip(pred_ids, gold_ids, strict=True))
        fn = sum(p != label and g == label for p, g in zip(pred_ids, gold_ids, strict=True))
        f1_sum += 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return ClassificationScores(accuracy, f1_sum / len(labels))


def parse_rating(prediction: str, gold: float) -> float:
    """Parse a LaMP-3 prediction; unparseable text becomes the extreme rating farther from ``gold``.

    >>> parse_rating(" 4 ", 2.0), parse_rating("four stars", 2.0), parse_rating("n/a", 5.0)
    (4.0, 5.0, 1.0)
    """
    try:
        value = float(prediction.strip())
    except ValueError:
        value = math.nan
    if math.isfinite(value):
        return value
    return 1.0 if abs(1 - gold) > abs(5 - gold) else 5.0


def rating_errors(predictions: Sequence[str], golds: Sequence[str]) -> RatingErrors:
    """MAE and RMSE for LaMP-3 ratings.

    >>> rating_errors(["5", "3", "bad"], ["4", "3", "1"])
    RatingErrors(mae=1.6666666666666667, rmse=2.3804761428476167)
    """
    _check_lengths(predictions, golds)
    gold_values = []
    for gold in golds:
        try:
            gold_values.append(float(gold.strip()))
        except ValueError:
            raise ValueError(f"gold rating {gold!r} is not a number; LaMP-3 golds are '1'..'5'") from None
    errors = [parse_rating(p, g) - g for p, g in zip(predictions, gold_values, strict=True)]
    mae = sum(abs(e) for e in errors) / len(errors)
    rmse = math.sqrt(sum(e * e for e in errors) / len(errors))
    return RatingErrors(mae, rmse)


def _rouge_scorer() -> Any:
    # rouge-score is the package HF ``evaluate``'s "rouge" (what LaMP's evaluator loads) wraps; its
    # defaults there are ROUGE-1/L without stemming, so those are ours too.
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rouge1", "rougeL"], use_stemmer=False)


_SCORER: Any = None


def rouge_pair(prediction: str, reference: str) -> tuple[float, float]:
    """ROUGE-1 and ROUGE-L F1 of one prediction against one reference (``rouge_score``).

    >>> [round(x, 4) for x in rouge_pair("police killed the gunman", "police kill the gunman")]
    [0.75, 0.75]
    """
    global _SCORER
    if _SCORER is None:
        _SCORER = _rouge_scorer()
    scores = _SCORER.score(reference, prediction)
    return float(scores["rouge1"].fmeasure), float(scores["rougeL"].fmeasure)


def rouge1_f1(prediction: str, reference: str) -> float:
    """ROUGE-1 F1 between two texts (clipped unigram overlap).

    >>> round(rouge1_f1("the cat sat on the mat", "the cat is on the mat"), 4)
    0.8333
    """
    return rouge_pair(prediction, reference)[0]


def rouge_l_f1(prediction: str, reference: str) -> float:
    """ROUGE-L F1 (sentence-level LCS, not ROUGE-Lsum).

    >>> round(rouge_l_f1("police killed the gunman", "police kill the gunman"), 4)
    0.75
    """
    return rouge_pair(prediction, reference)[1]


def rouge_scores(predictions: Sequence[str], references: Sequence[str]) -> RougeScores:
    """Mean ROUGE-1 and ROUGE-L F1 over paired texts (LaMP-4..7)."""
    _check_lengths(predictions, references)
    pairs = [rouge_pair(p, r) for p, r in zip(predictions, references, strict=True)]
    return RougeScores(
        rouge1=sum(one for one, _ in pairs) / len(pairs),
        rouge_l=sum(lcs for _, lcs in pairs) / len(pairs),
    )


def evaluate_lamp(
    task: int | str,
    predictions: Mapping[str, str],
    golds: Mapping[str, str],
    *,
    lamp2_labels: Sequence[str] = LAMP2_MOVIE_TAGS,
) -> dict[str, float]:
    """Score a task the way LaMP's evaluator does, keyed by example id.

    Returns ``{"accuracy", "f1"}`` (tasks 1-2), ``{"MAE", "RMSE"}`` (3) or ``{"rouge-1", "rouge-L"}``
    (4-7), the key names of LaMP's evaluator.

    Raises:
        ValueError: prediction and gold ids differ (LaMP requires the same id set), or bad golds.
    """
    task_no = task_number(task)
    if set(predictions) != set(golds):
        missing = sorted(set(golds) - set(predictions))[:5]
        unknown = sorted(set(predictions) - set(golds))[:5]
        raise ValueError(
            f"prediction ids must equal gold ids: missing predictions for {missing!r}, "
            f"predictions for unknown ids {unknown!r}"
        )
    ids = sorted(golds)
    preds = [predictions[i] for i in ids]
    refs = [golds[i] for i in ids]
    if task_no in (1, 2):
        scores = classification_scores(preds, refs, LAMP1_LABELS if task_no == 1 else lamp2_labels)
        return {"accuracy": scores.accuracy, "f1": scores.macro_f1}
    if task_no == 3:
        errors = rating_errors(preds, refs)
        return {"MAE": errors.mae, "RMSE": errors.rmse}
    rouge = rouge_scores(preds, refs)
    return {"rouge-1": rouge.rouge1, "rouge-L": rouge.rouge_l}


def _check_lengths(predictions: Sequence[str], golds: Sequence[str]) -> None:
    if len(predictions) != len(golds):
        raise ValueError(f"{len(predictions)} predictions for {len(golds)} golds; need one per gold")
    if not golds:
        raise ValueError("no examples to score")
