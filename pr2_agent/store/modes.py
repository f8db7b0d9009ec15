"""How a profile can be searched, and how many items a search returns by default."""

from __future__ import annotations

from typing import Literal

RetrievalMode = Literal["dense", "bm25"]
RETRIEVAL_MODES: tuple[RetrievalMode, ...] = ("dense", "bm25")
"""``dense``: cosine similarity of embeddings; ``bm25``: BM25 over the user's item texts."""

DEFAULT_K = 5
