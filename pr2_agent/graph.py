"""The PR2 graph: reason -> (retrieve -> reason)* -> answer, over one user's profile.

Serving, LangGraph Studio, evaluation and training all run this graph; there is no second rollout
loop anywhere in the code base.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from pr2_agent.context import Context
from pr2_agent.nodes import Nodes, route_after_reason
from pr2_agent.resources import as_policy
from pr2_agent.state import GraphState, InputState, OutputState

if TYPE_CHECKING:
    from langgraph.types import Checkpointer

    from pr2_agent.store import ProfileStore


def build_graph(
    *,
    model: Any | None = None,
    profile_store: ProfileStore | None = None,
    langgraph_store: BaseStore | None = None,
    checkpointer: Checkpointer = None,
    name: str = "pr2",
    store: ProfileStore | None = None,
) -> CompiledStateGraph[GraphState, Context, InputState, OutputState]:
    """Build the PR2 agent graph.

    Where a run reads the user's profile, first match wins: ``profile_store``; ``langgraph_store``; the
    LangGraph store the run is given (a parent's ``compile(store=...)``, ``langgraph dev``'s store) when it
    holds the user's profile or ``Context.profile_source == "langgraph"``; else the pr2 store opened from
    ``Context.store_path`` / ``Context.chroma_url``. LangGraph stores keep a user's items in the namespace
    ``("pr2", "profiles", user_id)`` (:mod:`pr2_agent.memory`).

    Args:
        model: A pr2 ``Policy`` or any LangChain chat model. None = resolve ``Context.model`` per run
            ('embedded', a checkpoint path, or an OpenAI-compatible name with ``base_url``).
        profile_store: A pr2 ``ProfileStore`` (Chroma), or any object with ``search(user_id, query, k)``.
        langgraph_store: A LangGraph ``BaseStore`` (``InMemoryStore``, ``PostgresStore``...) holding profiles;
            searched by vector similarity when it has an index, BM25 otherwise.
        checkpointer: LangGraph checkpointer. None inherits the parent's when used as a subgraph.
        name: Graph name (also the node name LangGraph shows for it inside a parent graph).
        store: Former name of ``profile_store``, still accepted for a pr2 store; a LangGraph store passed
            here is refused with a pointer to ``langgraph_store``.

    Returns:
        The compiled graph. Invoke with ``{"question": ...}`` or ``{"messages": [...]}`` and
        ``context={"user_id": ...}`` (or any context / ``configurable`` carrying ``user_id``).
    """
    profiles = checked_profile_sources(profile_store, store, langgraph_store)
    nodes = Nodes(
        policy=None if model is None else as_policy(model), store=profiles, langgraph_store=langgraph_store
    )
    builder = StateGraph(GraphState, context_schema=Context, input_schema=InputState, output_schema=OutputState)
    builder.add_node("reason", nodes.reason)
    builder.add_node("retrieve", nodes.retrieve)
    builder.add_node("correct", nodes.correct)
    builder.add_node("force_answer", nodes.force_answer)
    builder.add_edge(START, "reason")
    builder.add_conditional_edges(
        "reason", route_after_reason, ["retrieve", "correct", "force_answer", END]
    )
    builder.add_edge("retrieve", "reason")
    builder.add_edge("correct", "reason")
    builder.add_edge("force_answer", END)
    return builder.compile(checkpointer=checkpointer, name=name)


def checked_profile_sources(profile_store: Any, store: Any, langgraph_store: Any) -> Any:
    """Check a graph builder's profile arguments at build time; return the pr2 profile store (or None).

    Every method's builder takes the same three (``store`` is ``profile_store``'s former name).
    """
    if store is not None and profile_store is not None:
        raise TypeError("Pass the pr2 profile store once, as profile_store= (store= is its former name).")
    profiles = _checked_profile_store(
        profile_store if profile_store is not None else store,
        "profile_store=" if profile_store is not None else "store=",
    )
    if langgraph_store is not None and not isinstance(langgraph_store, BaseStore):
        raise TypeError(
            f"langgraph_store= takes a LangGraph BaseStore (InMemoryStore, PostgresStore, ...), got "
            f"{type(langgraph_store).__name__}; a pr2 ProfileStore goes to profile_store=."
        )
    return profiles


def _checked_profile_store(store: Any, param: str) -> Any:
    """Refuse at build time what cannot serve as a profile store, instead of failing in the first search."""
    if store is None:
        return None
    if isinstance(store, BaseStore):
        raise TypeError(
            f"{param} takes a pr2 ProfileStore, got the LangGraph store {type(store).__name__}; pass a LangGraph "
            "BaseStore as build_graph(langgraph_store=...) to read profiles from it."
        )
    if not callable(getattr(store, "search", None)):
        raise TypeError(
            f"{param} must be a pr2 ProfileStore (open_profile_store(...)) or an object with "
            f"search(user_id, query, k), got {type(store).__name__} {store!r:.60}."
        )
    return store
