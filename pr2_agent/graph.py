"""The PR2 graph: reason -> (retrieve -> reason)* -> answer, over one user's profile.

Serving, LangGraph Studio, evaluation and training all run this graph; there is no second rollout
loop anywhere in the code base.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

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
    store: ProfileStore | None = None,
    checkpointer: Checkpointer = None,
    name: str = "pr2",
) -> CompiledStateGraph[GraphState, Context, InputState, OutputState]:
    """Build the PR2 agent graph.

    Args:
        model: A pr2 ``Policy`` or any LangChain chat model. None = resolve ``Context.model`` per run
            ('embedded', a checkpoint path, or an OpenAI-compatible name with ``base_url``).
        store: A ``ProfileStore``. None = open ``Context.store_path`` / ``Context.chroma_url`` per run.
        checkpointer: LangGraph checkpointer. None inherits the parent's when used as a subgraph.
        name: Graph name (also the node name LangGraph shows for it inside a parent graph).

    Returns:
        The compiled graph. Invoke with ``{"question": ...}`` and ``context={"user_id": ...}``.
    """
    nodes = Nodes(policy=None if model is None else as_policy(model), store=_checked_profile_store(store))
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


def _checked_profile_store(store: Any) -> Any:
    """Refuse at build time what cannot serve as a profile store, instead of failing in the first search."""
    if store is None:
        return None
    from langgraph.store.base import BaseStore

    if isinstance(store, BaseStore):
        raise TypeError(
            f"store= takes a pr2 ProfileStore, got the LangGraph store {type(store).__name__}; pass a LangGraph "
            "BaseStore as build_graph(langgraph_store=...) to read profiles from it."
        )
    if not callable(getattr(store, "search", None)):
        raise TypeError(
            f"store= must be a pr2 ProfileStore (open_profile_store(...)) or an object with "
            f"search(user_id, query, k), got {type(store).__name__} {store!r:.60}."
        )
    return store
