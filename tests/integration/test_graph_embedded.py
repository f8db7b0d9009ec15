"""The real embedded model (SmolLM2-135M) through the graph, on an ingested profile."""

from __future__ import annotations

import pytest

from pr2_agent import Trajectory, build_graph
from pr2_agent.policy.resolve import resolve_policy
from pr2_agent.store import ProfileItem, open_profile_store

pytestmark = pytest.mark.slow

PROFILE = [
    ProfileItem("m1", "I stopped eating meat two years ago and miss nothing."),
    ProfileItem("m2", "I only have about 20 minutes to cook on weeknights."),
    ProfileItem("m3", "How do I stop my cat from scratching the sofa?"),
    ProfileItem("m4", "Looking for podcasts about urban planning."),
]


@pytest.fixture(scope="module")
def policy():
    return resolve_policy("embedded", seed=0, serving="transformers")  # the transformers path itself


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    # A directory of its own: an EphemeralClient with other settings would clash with other tests' clients.
    s = open_profile_store(tmp_path_factory.mktemp("store"), embedding="minilm")
    s.upsert("maya", PROFILE)
    return s


@pytest.mark.parametrize("personalized", [True, False])
def test_embedded_model_runs_the_protocol(policy, store, personalized):
    graph = build_graph(model=policy, store=store)
    context = {"user_id": "maya", "personalized": personalized, "max_new_tokens": 48, "max_searches": 1,
               "temperature": 1.0}
    out = graph.invoke({"question": "What should I cook tonight?"}, context=context)

    assert isinstance(out["answer"], str)
    assert out["finish"] in ("answer", "forced")
    assert len(out["searches"]) <= 1
    assert set(out["retrieved_ids"]) <= {"m1", "m2", "m3", "m4"}
    if not personalized:
        assert out["retrieved_ids"] == []
    traj = Trajectory.from_state(out)
    assert traj.has_token_ids
    assert traj.prompt_ids and len(traj.prompt_ids) > 50
    ids, mask = traj.completion_ids(), traj.env_mask()
    assert len(ids) == len(mask) and 1 in mask
    for seg in out["segments"]:
        assert all(isinstance(i, int) for i in seg["token_ids"])
        if seg["kind"] == "model":
            decoded = policy.tokenizer.decode(seg["token_ids"], skip_special_tokens=True)
            assert decoded == seg["text"]
        else:
            assert policy.tokenizer.decode(seg["token_ids"]) == seg["text"]
