"""Reward functions: the judge sees only the final answer; the structure penalty reads the model's text."""

from __future__ import annotations

import pickle

import pytest

from pr2_agent.judges import EmbeddingProxyJudge, JudgeResult
from pr2_agent.judges.base import AspectJudgement
from pr2_agent.rewards import (
    REWARD_FUNCTIONS,
    SCORE_REWARD,
    RubricJudgeReward,
    StructureReward,
    build_reward_functions,
)

ASPECTS = [
    {"aspect": "vegetarian", "reason": "stopped eating meat", "evidence": "I stopped eating meat"},
    {"aspect": "quick", "reason": "no time", "evidence": "I work late"},
]


class WordJudge:
    """Deterministic fake judge: aspect scores 2 when its title appears in the response, else 0."""

    name = "word-judge"
    is_proxy = True

    def __init__(self):
        self.seen: list[str] = []

    def judge(self, question, narrative, aspects, response):
        from pr2_agent.judges import JudgeItem

        return self.judge_batch([JudgeItem(question, narrative, aspects, response)])[0]

    def judge_batch(self, items):
        out = []
        for item in items:
            self.seen.append(item.response)
            verdicts = [AspectJudgement(a.aspect, 2 if a.aspect in item.response else 0, None) for a in item.aspects]
            out.append(JudgeResult.from_judgements(verdicts, judge=self.name, is_proxy=True))
        return out


def _kwargs(answers, n=None):
    n = len(answers) if n is None else n
    return {
        "answer": answers,
        "question": ["What should I cook?"] * n,
        "narrative": ["I stopped eating meat and I work late."] * n,
        "rubric_aspects": [ASPECTS] * n,
    }


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("a quick vegetarian curry", 1.0),
        ("a vegetarian roast", 0.5),
        ("steak", 0.0),
        ("", 0.0),
        ("   ", 0.0),
    ],
)
def test_rubric_judge_scores_the_answer_field(answer, expected):
    judge = WordJudge()
    reward = RubricJudgeReward(judge)
    # The completion text mentions every aspect, but only the answer field is judged.
    completion = [{"role": "assistant", "content": "<think>vegetarian quick</think><answer>x</answer>"}]
    assert reward(prompts=["p"], completions=[completion], **_kwargs([answer])) == [expected]
    # Empty answers score 0 without a judge call.
    assert judge.seen == ([answer] if answer.strip() else [])


def test_rubric_judge_falls_back_to_the_completion_answer_span():
    judge = WordJudge()
    reward = RubricJudgeReward(judge)
    completions = ["<think>quick</think><answer>vegetarian</answer>"]
    kwargs = _kwargs(["unused"])
    del kwargs["answer"]
    assert reward(prompts=["p"], completions=completions, **kwargs) == [0.5]


def test_rubric_judge_batches_rows_in_order():
    reward = RubricJudgeReward(WordJudge())
    answers = ["quick", "", "vegetarian quick", "nothing"]
    assert reward(prompts=["p"] * 4, completions=["c"] * 4, **_kwargs(answers)) == [0.5, 0.0, 1.0, 0.0]


def test_rubric_judge_reports_missing_columns():
    reward = RubricJudgeReward(WordJudge())
    kwargs = _kwargs(["quick"])
    del kwargs["rubric_aspects"]
    with pytest.raises(ValueError, match="rubric_aspects"):
        reward(prompts=["p"], completions=["c"], **kwargs)


def test_rubric_judge_rejects_a_non_judge():
    with pytest.raises(TypeError, match="Judge"):
        RubricJudgeReward(object())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("model_text", "expected"),
    [
        ("<think>plan</think><answer>Tofu</answer>", 0.0),
        ("<think>a</think><search>diet</search><think>b</think><answer>Tofu</answer>", 0.0),
        ("<answer>Tofu</answer>", -0.5),
        ("<think> </think><answer>Tofu</answer>", -0.5),
        ("<answer>Tofu</answer><think>late</think>", -0.5),
        ("<think>plan</think> no answer at all", -0.5),
        # A forced answer: the graph opened <answer>, the model only wrote its body.
        ("<think>plan</think><search>x</search>Tofu</answer>", -0.5),
    ],
)
def test_structure_reward_table(model_text, expected):
    reward = StructureReward()
    assert reward(prompts=["p"], completions=["ignored"], model_text=[model_text]) == [expected]


def test_structure_reward_without_model_text_reads_the_completion():
    reward = StructureReward(penalty=0.25)
    completions = [
        [{"role": "assistant", "content": "<think>t</think><answer>a</answer>"}],
        "<answer>a</answer>",
    ]
    assert reward(prompts=["p", "p"], completions=completions) == [0.0, -0.25]


def test_structure_penalty_must_be_non_negative():
    with pytest.raises(ValueError, match="penalty"):
        StructureReward(penalty=-1)


def test_rewards_pickle_and_keep_working():
    reward = pickle.loads(pickle.dumps(RubricJudgeReward(WordJudge())))
    assert reward(prompts=["p"], completions=["c"], **_kwargs(["quick vegetarian"])) == [1.0]
    structure = pickle.loads(pickle.dumps(StructureReward()))
    assert structure(prompts=["p"], completions=["c"], model_text=["<answer>x</answer>"]) == [-0.5]
    # The real offline judge pickles too (its model loads lazily, so nothing is loaded here).
    restored = pickle.loads(pickle.dumps(RubricJudgeReward(EmbeddingProxyJudge(continuous=True))))
    assert restored.judge.continuous is True


def test_trl_sees_the_configured_names():
    from trl.trainer.utils import get_callable_name

    funcs = build_reward_functions([SCORE_REWARD, "structure"], WordJudge())
    assert [get_callable_name(f) for f in funcs] == [SCORE_REWARD, "structure"]


def test_registry_errors():
    assert {SCORE_REWARD, "structure", "lamp_metric"} <= set(REWARD_FUNCTIONS)  # methods add their own terms
    with pytest.raises(ValueError, match="unknown"):
        build_reward_functions(["nope"], WordJudge())
    with pytest.raises(ValueError, match="twice"):
        build_reward_functions(["structure", "structure"], None)
    with pytest.raises(ValueError, match="needs a judge"):
        build_reward_functions([SCORE_REWARD], None)
    with pytest.raises(ValueError, match="no reward"):
        build_reward_functions([], None)


def test_lamp_metric_reward_reads_the_answer_span_and_the_gold() -> None:
    from pr2_agent.rewards import LaMPMetricReward, build_reward_functions, lamp_metric_reward

    [reward] = build_reward_functions(["lamp_metric"], None)
    assert isinstance(reward, LaMPMetricReward) and reward.__name__ == "lamp_metric"
    completions = [
        "<think>the user tags comedies</think><answer>comedy</answer>",
        "<think>x</think><answer>It is sci-fi.</answer>",
        "no answer tag at all",
        "<answer>3</answer>",
    ]
    scores = reward(
        prompts=[None] * 4, completions=completions, lamp_task=[2, 2, 2, 3], gold=["comedy", "comedy", "comedy", "5"]
    )
    assert scores == [1.0, 0.0, 0.0, 0.5]
    # The rollout's answer field wins over the completion text.
    answered = reward(prompts=[None], completions=["<answer>x</answer>"], answer=["yes"], lamp_task=[7], gold=["yes"])
    assert answered == [1.0]
    assert lamp_metric_reward(4, "Rain floods Riverside", "rain floods riverside") == 1.0
    assert lamp_metric_reward(3, "five", "5") == 0.0  # unparseable: the farther extreme (1) is 4 away
    with pytest.raises(ValueError, match="needs the 'gold' column"):
        reward(prompts=[None], completions=["<answer>a</answer>"], lamp_task=[2])
