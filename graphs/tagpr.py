"""LangGraph Studio / `langgraph dev` entry point: the TagPR method's graph (tagged steps in its output's ``steps``)."""

from pr2_agent.methods import get_method

graph = get_method("tagpr").build_graph()
