"""Profiles in LangGraph long-term memory (a BaseStore): search, isolation, the graph reading it, copies."""

from __future__ import annotations

import hashlib
import uuid

import chromadb
import numpy as np
import pytest
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.store.memory import InMemoryStore

from pr2_agent import build_graph
from pr2_agent.memory import (
    PROFILE_NAMESPACE,
    LangGraphProfiles,
    copy_from_langgraph,
    copy_to_langgraph,
    namespace_label,
    user_from_label,
    user_namespace,
)
from pr2_agent.policy.scripted import ScriptedPolicy
from pr2_agent.store import ProfileItem, open_profile_store
from pr2_agent.store.lexical import tokenize

DIMS = 64
MAYA = [
    ProfileItem("m1", "I stopped eating meat two years ago.", {"year": 2024}),
    ProfileItem("m2", "I only have 20 minutes to cook on weeknights."),
    ProfileItem("m3", "My cat scratches the sofa."),
]
LEO = [ProfileItem("l1", "I love steak and barbecue meat."), ProfileItem("l2", "My dog barks at night.")]


def fake_embed(texts: list[str]) -> list[list[float]]:
    """Bag of hashed words, L2-normalised: texts sharing words are close (a stand-in for a real model)."""
    vectors = []
    for text in texts:
        v = np.zeros(DIMS)
        for word in tokenize(text):
            v[int(hashlib.md5(word.encode()).hexdigest(), 16) % DIMS] += 1.0
        vectors.append((v / (np.linalg.norm(v) or 1.0)).tolist())
    return vectors


def indexed_store() -> InMemoryStore:
    return InMemoryStore(index={"dims": DIMS, "embed": fake_embed, "fields": ["text"]})


@pytest.fixture(params=["no-index", "index"])
def profiles(request) -> LangGraphProfiles:
    store = InMemoryStore() if request.param == "no-index" else indexed_store()
    profiles = LangGraphProfiles(store)
    profiles.upsert("maya", MAYA)
    profiles.upsert("leo", LEO)
    return profiles


def test_items_live_in_the_documented_namespace(profiles):
    item = profiles.store.get(("pr2", "profiles", "maya"), "m1")
    assert item is not None and item.value == {"text": MAYA[0].text, "metadata": {"year": 2024}}
    assert user_namespace("maya") == (*PROFILE_NAMESPACE, "maya")


def test_search_finds_the_users_item_first_and_never_another_users(profiles):
    hits = profiles.search("maya", "eating meat", 3)
    assert hits[0].id == "m1" and hits[0].metadata == {"year": 2024}
    assert {h.id for h in hits} <= {"m1", "m2", "m3"}
    assert [h.id for h in profiles.search("leo", "meat", 5)][0] == "l1"


def test_vector_scores_with_an_index_bm25_without():
    plain, indexed = LangGraphProfiles(InMemoryStore()), LangGraphProfiles(indexed_store())
    for p in (plain, indexed):
        p.upsert("maya", MAYA)
    vector_hits = indexed.search("maya", "cook weeknights", 3)
    assert vector_hits[0].id == "m2" and len(vector_hits) == 3  # similarity ranks every item
    lexical_hits = plain.search("maya", "cook weeknights", 3)
    assert [h.id for h in lexical_hits] == ["m2"]  # BM25: only items sharing a word
    # Asking bm25 on an indexed store ranks lexically too.
    assert [h.id for h in indexed.search("maya", "cook weeknights", 3, mode="bm25")] == ["m2"]


def test_deeper_namespaces_under_a_user_are_not_the_profile(profiles):
    profiles.store.put(("pr2", "profiles", "maya", "drafts"), "x", {"text": "eating meat draft"})
    assert "x" not in {h.id for h in profiles.search("maya", "eating meat", 10)}
    assert profiles.count("maya") == 3


def test_dotted_and_percent_user_ids_round_trip():
    profiles = LangGraphProfiles(InMemoryStore())
    for user in ("maya.k@example.com", "50%.off", "用户"):
        profiles.upsert(user, [ProfileItem("a", f"notes of {user}")])
        assert user_from_label(namespace_label(user)) == user
    assert profiles.users() == sorted(["maya.k@example.com", "50%.off", "用户"])
    assert profiles.items("maya.k@example.com")[0].text == "notes of maya.k@example.com"


@pytest.mark.parametrize("user", ["", "\u200b", "a\x00b", "u\ud800"])
def test_bad_user_ids_are_refused(user):
    with pytest.raises(ValueError, match="user_id"):
        LangGraphProfiles(InMemoryStore()).search(user, "q", 3)


def test_copy_between_a_pr2_store_and_a_langgraph_store_both_ways():
    chroma = open_profile_store(client=chromadb.EphemeralClient(), collection=f"lg{uuid.uuid4().hex}", embedding="hash")
    chroma.upsert("maya", MAYA)
    chroma.upsert("leo", LEO)
    memory = InMemoryStore()
    assert copy_to_langgraph(chroma, memory) == 5
    profiles = LangGraphProfiles(memory)
    assert profiles.users() == ["leo", "maya"]
    assert profiles.items("maya") == chroma.items("maya")
    back = open_profile_store(client=chromadb.EphemeralClient(), collection=f"lg{uuid.uuid4().hex}", embedding="hash")
    assert copy_from_langgraph(memory, back, users=["maya"]) == 3
    assert back.items("maya") == chroma.items("maya") and back.users() == ["maya"]


# --------------------------------------------------------------------------------------- the graph


def search_then_answer():
    return ScriptedPolicy(["<search>eating meat</search>", "<answer>Lentils</answer>"])


@pytest.mark.parametrize("make_store", [InMemoryStore, indexed_store], ids=["no-index", "index"])
def test_graph_reads_a_langgraph_store_passed_at_build_time(make_store):
    store = make_store()
    LangGraphProfiles(store).upsert("maya", MAYA)
    LangGraphProfiles(store).upsert("leo", LEO)
    graph = build_graph(model=search_then_answer(), langgraph_store=store)
    out = graph.invoke({"question": "Dinner?"}, context={"user_id": "maya", "top_k": 2})
    assert out["retrieved_ids"][0] == "m1" and set(out["retrieved_ids"]) <= {"m1", "m2", "m3"}


def test_graph_reads_the_store_a_parent_app_gives_the_run():
    store = indexed_store()
    LangGraphProfiles(store).upsert("maya", MAYA)

    class ChatState(MessagesState):
        retrieved_ids: list[str]

    parent = StateGraph(ChatState)
    parent.add_node("pr2", build_graph(model=search_then_answer()))
    parent.add_edge(START, "pr2")
    app = parent.compile(store=store)
    out = app.invoke({"messages": [("user", "Dinner?")]}, config={"configurable": {"user_id": "maya"}})
    assert out["messages"][-1].content == "Lentils"
    assert out["retrieved_ids"][0] == "m1"


def test_retriever_bm25_is_honoured_on_a_langgraph_store():
    store = indexed_store()
    LangGraphProfiles(store).upsert("maya", MAYA)
    graph = build_graph(model=search_then_answer(), langgraph_store=store)
    out = graph.invoke({"question": "Dinner?"}, context={"user_id": "maya", "top_k": 3, "retriever": "bm25"})
    assert out["retrieved_ids"] == ["m1"]  # lexical: only the item sharing words


def test_profile_source_langgraph_without_a_store_is_a_clear_error():
    graph = build_graph(model=search_then_answer())
    with pytest.raises(ValueError, match="no LangGraph store"):
        graph.invoke({"question": "q"}, context={"user_id": "maya", "profile_source": "langgraph"})


def test_the_old_misuse_of_store_is_refused_at_build_time():
    with pytest.raises(TypeError, match="langgraph_store="):
        build_graph(store=InMemoryStore())
    with pytest.raises(TypeError, match="profile_store="):
        build_graph(langgraph_store=open_profile_store(client=chromadb.EphemeralClient(), embedding="hash"))
    with pytest.raises(TypeError, match="once"):
        build_graph(store=LangGraphProfiles(InMemoryStore()), profile_store=LangGraphProfiles(InMemoryStore()))
