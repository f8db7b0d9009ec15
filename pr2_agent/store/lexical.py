"""Lexical view of text: the tokenizer and a BM25 index over one user's items.

Owning this small wrapper over ``rank_bm25`` avoids depending on the sunset ``langchain-community``
``BM25Retriever`` and lets the store scope every index to exactly one user.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rank_bm25 import BM25Okapi

_WORD = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    """Split text into lowercase word tokens (Unicode-aware).

    Text with no word characters (e.g. only punctuation or emoji) becomes a single token of the
    stripped text, so every non-blank text has at least one token.

    Args:
        text: Any string.

    Returns:
        The tokens, possibly empty for blank text.

    Example:
        >>> tokenize("I love Lisbon's trams!")
        ['i', 'love', 'lisbon', 's', 'trams']
    """
    lowered = text.lower()
    tokens = _WORD.findall(lowered)
    if tokens:
        return tokens
    stripped = lowered.strip()
    return [stripped] if stripped else []


class _LuceneIdfBM25(BM25Okapi):
    """BM25Okapi with Lucene's always-positive IDF, ``log(1 + (N - n + 0.5) / (n + 0.5))``.

    rank_bm25's own IDF, ``log((N - n + 0.5) / (n + 0.5))``, is zero or negative for any term found in
    half the documents or more, which on a small profile (2 items: every term) flattens all scores to 0.
    """

    def _calc_idf(self, nd: Mapping[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log1p((self.corpus_size - freq + 0.5) / (freq + 0.5))


@dataclass(frozen=True)
class LexicalMatch:
    """Position of a matching document in the indexed list and its BM25 score."""

    position: int
    score: float


class LexicalIndex:
    """BM25 (Okapi) ranking over a fixed list of texts.

    Only documents that share at least one token with the query are returned: a document with no
    query term is not a match, however few documents there are.
    """

    def __init__(self, texts: Sequence[str]):
        """Index ``texts``; positions in results refer to this sequence."""
        self._docs = [tokenize(text) for text in texts]
        self._token_sets = [frozenset(doc) for doc in self._docs]
        # BM25Okapi divides by the corpus size, so an empty profile gets no index at all.
        self._bm25 = _LuceneIdfBM25(self._docs) if self._docs else None

    def __len__(self) -> int:
        return len(self._docs)

    def search(self, query: str, k: int) -> list[LexicalMatch]:
        """Return up to ``k`` matches, best first; ties keep index order."""
        query_tokens = tokenize(query)
        if self._bm25 is None or not query_tokens:
            return []
        wanted = frozenset(query_tokens)
        scores = self._bm25.get_scores(query_tokens)
        candidates = [i for i, tokens in enumerate(self._token_sets) if tokens & wanted]
        candidates.sort(key=lambda i: (-float(scores[i]), i))
        return [LexicalMatch(position=i, score=float(scores[i])) for i in candidates[:k]]
