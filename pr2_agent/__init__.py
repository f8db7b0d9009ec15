"""pr2-agent: personalized retrieval-augmented reasoning over one user's history, as a LangGraph graph.

>>> from pr2_agent import build_graph
>>> graph = build_graph()                                  # doctest: +SKIP
>>> graph.invoke({"question": "What should I cook tonight?"}, context={"user_id": "u1"})  # doctest: +SKIP
"""

from pr2_agent.context import Context
from pr2_agent.graph import build_graph
from pr2_agent.state import GraphState, InputState, OutputState
from pr2_agent.trajectory import Segment, Trajectory

__all__ = ["Context", "GraphState", "InputState", "OutputState", "Segment", "Trajectory", "build_graph"]
