"""Judges against real models: the protocol judge on a llama.cpp server, the proxy judge with MiniLM."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from pr2_agent.judges import EmbeddingProxyJudge, JudgeItem, LaMPQAJudge
from tests.servers import llama_server  # noqa: F401  (pytest fixture)

pytestmark = pytest.mark.slow

RUBRIC = [
    {
        "aspect": "Vegetarian diet",
        "reason": "The user does not eat meat or fish.",
        "evidence": "I stopped eating meat two years ago",
    },
    {
        "aspect": "Cooking in under 20 minutes",
        "reason": "The user gets home late and has little time.",
        "evidence": "I rarely have more than twenty minutes to cook",
    },
]
QUESTION = "What can I cook for dinner on weeknights?"
NARRATIVE = (
    "I stopped eating meat two years ago. I get home late and rarely have more than twenty minutes to cook."
)
GOOD = (
    "<think>vegetarian, quick</think><answer>Try a 15-minute chickpea and spinach curry or a vegetable "
    "stir-fry with tofu: both are meat-free and ready in under twenty minutes.</answer>"
)


def check_result(result, n_aspects: int) -> None:
    assert len(result.scores) == n_aspects
    for verdict in result.scores:
        assert verdict.match_score in (0, 1, 2)
        assert isinstance(verdict.raw, str) and verdict.raw  # the model's reply came back
        if not verdict.parsed:
            assert verdict.match_score == 0
    assert result.score == pytest.approx(sum(v.match_score for v in result.scores) / (2 * n_aspects))
    assert 0.0 <= result.score <= 1.0


def test_protocol_judge_end_to_end(llama_server):  # noqa: F811
    judge = LaMPQAJudge(llama_server, json_mode=True, max_tokens=48, max_retries=1, timeout=600)  # busy: late
    result = judge.judge(QUESTION, NARRATIVE, RUBRIC, GOOD)
    check_result(result, 2)
    assert result.judge == "lampqa:smollm2-135m" and not result.is_proxy


def test_protocol_judge_batch_plain_protocol_and_pickled(llama_server):  # noqa: F811
    # Without json_mode (the protocol as published) a 135M model may not produce parseable JSON;
    # the judge must still return valid, flagged scores rather than fail.
    judge = pickle.loads(pickle.dumps(LaMPQAJudge(llama_server, max_tokens=48, max_retries=1, concurrency=2)))
    results = judge.judge_batch(
        [
            JudgeItem(QUESTION, NARRATIVE, RUBRIC[:1], GOOD),
            JudgeItem(QUESTION, NARRATIVE, RUBRIC[1:], "<answer>Buy a new bicycle helmet.</answer>"),
        ]
    )
    assert [r.scores[0].aspect for r in results] == ["Vegetarian diet", "Cooking in under 20 minutes"]
    for result in results:
        check_result(result, 1)


# Hand-written for this test (not the bench's calibration or held-out sets).
PROXY_CASES: list[dict[str, Any]] = [
    {
        "question": "How should I train my new puppy?",
        "narrative": (
            "We adopted a rescue puppy who is scared of loud noises. I work from home, but my flat has "
            "no garden, so every toilet trip means going downstairs."
        ),
        "aspects": [
            {
                "aspect": "Fearful rescue dog",
                "reason": "The puppy is scared of loud noises.",
                "evidence": "a rescue puppy who is scared of loud noises",
            },
            {
                "aspect": "House training without a garden",
                "reason": "Every toilet break means going downstairs.",
                "evidence": "my flat has no garden, so every toilet trip means going downstairs",
            },
        ],
        "covering": (
            "Go slowly with a rescue that fears noise: build confidence with quiet, short sessions, reward "
            "calm behaviour and play recorded street sounds very softly while feeding, raising the volume "
            "over weeks. For toilet training without a garden, take him downstairs on a fixed schedule, "
            "after every meal and nap, and praise him the moment he goes outside; a puppy pad by the door "
            "helps at night."
        ),
        "generic": "Puppies are young dogs. Many breeds are popular family pets and live for over ten years.",
        "off_topic": "Bleed your radiators in autumn so the heating works efficiently through the winter.",
    },
    {
        "question": "How can I save money on groceries?",
        "narrative": (
            "I'm feeding a family of five on one income. The nearest supermarket is expensive and I don't "
            "have a car. We also have a freezer we barely use."
        ),
        "aspects": [
            {
                "aspect": "Large family on one income",
                "reason": "Five people must be fed on a tight budget.",
                "evidence": "feeding a family of five on one income",
            },
            {
                "aspect": "No car to reach cheaper shops",
                "reason": "The user cannot drive to discount stores.",
                "evidence": "The nearest supermarket is expensive and I don't have a car",
            },
            {
                "aspect": "Using the freezer",
                "reason": "The family has freezer space it does not use.",
                "evidence": "We also have a freezer we barely use",
            },
        ],
        "covering": (
            "With five to feed on one income, plan a weekly menu around cheap staples like rice, lentils "
            "and oats. Since you don't have a car, order online from a discount supermarket that delivers "
            "and split the delivery fee with a neighbour. Fill the freezer: batch-cook stews and freeze "
            "portions, and buy reduced meat and bread at the end of the day to freeze."
        ),
        "generic": "Grocery prices have risen in many countries over the last few years.",
        "off_topic": "A capo lets you play songs in a higher key without learning new chord shapes.",
    },
]


def test_proxy_judge_ranks_covering_answers_above_generic_off_topic_and_echo():
    judge = EmbeddingProxyJudge()
    continuous = EmbeddingProxyJudge(continuous=True)
    for case in PROXY_CASES:
        answers = [case["covering"], case["generic"], case["off_topic"], case["question"]]
        items = [
            JudgeItem(case["question"], case["narrative"], case["aspects"], f"<answer>{a}</answer>")
            for a in answers
        ]
        covering, generic, off_topic, echo = judge.judge_batch(items)
        assert covering.score > max(generic.score, off_topic.score, echo.score), case["question"]
        assert covering.score >= 0.75 and off_topic.score <= 0.25
        assert all(s.raw and s.raw.startswith("similarity=") for s in covering.scores)
        scores = [r.score for r in continuous.judge_batch(items)]
        assert scores[0] == max(scores) and scores.count(scores[0]) == 1


def test_proxy_judge_is_deterministic_across_instances_and_pickling():
    case = PROXY_CASES[1]
    item = JudgeItem(case["question"], case["narrative"], case["aspects"], case["covering"])
    first = EmbeddingProxyJudge().judge_batch([item])[0]
    judge = pickle.loads(pickle.dumps(EmbeddingProxyJudge()))
    again = judge.judge_batch([JudgeItem(case["question"], "", case["aspects"], case["generic"]), item])[1]
    assert [(s.match_score, s.raw) for s in first.scores] == [(s.match_score, s.raw) for s in again.scores]
