"""Turn a Context into live resources (policy, profile store), cached per process.

Loading a model or opening a Chroma store is expensive, and the LangGraph server calls the graph
once per run, so each distinct configuration is built once and reused. Objects passed explicitly to
``build_graph`` always win over the context's strings.
"""

from __future__ import annotations

import inspect
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pr2_agent.context import Context
from pr2_agent.policy.base import Policy

if TYPE_CHECKING:
    from pr2_agent.store import ProfileStore

_lock = threading.Lock()
_stores: dict[tuple[str, ...], ProfileStore] = {}


def as_policy(model: Any) -> Policy:
    """Accept a Policy or any LangChain chat model and return a Policy."""
    if isinstance(model, Policy):
        return model
    from langchain_core.language_models import BaseChatModel

    if isinstance(model, BaseChatModel):
        from pr2_agent.policy.chat import ChatModelPolicy

        return ChatModelPolicy(model)
    raise TypeError(
        f"model must be a pr2 Policy or a LangChain chat model, got {type(model).__name__}. "
        "Pass e.g. ChatOpenAI(...), or leave it out and set Context.model."
    )


def policy_for(context: Context, override: Policy | None) -> Policy:
    """Return the policy for this run."""
    if override is not None:
        return override
    from pr2_agent.policy.resolve import resolve_policy

    return resolve_policy(context.model, base_url=context.base_url)


def search_profile(store: Any, user_id: str, query: str, context: Context) -> list[Any]:
    """Search ``user_id``'s profile in ``store`` with the run's ``top_k`` and, when set, its ``retriever``."""
    if context.retriever is None:
        return list(store.search(user_id, query, context.top_k))
    if "mode" not in inspect.signature(store.search).parameters:
        raise ValueError(
            f"Context.retriever={context.retriever!r} was asked, but the profile store passed to build_graph "
            f"({type(store).__name__}) has no retrieval modes; leave retriever unset or pass a pr2 ProfileStore."
        )
    return list(store.search(user_id, query, context.top_k, mode=context.retriever))


def store_for(context: Context, override: ProfileStore | None) -> ProfileStore:
    """Return the profile store for this run (one shared instance per configuration)."""
    if override is not None:
        return override
    from pr2_agent.store import open_profile_store

    location = context.chroma_url or str(Path(context.store_path).resolve())
    key = (location, context.collection, context.embedding, context.retriever or "dense")
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = open_profile_store(
                None if context.chroma_url else context.store_path,
                url=context.chroma_url,
                collection=context.collection,
                embedding=context.embedding,
                retriever=context.retriever or "dense",
            )
            _stores[key] = store
        return store
