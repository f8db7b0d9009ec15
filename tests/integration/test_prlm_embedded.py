"""The PrLM graph on the real embedded model (SmolLM2-135M) over a MiniLM store, dense and BM25."""

from __future__ import annotations

import pytest

from pr2_agent import Trajectory
from pr2_agent.methods import get_method
from pr2_agent.policy.resolve import resolve_policy
from pr2_agent.store import ProfileItem, open_profile_store

pytestmark = pytest.mark.slow

PROFILE = [ProfileItem(f"t{i}", f'"Honestly, {text}!!! :)"') for i, text in enumerate(
    ["I finished the marathon", "the coffee was cold again", "my cat learned a trick", "it rained all day",
     "I got a new bike", "the concert was loud"])]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_profile_store(tmp_path_factory.mktemp("store"), embedding="minilm")
    s.upsert("u7", PROFILE)
    return s


@pytest.mark.parametrize("retriever", ["dense", "bm25"])
def test_prlm_retrieves_k_items_and_answers_on_the_embedded_model(store, retriever):
    graph = get_method("prlm").build_graph(model=resolve_policy("embedded-base", seed=0), store=store)
    context = {"user_id": "u7", "top_k": 5, "retriever": retriever, "max_new_tokens": 32, "temperature": 0.0}
    out = graph.invoke({"question": "Paraphrase the following tweet: the train was late again."}, context=context)
    # Dense search always fills k; BM25 returns only items sharing a word with the input (3 of 6 here).
    expected = 5 if retriever == "dense" else 3
    assert len(out["retrieved_ids"]) == expected and set(out["retrieved_ids"]) <= {p.id for p in PROFILE}
    assert out["finish"] in ("answer", "forced") and isinstance(out["answer"], str)
    trajectory = Trajectory.from_state(out)
    assert trajectory.has_token_ids and len(trajectory.prompt_ids or []) > 150  # system prompt + 5 items
    assert 0 < len(trajectory.completion_ids()) <= 32
