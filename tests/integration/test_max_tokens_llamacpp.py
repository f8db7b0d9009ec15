"""The README's ChatOpenAI path honours a 48-token turn limit on llama.cpp's OpenAI server (issue 15 item 6).

ChatOpenAI sends the limit as ``max_completion_tokens``, which llama.cpp's server ignores: a turn with a
48-token budget ran about 140 chunks. ``build_graph(model=ChatOpenAI(...))`` now also sends ``max_tokens``, and
``openai_chat_model`` sends only ``max_tokens``. Checked end to end: a streamed graph run (chunks per turn) and
the policy's own generations (tokens counted with the model's tokenizer).
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from langchain_openai import ChatOpenAI

from pr2_agent import build_graph
from pr2_agent.policy.base import GenerationRequest
from pr2_agent.policy.chat import ChatModelPolicy, openai_chat_model
from tests.fakes import FakeStore
from tests.servers import llama_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow

LIMIT = 48
LONG = "Write a very long story, at least 500 words, about a dragon who learns to cook."


def readme_chat_model(base_url: str) -> ChatOpenAI:
    """Exactly the README's example (Use it in your LangGraph app)."""
    return ChatOpenAI(model="smollm2-135m", base_url=base_url, api_key="EMPTY", use_responses_api=False)  # type: ignore[arg-type]


@functools.cache
def tokenizer() -> Any:
    from transformers import AutoTokenizer

    from pr2_agent.weights import ensure_model

    return AutoTokenizer.from_pretrained(ensure_model("smollm2-135m"))


def token_count(text: str) -> int:
    return len(tokenizer()(text, add_special_tokens=False)["input_ids"])


@pytest.mark.parametrize("build", [readme_chat_model, lambda url: openai_chat_model("smollm2-135m", url)],
                         ids=["readme-ChatOpenAI", "openai_chat_model"])
def test_a_long_turn_stops_at_48_tokens(llama_server, build):  # noqa: F811
    policy = ChatModelPolicy(build(llama_server))
    gen = policy.generate(GenerationRequest(messages=[{"role": "user", "content": LONG}], max_new_tokens=LIMIT,
                                            temperature=0.0))
    assert gen.finish_reason == "length", gen.text
    assert token_count(gen.text) <= LIMIT + 1  # re-tokenizing decoded text may merge or split one token


def test_graph_turns_stream_at_most_48_chunks(llama_server):  # noqa: F811
    graph = build_graph(model=readme_chat_model(llama_server),
                        profile_store=FakeStore({"maya": [("m1", "I love long fantasy stories about dragons.")]}))
    chunks: dict[str, int] = {}
    final = {}
    for mode, payload in graph.stream({"question": LONG}, stream_mode=["messages", "values"],
                                      context={"user_id": "maya", "max_new_tokens": LIMIT, "temperature": 0.0,
                                               "max_searches": 1}):
        if mode == "messages":
            message, _ = payload
            if type(message).__name__ == "AIMessageChunk" and message.content:
                chunks[message.id] = chunks.get(message.id, 0) + 1
        else:
            final = payload
    assert final.get("answer") is not None
    assert chunks, "no streamed chunks"
    assert max(chunks.values()) <= LIMIT, chunks
    turns = [s for s in final["segments"] if s["kind"] == "model"]
    assert all(token_count(s["text"]) <= LIMIT + 1 for s in turns), [s["text"] for s in turns]
