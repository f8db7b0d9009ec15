"""LaMP metrics against hand-computed values (and sklearn for macro-F1 when it is installed)."""

from __future__ import annotations

import doctest
import math
import random

import pytest

from pr2_agent.data import lamp, lamp_metrics, lampqa
from pr2_agent.data.lamp_metrics import (
    LAMP1_LABELS,
    LAMP2_MOVIE_TAGS,
    LAMP2_NEWS_CATEGORIES,
    classification_scores,
    evaluate_lamp,
    parse_rating,
    rating_errors,
    rouge1_f1,
    rouge_l_f1,
    rouge_scores,
)


@pytest.mark.parametrize("module", [lamp_metrics, lamp, lampqa])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module, raise_on_error=False)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0


# (predictions, golds, labels, accuracy, macro-F1), computed by hand in the comments.
CLASSIFICATION = [
    # [1]: tp1 fp1 fn0 -> 2/3; [2]: tp2 fp0 fn1 -> 4/5; macro 11/15
    (["[1]", "[1]", "[2]", "[2]"], ["[1]", "[2]", "[2]", "[2]"], LAMP1_LABELS, 0.75, 11 / 15),
    # whitespace is stripped; "3" is out of the label set (wrong, but no label gets a false positive);
    # [1]: tp1 fn1 -> 2/3; [2] never appears -> F1 0 counts in the macro average
    ([" [1] ", "3"], ["[1]", "[1]"], LAMP1_LABELS, 0.5, 1 / 3),
    # 1 of 15 tags perfect, 14 absent -> 1/15 (LaMP's rule: macro over the whole label set)
    (["comedy", "comedy"], ["comedy", "comedy"], LAMP2_MOVIE_TAGS, 1.0, 1 / 15),
    (["sports", "politics"], ["politics", "sports"], LAMP2_NEWS_CATEGORIES, 0.0, 0.0),
]


@pytest.mark.parametrize(("preds", "golds", "labels", "accuracy", "macro_f1"), CLASSIFICATION)
def test_classification_table(
    preds: list[str], golds: list[str], labels: tuple[str, ...], accuracy: float, macro_f1: float
) -> None:
    scores = classification_scores(preds, golds, labels)
    assert scores.accuracy == pytest.approx(accuracy)
    assert scores.macro_f1 == pytest.approx(macro_f1)


def test_macro_f1_matches_sklearn_on_random_data() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    rng = random.Random(0)
    labels = list(LAMP2_MOVIE_TAGS)
    golds = [rng.choice(labels[:6]) for _ in range(200)]
    preds = [rng.choice([*labels[:8], "not a tag"]) for _ in range(200)]
    ours = classification_scores(preds, golds, labels)
    index = {label: i for i, label in enumerate(labels)}
    y_true = [index[g] for g in golds]
    y_pred = [index.get(p, -1) for p in preds]
    expected = metrics.f1_score(
        y_true, y_pred, labels=list(range(len(labels))), average="macro", zero_division=0
    )
    assert ours.macro_f1 == pytest.approx(expected)
    assert ours.accuracy == pytest.approx(metrics.accuracy_score(y_true, y_pred))


def test_gold_outside_label_set_is_an_error() -> None:
    with pytest.raises(ValueError, match="not in the label set"):
        classification_scores(["sports"], ["sports"], LAMP2_MOVIE_TAGS)


@pytest.mark.parametrize(
    ("prediction", "gold", "expected"),
    [
        ("4", 2.0, 4.0),
        (" 2.5 ", 4.0, 2.5),
        ("7", 1.0, 7.0),  # parseable numbers are not clipped (as in LaMP)
        ("four", 2.0, 5.0),  # farther extreme from 2 is 5
        ("four", 4.0, 1.0),  # farther extreme from 4 is 1
        ("", 3.0, 5.0),  # tie: LaMP's `>` picks 5
        ("nan", 2.0, 5.0),  # non-finite counts as unparseable
        ("inf", 4.0, 1.0),
    ],
)
def test_parse_rating_rule(prediction: str, gold: float, expected: float) -> None:
    assert parse_rating(prediction, gold) == expected


def test_rating_errors_table() -> None:
    # errors: -1, 0, -1, +3 (unparseable vs gold 2 -> 5), -1.5
    errors = rating_errors(["1", "5", " 3", "x", "2.5"], ["2", "5", "4", "2", "4"])
    assert errors.mae == pytest.approx(6.5 / 5)
    assert errors.rmse == pytest.approx(math.sqrt(13.25 / 5))
    with pytest.raises(ValueError, match="gold rating 'five' is not a number"):
        rating_errors(["1"], ["five"])


# (prediction, reference, ROUGE-1 F1, ROUGE-L F1)
ROUGE = [
    ("The cat sat on the mat.", "the cat is on the mat", 5 / 6, 5 / 6),
    ("a b c d e", "e d c b a", 1.0, 0.2),  # all unigrams shared, LCS 1
    ("police police police", "police shot", 0.4, 0.4),  # clipped overlap 1: P 1/3, R 1/2
    ("New York's mayor!", "new york mayor resigns", 0.75, 0.75),  # tokens new york s mayor
    ("", "anything", 0.0, 0.0),
    ("!!!", "...", 0.0, 0.0),
]


@pytest.mark.parametrize(("prediction", "reference", "r1", "rl"), ROUGE)
def test_rouge_table(prediction: str, reference: str, r1: float, rl: float) -> None:
    assert rouge1_f1(prediction, reference) == pytest.approx(r1)
    assert rouge_l_f1(prediction, reference) == pytest.approx(rl)


def test_rouge_uses_rouge_score_tokenization() -> None:
    # rouge_score lowercases and splits on anything but [a-z0-9]: non-ASCII letters split words
    assert rouge1_f1("Café déjà-vu 2024!", "caf d j vu 2024") == pytest.approx(1.0)
    assert rouge_l_f1("a b a b", "b a b a") == pytest.approx(0.75)  # LCS 3 of 4


def test_rouge_scores_average_per_example() -> None:
    scores = rouge_scores(["The cat sat on the mat.", "a b c d e"], ["the cat is on the mat", "e d c b a"])
    assert scores.rouge1 == pytest.approx((5 / 6 + 1.0) / 2)
    assert scores.rouge_l == pytest.approx((5 / 6 + 0.2) / 2)


def test_evaluate_lamp_keys_and_id_check() -> None:
    assert evaluate_lamp("LaMP_1", {"a": "[1]", "b": "[1]"}, {"a": "[1]", "b": "[2]"}) == {
        "accuracy": 0.5,
        "f1": pytest.approx((2 / 3 + 0.0) / 2),
    }
    assert set(evaluate_lamp(3, {"a": "3"}, {"a": "4"})) == {"MAE", "RMSE"}
    assert evaluate_lamp("LaMP_7", {"a": "x y"}, {"a": "x y"}) == {"rouge-1": 1.0, "rouge-L": 1.0}
    news = evaluate_lamp(2, {"a": "sports"}, {"a": "sports"}, lamp2_labels=LAMP2_NEWS_CATEGORIES)
    assert news["accuracy"] == 1.0
    with pytest.raises(
        ValueError, match=r"missing predictions for \['b'\], predictions for unknown ids \['c'\]"
    ):
        evaluate_lamp(4, {"a": "x", "c": "y"}, {"a": "x", "b": "y"})
    with pytest.raises(ValueError, match="need one per gold"):
        rouge_scores(["a"], ["a", "b"])
