"""PrLM's reward terms: ROUGE-1+2+L of the parsed answer, the think-then-answer format, the RM's sigmoid."""

from __future__ import annotations

import math
import pickle

import pytest

from pr2_agent.rewards import (
    MODEL_REWARD_FUNCTIONS,
    PERSONALIZATION_RM_REWARD,
    PersonalizationRMReward,
    PrLMRougeReward,
    ThinkAnswerFormatReward,
    build_reward_functions,
    prlm_rouge_reward,
    rouge_f_sum,
    think_answer_format,
)


@pytest.mark.parametrize(
    ("answer", "gold", "expected"),
    [
        ("Storm hits the coast", "Storm hits the coast", 3.0),
        ('Headline: "Storm hits the coast"\nmore text', "Storm hits the coast", 3.0),
        ("", "Storm hits the coast", 0.0),
        ("totally different words", "Storm hits the coast", 0.0),
    ],
)
def test_prlm_rouge_reward(answer, gold, expected):
    assert prlm_rouge_reward(4, answer, gold) == pytest.approx(expected)


def test_rouge_sum_adds_the_three_f_scores():
    # unigrams 2/3 both ways (F 0.667), bigrams 1/2 (F 0.5), LCS 2 (F 0.667)
    assert rouge_f_sum("storm hits coast", "storm hits the") == pytest.approx(2 / 3 + 1 / 2 + 2 / 3, abs=1e-4)


def test_rouge_reward_reads_rows():
    reward = PrLMRougeReward()
    values = reward(["p", "p"], ["c", "c"], answer=["a b", "x"], lamp_task=[4, 4], gold=["a b", "a b"])
    assert values == [pytest.approx(3.0), 0.0]
    with pytest.raises(ValueError, match="gold"):
        reward(["p"], ["c"], answer=["a"], lamp_task=[4])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>\nplan\n</think>\n<answer>\nA\n</answer>", 1.0),
        ("  <think>plan</think><answer>A</answer>\n", 1.0),
        ("<answer>A</answer>", 0.0),
        ("<think></think><answer>A</answer>", 0.0),
        ("<think>plan</think><answer> </answer>", 0.0),
        ("<think>plan</think>A", 0.0),
        ("<think>plan</think><answer>A</answer> trailing", 0.0),
    ],
)
def test_think_answer_format(text, expected):
    assert think_answer_format(text) == expected


def test_format_reward_prefers_model_text():
    reward = ThinkAnswerFormatReward()
    assert reward(["p"], ["no tags"], model_text=["<think>t</think><answer>a</answer>"]) == [1.0]
    assert reward(["p"], ["no tags"]) == [0.0]


class ConstantModel:
    def __init__(self):
        self.calls = []

    def score(self, queries, outputs):
        self.calls.append((list(queries), list(outputs)))
        return [0.0 if o == "Storm" else 2.0 for o in outputs]


def test_rm_reward_is_the_sigmoid_of_the_score_of_the_parsed_answer(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    reward = PersonalizationRMReward(str(tmp_path))
    reward._model = ConstantModel()
    values = reward(["p"] * 3, ["c"] * 3, answer=['Headline: "Storm"', "x", ""], question=["q"] * 3,
                    lamp_task=[4, 4, 4])
    assert values == [pytest.approx(0.5), pytest.approx(1 / (1 + math.exp(-2.0))), 0.0]
    assert reward._model.calls == [(["q", "q"], ["Storm", "x"])]  # parsed, empty skipped
    clone = pickle.loads(pickle.dumps(reward))
    assert clone._model is None and clone.model_path == str(tmp_path)


def test_rm_reward_needs_a_model_directory(tmp_path):
    with pytest.raises(ValueError, match="prlm_rm_train.py"):
        PersonalizationRMReward(str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="reward_model_path"):
        build_reward_functions([PERSONALIZATION_RM_REWARD], None)
    (tmp_path / "config.json").write_text("{}")
    (built,) = build_reward_functions([PERSONALIZATION_RM_REWARD], None, reward_model_path=str(tmp_path))
    assert isinstance(built, PersonalizationRMReward) and PERSONALIZATION_RM_REWARD in MODEL_REWARD_FUNCTIONS


def test_the_prlm_terms_are_registered_and_pickle():
    funcs = build_reward_functions(["prlm_rouge", "think_answer_format"], None)
    for f in funcs:
        assert pickle.loads(pickle.dumps(f)).__name__ == f.__name__
