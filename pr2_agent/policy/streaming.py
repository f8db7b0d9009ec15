"""Token streaming for local backends: their tokens reach LangGraph's ``stream_mode="messages"``.

A LangChain chat model streams by reporting each chunk to the callbacks of the run it is called
from (``on_llm_new_token``); LangGraph's ``messages`` stream mode is such a callback handler. Local
backends (transformers, llama.cpp) are not LangChain models, so :func:`token_stream` does the same
reporting for them: inside a graph node it opens a chat-model run under the node's callbacks and
turns every decoded piece of text into an ``AIMessageChunk``. Outside a run, or when no handler
asked for tokens, it does nothing and costs nothing.

Only single-sequence generation streams: a batch of rows (training, evaluation) has no one run to
report to.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

TokenSink = Callable[[str], None]
"""Receives each new piece of generated text, in order."""


@contextlib.contextmanager
def token_stream(model_name: str, messages: list[dict[str, str]]) -> Iterator[TokenSink | None]:
    """Report one generation to the current LangChain run's streaming callbacks.

    Yields a sink for the generated text pieces, or None when nobody listens for tokens (then the
    caller should not spend time decoding them). On exit the run ends with the concatenated text, or
    with the error that escaped the block.
    """
    run = _streaming_run(model_name, messages)
    if run is None:
        yield None
        return
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, LLMResult

    # One message id for every chunk and the final message, so LangGraph shows one streamed message.
    message_id = f"lc_run--{run.run_id}"
    pieces: list[str] = []

    def sink(text: str) -> None:
        if text:
            pieces.append(text)
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=text, id=message_id))
            run.on_llm_new_token(text, chunk=chunk)

    try:
        yield sink
    except BaseException as err:
        run.on_llm_error(err)
        raise
    message = AIMessage(content="".join(pieces), id=message_id)
    run.on_llm_end(LLMResult(generations=[[ChatGeneration(message=message)]]))


def _streaming_run(model_name: str, messages: list[dict[str, str]]) -> Any | None:
    """Open a chat-model run under the current runnable config if a handler streams tokens, else None."""
    try:
        from langchain_core.callbacks import CallbackManager
        from langchain_core.messages import convert_to_messages
        from langchain_core.runnables.config import var_child_runnable_config
        from langchain_core.tracers._streaming import _StreamingCallbackHandler
    except ImportError:  # pragma: no cover - langchain-core is a dependency; older releases lack the hook
        return None
    config = var_child_runnable_config.get()
    if not config or not config.get("callbacks"):
        return None
    manager = CallbackManager.configure(
        inheritable_callbacks=config.get("callbacks"),
        inheritable_tags=config.get("tags"),
        inheritable_metadata=config.get("metadata"),
    )
    # The same test LangChain's chat models use to decide whether to stream.
    if not any(isinstance(h, _StreamingCallbackHandler) for h in manager.handlers):
        return None
    (run,) = manager.on_chat_model_start(
        {"name": model_name},
        [convert_to_messages(messages)],
        run_id=uuid.uuid4(),
        name=model_name,
        invocation_params={"model": model_name},
    )
    return run


class IncrementalDecoder:
    """Turn a growing list of token ids into the text each new id adds.

    Decoding token by token breaks multi-byte characters and spacing rules, so the whole sequence is
    decoded each time and only the new suffix is released; an unfinished character (a trailing
    U+FFFD) is held back until its bytes are complete. The pieces concatenate to exactly
    ``tokenizer.decode(ids, skip_special_tokens=True)``.
    """

    def __init__(self, tokenizer: Any, sink: TokenSink) -> None:
        """Decode with ``tokenizer`` and send each new piece to ``sink``."""
        self._tokenizer = tokenizer
        self._sink = sink
        self._ids: list[int] = []
        self._sent = 0

    def push(self, token_ids: list[int]) -> None:
        """Add generated ids; send the text that is now final."""
        self._ids.extend(token_ids)
        text = str(self._tokenizer.decode(self._ids, skip_special_tokens=True))
        if text.endswith("\ufffd"):
            return
        self._send(text)

    def flush(self) -> None:
        """Send whatever is left (at the end of generation)."""
        self._send(str(self._tokenizer.decode(self._ids, skip_special_tokens=True)))

    def _send(self, text: str) -> None:
        if len(text) > self._sent:
            self._sink(text[self._sent :])
            self._sent = len(text)
