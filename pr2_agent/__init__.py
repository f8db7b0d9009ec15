"""pr2-agent: personalized retrieval-augmented reasoning over one user's history, as a LangGraph graph."""
