"""The embedding proxy judge's scoring logic with a fake encoder (the real MiniLM: integration tests)."""

from __future__ import annotations

import pickle
import re
import zlib

import numpy as np
import pytest

from pr2_agent.judges import EmbeddingProxyJudge, JudgeItem
from pr2_agent.judges.base import threshold_score
from pr2_agent.judges.embedding import split_sentences

DIM = 256


def bag_of_words(texts: list[str]) -> np.ndarray:
    """Unit-norm hashed bag of words: sentences sharing words are similar, others orthogonal-ish."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"[a-z]+", text.lower()):
            out[row, zlib.crc32(word.encode()) % DIM] += 1.0
        norm = np.linalg.norm(out[row])
        if norm:
            out[row] /= norm
    return out


@pytest.fixture
def judge_cls(monkeypatch):
    calls: list[list[str]] = []

    def fake_embed(self, texts):
        calls.append(list(texts))
        return bag_of_words(texts)

    monkeypatch.setattr(EmbeddingProxyJudge, "_embed", fake_embed)
    EmbeddingProxyJudge.calls = calls  # type: ignore[attr-defined]
    return EmbeddingProxyJudge


QUESTION = "How do I keep my sourdough starter alive while I travel?"
ASPECTS = [
    {"aspect": "fridge storage", "reason": "away three weeks", "evidence": "nobody can feed it"},
    {"aspect": "dried backup", "reason": "keep the flavour", "evidence": "two years old flavour"},
]


def item(response: str) -> JudgeItem:
    return JudgeItem(QUESTION, "narrative", ASPECTS, response)


def test_an_answer_covering_an_aspect_beats_one_that_does_not(judge_cls):
    judge = judge_cls(thresholds=(0.1, 0.3))
    good, off = judge.judge_batch(
        [
            item("Put it in the fridge storage: it survives three weeks away when nobody can feed it."),
            item("Check your tyre pressure before a long ride."),
        ]
    )
    assert good.scores[0].match_score == 2 and off.scores[0].match_score == 0
    assert good.score > off.score
    assert good.is_proxy and "proxy" in good.judge


def test_echoing_the_question_earns_nothing(judge_cls):
    judge = judge_cls(thresholds=(0.01, 0.3), continuous=True)
    sims = judge.similarities([item(QUESTION)])[0]
    assert sims == [pytest.approx(0.0, abs=1e-4)] * 2
    assert judge.judge_batch([item(QUESTION)])[0].score < 0.25


def test_only_the_answer_span_is_scored(judge_cls):
    judge = judge_cls(thresholds=(0.1, 0.3))
    leaky = item(
        "<think>fridge storage for three weeks, dried backup keeps the flavour</think><answer>Ok.</answer>"
    )
    result = judge.judge_batch([leaky])[0]
    assert result.score == 0.0
    whole = judge_cls(thresholds=(0.1, 0.3), extract_answer=False).judge_batch([leaky])[0]
    assert whole.score >= 0.5  # the same words outside the answer tags would have counted


def test_an_empty_answer_scores_zero_without_embedding_it(judge_cls):
    judge = judge_cls()
    result = judge.judge_batch([item("<answer>   </answer>")])[0]
    assert result.score == 0.0
    assert all(s.raw == "similarity=n/a (empty answer)" for s in result.scores)
    assert judge.similarities([item("")]) == [[None, None]]


def test_best_sentence_per_field_then_mean_over_fields(judge_cls):
    judge = judge_cls()
    answer = "Fridge storage works. Nobody can feed it, fine. Unrelated tyre chatter."
    sims = judge.similarities([item(answer)])[0][0]
    sents = split_sentences(answer)
    vec = bag_of_words(sents + ["fridge storage", "away three weeks", "nobody can feed it", QUESTION])
    s, f, q = vec[:3], vec[3:6], vec[6]
    expected = (s @ f.T - np.outer(s @ q, f @ q)).max(axis=0).mean()
    assert sims == pytest.approx(round(float(expected), 4))


def test_scores_do_not_depend_on_batch_order_or_composition(judge_cls):
    judge = judge_cls()
    items = [item(f"Fridge storage note {i}. Dried backup {i}.") for i in range(5)] + [item("tyres")]
    forward = [r.score for r in judge.judge_batch(items)]
    backward = [r.score for r in judge.judge_batch(items[::-1])][::-1]
    alone = [judge.judge_batch([it])[0].score for it in items]
    assert forward == backward == alone


def test_each_distinct_text_is_embedded_once_per_batch(judge_cls):
    judge = judge_cls()
    judge.judge_batch([item("Same answer."), item("Same answer.")])
    (texts,) = judge_cls.calls
    assert len(texts) == len(set(texts))
    assert "Same answer." in texts and QUESTION in texts


def test_discrete_and_continuous_mappings_agree_after_rounding():
    thresholds = (0.16, 0.44)
    for sim in np.linspace(-0.5, 1.0, 301):
        discrete = threshold_score(float(sim), thresholds, continuous=False)
        continuous = threshold_score(float(sim), thresholds, continuous=True)
        assert 0.0 <= continuous <= 2.0 and discrete in (0, 1, 2)
        if abs(continuous - 0.5) > 1e-9 and abs(continuous - 1.5) > 1e-9:
            assert int(np.floor(continuous + 0.5)) == discrete, sim
    assert threshold_score(0.16, thresholds, continuous=False) == 1
    assert threshold_score(0.44, thresholds, continuous=False) == 2


@pytest.mark.parametrize("thresholds", [(0.5, 0.5), (0.6, 0.2), (-2.0, 0.5), (0.1, float("nan"))])
def test_bad_thresholds_are_rejected(thresholds):
    with pytest.raises(ValueError, match="thresholds"):
        EmbeddingProxyJudge(thresholds=thresholds)


def test_pickle_drops_the_loaded_model():
    judge = EmbeddingProxyJudge(thresholds=(0.2, 0.5), continuous=True)
    judge._model = lambda: None  # type: ignore[assignment]  # stands in for an unpicklable loaded model
    clone = pickle.loads(pickle.dumps(judge))
    assert clone._model is None
    assert (clone.thresholds, clone.continuous, clone.name) == ((0.2, 0.5), True, judge.name)


def test_a_missing_model_directory_is_explained(tmp_path):
    judge = EmbeddingProxyJudge(model_path=tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="model_path"):
        judge.judge("Q", "N", ASPECTS, "an answer")


def test_split_sentences_handles_lists_and_blank_lines():
    text = "First point. Second one!\n\n- a bullet\n* another; and more?  Done"
    assert split_sentences(text) == [
        "First point.",
        "Second one!",
        "- a bullet",
        "* another;",
        "and more?",
        "Done",
    ]
