"""LangGraph Studio / `langgraph dev` entry point: the PR2 graph, configured per run through its Context."""

from pr2_agent import build_graph

graph = build_graph()
