"""Per-user manifests: how many items a user's profile should hold, and whether its last write finished.

Each profile collection has a sidecar collection (``<name>.manifest``) with one record per user. A write
first marks the user ``writing`` with the item count it will leave behind, then writes its batches, then
marks it ``complete`` with a fresh ``version``. So:

- a write killed mid-way (kill -9, power loss) leaves ``writing``: the profile is reported incomplete
  (:meth:`ProfileStore.profile_status`) and the next ingest of that user completes it;
- every finished write changes ``version``, which is how a process's cached copy of a user's vectors
  (:mod:`pr2_agent.store.exact`) notices another process wrote the user.

Stores written before manifests existed have none: their users read as ``unknown`` (never flagged
incomplete) and are searched exactly all the same.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast

from chromadb.api.models.Collection import Collection

from pr2_agent.store.connection import Connection, backend_errors

ManifestState = Literal["complete", "writing", "unknown"]

MANIFEST_SUFFIX = ".manifest"
_STATE_KEY = "state"
_EXPECTED_KEY = "expected"
_VERSION_KEY = "version"
_USER_KEY = "user_id"
_KIND_KEY = "pr2:manifest"
# Chroma requires an embedding per record; manifests are only ever read by id.
_PLACEHOLDER: list[float] = [1.0]


@dataclass(frozen=True)
class ManifestEntry:
    """What the manifest says about one user."""

    state: ManifestState
    expected: int | None
    """Items the profile holds once the last write finished (None: no manifest)."""
    version: str | None


UNKNOWN = ManifestEntry("unknown", None, None)


def manifest_collection_name(collection: str) -> str:
    """Name of the sidecar collection of ``collection``."""
    return f"{collection}{MANIFEST_SUFFIX}"


class Manifests:
    """Read and write the manifest records of one profile collection."""

    def __init__(self, connection: Connection, collection: str) -> None:
        """Open (or create) the sidecar collection of ``collection``."""
        self._connection = connection
        name = manifest_collection_name(collection)
        with backend_errors(f"open manifest collection {name!r}", connection):
            self._collection: Collection = connection.client.get_or_create_collection(
                name, metadata={_KIND_KEY: 1}, embedding_function=None
            )

    def get(self, user_id: str) -> ManifestEntry:
        """Return ``user_id``'s manifest, or :data:`UNKNOWN` if it has none."""
        with backend_errors(f"read the manifest of user {user_id!r}", self._connection):
            found = self._collection.get(ids=[_id(user_id)], include=["metadatas"])
        metas = found["metadatas"] or []
        if not found["ids"] or not metas or not metas[0]:
            return UNKNOWN
        meta = metas[0]
        state = str(meta.get(_STATE_KEY, "unknown"))
        expected = meta.get(_EXPECTED_KEY)
        return ManifestEntry(
            state=cast(ManifestState, state if state in ("complete", "writing") else "unknown"),
            expected=int(cast(int, expected)) if isinstance(expected, int | float) else None,
            version=str(meta[_VERSION_KEY]) if meta.get(_VERSION_KEY) is not None else None,
        )

    def begin(self, user_id: str, expected: int) -> None:
        """Mark ``user_id`` as being written, to hold ``expected`` items when done."""
        self._put(user_id, "writing", expected)

    def complete(self, user_id: str, expected: int) -> None:
        """Mark ``user_id``'s write as finished with ``expected`` items and a new version."""
        self._put(user_id, "complete", expected)

    def delete(self, user_id: str) -> None:
        """Forget ``user_id`` (after its profile was deleted)."""
        with backend_errors(f"delete the manifest of user {user_id!r}", self._connection):
            self._collection.delete(ids=[_id(user_id)])

    def _put(self, user_id: str, state: ManifestState, expected: int) -> None:
        meta = {_STATE_KEY: state, _EXPECTED_KEY: expected, _VERSION_KEY: uuid.uuid4().hex, _USER_KEY: user_id}
        with backend_errors(f"write the manifest of user {user_id!r}", self._connection):
            self._collection.upsert(
                ids=[_id(user_id)], embeddings=[cast(Sequence[float], _PLACEHOLDER)], metadatas=[meta]
            )


def _id(user_id: str) -> str:
    return json.dumps([user_id], ensure_ascii=False, separators=(",", ":"))
