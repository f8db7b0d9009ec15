"""ChatModelPolicy: any LangChain chat model (OpenAI-compatible servers, hosted APIs) as a Policy.

A chat API sees the trajectory as a conversation: the prompt messages, then the completion so far
split into turns (what the model wrote -> assistant turns, what the environment inserted -> user
turns). It returns text only, so generations carry no token ids: such trajectories serve and
evaluate, but cannot be trained on.

Stop strings follow this package's contract (generation stops *after* the stop string, which is
kept). OpenAI-style APIs instead drop the matched stop string and report ``finish_reason="stop"``
for a natural end too; ``_finish`` restores the stop string when the text shows which one it was
(an open ``<search>`` whose ``</search>`` is a stop string), and cuts the text itself when a server
ignores stop strings altogether.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pr2_agent import prompts
from pr2_agent.policy.base import FinishReason, Generation, GenerationRequest
from pr2_agent.policy.special_tokens import CHAT_GUARD

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage
    from langchain_openai import ChatOpenAI

_CLOSE_TAG = re.compile(r"^</([A-Za-z_][\w-]*)>$")


class BackendUnavailableError(RuntimeError):
    """The model endpoint could not be reached or refused the request (connection, auth, wrong URL)."""


class ChatModelPolicy:
    """Wrap a LangChain ``BaseChatModel`` as a ``Policy`` (text only: no token ids).

    Args:
        chat_model: Any LangChain chat model. Temperature, top_p and max tokens are passed per call
            when the model class declares fields of those names (ChatOpenAI does); otherwise the
            model's own settings apply.
        name: Shown in logs and exported trajectories; defaults to the model's name.
    """

    def __init__(self, chat_model: BaseChatModel, name: str | None = None) -> None:
        """Wrap ``chat_model``."""
        self.chat_model = chat_model
        self.name = name or str(
            getattr(chat_model, "model_name", None)
            or getattr(chat_model, "model", None)
            or type(chat_model).__name__
        )
        fields = getattr(type(chat_model), "model_fields", {})
        self._sampling_fields = {f for f in ("temperature", "top_p", "max_tokens") if f in fields}
        self._limit_in_body = _sends_only_max_completion_tokens(chat_model)

    def encode(self, text: str) -> list[int] | None:
        """Return None: chat APIs expose no tokenizer."""
        return None

    def render(self, request: GenerationRequest) -> list[BaseMessage]:
        """Return the chat messages for a request: the prompt, then segments as alternating turns.

        Model segments become assistant turns and environment segments user turns; adjacent text of
        the same side (including an environment segment right after the user prompt) is merged, so
        roles alternate as chat templates expect.
        """
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        roles: dict[str, type[BaseMessage]] = {
            "system": SystemMessage,
            "user": HumanMessage,
            "human": HumanMessage,
            "assistant": AIMessage,
        }
        # [message class, text, whether segment text went into it]
        turns: list[tuple[type[BaseMessage], str, bool]] = []
        for i, message in enumerate(request.messages):
            role = message.get("role")
            cls = roles.get(str(role))
            if cls is None:
                raise ValueError(
                    f"messages[{i}] has role {role!r}; expected one of {sorted(roles)} "
                    "(OpenAI-style chat roles)."
                )
            # Outside text: chat-template markers in it are broken (policy/special_tokens.py).
            turns.append((cls, CHAT_GUARD(message.get("content", "")), False))
        for seg in request.segments:
            cls = AIMessage if seg["kind"] == "model" else HumanMessage
            text = seg["text"] if seg["kind"] == "model" else CHAT_GUARD(seg["text"])
            if turns and turns[-1][0] is cls:
                turns[-1] = (cls, turns[-1][1] + text, True)
            else:
                turns.append((cls, text, True))
        messages: list[BaseMessage] = []
        for cls, text, from_segments in turns:
            # Segment text carries the blank lines that separate it from its neighbours in the
            # transcript; as separate turns they mean nothing. Prompt messages stay verbatim.
            if from_segments:
                text = text.strip()
                if not text:
                    continue
            messages.append(cls(content=text))
        return messages

    def generate(self, request: GenerationRequest) -> Generation:
        """Invoke the chat model once."""
        return self.generate_batch([request])[0]

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Invoke the chat model for every request (``chat_model.batch`` per group of equal settings)."""
        groups: dict[tuple[tuple[str, ...], tuple[tuple[str, Any], ...]], list[int]] = {}
        for i, r in enumerate(requests):
            groups.setdefault((tuple(r.stop), tuple(sorted(self._call_kwargs(r).items()))), []).append(i)
        results: list[Generation | None] = [None] * len(requests)
        for (stop, kwargs), rows in groups.items():
            inputs = [self.render(requests[i]) for i in rows]
            call = dict(kwargs)
            if self._limit_in_body and "max_tokens" in call:
                # A plain ChatOpenAI sends the limit only as max_completion_tokens, which llama.cpp's server
                # ignores (a 48-token turn ran ~140 tokens): send max_tokens too, which every server reads.
                extra = dict(getattr(self.chat_model, "extra_body", None) or {})
                call["extra_body"] = {**extra, "max_tokens": call["max_tokens"]}
            try:
                replies = self.chat_model.batch(inputs, stop=list(stop) or None, **call)  # type: ignore[arg-type]
            except Exception as err:
                raise _translate(err, self.chat_model) from err
            for i, reply in zip(rows, replies, strict=True):
                content = reply.content if isinstance(reply.content, str) else str(reply.text)
                api_reason = (getattr(reply, "response_metadata", None) or {}).get("finish_reason")
                text, reason = _finish(content, stop, api_reason)
                results[i] = Generation(text=text, token_ids=None, prompt_ids=None, finish_reason=reason)
        return [g for g in results if g is not None]

    def _call_kwargs(self, r: GenerationRequest) -> dict[str, Any]:
        wanted = {
            "temperature": float(r.temperature),
            "top_p": float(r.top_p),
            "max_tokens": int(r.max_new_tokens),
        }
        return {k: v for k, v in wanted.items() if k in self._sampling_fields}


def openai_chat_model(
    model: str,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout: float = 60,
    max_retries: int = 1,
) -> ChatOpenAI:
    """Build a ``ChatOpenAI`` for an OpenAI-compatible endpoint (vLLM, llama.cpp server, OpenAI).

    With a ``base_url`` (a self-hosted server) the token limit is sent as ``max_tokens``, the
    field such servers read; without one, requests go to OpenAI exactly as ChatOpenAI sends them.

    Args:
        model: Model name as the server knows it.
        base_url: Endpoint root including ``/v1`` (e.g. ``http://127.0.0.1:8000/v1``); None = OpenAI's
            default (or ``OPENAI_BASE_URL``).
        api_key: Key; else ``OPENAI_API_KEY``; else ``"EMPTY"``, which local servers accept.
        timeout: Seconds per request.
        max_retries: Retries of failed requests (the openai client backs off between them).
    """
    from langchain_openai import ChatOpenAI

    key = api_key or os.environ.get("OPENAI_API_KEY") or "EMPTY"
    cls = ChatOpenAI if base_url is None else _served_chat_openai()
    # Chat Completions, not the Responses API: the OpenAI-compatible servers only implement the former.
    return cls(
        model=model,
        base_url=base_url,
        api_key=key,  # type: ignore[arg-type]
        timeout=timeout,
        max_retries=max_retries,
        use_responses_api=False,
    )


@functools.cache
def _served_chat_openai() -> type[ChatOpenAI]:
    """Return a ChatOpenAI subclass for self-hosted OpenAI-compatible servers.

    ChatOpenAI always sends the token limit as ``max_completion_tokens`` (OpenAI's newer name).
    llama.cpp's server ignores that field and would generate until its context is full; every
    OpenAI-compatible server (llama.cpp, vLLM, Ollama, TGI) understands the original ``max_tokens``.
    """
    from langchain_openai import ChatOpenAI

    class ServedChatOpenAI(ChatOpenAI):
        """ChatOpenAI that sends ``max_tokens`` instead of ``max_completion_tokens``."""

        def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict:
            payload = super()._get_request_payload(input_, stop=stop, **kwargs)
            if "max_completion_tokens" in payload:
                payload["max_tokens"] = payload.pop("max_completion_tokens")
            return payload

    return ServedChatOpenAI


def _sends_only_max_completion_tokens(chat_model: Any) -> bool:
    """Whether ``chat_model`` is a plain ChatOpenAI aimed at a self-hosted server (see ``_served_chat_openai``)."""
    if not type(chat_model).__module__.startswith("langchain_openai"):
        return False  # (and langchain_openai is not imported for other models)
    from langchain_openai import ChatOpenAI

    if not isinstance(chat_model, ChatOpenAI) or isinstance(chat_model, _served_chat_openai()):
        return False
    base = getattr(chat_model, "openai_api_base", None) or os.environ.get("OPENAI_BASE_URL")
    return bool(base) and urlsplit(str(base)).hostname != "api.openai.com"


def _finish(text: str, stop: tuple[str, ...], api_reason: str | None) -> tuple[str, FinishReason]:
    """Apply the stop-string contract to a chat reply; return (text, finish_reason)."""
    ends = [text.find(s) + len(s) for s in stop if s in text]
    if ends:  # the server ignored the stop strings (or returned them): cut after the first
        return text[: min(ends)], "stop"
    if api_reason == "length":
        return text, "length"
    if api_reason == "stop":
        restored = _dropped_stop(text, stop)
        if restored is not None:
            return text + restored, "stop"
    return text, "eos"


def _dropped_stop(text: str, stop: tuple[str, ...]) -> str | None:
    """Return the closing-tag stop string the server most likely dropped, or None if unclear.

    A stop string ``</x>`` was the one matched when ``<x>`` is open at the end of the text; with
    several open, the innermost (latest) wins.
    """
    best: tuple[int, str] | None = None
    for s in stop:
        m = _CLOSE_TAG.match(s)
        if m is None:
            continue
        opened = text.rfind(prompts.open_tag(m.group(1)))
        if opened >= 0 and s not in text[opened:] and (best is None or opened > best[0]):
            best = (opened, s)
    return None if best is None else best[1]


def _translate(err: Exception, chat_model: Any) -> Exception:
    """Turn an endpoint failure into a one-line BackendUnavailableError saying what failed and what to check.

    Connection, timeout, auth, 404, 4xx/5xx replies and replies that are not an OpenAI chat completion
    (wrong shape, truncated JSON, an HTML error page) are translated; anything else is returned as is.
    """
    from langchain_core.exceptions import (
        ModelAuthenticationError,
        ModelConnectionError,
        ModelError,
        ModelNotFoundError,
        ModelPermissionDeniedError,
        ModelTimeoutError,
    )

    url = (
        getattr(chat_model, "openai_api_base", None)
        or os.environ.get("OPENAI_BASE_URL")
        or "the default endpoint"
    )
    model = getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None) or "?"
    detail = _one_line(err)
    if isinstance(err, ModelTimeoutError) or type(err).__name__ in ("APITimeoutError", "OpenAITimeoutError"):
        timeout = getattr(chat_model, "request_timeout", None)
        return BackendUnavailableError(
            f"The chat model endpoint at {url} did not answer within {timeout} s ({detail}). Check that the "
            "server is not stuck or overloaded, or allow more time (--timeout SECONDS; "
            "openai_chat_model(timeout=...))."
        )
    if isinstance(err, ModelConnectionError) or _is_openai_connection_error(err):
        return BackendUnavailableError(
            f"Cannot reach the chat model endpoint at {url} ({type(err).__name__}: {detail}). Check that the "
            f"server is running and listening there (`curl {url}/models` should answer), that base_url "
            "includes the /v1 suffix, and that no proxy (HTTP_PROXY/NO_PROXY) intercepts the address."
        )
    if isinstance(err, ModelAuthenticationError | ModelPermissionDeniedError):
        return BackendUnavailableError(
            f"The endpoint at {url} rejected the API key ({detail}). Pass api_key=... or set OPENAI_API_KEY; "
            "local servers (llama.cpp, vLLM) usually accept any key."
        )
    if isinstance(err, ModelNotFoundError):
        return BackendUnavailableError(
            f"The endpoint at {url} answered 404 for model {model!r} ({detail}). Check that base_url ends "
            f"with /v1 and that the server serves this model (`curl {url}/models` lists the names)."
        )
    status = getattr(err, "status_code", None)
    if isinstance(status, int) or isinstance(err, ModelError):
        where = f"HTTP {status}" if isinstance(status, int) else type(err).__name__
        fix = (
            "The server failed: check its log (out of memory, crashed worker) and retry."
            if not isinstance(status, int) or status >= 500 or status == 429
            else "Check the request settings (model name, max tokens, context length) against what it serves."
        )
        return BackendUnavailableError(
            f"The chat model endpoint at {url} answered {where} for model {model!r} ({detail}). {fix}"
        )
    if isinstance(
        err, json.JSONDecodeError | TypeError | ValueError | KeyError | IndexError | RecursionError
    ) and not isinstance(err, UnicodeError):
        return BackendUnavailableError(
            f"The endpoint at {url} answered with something that is not an OpenAI chat completion "
            f"({type(err).__name__}: {detail}). Check that base_url points at an OpenAI-compatible server's /v1 "
            "(not a proxy or web page), and look at its log."
        )
    return err


def _one_line(err: BaseException, limit: int = 200) -> str:
    """The error's message on one line, cut to ``limit`` characters."""
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_openai_connection_error(err: Exception) -> bool:
    try:
        import openai
    except ImportError:  # pragma: no cover - openai is a dependency
        return False
    return isinstance(err, openai.APIConnectionError)
