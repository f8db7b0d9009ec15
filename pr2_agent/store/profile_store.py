"""ProfileStore: every user's profile in one Chroma collection, read strictly one user at a time.

Each record carries ``user_id`` metadata and a Chroma id built from ``(user_id, item_id)``, so two users
may use the same item ids. Every public read takes a ``user_id`` and every query the store sends is
filtered on it; there is no method that searches across users. Results are checked once more on the
way out (defense in depth): a hit owned by another user is dropped and logged.

Vectors are always computed here (``Embedder``) and handed to Chroma as ``embeddings=``; Chroma's own
default embedding function downloads a model and is never used.

Example:
    >>> store = open_profile_store(client=chromadb.EphemeralClient(), embedding="hash")  # doctest: +SKIP
    >>> store.upsert("u1", [ProfileItem("p1", "I am allergic to peanuts.")])  # doctest: +SKIP
    1
    >>> store.search("u1", "food allergy", k=3)[0].id  # doctest: +SKIP
    'p1'
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.types import GetResult, Include, Where
from tqdm.auto import tqdm

from pr2_agent.context import DEFAULT_COLLECTION
from pr2_agent.store.collection import (
    ITEM_KEY,
    USER_KEY,
    is_owned_by,
    open_collection,
    own_metadata,
    record_id,
    user_scope,
)
from pr2_agent.store.connection import Connection, backend_errors, connect
from pr2_agent.store.embedding import DEFAULT_EMBEDDING, Embedder, FloatArray, as_embedder
from pr2_agent.store.errors import ProfileStoreError
from pr2_agent.store.items import (
    MAX_ITEM_CHARS,
    MetadataValue,
    ProfileHit,
    ProfileItem,
    validate_items,
)
from pr2_agent.store.lexical import LexicalIndex
from pr2_agent.store.modes import DEFAULT_K, RETRIEVAL_MODES, RetrievalMode

if TYPE_CHECKING:
    from pr2_agent.store.retriever import ProfileRetriever

logger = logging.getLogger(__name__)


WRITE_BATCH_SIZE = 256
"""Records per Chroma write; Chroma's single-node guide recommends batches of 50-250."""
EMBED_CHUNK_SIZE = 1024
"""Texts per embedder call during ingest; only sets the progress bar's granularity."""
PAGE_SIZE = 5000
"""Records per Chroma read when listing a profile (keeps HTTP payloads bounded)."""
LEXICAL_CACHE_USERS = 256
"""BM25 views kept in memory (least recently used dropped first); datasets can have thousands of users."""


@dataclass(frozen=True)
class _Record:
    item_id: str
    text: str
    metadata: dict[str, MetadataValue]


class ProfileStore:
    """Per-user profile items over one Chroma collection (cosine space).

    Build it with :func:`open_profile_store`. Every read is scoped to exactly one ``user_id``.
    BM25 indexes are built per user on first use and cached (for the most recently used users) until
    that user is written or deleted; against a shared server (``url=``) nothing is cached, since other
    processes may write.
    """

    def __init__(
        self,
        connection: Connection,
        embedder: Embedder,
        *,
        collection: str = DEFAULT_COLLECTION,
        mode: RetrievalMode = "dense",
        max_item_chars: int = MAX_ITEM_CHARS,
    ):
        """Open (or create) ``collection`` and check it was built with the same embedder.

        Raises:
            EmbeddingMismatchError: The collection records another embedding name or dimension.
            ProfileStoreError: Chroma failed, or the collection was not created by pr2-agent.
            ValueError: Unknown ``mode``.
        """
        self.mode: RetrievalMode = _check_mode(mode)
        self.embedder = embedder
        self.max_item_chars = max_item_chars
        self._connection = connection
        self._collection = open_collection(connection, collection, embedder)
        self._lexical: OrderedDict[str, tuple[LexicalIndex, list[_Record]]] = OrderedDict()
        self._lexical_lock = threading.Lock()

    @property
    def collection_name(self) -> str:
        """Name of the Chroma collection."""
        return self._collection.name

    @property
    def location(self) -> str:
        """Where the data lives, for messages (a directory, a server URL or a given client)."""
        return self._connection.location

    def __repr__(self) -> str:
        return (
            f"ProfileStore(collection={self.collection_name!r}, location={self.location!r}, "
            f"embedding={self.embedder.name!r}, mode={self.mode!r})"
        )

    # ----------------------------------------------------------------------------------------- writes

    def upsert(self, user_id: str, items: Sequence[ProfileItem], *, progress: bool = False) -> int:
        """Insert or replace ``items`` in ``user_id``'s profile (idempotent by item id).

        All items are validated and embedded before the first write, so bad input or an embedder
        failure leaves the stored data untouched. Re-ingesting an id replaces its text, vector and
        metadata; items not in ``items`` are kept.

        Args:
            user_id: Owner of the items.
            items: The items; ids must be unique within the list.
            progress: Show tqdm progress bars (embedding, then writing).

        Returns:
            The number of items written.

        Raises:
            ProfileDataError: An item is malformed (nothing is written).
            ProfileStoreError: The embedder or Chroma failed.
        """
        user_id = _check_user_id(user_id)
        validate_items(items, max_chars=self.max_item_chars, source=f"upsert(user_id={user_id!r})")
        if not items:
            return 0
        vectors = self._embed_documents([item.text for item in items], progress=progress, user_id=user_id)
        try:
            with (
                backend_errors(f"write items of user {user_id!r}", self._connection),
                tqdm(total=len(items), desc=f"write {user_id}", unit="item", disable=not progress) as bar,
            ):
                for start in range(0, len(items), WRITE_BATCH_SIZE):
                    batch = items[start : start + WRITE_BATCH_SIZE]
                    ids = [record_id(user_id, item.id) for item in batch]
                    self._collection.upsert(
                        ids=ids,
                        embeddings=vectors[start : start + len(batch)],
                        documents=[item.text for item in batch],
                        metadatas=self._record_metadatas(user_id, batch, ids),
                    )
                    bar.update(len(batch))
        finally:
            self._forget_lexical(user_id)
        logger.info("upserted %d items for user %r into %s", len(items), user_id, self.location)
        return len(items)

    def delete_user(self, user_id: str) -> int:
        """Delete every item of ``user_id``; returns how many there were (0 for an unknown user)."""
        user_id = _check_user_id(user_id)
        existing = self.count(user_id)
        if existing:
            try:
                with backend_errors(f"delete user {user_id!r}", self._connection):
                    self._collection.delete(where=user_scope(user_id))
            finally:
                self._forget_lexical(user_id)
        return existing

    # ------------------------------------------------------------------------------------------ reads

    def search(
        self, user_id: str, query: str, k: int = DEFAULT_K, *, mode: RetrievalMode | None = None
    ) -> list[ProfileHit]:
        """Return up to ``k`` of ``user_id``'s items most relevant to ``query``, best first.

        Args:
            user_id: Whose profile to search; no other user's items can be returned.
            query: Non-blank search text.
            k: Maximum number of hits (>= 1).
            mode: Override the store's retrieval mode for this call.

        Returns:
            Hits with ``score`` = cosine similarity (dense) or BM25 score (bm25). Empty for a user
            with no items (see :meth:`has_user`).
        """
        user_id = _check_user_id(user_id)
        _check_query(query)
        _check_k(k)
        chosen = _check_mode(mode) if mode is not None else self.mode
        if chosen == "bm25":
            return self._search_lexical(user_id, query, k)
        return self._search_dense(user_id, query, k)

    def items(self, user_id: str) -> list[ProfileItem]:
        """Return all of ``user_id``'s items, sorted by id."""
        return [ProfileItem(r.item_id, r.text, r.metadata) for r in self._records(_check_user_id(user_id))]

    def count(self, user_id: str) -> int:
        """Return the number of items in ``user_id``'s profile."""
        user_id = _check_user_id(user_id)
        pages = self._pages(f"count items of user {user_id!r}", where=user_scope(user_id), include=[])
        return sum(len(page["ids"]) for page in pages)

    def has_user(self, user_id: str) -> bool:
        """Return whether ``user_id`` has at least one item."""
        user_id = _check_user_id(user_id)
        with backend_errors(f"look up user {user_id!r}", self._connection):
            found = self._collection.get(where=user_scope(user_id), limit=1, include=[])
        return bool(found["ids"])

    def users(self) -> list[str]:
        """Return the ids of all users with at least one item, sorted.

        This is the only read that spans users, and it returns user ids only, never items.
        """
        owners: set[str] = set()
        for page in self._pages("list users", where=None, include=["metadatas"]):
            metadatas = page["metadatas"] or []
            owners.update(str(meta[USER_KEY]) for meta in metadatas if meta and USER_KEY in meta)
        return sorted(owners)

    def as_retriever(
        self, user_id: str, *, k: int = DEFAULT_K, mode: RetrievalMode | None = None
    ) -> ProfileRetriever:
        """Return a LangChain retriever over ``user_id``'s profile only."""
        # Imported here because retriever.py refers to ProfileStore at runtime (pydantic field type).
        from pr2_agent.store.retriever import ProfileRetriever

        return ProfileRetriever(store=self, user_id=user_id, k=k, mode=mode)

    # ------------------------------------------------------------------------------------- internals

    def _search_dense(self, user_id: str, query: str, k: int) -> list[ProfileHit]:
        vector = self._checked_vectors(self.embedder.embed_query(query)[None, :], 1)
        with backend_errors(f"search the profile of user {user_id!r}", self._connection):
            result = self._collection.query(
                query_embeddings=vector,
                n_results=k,
                where=user_scope(user_id),
                include=["documents", "metadatas", "distances"],
            )
        ids = result["ids"][0]
        documents = (result["documents"] or [[]])[0]
        metadatas = (result["metadatas"] or [[]])[0]
        distances = (result["distances"] or [[]])[0]
        hits = []
        for rid, text, meta, distance in zip(ids, documents, metadatas, distances, strict=True):
            if is_owned_by(user_id, rid, meta):
                # Chroma's cosine distance is 1 - cosine similarity.
                hits.append(_to_hit(meta, text or "", 1.0 - float(distance)))
        return hits

    def _search_lexical(self, user_id: str, query: str, k: int) -> list[ProfileHit]:
        index, records = self._lexical_view(user_id)
        hits = []
        for match in index.search(query, k):
            record = records[match.position]
            hits.append(ProfileHit(record.item_id, record.text, match.score, record.metadata))
        return hits

    def _lexical_view(self, user_id: str) -> tuple[LexicalIndex, list[_Record]]:
        with self._lexical_lock:
            cached = self._lexical.get(user_id)
            if cached is not None:
                self._lexical.move_to_end(user_id)
                return cached
            records = self._records(user_id)
            view = (LexicalIndex([r.text for r in records]), records)
            if not self._connection.shared:
                self._lexical[user_id] = view
                if len(self._lexical) > LEXICAL_CACHE_USERS:
                    self._lexical.popitem(last=False)
            return view

    def _forget_lexical(self, user_id: str) -> None:
        with self._lexical_lock:
            self._lexical.pop(user_id, None)

    def _records(self, user_id: str) -> list[_Record]:
        records = []
        pages = self._pages(
            f"read the profile of user {user_id!r}",
            where=user_scope(user_id),
            include=["documents", "metadatas"],
        )
        for page in pages:
            rows = zip(page["ids"], page["documents"] or [], page["metadatas"] or [], strict=True)
            for rid, text, meta in rows:
                if is_owned_by(user_id, rid, meta):
                    records.append(_Record(str(meta[ITEM_KEY]), text or "", own_metadata(meta)))
        records.sort(key=lambda r: r.item_id)
        return records

    def _pages(self, action: str, *, where: Where | None, include: Include) -> Iterator[GetResult]:
        offset = 0
        while True:
            with backend_errors(action, self._connection):
                page = self._collection.get(where=where, include=include, limit=PAGE_SIZE, offset=offset)
            yield page
            if len(page["ids"]) < PAGE_SIZE:
                return
            offset += PAGE_SIZE

    def _embed_documents(self, texts: list[str], *, progress: bool, user_id: str) -> FloatArray:
        chunks = []
        with tqdm(total=len(texts), desc=f"embed {user_id}", unit="item", disable=not progress) as bar:
            for start in range(0, len(texts), EMBED_CHUNK_SIZE):
                chunk = texts[start : start + EMBED_CHUNK_SIZE]
                try:
                    chunks.append(self.embedder.embed_documents(chunk))
                except Exception as exc:
                    raise ProfileStoreError(
                        f"Embedding {self.embedder.name!r} failed on items {start}..{start + len(chunk) - 1} "
                        f"of user {user_id!r}: {type(exc).__name__}: {exc}. Nothing was written."
                    ) from exc
                bar.update(len(chunk))
        return self._checked_vectors(np.concatenate(chunks), len(texts))

    def _checked_vectors(self, vectors: FloatArray, expected_rows: int) -> FloatArray:
        array = np.asarray(vectors, dtype=np.float32)
        if array.shape != (expected_rows, self.embedder.dim):
            raise ProfileStoreError(
                f"Embedding {self.embedder.name!r} returned an array of shape {array.shape}, expected "
                f"({expected_rows}, {self.embedder.dim}). The embedder is broken or misconfigured."
            )
        if not np.isfinite(array).all():
            raise ProfileStoreError(f"Embedding {self.embedder.name!r} returned NaN or infinite values.")
        return array

    def _record_metadatas(self, user_id: str, batch: Sequence[ProfileItem], ids: list[str]) -> list[Any]:
        # Chroma's upsert merges metadata into an existing record; keys the new version no longer has
        # must be set to None explicitly or the old values would survive a re-ingest.
        existing = self._collection.get(ids=ids, include=["metadatas"])
        rows = zip(existing["ids"], existing["metadatas"] or [], strict=True)
        previous_keys = {rid: set(meta or {}) for rid, meta in rows}
        metadatas = []
        for rid, item in zip(ids, batch, strict=True):
            meta: dict[str, MetadataValue | None] = {**item.metadata, USER_KEY: user_id, ITEM_KEY: item.id}
            for stale in previous_keys.get(rid, set()) - set(meta):
                meta[stale] = None
            metadatas.append(meta)
        return metadatas


def _to_hit(meta: Any, text: str, score: float) -> ProfileHit:
    return ProfileHit(id=str(meta[ITEM_KEY]), text=text, score=score, metadata=own_metadata(meta))


def _check_user_id(user_id: object) -> str:
    if not isinstance(user_id, str) or not user_id.strip():
        raise ValueError(
            f"user_id must be a non-empty string, got {user_id!r}. Pass the id the profile was ingested "
            "under (store.users() lists them)."
        )
    return user_id


def _check_query(query: object) -> None:
    if not isinstance(query, str) or not query.strip():
        raise ValueError(f"query must be a non-empty string, got {query!r}. Pass the text to search for.")


def _check_k(k: object) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}. It is the number of items to return.")


def _check_mode(mode: object) -> RetrievalMode:
    if mode not in RETRIEVAL_MODES:
        raise ValueError(f"Unknown retriever {mode!r}. Choose one of: {', '.join(RETRIEVAL_MODES)}.")
    return cast(RetrievalMode, mode)


def open_profile_store(
    path: str | Path | None = None,
    *,
    url: str | None = None,
    collection: str = DEFAULT_COLLECTION,
    embedding: str | Embedder | Any = DEFAULT_EMBEDDING,
    retriever: RetrievalMode = "dense",
    client: ClientAPI | None = None,
) -> ProfileStore:
    """Open the profile store from a directory, a Chroma server, or a given client.

    ``PersistentClient`` (``path``) is single-process: only one process may open a directory at a time
    (a second one can block for minutes on SQLite locks). When several processes need the store - a
    LangGraph dev server plus a trainer or an evaluation run - start one server with
    ``chroma run --path DIR --host 127.0.0.1 --port 8000`` and pass ``url="http://127.0.0.1:8000"``
    everywhere. Note that Chroma's HTTP client sets no request timeout.

    Args:
        path: Store directory (default ``./.pr2/store``).
        url: ``http://HOST:PORT`` of a ``chroma run`` server; excludes ``path`` and ``client``.
        collection: Chroma collection name (3-512 characters of ``[a-zA-Z0-9._-]``).
        embedding: ``"minilm"`` (default), ``"hash"``, an :class:`Embedder` instance, or any LangChain
            ``Embeddings`` object (wrapped as a :class:`LangChainEmbedder`).
        retriever: Default retrieval mode, ``"dense"`` or ``"bm25"``.
        client: A ready Chroma client (tests pass ``chromadb.EphemeralClient()``).

    Raises:
        ValueError: Conflicting sources, bad URL, unknown embedding or retriever.
        EmbeddingMismatchError: The collection was built with another embedding.
        ProfileStoreError: The directory or server cannot be used.
    """
    _check_mode(retriever)
    embedder = as_embedder(embedding)
    connection = connect(path, url=url, client=client)
    return ProfileStore(connection, embedder, collection=collection, mode=retriever)
