"""Token streaming from the real local backends: SmolLM2 on transformers and on llama.cpp in-process."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessageChunk

from pr2_agent import build_graph
from pr2_agent.policy.llamacpp import llama_cpp_available
from pr2_agent.policy.resolve import resolve_policy

pytestmark = pytest.mark.slow

CONTEXT = {"user_id": "maya", "personalized": False, "max_new_tokens": 32, "max_searches": 1, "temperature": 0.0}
BACKENDS = [
    "embedded",
    pytest.param(
        "llamacpp:embedded",
        marks=pytest.mark.skipif(not llama_cpp_available(), reason="llama-cpp-python is not installed"),
    ),
]


@pytest.mark.parametrize("model", BACKENDS)
def test_messages_stream_yields_token_chunks(model: str) -> None:
    graph = build_graph(model=resolve_policy(model, seed=0, serving="transformers"))  # llamacpp: is explicit
    chunks, final = [], {}
    for mode, payload in graph.stream(
        {"question": "What should I cook tonight?"}, context=CONTEXT, stream_mode=["messages", "values"]
    ):
        if mode == "messages" and isinstance(payload[0], AIMessageChunk):
            chunks.append(payload[0])
        elif mode == "values":
            final = payload
    assert len(chunks) > 1
    first_turn = next(s["text"] for s in final["segments"] if s["kind"] == "model")
    first_id = chunks[0].id
    assert "".join(str(c.content) for c in chunks if c.id == first_id) == first_turn
