"""Keep user text from becoming control tokens: special-token strings in it are broken before encoding.

A tokenizer maps the literal text ``<|im_start|>`` in its input to the control id of a new chat turn, so a
profile item or a question containing it could fake a system or assistant turn (issue 16 item 2: 54 of 666
injection runs each). Every text that comes from outside the model passes a :class:`SpecialTokenGuard`
before it is tokenized or sent:

- local backends (transformers, llama.cpp) guard with **every special token of the active tokenizer**
  (:func:`tokenizer_special_tokens`), in :class:`~pr2_agent.policy.encoding.RequestEncoder`;
- chat endpoints hide their tokenizer, so :data:`CHAT_MARKERS` covers the chat-template markers of the
  common model families (ChatML/Qwen/SmolLM, Llama 3, Phi, Gemma, Mistral, DeepSeek) and any ``<|...|>``.

A token is broken by swapping a leading ``<`` for the look-alike ``‹`` (what ``parsing.neutralize`` does for
protocol tags), or otherwise by a word joiner (U+2060) after its first character: the text still reads the
same to the model, but no longer matches the token. Protocol tags are not special tokens, so the
``<search>`` / ``<information>`` tags the graph itself writes keep working.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

WORD_JOINER = "\u2060"
_LOOKALIKE = {"<": "‹", "[": "⁅"}

CHAT_MARKERS: tuple[str, ...] = (
    "<s>",
    "</s>",
    "<bos>",
    "<eos>",
    "<start_of_turn>",
    "<end_of_turn>",
    "[INST]",
    "[/INST]",
    "[SYSTEM_PROMPT]",
    "[/SYSTEM_PROMPT]",
)
"""Chat-template markers of common model families that do not have the ``<|...|>`` shape."""
_PIPE_MARKER = r"<\s*[|｜][^<>\n]{1,64}?[|｜]\s*>"
"""``<|im_start|>``, ``<|eot_id|>``, ``<｜Assistant｜>`` (DeepSeek's full-width bars) and the like."""


def break_token(token: str) -> str:
    """Return ``token`` changed just enough that no tokenizer reads it as the token.

    Example:
        >>> break_token("<|im_end|>")
        '‹|im_end|>'
        >>> break_token("[INST]")
        '⁅INST]'
    """
    first = token[0]
    if first in _LOOKALIKE:
        return _LOOKALIKE[first] + token[1:]
    return first + WORD_JOINER + token[1:]


class SpecialTokenGuard:
    """Break every occurrence of a set of special-token strings (and ``<|...|>`` markers) in text."""

    def __init__(self, tokens: Iterable[str], *, pipe_markers: bool = True) -> None:
        """Guard against ``tokens`` (strings shorter than 2 characters cannot be broken and are skipped)."""
        self.tokens = tuple(sorted({t for t in tokens if len(t) >= 2}, key=lambda t: (-len(t), t)))
        parts = [re.escape(t) for t in self.tokens]
        if pipe_markers:
            parts.append(_PIPE_MARKER)
        self._pattern = re.compile("|".join(parts)) if parts else None

    def __call__(self, text: str) -> str:
        """Return ``text`` with every guarded token broken (unchanged when none occurs)."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: break_token(m.group(0)), text)


def tokenizer_special_tokens(tokenizer: Any) -> list[str]:
    """Every special token of a Hugging Face tokenizer: the named ones plus added tokens flagged special."""
    found = {str(t) for t in getattr(tokenizer, "all_special_tokens", []) or []}
    for added in (getattr(tokenizer, "added_tokens_decoder", None) or {}).values():
        if getattr(added, "special", False):
            found.add(str(added.content))
    return sorted(found)


def tokenizer_guard(tokenizer: Any) -> SpecialTokenGuard:
    """The guard for a local backend: its tokenizer's special tokens and the common chat markers."""
    return SpecialTokenGuard([*tokenizer_special_tokens(tokenizer), *CHAT_MARKERS])


CHAT_GUARD = SpecialTokenGuard(CHAT_MARKERS)
"""The guard for chat endpoints, whose tokenizer is not visible."""
