"""Per-user manifests: how many items a user's profile should hold, and whether its last write finished.

A manifest is one extra record per user in the profile collection itself, written in the same Chroma
upsert call as the user's items (so it costs no extra round trip): the first batch of a write carries
``writing`` with the item count the write will leave behind, the last batch carries ``complete`` with a
fresh ``version`` (a write of one batch carries ``complete`` directly). So:

- a write killed between batches (kill -9, power loss) leaves ``writing``: the profile is reported
  incomplete (:meth:`ProfileStore.profile_status`) and the next ingest of that user completes it;
- every finished write changes ``version``, which is how a process's cached copy of a user's vectors
  (:mod:`pr2_agent.store.exact`) notices that another process wrote the user.

Manifest records carry no ``user_id`` metadata, so no per-user read (all filtered on it) and no user
listing ever sees them; their id is a three-element JSON list, which no item's two-element
:func:`~pr2_agent.store.collection.record_id` can equal. Stores written before manifests existed have
none: their users read as ``unknown`` (never flagged incomplete) and are searched exactly all the same.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np

from pr2_agent.store.embedding import FloatArray

ManifestState = Literal["complete", "writing", "unknown"]

MANIFEST_KEY = "pr2:manifest_of"
"""Metadata key naming the user a manifest record describes (instead of ``user_id``)."""
_STATE_KEY = "pr2:state"
_EXPECTED_KEY = "pr2:expected"
_VERSION_KEY = "pr2:version"
MANIFEST_TEXT = "(pr2 manifest record)"


@dataclass(frozen=True)
class ManifestEntry:
    """What the manifest says about one user."""

    state: ManifestState
    expected: int | None
    """Items the profile holds once the last write finished (None: no manifest)."""
    version: str | None


UNKNOWN = ManifestEntry("unknown", None, None)


def manifest_id(user_id: str) -> str:
    """Chroma id of ``user_id``'s manifest record.

    Example:
        >>> manifest_id("u1")
        '["pr2","manifest","u1"]'
    """
    return json.dumps(["pr2", "manifest", user_id], ensure_ascii=False, separators=(",", ":"))


def manifest_record(user_id: str, state: ManifestState, expected: int, dim: int) -> tuple[str, FloatArray, dict]:
    """``(id, embedding, metadata)`` of a manifest record to add to a write batch.

    The embedding is a fixed unit vector: Chroma stores one per record, and manifests are only read by id.
    """
    vector = np.zeros(dim, dtype=np.float32)
    vector[0] = 1.0
    meta = {MANIFEST_KEY: user_id, _STATE_KEY: state, _EXPECTED_KEY: expected, _VERSION_KEY: uuid.uuid4().hex}
    return manifest_id(user_id), vector, meta


def read_manifest(found: dict[str, Any]) -> ManifestEntry:
    """Parse the result of ``collection.get(ids=[manifest_id(user)], include=["metadatas"])``."""
    metas = found.get("metadatas") or []
    if not found.get("ids") or not metas or not metas[0]:
        return UNKNOWN
    meta = metas[0]
    state = str(meta.get(_STATE_KEY, "unknown"))
    expected = meta.get(_EXPECTED_KEY)
    version = meta.get(_VERSION_KEY)
    return ManifestEntry(
        state=cast(ManifestState, state if state in ("complete", "writing") else "unknown"),
        expected=int(expected) if isinstance(expected, int | float) and not isinstance(expected, bool) else None,
        version=str(version) if version is not None else None,
    )
