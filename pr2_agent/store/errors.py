"""Errors raised by the profile store.

Each message says what was wrong, why it matters and how to fix it, so a CLI can print it as is.
"""

from __future__ import annotations


class ProfileDataError(ValueError):
    """Profile items (a file or a list passed to ``upsert``) are malformed.

    Raised before anything is written, so stored data is never touched by bad input.

    Attributes:
        source: The file path or a description of where the items came from.
        index: Position of the offending item in the list, or None for file-level problems.
        field: Name of the offending field (``id``, ``text``, ``metadata``...), or None.
    """

    def __init__(self, message: str, *, source: str, index: int | None = None, field: str | None = None):
        super().__init__(message)
        self.source = source
        self.index = index
        self.field = field


class ProfileStoreError(RuntimeError):
    """The vector backend (Chroma) failed or is unreachable; the message carries a hint to fix it."""


class EmbeddingMismatchError(ProfileStoreError):
    """A collection was built with a different embedder than the one configured now.

    Vectors from two embedders live in unrelated spaces, so mixing them would silently return
    nonsense rankings; refusing to open is the only safe behaviour.
    """
