"""The run context can come from the app: its own dataclass / pydantic model / dict, or config["configurable"]."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from langgraph.graph import START, StateGraph
from pydantic import BaseModel
from typing_extensions import TypedDict

from pr2_agent import Context, build_graph
from pr2_agent.context import context_from
from pr2_agent.policy.scripted import ScriptedPolicy
from tests.fakes import FakeStore

PROFILES = {"alice": [("a1", "I stopped eating meat")], "bob": [("b1", "I love steak")]}
TURNS = ["<search>meat</search>", "<answer>Tofu</answer>"]


@dataclass
class AppContext:
    """An app's own context: its fields, plus the few pr2 reads."""

    user_id: str
    tenant: str = "acme"
    top_k: int = 1


class PydanticContext(BaseModel):
    user_id: str
    personalized: bool = True


class QA(TypedDict, total=False):
    question: str
    answer: str
    retrieved_ids: list[str]


def _parent(context_schema, store=None):
    child = build_graph(model=ScriptedPolicy(list(TURNS)), store=store or FakeStore(PROFILES))
    parent = StateGraph(QA, context_schema=context_schema)
    parent.add_node("pr2", child)
    parent.add_edge(START, "pr2")
    return parent.compile()


def test_parent_dataclass_context_supplies_user_and_top_k():
    store = FakeStore(PROFILES)
    out = _parent(AppContext, store).invoke({"question": "dinner?"}, context=AppContext(user_id="bob"))
    assert out["answer"] == "Tofu" and out["retrieved_ids"] == ["b1"]
    assert store.calls == [("bob", "meat", 1)]


def test_parent_pydantic_context():
    store = FakeStore(PROFILES)
    out = _parent(PydanticContext, store).invoke({"question": "dinner?"}, context=PydanticContext(user_id="alice"))
    assert out["retrieved_ids"] == ["a1"]


def test_parent_dict_context_ignores_the_apps_other_keys():
    store = FakeStore(PROFILES)
    out = _parent(dict, store).invoke({"question": "q"}, context={"user_id": "alice", "session": "s1"})
    assert out["retrieved_ids"] == ["a1"]


def test_configurable_only():
    store = FakeStore(PROFILES)
    graph = build_graph(model=ScriptedPolicy(list(TURNS)), store=store)
    out = graph.invoke({"question": "q"}, config={"configurable": {"user_id": "bob", "top_k": 2}})
    assert out["retrieved_ids"] == ["b1"] and store.calls == [("bob", "meat", 2)]


def test_context_wins_over_configurable_and_defaults_fill_the_rest():
    ctx = context_from({"user_id": "a", "top_k": 4}, {"user_id": "b", "max_searches": 1, "thread_id": "t"})
    assert (ctx.user_id, ctx.top_k, ctx.max_searches, ctx.temperature) == ("a", 4, 1, Context().temperature)


def test_nested_pr2_settings_avoid_clashing_field_names():
    @dataclass
    class Clashing:
        model: object  # the app's own meaning of "model"
        pr2: dict

    ctx = context_from(Clashing(model=object(), pr2={"user_id": "u", "model": "embedded"}))
    assert ctx.user_id == "u" and ctx.model == "embedded"


def test_pr2_context_is_used_as_is():
    given = Context(user_id="u", top_k=2)
    assert context_from(given, {"user_id": "other"}) is given


def test_a_personalized_run_without_any_user_says_how_to_pass_one():
    graph = build_graph(model=ScriptedPolicy(list(TURNS)), store=FakeStore(PROFILES))
    with pytest.raises(ValueError, match="user_id is empty"):
        graph.invoke({"question": "q"})


def test_invalid_app_value_names_the_field():
    with pytest.raises(ValueError, match="top_k must be an integer"):
        _parent(AppContext).invoke({"question": "q"}, context=AppContext(user_id="bob", top_k=0))


def test_context_embedding_names_are_the_stores():
    from pr2_agent.context import EMBEDDING_NAMES
    from pr2_agent.store import EMBEDDERS

    assert set(EMBEDDING_NAMES) == set(EMBEDDERS)
