"""Local backends stream tokens into LangGraph's stream_mode="messages" (tiny random model)."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessageChunk

from pr2_agent import Context, build_graph
from pr2_agent.policy.batching import BatchingPolicy
from pr2_agent.policy.local import LocalPolicy
from pr2_agent.policy.streaming import IncrementalDecoder, token_stream
from tests.tiny_model import build_tiny_model

CONTEXT = Context(user_id="u1", personalized=False, max_new_tokens=12, max_searches=1, temperature=0.0)


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> LocalPolicy:
    return LocalPolicy(build_tiny_model(tmp_path_factory.mktemp("models") / "tiny"), seed=0)


def _stream(graph, **kw):
    return list(graph.stream({"question": "What food do I like ?"}, context=CONTEXT, stream_mode="messages", **kw))


def test_messages_mode_yields_the_model_tokens_as_they_come(policy: LocalPolicy) -> None:
    graph = build_graph(model=policy)
    chunks = [(m, meta) for m, meta in _stream(graph) if isinstance(m, AIMessageChunk)]
    assert len(chunks) > 1
    assert {meta["langgraph_node"] for _, meta in chunks} <= {"reason", "force_answer"}
    # The chunks of each model turn add up to exactly that turn's text in the final state.
    final = graph.invoke({"question": "What food do I like ?"}, context=CONTEXT)
    model_texts = [s["text"] for s in final["segments"] if s["kind"] == "model"]
    by_message: dict[str, str] = {}
    for m, _ in chunks:
        by_message[m.id] = by_message.get(m.id, "") + str(m.content)
    assert list(by_message.values()) == model_texts


def test_streaming_does_not_change_the_generation(policy: LocalPolicy) -> None:
    graph = build_graph(model=policy)
    streamed = graph.stream({"question": "hello"}, context=CONTEXT, stream_mode=["messages", "values"])
    values = [payload for mode, payload in streamed if mode == "values"][-1]
    plain = graph.invoke({"question": "hello"}, context=CONTEXT)
    assert values["segments"] == plain["segments"]


def test_no_listener_no_streaming_work(policy: LocalPolicy, monkeypatch: pytest.MonkeyPatch) -> None:
    with token_stream("m", [{"role": "user", "content": "hi"}]) as sink:
        assert sink is None  # outside any run
    # Inside a run that streams updates only, nothing decodes tokens.
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tokens were decoded for a run that does not stream messages")

    monkeypatch.setattr("pr2_agent.policy.local.IncrementalDecoder", refuse)
    updates = list(build_graph(model=policy).stream({"question": "hello"}, context=CONTEXT, stream_mode="updates"))
    assert updates and "reason" in updates[0]


def test_batched_generation_does_not_stream(policy: LocalPolicy) -> None:
    # Rows of a batch belong to different runs; BatchingPolicy hands them over as one batch, unstreamed.
    graph = build_graph(model=BatchingPolicy(policy))
    assert not [m for m, _ in _stream(graph) if isinstance(m, AIMessageChunk)]


def test_incremental_decoder_holds_back_unfinished_characters(policy: LocalPolicy) -> None:
    class Bytes:
        """Decodes ids as UTF-8 bytes, so one character can span several ids."""

        def decode(self, ids: list[int], skip_special_tokens: bool = True) -> str:
            return bytes(ids).decode("utf-8", errors="replace")

    pieces: list[str] = []
    decoder = IncrementalDecoder(Bytes(), pieces.append)
    for b in "añ€".encode():
        decoder.push([b])
    decoder.flush()
    assert pieces == ["a", "ñ", "€"]
