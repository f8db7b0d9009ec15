"""User profiles in LangGraph long-term memory: any ``BaseStore`` as the graph's profile source.

LangGraph apps keep per-user memories in a ``BaseStore`` (``InMemoryStore``, ``PostgresStore``, the store
``langgraph dev`` / LangGraph Platform gives every run). pr2 reads a user's profile from the namespace

    ("pr2", "profiles", <user_id>)        # PROFILE_NAMESPACE + (namespace_label(user_id),)

one item per profile entry: key = the item id, value = ``{"text": ..., "metadata": {...}}``. LangGraph
forbids "." in namespace labels, so a user id's "%" and "." are percent-encoded (``maya.k`` -> ``maya%2Ek``);
:func:`user_namespace` is the one place that spells it.

Search: when the store has a vector index (``InMemoryStore(index={"dims": ..., "embed": ..., "fields":
["text"]})``, a Postgres store with ``index``), ``store.search(namespace, query=...)`` ranks by similarity;
without one, or when the run asks ``retriever="bm25"``, the user's items are ranked with pr2's BM25. Every
hit is checked to live exactly in the user's namespace (a deeper namespace under it is not the profile).

:func:`copy_to_langgraph` and :func:`copy_from_langgraph` move profiles between a pr2 ``ProfileStore``
(Chroma) and a ``BaseStore`` in either direction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from langgraph.store.base import BaseStore, Item

from pr2_agent.context import user_id_problem
from pr2_agent.store.items import ProfileHit, ProfileItem, validate_items
from pr2_agent.store.lexical import LexicalIndex
from pr2_agent.store.modes import RETRIEVAL_MODES, RetrievalMode

logger = logging.getLogger(__name__)

PROFILE_NAMESPACE: tuple[str, ...] = ("pr2", "profiles")
"""Namespace prefix of every profile; a user's items live in ``PROFILE_NAMESPACE + (label,)``."""
TEXT_FIELD = "text"
"""Value key holding the item text; index this field (``index={"fields": ["text"], ...}``)."""
PAGE_SIZE = 1000
"""Items per ``store.search`` page when listing a profile."""


def namespace_label(user_id: str) -> str:
    """The namespace label of ``user_id``: "%" and "." percent-encoded (LangGraph forbids "." in labels).

    Raises:
        ValueError: The user id is empty, blank, or holds control characters or lone surrogates.
    """
    if not isinstance(user_id, str) or not user_id:
        raise ValueError(f"user_id must be a non-empty string, got {user_id!r}; pass the id the profile is under.")
    problem = user_id_problem(user_id)
    if problem:
        raise ValueError(problem)
    return user_id.replace("%", "%25").replace(".", "%2E")


def user_namespace(user_id: str) -> tuple[str, ...]:
    """The namespace holding ``user_id``'s profile items."""
    return (*PROFILE_NAMESPACE, namespace_label(user_id))


def user_from_label(label: str) -> str:
    """Inverse of :func:`namespace_label`."""
    return label.replace("%2E", ".").replace("%25", "%")


class LangGraphProfiles:
    """Per-user profile items in a LangGraph ``BaseStore``, searched one user at a time.

    It has the ``search(user_id, query, k, *, mode=None)`` of a pr2 ``ProfileStore``, so the graph, the
    evaluation and the trainers can use either.

    Example:
        >>> from langgraph.store.memory import InMemoryStore
        >>> profiles = LangGraphProfiles(InMemoryStore())
        >>> profiles.upsert("maya", [ProfileItem("m1", "I stopped eating meat.")])
        1
        >>> [hit.id for hit in profiles.search("maya", "meat", 3)]
        ['m1']
    """

    def __init__(self, store: BaseStore, *, mode: RetrievalMode | None = None) -> None:
        """Wrap ``store``; ``mode`` None = vector search when the store has an index, else BM25."""
        if not isinstance(store, BaseStore):
            raise TypeError(
                f"LangGraphProfiles needs a LangGraph BaseStore (InMemoryStore, PostgresStore, ...), got "
                f"{type(store).__name__}; a pr2 ProfileStore is passed to build_graph(profile_store=...) instead."
            )
        if mode is not None and mode not in RETRIEVAL_MODES:
            raise ValueError(f"mode must be one of {', '.join(RETRIEVAL_MODES)} or None, got {mode!r}.")
        self.store = store
        self.mode = mode
        self._warned_no_index = False
        self._warned_empty: set[str] = set()

    def __repr__(self) -> str:
        return f"LangGraphProfiles({type(self.store).__name__}, namespace={PROFILE_NAMESPACE + ('<user>',)})"

    # ----------------------------------------------------------------------------------------- writes

    def upsert(self, user_id: str, items: Sequence[ProfileItem]) -> int:
        """Put ``items`` into ``user_id``'s namespace (replacing same-id items); returns how many."""
        namespace = user_namespace(user_id)
        validate_items(items, source=f"LangGraphProfiles.upsert(user_id={user_id!r})")
        for item in items:
            self.store.put(namespace, item.id, {TEXT_FIELD: item.text, "metadata": dict(item.metadata)})
        return len(items)

    def delete_user(self, user_id: str) -> int:
        """Delete every item of ``user_id``; returns how many there were."""
        namespace = user_namespace(user_id)
        keys = [item.key for item in self._all(namespace)]
        for key in keys:
            self.store.delete(namespace, key)
        return len(keys)

    # ------------------------------------------------------------------------------------------ reads

    def search(
        self, user_id: str, query: str, k: int, *, mode: RetrievalMode | None = None
    ) -> list[ProfileHit]:
        """Return up to ``k`` of ``user_id``'s items most relevant to ``query``, best first."""
        namespace = user_namespace(user_id)
        if not isinstance(query, str) or not query.strip():
            raise ValueError("query must be non-blank text.")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be an integer >= 1, got {k!r}.")
        chosen = mode or self.mode
        if chosen != "bm25":
            found = [i for i in self.store.search(namespace, query=query, limit=k) if tuple(i.namespace) == namespace]
            if any(i.score is not None for i in found):
                return [_hit(i, float(i.score or 0.0)) for i in found]
            if chosen == "dense" and found and not self._warned_no_index:
                logger.warning("%r has no vector index: retriever='dense' falls back to BM25.", self)
                self._warned_no_index = True
        items = self._all(namespace)
        if not items and user_id not in self._warned_empty:
            self._warned_empty.add(user_id)
            logger.warning(
                "user %r has no profile in %r (namespace %s): its searches find nothing. Put the items there "
                "first (LangGraphProfiles.upsert / copy_to_langgraph) or run with personalized=False.",
                user_id, self, namespace,
            )
        index = LexicalIndex([_text(i) for i in items])
        return [_hit(items[m.position], m.score) for m in index.search(query, k)]

    def items(self, user_id: str) -> list[ProfileItem]:
        """All of ``user_id``'s items, sorted by id."""
        return [ProfileItem(i.key, _text(i), _metadata(i)) for i in self._all(user_namespace(user_id))]

    def count(self, user_id: str) -> int:
        """Number of items in ``user_id``'s profile."""
        return len(self._all(user_namespace(user_id)))

    def has_user(self, user_id: str) -> bool:
        """Whether ``user_id`` has at least one item."""
        namespace = user_namespace(user_id)
        return any(tuple(i.namespace) == namespace for i in self.store.search(namespace, limit=1))

    def users(self) -> list[str]:
        """Ids of the users with a profile namespace, sorted."""
        namespaces = self.store.list_namespaces(prefix=PROFILE_NAMESPACE, max_depth=len(PROFILE_NAMESPACE) + 1,
                                                limit=1_000_000)
        return sorted({user_from_label(ns[len(PROFILE_NAMESPACE)]) for ns in namespaces
                       if len(ns) > len(PROFILE_NAMESPACE)})

    def _all(self, namespace: tuple[str, ...]) -> list[Item]:
        items: list[Item] = []
        offset = 0
        while True:
            page = self.store.search(namespace, limit=PAGE_SIZE, offset=offset)
            items.extend(i for i in page if tuple(i.namespace) == namespace)
            if len(page) < PAGE_SIZE:
                break
            offset += PAGE_SIZE
        items.sort(key=lambda i: i.key)
        return items


class _ProfileSource(Protocol):
    def users(self) -> list[str]: ...
    def items(self, user_id: str) -> list[ProfileItem]: ...


class _ProfileSink(Protocol):
    def upsert(self, user_id: str, items: Sequence[ProfileItem]) -> int: ...


def copy_profiles(source: _ProfileSource, target: _ProfileSink, users: Iterable[str] | None = None) -> int:
    """Copy every (or each listed) user's items from ``source`` to ``target``; returns items written.

    Both sides are a pr2 ``ProfileStore`` or a :class:`LangGraphProfiles`; see :func:`copy_to_langgraph`.
    """
    total = 0
    for user_id in source.users() if users is None else users:
        items = source.items(user_id)
        if items:
            total += target.upsert(user_id, items)
    return total


def copy_to_langgraph(profile_store: Any, store: BaseStore, users: Iterable[str] | None = None) -> int:
    """Copy profiles from a pr2 ``ProfileStore`` into a LangGraph ``BaseStore`` (namespaces as above)."""
    return copy_profiles(profile_store, LangGraphProfiles(store), users)


def copy_from_langgraph(store: BaseStore, profile_store: Any, users: Iterable[str] | None = None) -> int:
    """Copy profiles from a LangGraph ``BaseStore`` into a pr2 ``ProfileStore``."""
    return copy_profiles(LangGraphProfiles(store), profile_store, users)


def _text(item: Item) -> str:
    text = item.value.get(TEXT_FIELD)
    return text if isinstance(text, str) else str(text or "")


def _metadata(item: Item) -> dict[str, Any]:
    metadata = item.value.get("metadata")
    return dict(metadata) if isinstance(metadata, dict) else {}


def _hit(item: Item, score: float) -> ProfileHit:
    return ProfileHit(item.key, _text(item), score, _metadata(item))
