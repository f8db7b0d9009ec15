"""LangChain view of one user's profile, so LangChain apps can use the store as a retriever."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, field_validator

from pr2_agent.store.modes import DEFAULT_K, RetrievalMode


class ProfileRetriever(BaseRetriever):
    """Retriever bound to exactly one user's profile in a :class:`ProfileStore`.

    The user is fixed at construction, so code holding the retriever cannot reach other users.
    Each ``Document`` carries the item text as ``page_content`` and ``id``, ``score`` and ``user_id``
    (plus the item's own metadata) in ``metadata``.

    Example:
        >>> retriever = store.as_retriever("u1", k=3)  # doctest: +SKIP
        >>> retriever.invoke("what am I allergic to?")[0].metadata["id"]  # doctest: +SKIP
        'p1'
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    """The :class:`~pr2_agent.store.ProfileStore` to search (typed loosely: the store builds its retrievers)."""
    user_id: str
    """Whose profile this retriever reads."""
    k: int = Field(default=DEFAULT_K, ge=1)
    """Number of documents to return."""
    mode: RetrievalMode | None = None
    """``dense`` or ``bm25``; None uses the store's default."""

    @field_validator("store")
    @classmethod
    def _is_a_profile_store(cls, store: Any) -> Any:
        if not callable(getattr(store, "search", None)):
            raise ValueError(
                f"store must be a pr2 ProfileStore (open_profile_store(...)), got {type(store).__name__}; "
                "or call store.as_retriever(user_id)."
            )
        return store

    @field_validator("user_id")
    @classmethod
    def _non_blank_user_id(cls, user_id: str) -> str:
        if not user_id.strip():
            raise ValueError(
                "user_id must be a non-empty string; pass the id the profile was ingested under."
            )
        return user_id

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        # LangChain passes invoke()'s extra keyword arguments here: ``retriever.invoke(q, k=1)``
        # overrides the constructor's ``k`` for that call only.
        # (The store validates k and says how to fix a bad one.)
        hits = self.store.search(self.user_id, query, self.k if k is None else k, mode=self.mode)
        return [
            Document(
                id=hit.id,
                page_content=hit.text,
                metadata={**hit.metadata, "id": hit.id, "score": hit.score, "user_id": self.user_id},
            )
            for hit in hits
        ]

