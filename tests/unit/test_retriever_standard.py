"""langchain-tests' standard ``RetrieversIntegrationTests`` suite against ``ProfileRetriever``.

The suite is LangChain's own contract for retrievers (``k`` in the constructor and at ``invoke``
time, Documents back, sync and async). It runs on an in-memory Chroma collection with the hash
embedder (dense) and with BM25; ``tests/integration/test_retriever_standard_minilm.py`` repeats the
dense run with MiniLM.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

import chromadb
import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from pr2_agent.store import ProfileItem, ProfileRetriever, ProfileStore, open_profile_store

USER = "maya"
ITEMS = [
    ProfileItem("m1", "I am allergic to peanuts and always check food labels."),
    ProfileItem("m2", "I moved to Lisbon and love the food trams in Alfama."),
    ProfileItem("m3", "My cat Miso scratches the sofa after food time."),
    ProfileItem("m4", "I cycle 20 km to work and bring my own food."),
    ProfileItem("m5", "Our kitchen has two burners, no oven, and little food storage."),
    ProfileItem("m6", "I read every Earthsea book while eating street food."),
]
# Every item shares a word with the query, so BM25 (which returns only matching items) has >= 3 hits.
QUERY = "which food am I allergic to?"

# The suite's async test needs an async runner; anyio's pytest plugin (anyio ships with httpx) runs
# tests marked like this and leaves the synchronous ones alone. The suite forbids overriding its tests.
pytestmark = pytest.mark.anyio


@functools.cache
def profile_store(embedding: str) -> ProfileStore:
    """One store per embedding for the whole module (the suite builds many retrievers)."""
    store = open_profile_store(
        client=chromadb.EphemeralClient(), collection=f"std-{uuid.uuid4().hex[:12]}", embedding=embedding
    )
    store.upsert(USER, ITEMS)
    return store


class _ProfileRetrieverSuite(RetrieversIntegrationTests):
    embedding = "hash"
    mode = "dense"

    @property
    def retriever_constructor(self) -> type[ProfileRetriever]:
        return ProfileRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"store": profile_store(self.embedding), "user_id": USER, "mode": self.mode}

    @property
    def retriever_query_example(self) -> str:
        return QUERY


class TestDenseRetrieverStandard(_ProfileRetrieverSuite):
    mode = "dense"


class TestBM25RetrieverStandard(_ProfileRetrieverSuite):
    mode = "bm25"


@pytest.mark.parametrize("mode", ["dense", "bm25"])
def test_invoke_k_overrides_only_that_call(mode: str) -> None:
    retriever = profile_store("hash").as_retriever(USER, k=4, mode=mode)  # type: ignore[arg-type]
    one = retriever.invoke(QUERY, k=1)
    assert len(one) == 1 and isinstance(one[0], Document)
    assert one[0].metadata["id"] == "m1"  # the item that shares "allergic" ranks first
    assert len(retriever.invoke(QUERY)) == 4  # the constructor's k is untouched


@pytest.mark.parametrize("bad", [0, -2, "3"])
def test_invoke_rejects_a_bad_k_with_a_clear_error(bad: object) -> None:
    retriever = profile_store("hash").as_retriever(USER)
    with pytest.raises(ValueError, match="k"):
        retriever.invoke(QUERY, k=bad)
