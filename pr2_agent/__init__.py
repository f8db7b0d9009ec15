"""pr2-agent: personalized retrieval-augmented reasoning over one user's history, as a LangGraph graph.

>>> from pr2_agent import build_graph
>>> graph = build_graph()                                  # doctest: +SKIP
>>> graph.invoke({"question": "What should I cook tonight?"}, context={"user_id": "u1"})  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pr2_agent.context import Context
    from pr2_agent.graph import build_graph
    from pr2_agent.state import GraphState, InputState, OutputState
    from pr2_agent.trajectory import Segment, Trajectory

__all__ = ["Context", "GraphState", "InputState", "OutputState", "Segment", "Trajectory", "build_graph"]

# Loaded on first use: importing LangGraph takes about a second, which `pr2 --help` and the store-only
# commands never need (PEP 562 module __getattr__).
_HOME = {
    "Context": "pr2_agent.context",
    "build_graph": "pr2_agent.graph",
    "GraphState": "pr2_agent.state",
    "InputState": "pr2_agent.state",
    "OutputState": "pr2_agent.state",
    "Segment": "pr2_agent.trajectory",
    "Trajectory": "pr2_agent.trajectory",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pr2_agent' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])
