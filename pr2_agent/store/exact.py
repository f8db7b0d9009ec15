"""Exact per-user search: one user's vectors held as a matrix, ranked by a numpy dot product.

Why not Chroma's own query: a ``where={"user_id": ...}`` filter over an approximate (HNSW) index shared
by every user loses items once many users share it (600 users x 6 items: 14 users got [] for a query
equal to one of their own items) and costs ~26 ms per call at 100k records. A user's profile is small
(tens to thousands of items), so scoring all of it is both exact and cheaper than the filtered query:
Chroma stays the persistent store, and each user's slice is read from it once (an exact metadata
read, not a vector query) and kept here until that user is written.

A :class:`SliceCache` bounds memory by the number of cached vectors (least recently used users go
first) and compares each slice's ``version`` with the user's manifest, so a slice written by another
process (a shared Chroma server) is never served stale.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from pr2_agent.store.embedding import FloatArray
from pr2_agent.store.items import MetadataValue

FULL_SORT_ROWS = 256
"""Up to this many rows :meth:`UserSlice.top_k` sorts all scores; above, it partitions first."""

DEFAULT_CACHE_ITEMS = 200_000
"""Vectors kept in memory across users (~300 MB of float32 at MiniLM's 384 dimensions)."""


@dataclass(frozen=True)
class Record:
    """One stored item of one user, as read back from Chroma."""

    item_id: str
    text: str
    metadata: dict[str, MetadataValue]


@dataclass
class UserSlice:
    """Everything stored for one user: records sorted by item id, and their unit vectors row by row."""

    records: list[Record]
    vectors: FloatArray
    version: str | None = None
    """The manifest version the slice was read at (None: the store keeps no manifest for this user)."""
    lexical: object | None = field(default=None, repr=False)
    """A BM25 index built on demand by the store (kept with the slice so both expire together)."""

    def __post_init__(self) -> None:
        if self.vectors.shape[0] != len(self.records):
            raise ValueError(f"{len(self.records)} records but {self.vectors.shape[0]} vectors.")

    def __len__(self) -> int:
        return len(self.records)

    def top_k(self, query: FloatArray, k: int) -> tuple[list[int], list[float]]:
        """Return the rows of the ``min(k, len)`` best rows, best first, and their dot products with ``query``.

        Ties keep row order (item id order), so results are deterministic. With unit rows and a unit
        query the dot product is the cosine similarity.
        """
        n = len(self.records)
        if n == 0:
            return [], []
        scores = self.vectors @ query
        if n <= FULL_SORT_ROWS or k >= n:
            # One stable sort: ties by row. For a profile of this size it beats a partition plus a
            # tie-breaking sort of the k survivors (this runs in every reasoning step of every rollout).
            rows = np.argsort(-scores, kind="stable")[:k]
        else:
            rows = np.argpartition(-scores, k - 1)[:k]
            # Best first; ties by row (item id order). lexsort sorts by its last key first.
            rows = rows[np.lexsort((rows, -scores[rows]))]
        return rows.tolist(), scores[rows].tolist()


def unit_vector(vector: FloatArray) -> FloatArray:
    """Scale one vector to unit length (a zero vector stays zero)."""
    norm = math.sqrt(float(vector @ vector))
    return vector / norm if norm > 0 else vector


def unit_rows(vectors: FloatArray) -> FloatArray:
    """Scale each row to unit length (zero rows stay zero), so a dot product is a cosine."""
    array = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)


class SliceCache:
    """Thread-safe LRU of user slices, bounded by the total number of cached vectors."""

    def __init__(self, max_items: int = DEFAULT_CACHE_ITEMS) -> None:
        self.max_items = max_items
        self._slices: OrderedDict[str, UserSlice] = OrderedDict()
        self._items = 0
        self._lock = threading.Lock()

    def get(self, user_id: str, version: str | None, load: Callable[[], UserSlice]) -> UserSlice:
        """Return the cached slice of ``user_id`` if it is at ``version``, else ``load()`` and cache it.

        A ``version`` of None means the writer keeps no manifest: then only this process's own writes
        (which call :meth:`forget`) can change the slice.
        """
        with self._lock:
            cached = self._slices.get(user_id)
            if cached is not None and cached.version == version:
                self._slices.move_to_end(user_id)
                return cached
        loaded = load()
        with self._lock:
            self._drop(user_id)
            if len(loaded) <= self.max_items:
                self._slices[user_id] = loaded
                self._items += len(loaded)
                while self._items > self.max_items:
                    oldest = next(iter(self._slices))
                    self._drop(oldest)
        return loaded

    def forget(self, user_id: str) -> None:
        """Drop ``user_id``'s slice (after a write or delete)."""
        with self._lock:
            self._drop(user_id)

    def __len__(self) -> int:
        with self._lock:
            return len(self._slices)

    def _drop(self, user_id: str) -> None:
        old = self._slices.pop(user_id, None)
        if old is not None:
            self._items -= len(old)
