"""The embedded GGUF on llama.cpp in-process: the same prompt ids as transformers, exact ids, cached prefixes."""

from __future__ import annotations

import pytest

from pr2_agent import Trajectory, build_graph
from pr2_agent.policy.base import GenerationRequest
from pr2_agent.policy.llamacpp import llama_cpp_available
from pr2_agent.policy.resolve import resolve_policy
from pr2_agent.store import ProfileItem, open_profile_store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not llama_cpp_available(), reason="llama-cpp-python is not installed (bootstrap.sh --test)"),
]


@pytest.fixture(scope="module")
def policy():
    return resolve_policy("llamacpp:embedded", seed=0)


def test_prompt_ids_match_the_transformers_path(policy):
    from transformers import AutoTokenizer

    from pr2_agent.policy.encoding import RequestEncoder
    from pr2_agent.weights import ensure_model

    messages = [{"role": "user", "content": "What should I cook tonight?"}]
    reference = RequestEncoder(AutoTokenizer.from_pretrained(ensure_model("smollm2-135m"), local_files_only=True))
    assert policy.prompt_ids(messages) == reference.prompt_ids(messages)


def test_greedy_turns_are_exact_ids_and_repeat(policy):
    request = GenerationRequest(
        messages=[{"role": "user", "content": "Name one vegetable."}], max_new_tokens=24, temperature=0.0
    )
    first, second = policy.generate(request), policy.generate(request)
    assert first.token_ids == second.token_ids and first.token_ids
    assert first.text == policy.tokenizer.decode(first.token_ids, skip_special_tokens=True)
    assert first.finish_reason in ("eos", "length") and len(first.token_ids) <= 24
    assert not set(first.token_ids) & set(policy.eos_token_ids)


def test_a_stop_string_ends_the_turn_on_the_token_that_completes_it(policy):
    # "e" appears within a few tokens of any English reply, so the turn must stop early, right after it.
    request = GenerationRequest(
        messages=[{"role": "user", "content": "Describe your favourite meal."}],
        stop=("e",),
        max_new_tokens=48,
        temperature=0.0,
    )
    gen = policy.generate(request)
    assert gen.finish_reason == "stop" and "e" in gen.text
    before_last = policy.tokenizer.decode(gen.token_ids[:-1], skip_special_tokens=True)
    assert "e" not in before_last


def test_the_graph_records_a_trainable_trajectory(policy, tmp_path):
    store = open_profile_store(tmp_path / "store", embedding="hash")
    store.upsert("maya", [ProfileItem("m1", "I stopped eating meat two years ago.")])
    graph = build_graph(model=policy, store=store)
    context = {"user_id": "maya", "max_new_tokens": 32, "max_searches": 1, "temperature": 1.0}
    out = graph.invoke({"question": "What should I cook tonight?"}, context=context)
    trajectory = Trajectory.from_state(out)
    assert trajectory.has_token_ids
    assert len(trajectory.completion_ids()) == len(trajectory.env_mask())
    assert all(s.get("finish_reason") for s in out["segments"] if s["kind"] == "model")
    assert out["finish"] in ("answer", "forced")


def test_a_checkpoint_served_on_llama_cpp_writes_what_transformers_writes(tmp_path):
    """The float16 GGUF export of a checkpoint reproduces the transformers path's greedy tokens."""
    from pr2_agent.policy.local import LocalPolicy
    from pr2_agent.weights import ensure_model

    base = ensure_model("smollm2-135m")
    checkpoint = tmp_path / "checkpoint"  # a "trained" checkpoint: the base weights, linked, not copied
    checkpoint.mkdir()
    for item in base.iterdir():
        (checkpoint / item.name).symlink_to(item)
    served = resolve_policy(f"llamacpp:{checkpoint}", seed=0)
    assert (checkpoint / "model-f16.gguf").is_file()
    reference = LocalPolicy(base)
    for question in ("What should I cook tonight? I am vegetarian.", "Which camera should I buy for birds?"):
        request = GenerationRequest(
            messages=[{"role": "user", "content": question}], max_new_tokens=32, temperature=0.0
        )
        assert served.generate(request).token_ids == reference.generate(request).token_ids
