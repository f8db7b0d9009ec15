"""A chat app with its own state, context, checkpointer and LangGraph store, with pr2 as one node.

    python examples/chat_app.py                            # embedded SmolLM2-135M on CPU, offline
    python examples/chat_app.py --model my-model --base-url http://127.0.0.1:8000/v1

The app keeps only ``messages`` (LangGraph's MessagesState), carries the user in its own ``ChatContext``,
remembers the conversation with a checkpointer, and keeps user profiles in a LangGraph store (long-term
memory, namespace ``("pr2", "profiles", user_id)``) with a vector index. pr2 reads the last user message,
searches that user's memories and appends its answer as an AI message.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import MemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.memory import InMemoryStore

from pr2_agent import build_graph
from pr2_agent.memory import LangGraphProfiles
from pr2_agent.store import ProfileItem
from pr2_agent.store.embedding import HashEmbedder

HERE = Path(__file__).parent


@dataclass
class ChatContext:
    """The app's own run context; pr2 reads the fields it knows (user_id, model, budgets...)."""

    user_id: str
    locale: str = "en"
    model: str = "embedded"
    base_url: str | None = None
    max_new_tokens: int = 96
    max_searches: int = 1
    temperature: float = 0.0


def memory_store() -> InMemoryStore:
    """A LangGraph store with a vector index over the ``text`` field of each profile item.

    The hash embedder keeps the example instant and offline; use ``make_embedder("minilm")`` for real
    semantic search (or any LangChain ``Embeddings``).
    """
    embedder = HashEmbedder()

    def embed(texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in embedder.embed_documents(texts)]

    store = InMemoryStore(index={"dims": embedder.dim, "embed": embed, "fields": ["text"]})
    profiles = LangGraphProfiles(store)
    for path in sorted((HERE / "profiles").glob("*.json")):
        profiles.upsert(path.stem, [ProfileItem(i["id"], i["text"]) for i in json.loads(path.read_text())])
    return store


def build_app(model: Any | None = None, store: InMemoryStore | None = None) -> CompiledStateGraph[Any, Any, Any, Any]:
    """The app: messages in, pr2 as a node, answer out; ``model`` None = ``ChatContext.model`` per run."""
    app = StateGraph(MessagesState, context_schema=ChatContext)
    app.add_node("pr2", build_graph(model=model))
    app.add_edge(START, "pr2")
    return app.compile(checkpointer=MemorySaver(), store=store if store is not None else memory_store())


def chat(app: CompiledStateGraph[Any, Any, Any, Any], context: ChatContext, thread_id: str, text: str) -> str:
    """Send one user message on a thread; return the assistant's reply."""
    out = app.invoke({"messages": [("user", text)]}, {"configurable": {"thread_id": thread_id}}, context=context)
    return str(out["messages"][-1].content)


def main() -> None:
    """Two turns of one conversation for one user."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="embedded")
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--user", default="maya")
    parser.add_argument("--max-new-tokens", type=int, default=96)
    args = parser.parse_args()

    app = build_app()
    context = ChatContext(user_id=args.user, model=args.model, base_url=args.base_url,
                          max_new_tokens=args.max_new_tokens)
    for text in ("What should I cook for dinner tonight?", "And something quick for lunch?"):
        print(f"user: {text}\npr2:  {chat(app, context, 'demo', text)}\n")
    history = app.get_state({"configurable": {"thread_id": "demo"}}).values["messages"]
    print(f"thread 'demo' holds {len(history)} messages")


if __name__ == "__main__":
    main()
