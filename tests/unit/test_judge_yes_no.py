"""YesNoProxyJudge on a tiny random causal LM: the probability formula, batching, pickling, errors."""

from __future__ import annotations

import pickle

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from pr2_agent.judges import JudgeItem, YesNoProxyJudge
from pr2_agent.prompts import PROXY_JUDGE_TEMPLATE
from tests.tiny_model import build_tiny_model

ASPECTS = [
    {"aspect": "Healthy food", "reason": "The user wants to eat well.", "evidence": "I want a healthy diet"},
    {"aspect": "Cheap", "reason": "Money is short.", "evidence": "I have little money"},
]
QUESTION = "What should I cook this week?"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("yes_no_tiny"))


def test_probability_is_yes_over_yes_plus_no_at_the_next_token(tiny_dir):
    judge = YesNoProxyJudge(tiny_dir)
    answer = "Cook fish and vegetables, they are cheap and healthy."
    (probs,) = judge.probabilities([JudgeItem(QUESTION, "n", ASPECTS, f"<answer>{answer}</answer>")])

    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_dir, dtype=torch.float32)
    yes = sorted({tokenizer.encode(w, add_special_tokens=False)[0] for w in ("Yes", " Yes", "yes", " yes")})
    no = sorted({tokenizer.encode(w, add_special_tokens=False)[0] for w in ("No", " No", "no", " no")})
    for aspect, prob in zip(ASPECTS, probs, strict=True):
        user = PROXY_JUDGE_TEMPLATE.format(
            question=QUESTION, aspect=aspect["aspect"], reason=aspect["reason"], response=answer
        )
        text = tokenizer.apply_chat_template(
            [{"role": "user", "content": user}], tokenize=False, add_generation_prompt=True
        )
        ids = tokenizer(text, return_tensors="pt", add_special_tokens=False)
        with torch.no_grad():
            dist = torch.softmax(model(**ids).logits[0, -1], dim=-1)
        expected = float(dist[yes].sum() / (dist[yes].sum() + dist[no].sum()))
        assert prob == pytest.approx(expected, abs=1e-4)


def test_batching_and_order_do_not_change_the_scores(tiny_dir):
    judge = YesNoProxyJudge(tiny_dir, batch_size=3, continuous=True)
    items = [
        JudgeItem(QUESTION, "n", ASPECTS, f"<answer>Eat {w} every day.</answer>")
        for w in ("fish", "fruit", "rice")
    ]
    batched = judge.probabilities(items)
    alone = [YesNoProxyJudge(tiny_dir, batch_size=1).probabilities([it])[0] for it in items]
    for row_b, row_a in zip(batched, alone, strict=True):
        assert row_b == pytest.approx(row_a, abs=1e-3)
    results = judge.judge_batch(items)
    for result, row in zip(results, batched, strict=True):
        assert [s.raw for s in result.scores] == [f"p_yes={p:.4f}" for p in row]
        assert all(0.0 <= s.match_score <= 2.0 for s in result.scores)
        assert result.is_proxy and result.judge == f"yes-no-proxy:{tiny_dir.name}"


def test_an_empty_answer_scores_zero_without_a_forward_pass(tiny_dir):
    judge = YesNoProxyJudge(tiny_dir)
    result = judge.judge(QUESTION, "n", ASPECTS, "<think>healthy and cheap</think><answer></answer>")
    assert result.score == 0.0
    assert [s.raw for s in result.scores] == ["p_yes=n/a (empty answer)"] * 2


def test_long_answers_are_cut_to_max_response_tokens(tiny_dir, monkeypatch):
    judge = YesNoProxyJudge(tiny_dir, max_response_tokens=3)
    seen: list[str] = []
    original = YesNoProxyJudge._prompt

    def spy(tokenizer, question, aspect, answer):
        seen.append(answer)
        return original(tokenizer, question, aspect, answer)

    monkeypatch.setattr(YesNoProxyJudge, "_prompt", staticmethod(spy))
    judge.judge(QUESTION, "n", ASPECTS[:1], "<answer>eat fish and rice every day</answer>")
    assert seen == ["eat fish and"]


def test_pickle_drops_the_loaded_model(tiny_dir):
    judge = YesNoProxyJudge(tiny_dir, thresholds=(0.2, 0.6))
    before = judge.judge(QUESTION, "n", ASPECTS, "Cheap healthy fish.")
    clone = pickle.loads(pickle.dumps(judge))
    assert judge._loaded is not None and clone._loaded is None
    assert clone.judge(QUESTION, "n", ASPECTS, "Cheap healthy fish.") == before


def test_unknown_model_is_explained():
    with pytest.raises(
        FileNotFoundError, match="neither a transformers checkpoint directory nor an embedded model"
    ):
        YesNoProxyJudge("no-such-model").judge(QUESTION, "n", ASPECTS, "x")


@pytest.mark.parametrize("thresholds", [(0.5, 0.5), (-0.1, 0.5), (0.2, 1.5)])
def test_bad_thresholds_are_rejected(thresholds):
    with pytest.raises(ValueError, match="probabilities"):
        YesNoProxyJudge(thresholds=thresholds)
