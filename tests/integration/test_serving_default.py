"""`embedded` by default: the shipped policy answers through llama.cpp in-process, with its token ids."""

from __future__ import annotations

import pytest

from pr2_agent import Trajectory, build_graph
from pr2_agent.policy.llamacpp import llama_cpp_available
from pr2_agent.policy.resolve import resolve_policy, serving_backend
from pr2_agent.store import ProfileItem, open_profile_store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not llama_cpp_available(), reason="llama-cpp-python is not installed (bootstrap.sh --test)"),
]


def test_embedded_answers_through_llamacpp_with_token_ids(tmp_path, monkeypatch):
    monkeypatch.delenv("PR2_SERVING", raising=False)
    monkeypatch.setenv("PR2_DEVICE", "cpu")
    policy = resolve_policy("embedded")  # the same cache entry the graph resolves from its context
    assert serving_backend(policy) == "llamacpp"
    assert serving_backend(resolve_policy("embedded", seed=0, serving="transformers")) == "transformers"

    store = open_profile_store(tmp_path / "store", embedding="hash")
    store.upsert(
        "maya",
        [
            ProfileItem("m1", "I stopped eating meat two years ago."),
            ProfileItem("m2", "I only have 20 minutes to cook on weeknights."),
        ],
    )
    graph = build_graph(store=store)  # the model comes from the context, as in `pr2 ask`, the demo and Studio
    out = graph.invoke(
        {"question": "What should I cook tonight?"},
        context={"user_id": "maya", "model": "embedded", "max_new_tokens": 48, "max_searches": 1, "temperature": 0.0},
    )
    assert out["finish"] in ("answer", "forced") and isinstance(out["answer"], str)
    traj = Trajectory.from_state(out)
    assert traj.has_token_ids and traj.prompt_ids
    model_segments = [s for s in out["segments"] if s["kind"] == "model"]
    assert model_segments
    for seg in model_segments:  # the ids llama.cpp sampled decode to exactly the text the graph kept
        assert seg["token_ids"] and policy.tokenizer.decode(seg["token_ids"], skip_special_tokens=True) == seg["text"]
