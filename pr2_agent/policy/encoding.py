"""Token ids of a generation request: the chat-templated prompt plus every segment so far.

Local backends (the transformers ``LocalPolicy``, the trainer's ``VLLMPolicy``) must feed the model
exactly the ids the trajectory records: model turns as the ids that were sampled, inserted text
tokenized once without special tokens. This is the one place that rule lives.

Text from outside the model (prompt messages, inserted observations) passes the tokenizer's
:class:`~pr2_agent.policy.special_tokens.SpecialTokenGuard` first, so a ``<|im_start|>`` written in a
profile item or a question is read as text, never as a control token; the chat template's own
markers are added by the template after that.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from pr2_agent.policy.base import GenerationRequest
from pr2_agent.policy.special_tokens import tokenizer_guard
from pr2_agent.weights import end_of_turn_ids

PROMPT_CACHE_SIZE = 4096
"""Templated prompts kept (a GRPO step asks for the same few prompts many times)."""

_MessagesKey = tuple[tuple[tuple[str, str], ...], ...]


class RequestEncoder:
    """Turn requests into token ids with one tokenizer; thread-safe, with an LRU cache of prompts."""

    def __init__(self, tokenizer: Any, *, cache_size: int = PROMPT_CACHE_SIZE) -> None:
        self.tokenizer = tokenizer
        self.cache_size = cache_size
        self.guard = tokenizer_guard(tokenizer)
        self._lock = threading.Lock()
        self._prompt_cache: OrderedDict[_MessagesKey, list[int]] = OrderedDict()

    def encode(self, text: str) -> list[int]:
        """Tokenize inserted text exactly as it is fed back (no BOS/EOS added; special tokens in it broken)."""
        return list(self.tokenizer(self.guard(text), add_special_tokens=False).input_ids)

    def prompt_ids(self, messages: list[dict[str, str]]) -> list[int]:
        """Return the templated prompt ids for ``messages`` (with the assistant generation prompt)."""
        key = tuple(tuple(sorted(m.items())) for m in messages)
        with self._lock:
            cached = self._prompt_cache.get(key)
            if cached is not None:
                self._prompt_cache.move_to_end(key)
                return list(cached)
        guarded = [{**m, "content": self.guard(m["content"])} if "content" in m else m for m in messages]
        ids = self.tokenizer.apply_chat_template(guarded, add_generation_prompt=True, tokenize=True, return_dict=False)
        ids = [int(i) for i in ids]
        with self._lock:
            self._prompt_cache[key] = ids
            if len(self._prompt_cache) > self.cache_size:
                self._prompt_cache.popitem(last=False)
        return list(ids)

    def input_ids(self, request: GenerationRequest) -> tuple[list[int], list[int]]:
        """Return ``(prompt_ids, prompt_ids + ids of every segment so far)`` for a request."""
        prompt = self.prompt_ids(request.messages)
        ids = list(prompt)
        for seg in request.segments:
            seg_ids = seg["token_ids"]
            ids.extend(seg_ids if seg_ids is not None else self.encode(seg["text"]))
        return prompt, ids


class EncodesRequests:
    """Mixin giving a policy the ``encode`` / ``prompt_ids`` / ``input_ids`` of its ``_encoder``."""

    _encoder: RequestEncoder

    def encode(self, text: str) -> list[int]:
        """Tokenize inserted text exactly as it is fed back (no BOS/EOS added)."""
        return self._encoder.encode(text)

    def prompt_ids(self, messages: list[dict[str, str]]) -> list[int]:
        """Return the templated prompt ids for ``messages`` (with the assistant generation prompt)."""
        return self._encoder.prompt_ids(messages)

    def input_ids(self, request: GenerationRequest) -> tuple[list[int], list[int]]:
        """Return ``(prompt_ids, prompt_ids + ids of every segment so far)`` for a request."""
        return self._encoder.input_ids(request)


def eos_token_ids(model: Any, tokenizer: Any) -> list[int]:
    """Every id that ends a turn: the tokenizer's end-of-turn tokens plus the model's configured EOS."""
    ids = set(end_of_turn_ids(tokenizer))
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    if isinstance(configured, int):
        ids.add(configured)
    elif isinstance(configured, list):
        ids.update(int(i) for i in configured)
    if not ids:
        raise ValueError(
            "Neither the tokenizer nor the model's generation_config defines an EOS token, so generation "
            "could never end on its own. Set tokenizer.eos_token (e.g. '<|im_end|>' for ChatML models)."
        )
    return sorted(ids)
