"""LangGraph Studio / `langgraph dev` entry point: the PrLM method's graph (k = Context.top_k; PrLM uses 5)."""

from pr2_agent.methods import get_method

graph = get_method("prlm").build_graph()
