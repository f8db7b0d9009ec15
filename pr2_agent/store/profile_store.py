"""ProfileStore: every user's profile in one Chroma collection, read strictly one user at a time.

Each record carries ``user_id`` metadata and a Chroma id built from ``(user_id, item_id)``, so two users
may use the same item ids. Every public read takes a ``user_id`` and every read the store sends is
filtered on it; there is no method that searches across users. Records are checked once more on the
way in (defense in depth): a record owned by another user is dropped and logged.

Search is exact (:mod:`pr2_agent.store.exact`): a user's records and vectors are read from Chroma once
and ranked in memory, because an approximate query filtered to one user silently drops items once many
users share the index. A sidecar manifest per user (:mod:`pr2_agent.store.manifest`) records whether the
last write finished, so a profile cut short by a killed ingest is reported and completed by the next one.

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

import json
import logging
import math
import threading
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
from pr2_agent.store.exact import DEFAULT_CACHE_ITEMS, Record, SliceCache, UserSlice, unit_rows
from pr2_agent.store.items import (
    MAX_ITEM_CHARS,
    MetadataValue,
    ProfileHit,
    ProfileItem,
    validate_items,
)
from pr2_agent.store.lexical import LexicalIndex
from pr2_agent.store.manifest import (
    MANIFEST_TEXT,
    ManifestEntry,
    ManifestState,
    manifest_id,
    manifest_record,
    read_manifest,
)
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
CACHE_ITEMS = DEFAULT_CACHE_ITEMS
"""Vectors of recently searched users kept in memory (least recently used users dropped first)."""


@dataclass(frozen=True)
class ProfileStatus:
    """Whether a user's stored profile is whole: what the manifest expects against what is stored."""

    user_id: str
    stored: int
    expected: int | None
    """Items the last write meant to leave (None: written before manifests existed)."""
    state: ManifestState

    @property
    def complete(self) -> bool:
        """False when the last write was cut short (items are missing until the user is ingested again)."""
        return self.state != "writing" and (self.expected is None or self.stored == self.expected)

    def describe(self) -> str:
        """One line for a warning."""
        return (
            f"the profile of user {self.user_id!r} is incomplete: {self.stored} of {self.expected} items are "
            "stored (an ingest was interrupted). Ingest the user again to complete it; nothing is duplicated."
        )


class ProfileStore:
    """Per-user profile items over one Chroma collection (cosine space).

    Build it with :func:`open_profile_store`. Every read is scoped to exactly one ``user_id``.
    A user's records, vectors and BM25 index are read on first use and cached (for the most recently
    used users) until that user is written; against a shared server (``url=``) each search first reads
    the user's manifest version (one lookup by id), so another process's write is seen at once.
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
        self._slices = SliceCache(CACHE_ITEMS)
        self._lexical_lock = threading.Lock()
        self._warned_empty: set[str] = set()

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
        ids_all = [record_id(user_id, item.id) for item in items]
        stored = self._stored_record_ids(user_id)
        expected = len(stored | set(ids_all))
        last = (len(items) - 1) // WRITE_BATCH_SIZE * WRITE_BATCH_SIZE
        try:
            with (
                backend_errors(f"write items of user {user_id!r}", self._connection),
                tqdm(total=len(items), desc=f"write {user_id}", unit="item", disable=not progress) as bar,
            ):
                for start in range(0, len(items), WRITE_BATCH_SIZE):
                    batch = items[start : start + WRITE_BATCH_SIZE]
                    ids = ids_all[start : start + len(batch)]
                    embeddings = list(vectors[start : start + len(batch)])
                    documents = [item.text for item in batch]
                    metadatas = self._record_metadatas(user_id, batch, ids, stored)
                    if start in (0, last):
                        # The manifest rides in the same (atomic) upsert: 'writing' with the first batch,
                        # 'complete' with the last, so a write killed in between is detectable.
                        state: ManifestState = "complete" if start == last else "writing"
                        rid, vector, meta = manifest_record(user_id, state, expected, self.embedder.dim)
                        ids, embeddings = [*ids, rid], [*embeddings, vector]
                        documents, metadatas = [*documents, MANIFEST_TEXT], [*metadatas, meta]
                    self._collection.upsert(ids=ids, embeddings=embeddings, documents=documents, metadatas=metadatas)
                    bar.update(len(batch))
        finally:
            self._slices.forget(user_id)
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
                self._slices.forget(user_id)
        with backend_errors(f"delete the manifest of user {user_id!r}", self._connection):
            self._collection.delete(ids=[manifest_id(user_id)])
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
        return len(self._stored_record_ids(_check_user_id(user_id)))

    def item_ids(self, user_id: str) -> set[str]:
        """Return the ids of the items stored for ``user_id`` (what a resumed ingest can skip)."""
        user_id = _check_user_id(user_id)
        return {item for rid in self._stored_record_ids(user_id) if (item := _item_of(rid, user_id)) is not None}

    def profile_status(self, user_id: str) -> ProfileStatus:
        """Compare ``user_id``'s stored items with what its last write meant to leave.

        ``complete`` is False after an interrupted ingest; ingesting the user again completes it.
        """
        user_id = _check_user_id(user_id)
        entry = self._manifest(user_id)
        return ProfileStatus(user_id, self.count(user_id), entry.expected, entry.state)

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
        # This runs in every search of every rollout, so it is kept flat (bench/retrieval_bench.py measures it
        # against a bare dot product): no per-hit helper call, and the query is never rescaled.
        vector, norm = self._query_vector(query)
        view = self._slice(user_id)
        rows, dots = view.top_k(vector, k)
        # Rows are unit vectors: k dot products divided by the query's norm are the cosines.
        scale = 1.0 / norm if norm > 0 else 1.0
        records = view.records
        return [
            ProfileHit(r.item_id, r.text, dot * scale, r.metadata)
            for r, dot in zip(map(records.__getitem__, rows), dots, strict=True)
        ]

    def _query_vector(self, query: str) -> tuple[FloatArray, float]:
        """The query's embedding, checked (shape, finite), and its Euclidean norm."""
        vector = self.embedder.embed_query(query)
        if type(vector) is not np.ndarray or vector.dtype != np.float32:
            vector = np.asarray(vector, dtype=np.float32)
        if vector.shape != (self.embedder.dim,):
            raise ProfileStoreError(
                f"Embedding {self.embedder.name!r} returned a query vector of shape {vector.shape}, expected "
                f"({self.embedder.dim},). The embedder is broken or misconfigured."
            )
        squared = float(vector.dot(vector))
        if not math.isfinite(squared):  # any NaN or infinite component makes the sum non-finite
            raise ProfileStoreError(f"Embedding {self.embedder.name!r} returned NaN or infinite values.")
        return vector, math.sqrt(squared)

    def _search_lexical(self, user_id: str, query: str, k: int) -> list[ProfileHit]:
        view = self._slice(user_id)
        with self._lexical_lock:
            if view.lexical is None:
                view.lexical = LexicalIndex([r.text for r in view.records])
            index = cast(LexicalIndex, view.lexical)
        return [_hit(view.records[m.position], m.score) for m in index.search(query, k)]

    def _slice(self, user_id: str) -> UserSlice:
        """The user's records and vectors, from the cache when they are still current."""
        if not self._connection.shared:
            # Only this process writes the directory, and every write forgets the user's slice.
            return self._slices.get(user_id, "local", lambda: self._load_slice(user_id, "local"))
        version = self._manifest(user_id).version
        if version is None:
            # Written without a manifest (an older store): nothing tells us when it changes, so read it.
            return self._load_slice(user_id, None)
        return self._slices.get(user_id, version, lambda: self._load_slice(user_id, version))

    def _load_slice(self, user_id: str, version: str | None) -> UserSlice:
        records: list[Record] = []
        vectors: list[Any] = []
        pages = self._pages(
            f"read the profile of user {user_id!r}",
            where=user_scope(user_id),
            include=["documents", "metadatas", "embeddings"],
        )
        for page in pages:
            embeddings = page["embeddings"] if page["embeddings"] is not None else []
            rows = zip(page["ids"], page["documents"] or [], page["metadatas"] or [], embeddings, strict=True)
            for rid, text, meta, vector in rows:
                if is_owned_by(user_id, rid, meta):
                    records.append(Record(str(meta[ITEM_KEY]), text or "", own_metadata(meta)))
                    vectors.append(vector)
        order = sorted(range(len(records)), key=lambda i: records[i].item_id)
        matrix = np.asarray([vectors[i] for i in order], dtype=np.float32).reshape(len(order), self.embedder.dim)
        status = self._manifest(user_id)
        if status.state == "writing" or (status.expected is not None and status.expected != len(records)):
            logger.warning("%s", ProfileStatus(user_id, len(records), status.expected, status.state).describe())
        if not records and user_id not in self._warned_empty:
            # A personalized run for this user would otherwise answer with no hits and no sign of why.
            self._warned_empty.add(user_id)
            logger.warning(
                "user %r has no profile in the %s: its searches find nothing. Ingest the profile first "
                "(store.upsert / pr2 ingest --user %s FILE), check the user id (store.users() lists them), or "
                "run with personalized=False.",
                user_id, self.location, user_id,
            )
        return UserSlice([records[i] for i in order], unit_rows(matrix), version)

    def _records(self, user_id: str) -> list[Record]:
        return self._slice(user_id).records

    def _manifest(self, user_id: str) -> ManifestEntry:
        with backend_errors(f"read the manifest of user {user_id!r}", self._connection):
            return read_manifest(cast(Any, self._collection.get(ids=[manifest_id(user_id)], include=["metadatas"])))

    def _stored_record_ids(self, user_id: str) -> set[str]:
        pages = self._pages(f"list items of user {user_id!r}", where=user_scope(user_id), include=[])
        return {rid for page in pages for rid in page["ids"]}

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

    def _record_metadatas(
        self, user_id: str, batch: Sequence[ProfileItem], ids: list[str], stored: set[str]
    ) -> list[Any]:
        # Chroma's upsert merges metadata into an existing record; keys the new version no longer has
        # must be set to None explicitly or the old values would survive a re-ingest. Only records that
        # exist need that read (a first ingest skips it).
        previous_keys: dict[str, set[str]] = {}
        replaced = [rid for rid in ids if rid in stored]
        if replaced:
            existing = self._collection.get(ids=replaced, include=["metadatas"])
            rows = zip(existing["ids"], existing["metadatas"] or [], strict=True)
            previous_keys = {rid: set(meta or {}) for rid, meta in rows}
        metadatas = []
        for rid, item in zip(ids, batch, strict=True):
            meta: dict[str, MetadataValue | None] = {**item.metadata, USER_KEY: user_id, ITEM_KEY: item.id}
            for stale in previous_keys.get(rid, set()) - set(meta):
                meta[stale] = None
            metadatas.append(meta)
        return metadatas


def _hit(record: Record, score: float) -> ProfileHit:
    # Positional: a dataclass __init__ takes about twice as long with keywords (every search makes k of these).
    return ProfileHit(record.item_id, record.text, score, record.metadata)


def _item_of(rid: str, user_id: str) -> str | None:
    """The item id inside a record id of ``user_id`` (see :func:`record_id`), or None if it is not one."""
    try:
        owner, item = json.loads(rid)
    except (ValueError, TypeError):
        return None
    return str(item) if owner == user_id else None


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
