"""Graph rollouts for GRPO: shapes, env masks, EOS, baselines and batching, with a scripted policy."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
import torch

from pr2_agent import build_graph, prompts
from pr2_agent.context import Context
from pr2_agent.methods import get_method
from pr2_agent.policy.base import Generation
from pr2_agent.policy.batching import BatchingPolicy
from pr2_agent.rewards import RubricJudgeReward
from pr2_agent.run.rows import training_row
from pr2_agent.tasks import get_task
from pr2_agent.tasks.lampqa import lampqa_example
from pr2_agent.trajectory import Trajectory, env_segment, model_segment
from tests.fakes import FakeStore
from tests.unit.test_rewards import WordJudge
from trainers.rollout import (
    GraphRollout,
    RolloutSettings,
    completion_for_training,
    rollout_output,
    run_graph_rollouts,
    score_baselines,
)

EOS = 1
PROFILES = {
    "u1": [("a1", "I stopped eating meat last year")],
    "u2": [("b1", "I work late and want quick meals")],
}


class ProtocolPolicy:
    """Answers from what it has seen (so thread timing cannot change results); one id per character.

    Turn 1 searches; after an ``<information>`` block it answers with the profile's key word
    (``vegetarian`` or ``quick``), or ``steak`` when the block says the history is unavailable.
    A forced-answer request (stop is only ``</answer>``) gets ``Soup</answer>``.
    """

    name = "protocol"

    def __init__(self, *, first_turn: str = "<think>who is this</think><search>food</search>"):
        self.first_turn = first_turn
        self.batches: list[int] = []
        self._lock = threading.Lock()

    def encode(self, text):
        return [ord(c) + 10 for c in text]

    def _text(self, request) -> tuple[str, str]:
        if request.stop == (prompts.close_tag(prompts.ANSWER_TAG),):
            return "Soup</answer>", "stop"
        seen = "".join(s["text"] for s in request.segments)
        if prompts.open_tag(prompts.INFORMATION_TAG) not in seen:
            return self.first_turn, "stop"
        if prompts.NO_PROFILE_ACCESS_TEXT in seen:
            return "<think>no history</think><answer>steak</answer>", "stop"
        word = "vegetarian" if "meat" in seen else "quick"
        return f"<think>use history</think><answer>{word}</answer>", "stop"

    def generate(self, request):
        return self.generate_batch([request])[0]

    def generate_batch(self, requests):
        with self._lock:
            self.batches.append(len(requests))
        out = []
        for r in requests:
            text, finish = self._text(r)
            prompt = "".join(m["content"] for m in r.messages)
            out.append(Generation(text, self.encode(text), self.encode(prompt), finish))
        return out


def _record(rid: str, question: str):
    from pr2_agent.data.lampqa import Aspect, LaMPQARecord, ProfileEntry

    aspects = [Aspect("vegetarian", "no meat", "meat"), Aspect("quick", "busy", "late")]
    return LaMPQARecord(rid, question, "I need dinner ideas.", aspects, [ProfileEntry("p", "x")])


def _rows(k: int = 2):
    rows = []
    for rid, q in (("u1", "What should I cook tonight?"), ("u2", "What is a good dinner?")):
        example = lampqa_example(_record(rid, q))
        rows += [training_row(example, get_task("lampqa"), get_method("pr2")) for _ in range(k)]
    return rows


def _run(policy, rows, settings):
    batching = BatchingPolicy(policy)
    graph = build_graph(model=batching, store=FakeStore(PROFILES))
    return run_graph_rollouts(graph, rows, settings, temperature=1.0, top_p=1.0, batching=batching), batching


def test_rollouts_cover_rows_and_baselines_in_batched_steps():
    policy = ProtocolPolicy()
    rows = _rows(k=2)
    batch, batching = _run(policy, rows, RolloutSettings(num_baseline=1))
    assert [s.record_id for s in batch.samples] == ["u1", "u1", "u2", "u2"]
    assert all(s.personalized for s in batch.samples)
    assert {rid: [s.personalized for s in v] for rid, v in batch.baselines.items()} == {
        "u1": [False],
        "u2": [False],
    }
    assert [s.answer for s in batch.samples] == ["vegetarian", "vegetarian", "quick", "quick"]
    assert [s.answer for s in batch.baselines["u1"]] == ["steak"]
    # 4 personalized + 2 non-personalized runs, two reasoning steps each: two batches of 6.
    assert batching.batch_sizes == [6, 6]
    assert all(s.num_searches == 1 and s.finish == "answer" for s in batch.samples)


def test_baseline_is_scored_with_the_judge():
    rows = _rows(k=2)
    batch, _ = _run(ProtocolPolicy(), rows, RolloutSettings(num_baseline=2))
    judge = WordJudge()
    score_baselines(batch, rows, RubricJudgeReward(judge))
    assert judge.seen == ["steak"] * 4  # two non-personalized answers per question
    assert batch.baseline_scores == {"u1": 0.0, "u2": 0.0}


def test_baseline_is_scored_with_a_lamp_metric():
    """The baseline scorer is task-generic: a LaMP row's gold and task number score the baseline's answer."""
    from pr2_agent.rewards import LaMPMetricReward

    rows = []
    for rid, gold in (("u1", "steak"), ("u2", "comedy")):
        row = {
            "prompt": [{"role": "user", "content": "Which tag?"}],
            "record_id": rid,
            "user_id": rid,
            "question": "Which tag?",
            "lamp_task": 4,  # ROUGE-1 of the answer against the gold
            "gold": gold,
        }
        rows += [row, row]
    batch, _ = _run(ProtocolPolicy(), rows, RolloutSettings(num_baseline=1))
    score_baselines(batch, rows, LaMPMetricReward())
    assert batch.baseline_scores == {"u1": 1.0, "u2": 0.0}  # the no-profile answer is "steak"


def test_unscored_baselines_are_left_out_of_the_mean():
    rows = _rows(k=1)
    batch, _ = _run(ProtocolPolicy(), rows, RolloutSettings(num_baseline=2))
    calls = iter([[None, 0.5, 0.25, float("nan")]])

    def scorer(prompts, completions, **columns):
        assert columns["answer"] == ["steak"] * 4 and columns["question"][0] == rows[0]["question"]
        return next(calls)

    score_baselines(batch, rows, scorer)
    assert batch.baseline_scores == {"u1": 0.5, "u2": 0.25}


def test_output_ids_masks_and_eos():
    rows = _rows(k=2)
    batch, _ = _run(ProtocolPolicy(), rows, RolloutSettings(num_baseline=1))
    batch.baseline_scores = {"u1": 0.25, "u2": 0.75}
    out = rollout_output(batch, eos_token_id=EOS, max_length=10_000)
    assert out["logprobs"] is None
    assert len(out["prompt_ids"]) == len(out["completion_ids"]) == len(out["env_mask"]) == 4
    sample = batch.samples[0]
    segs = sample.output["segments"]
    assert [s["kind"] for s in segs] == ["model", "env", "model"]
    expected_ids = [i for s in segs for i in s["token_ids"]] + [EOS]
    expected_mask = (
        [1] * len(segs[0]["token_ids"]) + [0] * len(segs[1]["token_ids"]) + [1] * (len(segs[2]["token_ids"]) + 1)
    )
    assert out["completion_ids"][0] == expected_ids
    assert out["env_mask"][0] == expected_mask
    assert out["prompt_ids"][0] == ProtocolPolicy().encode(rows[0]["prompt"][0]["content"])
    # The inserted block is exactly the masked span.
    start = len(segs[0]["token_ids"])
    masked = [i for i, m in zip(out["completion_ids"][0], out["env_mask"][0], strict=True) if m == 0]
    assert "".join(chr(i - 10) for i in masked) == segs[1]["text"]
    assert segs[1]["text"].startswith("\n\n<information>") and start > 0
    assert out["answer"] == ["vegetarian", "vegetarian", "quick", "quick"]
    assert out["finish"] == ["answer"] * 4
    assert out["num_searches"] == [1] * 4
    assert out["baseline_score"] == [0.25, 0.25, 0.75, 0.75]
    assert out["model_text"][0] == segs[0]["text"] + segs[2]["text"]


def test_forced_answer_masks_the_nudge_and_ends_with_eos():
    rows = _rows(k=1)
    policy = ProtocolPolicy(first_turn="<think>hmm</think><search>food</search>")
    batch, _ = _run(policy, rows, RolloutSettings(context=Context(max_searches=0, max_new_tokens=128), num_baseline=0))
    sample = batch.samples[0]
    assert sample.finish == "forced" and sample.answer == "Soup"
    ids, mask = completion_for_training(sample.trajectory, eos_token_id=EOS, max_length=10_000)
    kinds = [s["kind"] for s in sample.output["segments"]]
    assert kinds == ["model", "env", "model"]
    nudge = sample.output["segments"][1]
    assert nudge["text"] == prompts.FORCED_ANSWER_OBSERVATION
    n0, n1 = len(sample.output["segments"][0]["token_ids"]), len(nudge["token_ids"])
    assert mask[:n0] == [1] * n0 and mask[n0 : n0 + n1] == [0] * n1 and mask[n0 + n1 :] == [1] * (len(mask) - n0 - n1)
    assert ids[-1] == EOS


def _trajectory(last_text: str, n_last: int, finish: str | None = "stop") -> Trajectory:
    return Trajectory(
        prompt_ids=[5],
        segments=[
            model_segment("<think>a</think><search>q</search>", [10, 11, 12], "stop"),
            env_segment("\n\n<information>\nx\n</information>\n\n", [20, 21], ["p"]),
            model_segment(last_text, list(range(30, 30 + n_last)), finish),  # type: ignore[arg-type]
        ],
    )


@pytest.mark.parametrize(
    ("last_text", "n_last", "finish", "ends_with_eos"),
    [
        ("<answer>done</answer>", 4, "stop", True),  # closed by the model: EOS appended
        ("<answer>cut short by eos", 3, "eos", True),  # ended on its own: the policy stripped the EOS
        ("<answer>ran out of tokens", 8, "length", False),  # hit max_new_tokens: truncated, no EOS
    ],
)
def test_eos_rule_follows_the_backends_finish_reason(last_text, n_last, finish, ends_with_eos):
    ids, mask = completion_for_training(_trajectory(last_text, n_last, finish), eos_token_id=EOS, max_length=99)
    assert (ids[-1] == EOS) is ends_with_eos
    assert len(ids) == len(mask) == 3 + 2 + n_last + int(ends_with_eos)
    assert mask == [1, 1, 1, 0, 0] + [1] * (n_last + int(ends_with_eos))


def test_cut_at_max_length_keeps_ids_and_mask_aligned():
    ids, mask = completion_for_training(_trajectory("<answer>x</answer>", 4), eos_token_id=EOS, max_length=4)
    assert ids == [10, 11, 12, 20] and mask == [1, 1, 1, 0]


def test_a_trajectory_without_finish_reasons_is_refused_not_guessed():
    with pytest.raises(ValueError, match="no finish_reason"):
        completion_for_training(_trajectory("<answer>x</answer>", 4, None), eos_token_id=EOS, max_length=99)


def test_settings_are_validated():
    with pytest.raises(ValueError, match="num_baseline"):
        RolloutSettings(num_baseline=-1)
    with pytest.raises(ValueError, match="top_k"):
        RolloutSettings(context=Context(top_k=0))
    with pytest.raises(TypeError, match="pr2_agent.Context"):
        RolloutSettings(context={"top_k": 3})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_batch"):
        RolloutSettings(max_batch=0)


class _Model(torch.nn.Module):
    is_gradient_checkpointing = False


def _trainer(rows, **args):
    from accelerate import Accelerator

    defaults = dict(
        temperature=1.0,
        top_p=1.0,
        max_completion_length=10_000,
        gradient_checkpointing_kwargs=None,
        use_vllm=False,
    )
    return SimpleNamespace(
        rollout_rows=rows,
        args=SimpleNamespace(**{**defaults, **args}),
        processing_class=SimpleNamespace(eos_token_id=EOS),
        model_wrapped=_Model(),
        accelerator=Accelerator(cpu=True),
    )


def test_rollout_func_end_to_end_with_a_trainer_stand_in():
    rows = _rows(k=2)
    policy = ProtocolPolicy()
    rollout = GraphRollout(
        FakeStore(PROFILES),
        RolloutSettings(num_baseline=1),
        RubricJudgeReward(WordJudge()),
        policy_factory=lambda model, tokenizer: policy,
    )
    out = rollout([r["prompt"] for r in rows], _trainer(rows))
    assert out["answer"] == ["vegetarian", "vegetarian", "quick", "quick"]
    assert out["baseline_score"] == [0.0] * 4  # "steak" covers neither aspect
    assert policy.batches == [6, 6]
    assert rollout.last_batch is not None and len(rollout.last_batch.samples) == 4


def test_rollout_func_refuses_misaligned_rows_and_plain_trainers():
    rows = _rows(k=1)
    rollout = GraphRollout(
        FakeStore(PROFILES),
        RolloutSettings(num_baseline=0),
        None,
        policy_factory=lambda m, t: ProtocolPolicy(),
    )
    with pytest.raises(RuntimeError, match="PR2GRPOTrainer"):
        rollout([r["prompt"] for r in rows], _trainer(None))
    with pytest.raises(RuntimeError, match="misaligned"):
        rollout([rows[1]["prompt"], rows[0]["prompt"]], _trainer(rows))
    # use_vllm needs the engine TRL builds for it; a trainer without one is refused, not run on the local model.
    with pytest.raises(ValueError, match="has no vllm_generation"):
        rollout([r["prompt"] for r in rows], _trainer(rows, use_vllm=True))


def test_baselines_need_a_scorer():
    with pytest.raises(ValueError, match="scorer"):
        GraphRollout(FakeStore(PROFILES), RolloutSettings(num_baseline=1), None)
