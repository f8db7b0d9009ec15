"""Profile ingestion shared by evaluation and training: each example's profile, stored once per user.

A user whose stored profile is complete and holds the profile's number of items is skipped (a second
run costs two small reads per user); a user whose last ingest was interrupted (the store's manifest says
so) is resumed: only the items not yet stored are written, so nothing is embedded twice or duplicated; a
user with a different count from an earlier, different ingest is replaced. Texts longer than the store
accepts are cut to its limit (the embedder reads only their beginning anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tqdm.auto import tqdm

from pr2_agent.tasks import Example

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from pr2_agent.store import ProfileItem, ProfileStatus, ProfileStore, RetrievalMode

logger = logging.getLogger(__name__)


class ProfileWriter(Protocol):
    """The part of ``ProfileStore`` ingestion needs."""

    max_item_chars: int

    def count(self, user_id: str) -> int: ...  # noqa: D102

    def delete_user(self, user_id: str) -> int: ...  # noqa: D102

    def profile_status(self, user_id: str) -> ProfileStatus: ...  # noqa: D102

    def item_ids(self, user_id: str) -> set[str]: ...  # noqa: D102

    def upsert(self, user_id: str, items: Sequence[ProfileItem], *, progress: bool = False) -> int: ...  # noqa: D102


def ensure_profiles(store: ProfileWriter, examples: Iterable[Example], *, progress: bool = True) -> dict[str, int]:
    """Put each example's profile into the store under its ``user_id``, once per user.

    Returns:
        ``{"ingested": users written, "resumed": users whose interrupted ingest was completed,
        "skipped": users already present, "items": items written}``.
    """
    from pr2_agent.store import ProfileItem

    todo: dict[str, Example] = {}
    for example in examples:
        if example.profile:
            todo.setdefault(example.user_id, example)
    stats = {"ingested": 0, "resumed": 0, "skipped": 0, "items": 0}
    limit = store.max_item_chars
    cut = 0
    for user_id, example in tqdm(todo.items(), desc="profiles", unit="user", disable=not progress or not todo):
        status = store.profile_status(user_id)
        items = [ProfileItem(id=p.id, text=p.text[:limit]) for p in example.profile]
        if status.complete and status.stored == len(items):
            stats["skipped"] += 1
            continue
        cut += sum(len(p.text) > limit for p in example.profile)
        if not status.complete:
            present = store.item_ids(user_id)
            missing = [item for item in items if item.id not in present]
            logger.warning("%s Resuming: writing the %d missing items.", status.describe(), len(missing))
            stats["items"] += store.upsert(user_id, missing)
            stats["resumed"] += 1
            continue
        if status.stored:
            logger.warning(
                "user %r has %d stored items but the data has %d: re-ingesting", user_id, status.stored, len(items)
            )
            store.delete_user(user_id)
        stats["items"] += store.upsert(user_id, items)
        stats["ingested"] += 1
    if cut:
        logger.warning("%d profile items were longer than %d characters and were truncated", cut, limit)
    logger.info(
        "profiles: %(ingested)d users ingested, %(resumed)d resumed (%(items)d items), %(skipped)d already present",
        stats,
    )
    return stats


def open_store_with_profiles(
    examples: Sequence[Example],
    path: str | Path | None,
    *,
    url: str | None = None,
    collection: str | None = None,
    embedding: str = "minilm",
    retriever: RetrievalMode = "dense",
    client: ClientAPI | None = None,
    progress: bool = False,
) -> ProfileStore:
    """Open the profile store and make sure every example's user profile is in it.

    Args:
        examples: Each example's ``profile`` is stored under its ``user_id``.
        path: Store directory (ignored with ``url`` or ``client``).
        url: A ``chroma run`` server instead of a directory.
        collection: Chroma collection name (None: the default).
        embedding: ``minilm`` or ``hash``; must match how the collection was built.
        retriever: ``dense`` or ``bm25``.
        client: A ready Chroma client (tests pass ``chromadb.EphemeralClient()``).
        progress: Show a progress bar while ingesting.
    """
    from pr2_agent.store import DEFAULT_COLLECTION, open_profile_store

    store = open_profile_store(
        None if (url or client) else path,
        url=url,
        collection=collection or DEFAULT_COLLECTION,
        embedding=embedding,
        retriever=retriever,
        client=client,
    )
    empty = sorted({e.user_id for e in examples if not e.profile})
    if empty:
        logger.warning("%d user(s) have an empty profile (their searches find nothing): %s", len(empty), empty[:5])
    ensure_profiles(store, examples, progress=progress)
    return store
