"""LangGraph Studio / `langgraph dev` entry point: the PR2 method's graph, configured per run through its Context."""

from pr2_agent.methods import get_method

graph = get_method("pr2").build_graph()
