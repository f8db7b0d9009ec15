"""Per-user profile store: one Chroma collection, every read scoped to exactly one user.

Typical use::

    from pr2_agent.store import ProfileItem, load_profile_items, open_profile_store

    store = open_profile_store("./.pr2/store")               # or url="http://127.0.0.1:8000"
    store.upsert("u1", load_profile_items("profile_u1.json"))
    hits = store.search("u1", "what am I allergic to?", k=5)
"""

from __future__ import annotations

from pr2_agent.store.collection import record_id
from pr2_agent.store.connection import DEFAULT_STORE_PATH, Connection, connect
from pr2_agent.store.embedding import (
    DEFAULT_EMBEDDING,
    EMBEDDERS,
    Embedder,
    HashEmbedder,
    LangChainEmbedder,
    MiniLMEmbedder,
    as_embedder,
    make_embedder,
)
from pr2_agent.store.errors import EmbeddingMismatchError, ProfileDataError, ProfileStoreError
from pr2_agent.store.items import (
    MAX_ITEM_CHARS,
    MetadataValue,
    ProfileHit,
    ProfileItem,
    load_profile_items,
    validate_items,
)
from pr2_agent.store.profile_store import (
    DEFAULT_COLLECTION,
    DEFAULT_K,
    RETRIEVAL_MODES,
    ProfileStatus,
    ProfileStore,
    RetrievalMode,
    open_profile_store,
)
from pr2_agent.store.retriever import ProfileRetriever

__all__ = [
    "DEFAULT_COLLECTION",
    "DEFAULT_EMBEDDING",
    "DEFAULT_K",
    "DEFAULT_STORE_PATH",
    "EMBEDDERS",
    "MAX_ITEM_CHARS",
    "RETRIEVAL_MODES",
    "Connection",
    "Embedder",
    "EmbeddingMismatchError",
    "HashEmbedder",
    "LangChainEmbedder",
    "MetadataValue",
    "MiniLMEmbedder",
    "ProfileDataError",
    "ProfileHit",
    "ProfileItem",
    "ProfileRetriever",
    "ProfileStatus",
    "ProfileStore",
    "ProfileStoreError",
    "RetrievalMode",
    "connect",
    "load_profile_items",
    "as_embedder",
    "make_embedder",
    "open_profile_store",
    "record_id",
    "validate_items",
]
