"""Key/value reuse across turns: same tokens as ``model.generate``, fewer tokens read, never stale."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from pr2_agent.policy.base import GenerationRequest
from pr2_agent.policy.kv_cache import PrefixKVCache, weights_signature
from pr2_agent.policy.local import LocalPolicy
from pr2_agent.trajectory import env_segment, model_segment
from tests.tiny_model import build_tiny_model

QUESTIONS = ["What food do I like ?", "Where do you live", "What food do I like ?", "hello"]
INFO = " <information> I like rice and fish . </information>"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny")


def _request(question: str, segments: list, temperature: float) -> GenerationRequest:
    return GenerationRequest(
        messages=[{"role": "user", "content": question}],
        segments=list(segments),
        max_new_tokens=10,
        temperature=temperature,
        top_p=0.9 if temperature else 1.0,
        stop=("</search>",),
    )


def _three_turns(policy: LocalPolicy, temperature: float) -> list[list]:
    trajectories: list[list] = [[] for _ in QUESTIONS]
    for _ in range(3):
        requests = [_request(q, t, temperature) for q, t in zip(QUESTIONS, trajectories, strict=True)]
        gens = policy.generate_batch(requests)
        for traj, gen in zip(trajectories, gens, strict=True):
            traj.append(model_segment(gen.text, gen.token_ids, gen.finish_reason))
            traj.append(env_segment(INFO, policy.encode(INFO), []))
    return trajectories


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_same_tokens_as_generate_over_three_turns(tiny_dir: Path, temperature: float) -> None:
    plain = LocalPolicy(tiny_dir, seed=3, kv_cache_tokens=0)
    cached = LocalPolicy(tiny_dir, seed=3)
    assert plain.kv_cache is None and cached.kv_cache is not None
    assert _three_turns(cached, temperature) == _three_turns(plain, temperature)
    # Turns 2 and 3 start from the previous turn's states; the shared prompt was read once.
    assert cached.kv_cache.hits >= 2 * len(QUESTIONS)
    assert cached.kv_cache.reused_tokens > 0


def test_rows_ending_at_different_steps_cache_only_their_own_tokens(tiny_dir: Path) -> None:
    cached = LocalPolicy(tiny_dir, seed=0)
    requests = [
        GenerationRequest(messages=[{"role": "user", "content": q}], max_new_tokens=n, temperature=0.0)
        for q, n in zip(dict.fromkeys(QUESTIONS), [2, 7, 9], strict=True)
    ]
    gens = cached.generate_batch(requests)
    assert cached.kv_cache is not None
    for request, gen in zip(requests, gens, strict=True):
        _, ids = cached.input_ids(request)
        hit = cached.kv_cache.lookup(ids + gen.token_ids, limit=10_000)
        # Everything fed for the row is cached: its input and its sampled tokens but the last.
        assert hit.length == len(ids) + len(gen.token_ids) - 1


def test_changed_weights_drop_the_cache(tiny_dir: Path) -> None:
    cached = LocalPolicy(tiny_dir, seed=0)
    request = _request(QUESTIONS[0], [], 0.0)
    first = cached.generate(request)
    assert cached.kv_cache is not None and len(cached.kv_cache) > 0
    with torch.no_grad():
        for p in cached.model.parameters():
            p.mul_(1.5)  # what an optimizer step does: an in-place update
    reference = LocalPolicy.from_model(cached.model, cached.tokenizer, seed=0)
    reference.kv_cache = None
    stale = len(cached.kv_cache)
    cached.kv_cache.validate(weights_signature(cached.model))
    assert stale > 0 and len(cached.kv_cache) == 0
    again = cached.generate(request)
    assert again.token_ids == reference.generate(request).token_ids
    assert first.prompt_ids == again.prompt_ids


def test_lookup_cuts_a_longer_entry_and_keeps_one_token_to_feed() -> None:
    cache = PrefixKVCache(max_tokens=100)
    layer = (torch.arange(5.0).view(1, 1, 5, 1), torch.arange(5.0).view(1, 1, 5, 1))
    cache.store([1, 2, 3, 4, 5], [layer])
    hit = cache.lookup([1, 2, 3], limit=2)
    assert hit.length == 2
    assert hit.layers[0][0].flatten().tolist() == [0.0, 1.0]
    assert cache.lookup([9, 9], limit=1).length == 0


def test_store_drops_prefixes_and_respects_the_token_budget() -> None:
    cache = PrefixKVCache(max_tokens=6)

    def kv(n: int) -> list:
        return [(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, n, 1))]

    cache.store([1, 2], kv(2))
    cache.store([1, 2, 3], kv(3))
    assert len(cache) == 1 and cache.tokens == 3  # the trajectory moved past [1, 2]
    cache.store([7, 8, 9], kv(3))
    cache.store([4, 5], kv(2))
    assert cache.tokens <= 6
    assert cache.lookup([1, 2, 3, 4], limit=3).length == 0  # least recently used went first
    with pytest.raises(ValueError, match="max_tokens"):
        PrefixKVCache(max_tokens=-1)
