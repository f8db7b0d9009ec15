"""How profile records are laid out in one Chroma collection, and opening that collection safely.

Layout: one record per (user, item). Its Chroma id is :func:`record_id`, its metadata is the item's own
metadata plus ``user_id`` and ``item_id``, and the collection's metadata records which embedder built
the vectors (name and dimension) so a store opened with another embedder is refused.
"""

from __future__ import annotations

import json
import logging
from typing import Any, cast

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Where
from chromadb.errors import ChromaError, NotFoundError

from pr2_agent.store.connection import Connection, backend_errors
from pr2_agent.store.embedding import Embedder
from pr2_agent.store.errors import EmbeddingMismatchError, ProfileStoreError
from pr2_agent.store.items import MetadataValue

logger = logging.getLogger(__name__)

USER_KEY = "user_id"
ITEM_KEY = "item_id"
EMBEDDING_KEY = "pr2:embedding"
DIM_KEY = "pr2:dim"


def record_id(user_id: str, item_id: str) -> str:
    """Chroma id of one user's item; a JSON pair, so distinct (user, item) pairs never collide.

    Example:
        >>> record_id("u1", "p1")
        '["u1","p1"]'
    """
    return json.dumps([user_id, item_id], ensure_ascii=False, separators=(",", ":"))


def user_scope(user_id: str) -> Where:
    """The one filter every per-user read uses."""
    return {USER_KEY: user_id}


def is_owned_by(user_id: str, rid: str, meta: Any) -> bool:
    """Check a record returned for ``user_id`` really belongs to it; log loudly if not."""
    if meta and meta.get(USER_KEY) == user_id and ITEM_KEY in meta:
        return True
    logger.error(
        "Dropped record %r from the results for user %r: it is not owned by that user. The backend "
        "ignored the user filter; please report this.",
        rid,
        user_id,
    )
    return False


def own_metadata(meta: Any) -> dict[str, MetadataValue]:
    """The item's own metadata, without the store's bookkeeping keys."""
    return {key: value for key, value in meta.items() if key not in (USER_KEY, ITEM_KEY)}


def open_collection(connection: Connection, name: str, embedder: Embedder) -> Collection:
    """Get or create the profile collection and check it was built with ``embedder``.

    Raises:
        EmbeddingMismatchError: The collection records another embedding name or dimension.
        ProfileStoreError: Chroma failed, or the collection was not created by pr2-agent.
    """
    client = connection.client
    with backend_errors(f"open collection {name!r}", connection):
        try:
            collection = client.get_collection(name, embedding_function=None)
        except NotFoundError:
            collection = _create_collection(client, name, embedder)
    _check_embedding(collection, embedder, connection.location)
    return collection


def _create_collection(client: ClientAPI, name: str, embedder: Embedder) -> Collection:
    try:
        return client.create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={EMBEDDING_KEY: embedder.name, DIM_KEY: embedder.dim},
            embedding_function=None,
        )
    except ChromaError:
        # Another process may have created it between our lookup and create; use theirs if so.
        try:
            return client.get_collection(name, embedding_function=None)
        except ChromaError:
            pass
        raise


def _check_embedding(collection: Collection, embedder: Embedder, location: str) -> None:
    meta = collection.metadata or {}
    if EMBEDDING_KEY not in meta or DIM_KEY not in meta:
        raise ProfileStoreError(
            f"Collection {collection.name!r} in the {location} was not created by pr2-agent "
            "(it records no embedding), so its vectors cannot be trusted. Use another collection "
            "name (--collection) or another store (--store)."
        )
    recorded = (str(meta[EMBEDDING_KEY]), int(cast(int, meta[DIM_KEY])))
    configured = (embedder.name, embedder.dim)
    if recorded != configured:
        raise EmbeddingMismatchError(
            f"Collection {collection.name!r} in the {location} was built with embedding "
            f"{recorded[0]!r} (dim {recorded[1]}), but this store is configured with {configured[0]!r} "
            f"(dim {configured[1]}). Vectors from different embedders cannot be compared. Open it with "
            f"the same embedding (--embedding {recorded[0]}), or ingest into a new store "
            "(--store DIR or --collection NAME) to use the new embedding."
        )
