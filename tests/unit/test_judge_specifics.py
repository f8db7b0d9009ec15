"""The specifics judge's scoring logic with a fake encoder (hashed bag of words; the real MiniLM: bench)."""

from __future__ import annotations

import pickle

import pytest

from pr2_agent.judges import EmbeddingProxyJudge, JudgeItem, RubricAspect, SpecificsJudge
from pr2_agent.judges.specifics import content_words, distinctive_words
from pr2_agent.run.judging import JudgeSpec, make_judge
from tests.unit.test_judge_embedding import bag_of_words

QUESTION = "Can you recommend a new board game for us?"
BUDGET = {
    "aspect": "Budget under $40",
    "reason": "The user doesn't want to spend more than $40 on a game.",
    "evidence": "I don't want to spend more than $40 on it.",
    "facts": ["spending limit of about $40 per game"],
    "contrasts": ["spending limit of about $25 per game"],
}
STYLE = {
    "aspect": "Cooperative games instead of competitive ones",
    "reason": "The group dislikes direct conflict.",
    "evidence": "We've learned that cooperative games are much more fun for us than competitive ones.",
    "facts": ["prefers cooperative games, dislikes competitive conflict"],
    "contrasts": ["loves heavy strategy games"],
}


@pytest.fixture
def judge(monkeypatch: pytest.MonkeyPatch) -> SpecificsJudge:
    monkeypatch.setattr(EmbeddingProxyJudge, "_embed", lambda self, texts: bag_of_words(texts))
    return SpecificsJudge()


def score(judge: SpecificsJudge, answer: str, aspects: list[dict[str, object]] | None = None) -> list[float]:
    result = judge.judge_batch([JudgeItem(QUESTION, "narrative", aspects or [BUDGET, STYLE], answer)])[0]
    return [float(s.match_score) for s in result.scores]


def test_the_users_specifics_score_and_the_topic_alone_does_not(judge: SpecificsJudge) -> None:
    right = score(
        judge, "Keep to a limit of about $40 per game. Pick a cooperative game: nobody fights, no competitive conflict."
    )
    topic = score(judge, "Think about your budget and about what kind of game your group likes to play.")
    assert right == [2, 2]
    assert topic == [0, 0]


def test_wrong_specifics_of_the_same_topic_earn_nothing(judge: SpecificsJudge) -> None:
    wrong = score(judge, "A spending limit of about $25 per game is plenty. You love heavy strategy games, so go big.")
    assert wrong == [0, 0]


def test_an_empty_answer_and_padding_score_zero(judge: SpecificsJudge) -> None:
    assert score(judge, "") == [0, 0]
    assert score(judge, QUESTION + " " + QUESTION) == [0, 0]


def test_lampqa_aspects_without_facts_fall_back_to_the_evidence(judge: SpecificsJudge) -> None:
    bare = [{k: v for k, v in BUDGET.items() if k not in ("facts", "contrasts")}]
    assert score(judge, "Don't spend more than $40 on it.", bare) == [2]
    assert score(judge, "Have fun with friends.", bare) == [0]


def test_distinctive_words_drop_the_topic_and_the_question() -> None:
    own, others = distinctive_words(RubricAspect.coerce(BUDGET), QUESTION)
    assert own == {"40"} and others == [{"25"}]
    assert content_words("Games, non-gamers and 20-30 minutes") == {"game", "non", "gamer", "20", "30", "minute"}


def test_it_is_a_labelled_proxy_built_by_name_and_picklable() -> None:
    built = make_judge(JudgeSpec("specifics", continuous=True))
    assert isinstance(built, SpecificsJudge) and built.continuous
    assert built.is_proxy and built.name == "specifics-proxy:all-MiniLM-L6-v2"
    assert isinstance(make_judge(JudgeSpec("proxy")), EmbeddingProxyJudge)  # the old proxy stays by name
    clone = pickle.loads(pickle.dumps(built))
    assert clone._model is None and clone.thresholds == built.thresholds
