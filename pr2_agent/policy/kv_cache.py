"""Per-trajectory key/value caches kept between turns of a local model.

A reasoning trajectory asks the model again after every search, and each request repeats the prompt
plus everything generated and inserted so far. Re-encoding that prefix dominated rollout time (94 of
124 s in ``generate`` were prefill). This cache keeps, for each token-id sequence the model has
already read, the keys and values of every layer, so the next turn feeds only the tokens that are new
(the inserted ``<information>`` and the tag after it), and the G rollouts of one question read their
shared prompt once.

Entries are invalidated when the weights change: a trainer updates parameters in place between
steps, which bumps each tensor's version counter, so a stale cache can never be read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

DEFAULT_MAX_TOKENS = 16_384
"""Tokens kept over all entries (SmolLM2-135M: 46 KB per token, about 750 MB)."""

LayerKV = tuple[torch.Tensor, torch.Tensor]
"""One layer's (keys, values), each ``[1, heads, tokens, head_dim]``."""


@dataclass(frozen=True)
class Hit:
    """What a lookup found: the first ``length`` tokens' keys and values (``layers`` is empty at 0)."""

    length: int
    layers: tuple[LayerKV, ...]


MISS = Hit(0, ())


def weights_signature(model: Any) -> tuple[int, int]:
    """A value that changes whenever any parameter is replaced or modified in place."""
    ptrs = 0
    versions = 0
    for p in model.parameters():
        ptrs = (ptrs * 1_000_003 + p.data_ptr()) % (2**61 - 1)
        versions += p._version
    return ptrs, versions


class PrefixKVCache:
    """Longest-prefix lookup of cached key/value states, bounded by a token budget (LRU).

    Args:
        max_tokens: Tokens kept over all entries; the least recently used entries go first.
    """

    def __init__(self, max_tokens: int = DEFAULT_MAX_TOKENS) -> None:
        """Create an empty cache."""
        if max_tokens < 0:
            raise ValueError(f"max_tokens must be >= 0 (0 disables the cache), got {max_tokens}.")
        self.max_tokens = max_tokens
        self._entries: OrderedDict[tuple[int, ...], tuple[LayerKV, ...]] = OrderedDict()
        self._tokens = 0
        self._signature: object = None
        self._lock = threading.Lock()
        self.hits = 0
        self.reused_tokens = 0

    @property
    def tokens(self) -> int:
        """Tokens currently held."""
        return self._tokens

    def __len__(self) -> int:
        """Number of entries."""
        return len(self._entries)

    def validate(self, signature: object) -> None:
        """Drop every entry if the weights changed since they were stored."""
        with self._lock:
            if signature != self._signature:
                self._entries.clear()
                self._tokens = 0
                self._signature = signature

    def lookup(self, ids: Sequence[int], *, limit: int) -> Hit:
        """Return the longest cached prefix of ``ids``, at most ``limit`` tokens long.

        ``limit`` is ``len(ids) - 1`` for a request: the last input token must still be fed so
        the model produces the next token's logits. A longer entry that shares a prefix is cut.
        """
        best_key: tuple[int, ...] | None = None
        best = 0
        with self._lock:
            for key in self._entries:
                n = _common_prefix(key, ids, min(len(key), limit))
                if n > best:
                    best, best_key = n, key
            if best_key is None:
                return MISS
            self._entries.move_to_end(best_key)
            layers = self._entries[best_key]
            self.hits += 1
            self.reused_tokens += best
        if best < len(best_key):
            layers = tuple((k[:, :, :best], v[:, :, :best]) for k, v in layers)
        return Hit(best, layers)

    def store(self, ids: Sequence[int], layers: Sequence[LayerKV]) -> None:
        """Keep the states of ``ids`` (one ``[1, heads, len(ids), head_dim]`` pair per layer).

        Entries that are strict prefixes of ``ids`` are dropped: the trajectory moved past them.
        """
        key = tuple(int(i) for i in ids)
        if not key or len(key) > self.max_tokens:
            return
        with self._lock:
            for old in [k for k in self._entries if len(k) < len(key) and key[: len(k)] == k]:
                self._drop(old)
            if key in self._entries:
                self._drop(key)
            self._entries[key] = tuple(layers)
            self._tokens += len(key)
            while self._tokens > self.max_tokens:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._tokens = 0

    def _drop(self, key: tuple[int, ...]) -> None:
        del self._entries[key]
        self._tokens -= len(key)


def _common_prefix(a: Sequence[int], b: Sequence[int], limit: int) -> int:
    n = min(limit, len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i
