"""Embedders and the lexical (BM25) index, without loading any model."""

from __future__ import annotations

import numpy as np
import pytest

from pr2_agent.store import EMBEDDERS, Embedder, HashEmbedder, MiniLMEmbedder, make_embedder
from pr2_agent.store.lexical import LexicalIndex, tokenize


def test_hash_embedder_is_deterministic_normalised_and_overlap_sensitive():
    emb = HashEmbedder(dim=128)
    docs = emb.embed_documents(["I love green tea", "Stock markets fell", "green tea every morning"])
    assert docs.shape == (3, 128) and docs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(docs, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(
        docs,
        HashEmbedder(dim=128).embed_documents(
            ["I love green tea", "Stock markets fell", "green tea every morning"]
        ),
    )
    query = emb.embed_query("green tea")
    sims = docs @ query
    assert sims[0] > sims[1] and sims[2] > sims[1]


def test_hash_embedder_handles_text_without_word_characters():
    vec = HashEmbedder(dim=32).embed_query("!!!")
    assert np.isclose(np.linalg.norm(vec), 1.0)


@pytest.mark.parametrize("dim", [0, 1, -5, 2.5, True])
def test_hash_embedder_rejects_bad_dim(dim):
    with pytest.raises(ValueError, match="dim must be an integer >= 2"):
        HashEmbedder(dim=dim)


def test_make_embedder_by_name_and_unknown_name():
    emb = make_embedder("hash")
    assert isinstance(emb, HashEmbedder) and isinstance(emb, Embedder)
    assert (emb.name, emb.dim) == ("hash", 256)
    assert set(EMBEDDERS) == {"minilm", "hash"}
    with pytest.raises(ValueError, match="Unknown embedding 'bert'. Choose one of: hash, minilm"):
        make_embedder("bert")


def test_minilm_embedder_is_lazy_and_records_its_identity():
    # Construction only resolves the packaged model path; torch/sentence-transformers load on first embed.
    emb = MiniLMEmbedder()
    assert (emb.name, emb.dim) == ("minilm", 384)
    assert isinstance(emb, Embedder)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        MiniLMEmbedder(batch_size=0)


def test_tokenize():
    assert tokenize("I love Lisbon's trams!") == ["i", "love", "lisbon", "s", "trams"]
    assert tokenize("Café São Paulo") == ["café", "são", "paulo"]
    assert tokenize(" :-) ") == [":-)"]
    assert tokenize("   ") == []


def test_lexical_index_ranks_by_bm25_and_returns_only_overlapping_docs():
    index = LexicalIndex(["green tea in the morning", "black coffee", "green tea green tea", "running shoes"])
    matches = index.search("green tea", k=10)
    assert [m.position for m in matches] == [2, 0]
    assert matches[0].score > matches[1].score > 0
    assert index.search("quantum physics", k=3) == []
    assert [m.position for m in index.search("green tea", k=1)] == [2]


def test_lexical_index_scores_are_positive_on_tiny_corpora():
    # Plain BM25Okapi gives IDF 0 for every term of a 2-document corpus; the Lucene IDF does not.
    index = LexicalIndex(["I am allergic to peanuts", "I live in Lisbon"])
    [match] = index.search("peanuts", k=5)
    assert match.position == 0 and match.score > 0


def test_lexical_index_empty_corpus():
    index = LexicalIndex([])
    assert len(index) == 0
    assert index.search("anything", k=3) == []
