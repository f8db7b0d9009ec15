"""Any LangChain ``Embeddings`` object plugs into the profile store as ``embedding=``."""

from __future__ import annotations

import uuid

import chromadb
import numpy as np
import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding, FakeEmbeddings

from pr2_agent.store import (
    EmbeddingMismatchError,
    HashEmbedder,
    LangChainEmbedder,
    ProfileItem,
    as_embedder,
    open_profile_store,
)

ITEMS = [
    ProfileItem("p1", "I am allergic to peanuts."),
    ProfileItem("p2", "I live in Lisbon near the river."),
    ProfileItem("p3", "My cat is called Miso."),
]


def test_wrapper_derives_name_and_dimension() -> None:
    embedder = LangChainEmbedder(DeterministicFakeEmbedding(size=24))
    assert embedder.name == "langchain:DeterministicFakeEmbedding"
    assert embedder.dim == 24
    docs = embedder.embed_documents(["a", "b"])
    assert docs.shape == (2, 24) and docs.dtype == np.float32
    assert embedder.embed_query("a").shape == (24,)
    np.testing.assert_allclose(embedder.embed_query("a"), docs[0])
    assert embedder.embed_documents([]).shape == (0, 24)


def test_store_searches_with_a_langchain_embeddings_object() -> None:
    client = chromadb.EphemeralClient()
    name = f"lc-{uuid.uuid4().hex[:12]}"
    store = open_profile_store(client=client, collection=name, embedding=DeterministicFakeEmbedding(size=32))
    store.upsert("u1", ITEMS)
    # Deterministic fake vectors are a hash of the text: the item's own text is the exact match.
    hits = store.search("u1", "My cat is called Miso.", 2)
    assert [h.id for h in hits][0] == "p3" and hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert len(store.as_retriever("u1").invoke("I live in Lisbon near the river.", k=1)) == 1
    # The collection remembers the wrapped model: another dimension is refused, not mixed in.
    with pytest.raises(EmbeddingMismatchError):
        open_profile_store(client=client, collection=name, embedding=DeterministicFakeEmbedding(size=16))


def test_as_embedder_passes_names_and_embedders_through() -> None:
    assert as_embedder("hash").name == "hash"
    hashing = HashEmbedder(dim=8)
    assert as_embedder(hashing) is hashing
    assert isinstance(as_embedder(FakeEmbeddings(size=4)), LangChainEmbedder)


def test_not_an_embeddings_object_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match="not a LangChain Embeddings object"):
        as_embedder(42)


def test_wrong_shape_vectors_are_refused_clearly() -> None:
    class Ragged(DeterministicFakeEmbedding):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [[0.0] * 3 for _ in texts]

    embedder = LangChainEmbedder(Ragged(size=5))
    with pytest.raises(ValueError, match="expected \\(2, 5\\)"):
        embedder.embed_documents(["a", "b"])
