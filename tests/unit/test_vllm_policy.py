"""VLLMPolicy over a fake ``vllm_generation``: per-call settings, exact ids, finish reasons, batching, refusals."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from pr2_agent import prompts
from pr2_agent.context import Context
from pr2_agent.data.lampqa import Aspect, LaMPQARecord, ProfileEntry
from pr2_agent.methods import get_method
from pr2_agent.policy.base import GenerationRequest, Policy
from pr2_agent.rewards import RubricJudgeReward
from pr2_agent.run.rows import training_row
from pr2_agent.tasks import get_task
from pr2_agent.tasks.lampqa import lampqa_example
from pr2_agent.trajectory import Trajectory, env_segment, model_segment
from tests.fakes import FakeStore
from tests.tiny_model import build_tiny_tokenizer
from tests.unit.test_rewards import WordJudge
from trainers.rollout import GraphRollout, RolloutSettings, completion_logprobs
from trainers.vllm_policy import VLLMPolicy, check_vllm_rollouts, vllm_rollout_problems

TOKENIZER = build_tiny_tokenizer()
EOS = TOKENIZER.eos_token_id
SEARCH, ANSWER = prompts.close_tag(prompts.SEARCH_TAG), prompts.close_tag(prompts.ANSWER_TAG)
INFORMATION = prompts.open_tag(prompts.INFORMATION_TAG)


def ids(text: str) -> list[int]:
    return list(TOKENIZER(text, add_special_tokens=False).input_ids)


def lp(position: int) -> float:
    """The fake engine's logprob of the token at ``position`` of a completion."""
    return -(position + 1) / 100


@dataclass
class Call:
    prompts: list[list[int]]
    max_tokens: int
    temperature: float
    top_p: float
    kwargs: dict


class FakeVLLMGeneration:
    """Records each ``generate`` call with the settings in force; ``script(text) -> ids`` picks the completion."""

    def __init__(self, script, *, mode="colocate", generation_kwargs=None, max_model_length=None):
        self.script = script
        self.mode = mode
        self.max_completion_length = 1536
        self.temperature = 1.0
        self.top_p = 0.95
        self.generation_kwargs = {"seed": 7} if generation_kwargs is None else generation_kwargs
        self.max_model_length = max_model_length
        self.model = None
        self.calls: list[Call] = []

    def generate(self, prompts, images, num_generations):
        assert images is None and num_generations == 1
        call = Call(
            [list(p) for p in prompts],
            self.max_completion_length,
            self.temperature,
            self.top_p,
            dict(self.generation_kwargs),
        )
        self.calls.append(call)
        completions = [self.script(TOKENIZER.decode(p)) for p in prompts]
        logprobs = [[[lp(i)] for i in range(len(c))] for c in completions]
        return call.prompts, completions, logprobs, [[[t] for t in c] for c in completions]


def request(question: str, **kw) -> GenerationRequest:
    kw.setdefault("stop", prompts.STOP_STRINGS)
    return GenerationRequest(messages=[{"role": "user", "content": question}], **kw)


def test_is_a_policy_with_the_chat_template_prompt():
    policy = VLLMPolicy(FakeVLLMGeneration(lambda text: ids(" fish")), TOKENIZER)
    assert isinstance(policy, Policy)
    messages = [{"role": "user", "content": "hello"}]
    assert policy.prompt_ids(messages) == TOKENIZER.apply_chat_template(
        messages, add_generation_prompt=True, return_dict=False
    )
    assert EOS in policy.eos_token_ids


def test_each_call_uses_the_request_budget_stop_and_sampling_then_restores_them():
    fake = FakeVLLMGeneration(lambda text: ids("<search> food</search>"))
    kwargs_before = fake.generation_kwargs
    policy = VLLMPolicy(fake, TOKENIZER)
    earlier = [model_segment("<search> food</search>", ids("<search> food</search>")), env_segment(" hello", None)]
    policy.generate(request("hello", segments=earlier, max_new_tokens=7, temperature=0.7, top_p=0.9))

    (call,) = fake.calls
    assert (call.max_tokens, call.temperature, call.top_p) == (7, 0.7, 0.9)
    assert call.kwargs == {
        "seed": 7,  # the config's own generation_kwargs are kept
        "stop": [SEARCH, ANSWER],
        "include_stop_str_in_output": True,
        "stop_token_ids": policy.eos_token_ids,
    }
    # The prompt is the chat template, then the segments' ids (inserted text without ids is encoded).
    template = policy.prompt_ids([{"role": "user", "content": "hello"}])
    assert call.prompts == [template + ids("<search> food</search>") + ids(" hello")]
    assert (fake.max_completion_length, fake.temperature, fake.top_p) == (1536, 1.0, 0.95)
    assert fake.generation_kwargs is kwargs_before and kwargs_before == {"seed": 7}


def test_settings_are_restored_when_the_engine_raises():
    def broken(text):
        raise RuntimeError("engine down")

    fake = FakeVLLMGeneration(broken)
    with pytest.raises(RuntimeError, match="engine down"):
        VLLMPolicy(fake, TOKENIZER).generate(request("hello", max_new_tokens=3, temperature=0.2))
    assert (fake.max_completion_length, fake.temperature, fake.top_p, fake.generation_kwargs) == (
        1536,
        1.0,
        0.95,
        {"seed": 7},
    )


def test_ids_are_returned_exactly_with_the_finish_reason_of_each_row():
    # Question word -> what the engine samples for it.
    completions = {
        "food": ids("<think> I like food</think><search> food</search>"),  # stopped at a tag
        "fish": [*ids(" I like fish"), EOS],  # ended its turn
        "quick": ids(" I like fish and"),  # ran out of budget (4 tokens)
        # An engine that emits several tokens per step may overshoot the tag: cut right after it.
        "sleep": ids("<answer> fish</answer> and more"),
    }
    fake = FakeVLLMGeneration(lambda text: completions[text.split("user\n")[1].split("<|im_end|>")[0]])
    policy = VLLMPolicy(fake, TOKENIZER)
    questions = list(completions)
    gens = policy.generate_batch([request(q, max_new_tokens=4 if q == "quick" else 16) for q in questions])

    assert [len(c.prompts) for c in fake.calls] == [3, 1]  # two distinct budgets, one call each
    assert [g.finish_reason for g in gens] == ["stop", "eos", "length", "stop"]
    assert gens[0].token_ids == completions["food"]
    assert gens[0].text == "<think> I like food</think><search> food</search>"
    assert gens[1].token_ids == completions["fish"][:-1] and gens[1].text == " I like fish"
    assert gens[2].token_ids == completions["quick"]
    assert gens[3].token_ids == ids("<answer> fish</answer>") and gens[3].text == "<answer> fish</answer>"
    for q, gen in zip(questions, gens, strict=True):
        assert gen.prompt_ids == policy.prompt_ids([{"role": "user", "content": q}])

    # The engine's logprobs travel with each generation, for exactly the returned ids.
    def logprobs(tokens, end=None, end_id=None):
        return {"tokens": tokens, "end": end, "end_token_id": end_id}

    assert gens[0].logprobs == logprobs([lp(i) for i in range(len(gens[0].token_ids))])
    assert gens[1].logprobs == logprobs([lp(i) for i in range(3)], lp(3), EOS)  # and the stripped EOS's
    assert gens[3].logprobs == logprobs([lp(i) for i in range(3)])  # cut with the ids


def test_forced_answers_get_their_own_call_with_their_own_stop():
    fake = FakeVLLMGeneration(lambda text: ids(" fish</answer>"))
    gens = VLLMPolicy(fake, TOKENIZER).generate_batch([request("a"), request("b", stop=(ANSWER,)), request("c")])
    assert [c.kwargs["stop"] for c in fake.calls] == [[SEARCH, ANSWER], [ANSWER]]
    assert [len(c.prompts) for c in fake.calls] == [2, 1]
    assert [g.finish_reason for g in gens] == ["stop"] * 3


def test_refuses_settings_it_cannot_honour():
    with pytest.raises(ValueError, match=r"generation_kwargs sets \['stop'\]"):
        VLLMPolicy(FakeVLLMGeneration(lambda t: [], generation_kwargs={"stop": ["x"]}), TOKENIZER)
    policy = VLLMPolicy(FakeVLLMGeneration(lambda t: [], max_model_length=20), TOKENIZER)
    with pytest.raises(ValueError, match="vllm_max_model_length=20"):
        policy.generate(request("What food do I like ?", max_new_tokens=16))


# ------------------------------------------------------------------------------------------------
# Start-up checks


def config(**kw):
    defaults = dict(
        use_vllm=True,
        vllm_mode="colocate",
        vllm_tensor_parallel_size=1,
        vllm_enable_sleep_mode=False,
        vllm_structured_outputs_regex=None,
        top_k=0,
        min_p=None,
        repetition_penalty=1.0,
        generation_kwargs=None,
        temperature=0.8,
        top_p=0.9,
        max_completion_length=10_000,
    )
    return SimpleNamespace(**{**defaults, **kw})


def test_server_mode_needs_a_single_process_and_colocate_takes_any_number():
    assert vllm_rollout_problems(config(vllm_mode="server"), 1) == []
    assert vllm_rollout_problems(config(vllm_mode="colocate"), 8) == []
    with pytest.raises(ValueError, match="vllm_mode 'server' with 2 training processes.*deadlock.*'colocate'"):
        check_vllm_rollouts(config(vllm_mode="server"), 2)


def test_other_unsupported_vllm_settings_are_refused():
    assert "vllm_tensor_parallel_size 2" in vllm_rollout_problems(config(vllm_tensor_parallel_size=2), 2)[0]
    assert "vllm_enable_sleep_mode" in vllm_rollout_problems(config(vllm_enable_sleep_mode=True), 1)[0]
    assert "top_k 50" in vllm_rollout_problems(config(top_k=50), 1)[0]
    assert "['max_tokens']" in vllm_rollout_problems(config(generation_kwargs={"max_tokens": 9, "seed": 1}), 1)[0]
    assert vllm_rollout_problems(config(generation_kwargs={"seed": 1}), 1) == []


def test_grpo_config_field_names_match_the_checks(tmp_path):
    from trl import GRPOConfig

    args = GRPOConfig(output_dir=str(tmp_path), use_cpu=True, bf16=False, use_vllm=True, vllm_mode="server")
    assert vllm_rollout_problems(args, 1) == []
    with pytest.raises(ValueError, match="'server'"):
        check_vllm_rollouts(args, 2)


# ------------------------------------------------------------------------------------------------
# Through GraphRollout: use_vllm selects the policy; one vLLM call per graph step


PROFILES = {"u1": [("a1", "I like fish")], "u2": [("b1", "I work late")]}
FIRST_TURN = ids("<think> who</think><search> food</search>")
ANSWER_TURN = ids("<think> use it</think><answer> fish</answer>")


def graph_script(text: str) -> list[int]:
    completion_so_far = text.split("<|im_start|>assistant\n", 1)[1]  # the instructions mention the tag too
    return ANSWER_TURN if INFORMATION in completion_so_far else FIRST_TURN


def rows(k: int = 2):
    aspects = [Aspect("fish", "likes fish", "fish")]
    out = []
    for rid, question in (("u1", "What should I cook tonight ?"), ("u2", "What is a good dinner ?")):
        record = LaMPQARecord(rid, question, "I need dinner ideas.", aspects, [ProfileEntry("p", "x")])
        out += [training_row(lampqa_example(record), get_task("lampqa"), get_method("pr2")) for _ in range(k)]
    return out


def vllm_trainer(rows, fake, *, num_processes=1, **args):
    return SimpleNamespace(
        rollout_rows=rows,
        args=config(**args),
        processing_class=TOKENIZER,
        vllm_generation=fake,
        accelerator=SimpleNamespace(num_processes=num_processes),
        # no model_wrapped: the vLLM path must not unwrap the training model
    )


def test_use_vllm_rollouts_make_one_call_per_graph_step_and_return_sampled_ids_and_logprobs():
    fake = FakeVLLMGeneration(graph_script)
    batch_rows = rows(k=2)
    rollout = GraphRollout(
        FakeStore(PROFILES),
        RolloutSettings(context=Context(max_new_tokens=24), num_baseline=1),
        RubricJudgeReward(WordJudge()),
    )
    out = rollout([r["prompt"] for r in batch_rows], vllm_trainer(batch_rows, fake))

    # 4 personalized + 2 baseline runs, two reasoning steps: two calls of 6 prompts.
    assert [len(c.prompts) for c in fake.calls] == [6, 6]
    assert {(c.max_tokens, c.temperature, c.top_p) for c in fake.calls} == {(24, 0.8, 0.9)}  # the config's sampling
    assert out["answer"] == ["fish"] * 4

    info_len = len(out["completion_ids"][0]) - len(FIRST_TURN) - len(ANSWER_TURN) - 1
    assert info_len > 0
    assert out["completion_ids"][0][: len(FIRST_TURN)] == FIRST_TURN
    assert out["completion_ids"][0][-len(ANSWER_TURN) - 1 :] == [*ANSWER_TURN, EOS]
    assert out["env_mask"][0] == [1] * len(FIRST_TURN) + [0] * info_len + [1] * (len(ANSWER_TURN) + 1)
    # Sampled tokens carry vLLM's logprobs; inserted ones and the EOS appended after </answer> have none.
    assert out["logprobs"][0] == (
        [lp(i) for i in range(len(FIRST_TURN))] + [None] * info_len + [lp(i) for i in range(len(ANSWER_TURN))] + [None]
    )
    assert fake.generation_kwargs == {"seed": 7} and fake.max_completion_length == 1536


def test_multi_process_server_mode_is_refused_before_generating():
    fake = FakeVLLMGeneration(graph_script)
    batch_rows = rows(k=1)
    rollout = GraphRollout(FakeStore(PROFILES), RolloutSettings(num_baseline=0), None)
    with pytest.raises(ValueError, match="vllm_mode 'server' with 2 training processes"):
        rollout([r["prompt"] for r in batch_rows], vllm_trainer(batch_rows, fake, num_processes=2, vllm_mode="server"))
    assert fake.calls == []


def test_completion_logprobs_follow_the_trained_ids():
    a, info, c = [5, 6], [7, 8, 9], [10]
    first = {"tokens": [-0.1, -0.2], "end": None, "end_token_id": None}
    last = {"tokens": [-0.3], "end": -0.4, "end_token_id": EOS}  # ended on a sampled EOS
    trajectory = Trajectory(
        [1, 2],
        [model_segment("a", a, "stop", first), env_segment("i", info, []), model_segment("c", c, "eos", last)],
    )

    assert completion_logprobs(trajectory, 7, eos_token_id=EOS) == [-0.1, -0.2, None, None, None, -0.3, -0.4]
    assert completion_logprobs(trajectory, 4, eos_token_id=EOS) == [-0.1, -0.2, None, None]  # max_length
    # Another end-of-turn id was sampled than the EOS appended for training: its logprob does not apply.
    assert completion_logprobs(trajectory, 7, eos_token_id=EOS + 1)[-1] is None
