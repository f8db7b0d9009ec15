"""LocalPolicy on the tiny random model: exact ids, batching, per-row stopping, seeding, train mode."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from pr2_agent import prompts
from pr2_agent.policy.base import GenerationRequest, Policy
from pr2_agent.policy.local import LocalPolicy
from pr2_agent.trajectory import env_segment, model_segment
from tests.tiny_model import build_tiny_model

QUESTIONS = [
    "What food do I like ?",
    "Where do you live",
    "hello",
    "How can I keep my garden healthy in summer ?",
]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="module")
def policy(tiny_dir: Path) -> LocalPolicy:
    return LocalPolicy(tiny_dir, seed=0)


def request(question: str, **kw) -> GenerationRequest:
    kw.setdefault("temperature", 0.0)
    return GenerationRequest(messages=[{"role": "user", "content": question}], **kw)


def token_strings(policy: LocalPolicy, ids: list[int]) -> list[str]:
    return [
        policy.tokenizer.convert_tokens_to_string([t]) for t in policy.tokenizer.convert_ids_to_tokens(ids)
    ]


def logits_at(policy: LocalPolicy, ids: list[int]) -> torch.Tensor:
    with torch.inference_mode():
        return policy.model(torch.tensor([ids])).logits[0]


def test_is_a_policy(policy: LocalPolicy) -> None:
    assert isinstance(policy, Policy)
    assert policy.name == "tiny"
    assert policy.eos_token_id == policy.tokenizer.eos_token_id
    assert policy.eos_token_id in policy.eos_token_ids


def test_prompt_ids_are_the_chat_template(policy: LocalPolicy) -> None:
    messages = [{"role": "user", "content": "hello"}]
    expected = policy.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_dict=False)
    assert policy.prompt_ids(messages) == expected
    policy.prompt_ids(messages).append(-1)  # callers get copies: the cache cannot be corrupted
    assert policy.prompt_ids(messages) == expected


def test_encode_adds_no_special_tokens(policy: LocalPolicy) -> None:
    vocab = policy.tokenizer.get_vocab()
    ids = policy.encode("<search>food fish</search>\n")
    assert ids == [vocab["<search>"], vocab["food"], vocab[" fish"], vocab["</search>"], vocab["\n"]]
    assert policy.tokenizer.decode(ids) == "<search>food fish</search>\n"


def test_batched_greedy_equals_one_by_one_and_ids_are_exact(policy: LocalPolicy) -> None:
    reqs = [request(q, max_new_tokens=10) for q in QUESTIONS]
    batched = policy.generate_batch(reqs)
    assert [len(g.token_ids or []) for g in batched] == [10] * len(reqs)
    for req, gen in zip(reqs, batched, strict=True):
        single = policy.generate(req)
        assert single.token_ids == gen.token_ids  # left padding changes nothing
        assert gen.finish_reason == "length"
        assert gen.prompt_ids == policy.prompt_ids(req.messages)
        assert policy.tokenizer.decode(gen.token_ids, skip_special_tokens=True) == gen.text


def test_refeeding_prompt_and_ids_reproduces_the_greedy_choices(policy: LocalPolicy) -> None:
    gen = policy.generate_batch([request(q, max_new_tokens=8) for q in QUESTIONS])[3]
    assert gen.token_ids is not None and gen.prompt_ids is not None
    full = gen.prompt_ids + gen.token_ids
    logits = logits_at(policy, full)
    n_prompt = len(gen.prompt_ids)
    for k, tok in enumerate(gen.token_ids):
        row = logits[n_prompt + k - 1]
        # Each sampled id is the argmax of an unpadded forward pass over exactly these ids.
        assert row[tok] >= row.max() - 1e-4


def test_segments_are_fed_back_by_their_ids(policy: LocalPolicy) -> None:
    first = policy.generate(request(QUESTIONS[0], max_new_tokens=4))
    info = "\n\n<information>\n[1] I like fish\n</information>\n\n"
    segments = [model_segment(first.text, first.token_ids), env_segment(info, None)]
    second = policy.generate(request(QUESTIONS[0], segments=segments, max_new_tokens=3))
    prompt, fed = policy.input_ids(request(QUESTIONS[0], segments=segments))
    assert fed == prompt + (first.token_ids or []) + policy.encode(info)
    assert second.token_ids is not None
    assert second.token_ids[0] == int(logits_at(policy, fed)[-1].argmax())


def first_stop_index(policy: LocalPolicy, ids: list[int], stop: str) -> int | None:
    """Number of tokens kept when generation must stop at ``stop`` (transformers' matching rule)."""
    strings = token_strings(policy, ids)
    for k in range(1, len(ids) + 1):
        if stop in "".join(strings[:k]):
            return k
    return None


def test_stop_strings_stop_each_row_independently(policy: LocalPolicy) -> None:
    free = policy.generate_batch([request(q, max_new_tokens=16) for q in QUESTIONS])
    # Row 0 stops at its 3rd token, row 1 at its 7th, row 2 has a stop string it never produces.
    stops = []
    for row, pos in ((0, 2), (1, 6)):
        ids = free[row].token_ids or []
        stops.append(token_strings(policy, ids)[pos])
    reqs = [
        request(QUESTIONS[0], max_new_tokens=16, stop=(stops[0],)),
        request(QUESTIONS[1], max_new_tokens=16, stop=(stops[1],)),
        request(QUESTIONS[2], max_new_tokens=16, stop=("zzz-never",)),
        request(QUESTIONS[3], max_new_tokens=16),
    ]
    gens = policy.generate_batch(reqs)
    for row in (0, 1):
        full = free[row].token_ids or []
        k = first_stop_index(policy, full, stops[row])
        assert k is not None and k <= 7
        assert gens[row].token_ids == full[:k]
        assert gens[row].finish_reason == "stop"
        assert stops[row] in gens[row].text
    for row in (2, 3):
        assert gens[row].token_ids == free[row].token_ids
        assert gens[row].finish_reason == "length"


def test_shared_protocol_stop_strings_build_once(policy: LocalPolicy) -> None:
    reqs = [request(q, max_new_tokens=4, stop=prompts.STOP_STRINGS) for q in QUESTIONS[:2]]
    policy.generate_batch(reqs)
    policy.generate_batch(reqs)
    assert list(policy._stop_criteria).count(prompts.STOP_STRINGS) == 1


def test_each_row_gets_its_own_max_new_tokens(policy: LocalPolicy) -> None:
    short, long = policy.generate_batch(
        [request(QUESTIONS[0], max_new_tokens=3), request(QUESTIONS[1], max_new_tokens=9)]
    )
    assert len(short.token_ids or []) == 3 and short.finish_reason == "length"
    assert len(long.token_ids or []) == 9
    assert short.token_ids == (policy.generate(request(QUESTIONS[0], max_new_tokens=9)).token_ids or [])[:3]


def test_eos_ends_a_row_and_is_stripped(tiny_dir: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_dir)
    policy = LocalPolicy.from_model(model, tokenizer)
    reqs = [request(QUESTIONS[0], max_new_tokens=12), request(QUESTIONS[1], max_new_tokens=12)]
    before = policy.generate_batch(reqs)
    # Make EOS the greedy choice right after row 0's third token and not before: its output row
    # gets a large logit against that hidden state and zero against the three before it.
    eos = tokenizer.eos_token_id
    third = (before[0].token_ids or [])[2]
    with torch.no_grad():
        ids = (before[0].prompt_ids or []) + (before[0].token_ids or [])[:3]
        hidden = model.model(torch.tensor([ids])).last_hidden_state[0, -4:]
        target = torch.tensor([0.0, 0.0, 0.0, 1e3])
        # Untie the output layer first: EOS is also an input (it closes the user turn).
        model.lm_head.weight = torch.nn.Parameter(model.lm_head.weight.detach().clone())
        model.lm_head.weight[eos] = torch.linalg.pinv(hidden) @ target
    gens = policy.generate_batch(reqs)
    assert gens[0].finish_reason == "eos"
    assert gens[0].token_ids == (before[0].token_ids or [])[:3]
    assert third in (gens[0].token_ids or [])
    assert eos not in (gens[0].token_ids or [])
    assert tokenizer.eos_token not in gens[0].text
    # Row 1 is not cut by row 0's EOS (it may hit EOS itself only where its own logits say so).
    assert len(gens[1].token_ids or []) >= 1 and gens[1].finish_reason in ("eos", "length")


def test_seed_makes_sampling_reproducible_without_touching_global_rng(tiny_dir: Path) -> None:
    reqs = [request(q, max_new_tokens=8, temperature=1.0, top_p=0.9) for q in QUESTIONS]
    a, b = LocalPolicy(tiny_dir, seed=7), LocalPolicy(tiny_dir, seed=7)
    state = torch.get_rng_state()
    first = [g.token_ids for g in a.generate_batch(reqs)]
    assert torch.equal(state, torch.get_rng_state())
    assert first == [g.token_ids for g in b.generate_batch(reqs)]
    # The next call draws fresh randomness (it is seeded by the call index, not reset).
    assert [g.token_ids for g in a.generate_batch(reqs)] != first


def test_mixed_sampling_settings_in_one_batch(policy: LocalPolicy) -> None:
    greedy = request(QUESTIONS[0], max_new_tokens=5)
    sampled = request(QUESTIONS[1], max_new_tokens=5, temperature=0.8)
    out = policy.generate_batch([sampled, greedy, sampled])
    assert len(out) == 3
    assert out[1].token_ids == policy.generate(greedy).token_ids
    assert all(len(g.token_ids or []) == 5 for g in out)


def test_from_model_generates_in_eval_mode_and_restores_train_mode(tiny_dir: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_dir)
    model.train()
    seen: list[bool] = []
    model.register_forward_pre_hook(lambda module, args: seen.append(module.training))
    policy = LocalPolicy.from_model(model, tokenizer)
    policy.generate(request("hello", max_new_tokens=2))
    assert seen and not any(seen)
    assert model.training


def test_invalid_requests_are_rejected_with_reasons(policy: LocalPolicy) -> None:
    with pytest.raises(ValueError, match="max_new_tokens must be a positive integer"):
        policy.generate(request("hello", max_new_tokens=0))
    with pytest.raises(ValueError, match="top_p"):
        policy.generate(request("hello", top_p=0.0))
    with pytest.raises(ValueError, match="messages is empty"):
        policy.generate(GenerationRequest(messages=[]))
    with pytest.raises(ValueError, match="context of"):
        policy.generate(request("hello " * 50, max_new_tokens=5000))


def test_checkpoint_errors_are_explained(tmp_path: Path, tiny_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a transformers checkpoint"):
        LocalPolicy(tmp_path)
    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    tokenizer.chat_template = None
    with pytest.raises(ValueError, match="no chat template"):
        LocalPolicy.from_model(AutoModelForCausalLM.from_pretrained(tiny_dir), tokenizer)
