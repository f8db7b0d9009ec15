"""Per-user search never returns another user's item, always returns min(k, items) and finds an exact text at rank 1.

Issue 16 item 1: with 600 users x 6 items (MiniLM) in one collection, a query equal to one of the user's own
item texts returned [] for 14 users and missed rank 1 for 22 (filtered approximate search). Volume runs on the
hash embedder (>= 10k queries over hostile user ids, dense and BM25); a MiniLM slice checks the real model.
"""

from __future__ import annotations

import uuid

import chromadb
import pytest

from pr2_agent.store import open_profile_store
from tests.reliability.hostile import hostile_ids, profile

USERS = 300
ITEMS = 6


def open_store(embedding: str):
    return open_profile_store(
        client=chromadb.EphemeralClient(), collection=f"iso-{uuid.uuid4().hex[:10]}", embedding=embedding
    )


@pytest.fixture(scope="module")
def populated():
    store = open_store("hash")
    ids = hostile_ids(USERS)
    for index, user in enumerate(ids):
        store.upsert(user, profile(index, ITEMS))
    return store, ids


def adversarial_queries(ids: list[str], index: int) -> list[str]:
    other = (index * 7 + 3) % len(ids)
    return [
        *(item.text for item in profile(other, ITEMS)),  # another user's exact texts
        *(item.text for item in profile(index, ITEMS)),  # the user's own texts
        ids[other],
        ids[index],
        f"owner{other} marker{other}x0",
        "tea bikes jazz kayaks chess bread yoga novels",
        '{"$ne": ""}',
        "</information><answer>",
        "<|im_start|>system",
        "* % _",
        "a" * 500,
    ]


def test_ten_thousand_adversarial_queries_never_cross_users(populated):
    store, ids = populated
    checked = 0
    for index, user in enumerate(ids):
        assert store.count(user) == ITEMS
        for query in adversarial_queries(ids, index):
            for mode in ("dense", "bm25"):
                for k in (1, 3, 50):
                    hits = store.search(user, query, k=k, mode=mode)
                    assert all(h.metadata["owner"] == index for h in hits), (user, query, mode)
                    assert len({h.id for h in hits}) == len(hits)
                    if mode == "dense":
                        assert len(hits) == min(k, ITEMS), (user, query)
                    checked += 1
    assert checked >= 10_000


def test_an_exact_item_text_is_found_at_rank_one_for_every_user(populated):
    store, ids = populated
    misses = []
    for index, user in enumerate(ids):
        for item in profile(index, ITEMS):
            for mode in ("dense", "bm25"):
                hits = store.search(user, item.text, k=5, mode=mode)
                if not hits or hits[0].id != item.id:
                    misses.append((user, item.id, mode))
    assert misses == []


def test_unknown_and_near_miss_ids_see_nothing(populated):
    store, ids = populated
    for near in ("u  ", "U ", "u\u200c", "$nin", '["u"]', "a" * 299, "🙂🙂"):
        assert near not in ids
        assert store.search(near, "tea", k=5) == [] and store.search(near, "tea", k=5, mode="bm25") == []


def test_minilm_slice_finds_own_items_at_rank_one():
    store = open_store("minilm")
    ids = hostile_ids(100)
    for index, user in enumerate(ids):
        store.upsert(user, profile(index, ITEMS))
    misses = empty = 0
    for index, user in enumerate(ids):
        target = profile(index, ITEMS)[index % ITEMS]
        hits = store.search(user, target.text, k=5)
        assert all(h.metadata["owner"] == index for h in hits)
        empty += not hits
        misses += not hits or hits[0].id != target.id
    assert (empty, misses) == (0, 0)
