"""ProfileStore on in-memory Chroma with the hash embedder: isolation, idempotence, errors, persistence."""

from __future__ import annotations

import logging
import socket
import uuid

import chromadb
import numpy as np
import pytest
from chromadb.api.client import SharedSystemClient
from chromadb.errors import InternalError
from langchain_core.documents import Document

from pr2_agent.store import (
    EmbeddingMismatchError,
    HashEmbedder,
    ProfileDataError,
    ProfileHit,
    ProfileItem,
    ProfileRetriever,
    ProfileStore,
    ProfileStoreError,
    connect,
    open_profile_store,
    record_id,
)
from pr2_agent.store import profile_store as profile_store_module

MODES = ["dense", "bm25"]


@pytest.fixture
def client():
    # EphemeralClients share one in-memory system per process, so each test uses its own collection.
    return chromadb.EphemeralClient()


@pytest.fixture
def collection_name(client):
    name = f"test-{uuid.uuid4().hex[:12]}"
    yield name
    try:
        client.delete_collection(name)
    except Exception:
        pass


@pytest.fixture
def store(client, collection_name):
    return open_profile_store(client=client, collection=collection_name, embedding="hash")


def tagged(owner, rows):
    return [ProfileItem(item_id, text, {"owner_tag": owner}) for item_id, text in rows]


ALICE = tagged(
    "alice",
    [
        ("p1", "I am allergic to peanuts and shellfish."),
        ("p2", "I live in Lisbon near the river."),
        ("p3", "My favourite drink is green tea."),
        ("shared", "I enjoy hiking in the mountains on weekends."),
    ],
)
BOB = tagged(
    "bob",
    [
        ("p1", "I am allergic to cats; bob is my user id."),
        ("p2", "I live in Porto and work as a nurse."),
        ("shared", "I enjoy hiking in the mountains on weekends."),
        ("alice", "alice alice alice peanuts Lisbon green tea"),
    ],
)


@pytest.fixture
def two_users(store):
    store.upsert("alice", ALICE)
    store.upsert("bob", BOB)
    return store


# ------------------------------------------------------------------------------------------- isolation


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "query",
    [
        "bob",
        "alice alice alice peanuts Lisbon green tea",
        "I am allergic to cats; bob is my user id.",
        "I live in Porto and work as a nurse.",
        "I enjoy hiking in the mountains on weekends.",
        '["bob","p1"]',
    ],
)
def test_search_never_returns_another_users_items(two_users, mode, query):
    for user, own in (("alice", ALICE), ("bob", BOB)):
        hits = two_users.search(user, query, k=50, mode=mode)
        assert {hit.metadata["owner_tag"] for hit in hits} <= {user}
        assert {(hit.id, hit.text) for hit in hits} <= {(item.id, item.text) for item in own}
        assert len(hits) <= len(own)


@pytest.mark.parametrize("mode", MODES)
def test_query_with_other_users_exact_text_returns_own_best_match(two_users, mode):
    # Bob's item "alice" repeats Alice's words; Alice's search must still only see Alice's items.
    hits = two_users.search("alice", "alice alice alice peanuts Lisbon green tea", k=3, mode=mode)
    assert hits and all(hit.metadata["owner_tag"] == "alice" for hit in hits)
    bob_hits = two_users.search("bob", "peanuts Lisbon green tea", k=3, mode=mode)
    assert bob_hits[0].id == "alice" and bob_hits[0].metadata["owner_tag"] == "bob"


@pytest.mark.parametrize("mode", MODES)
def test_unknown_user_gets_nothing(two_users, mode):
    assert two_users.search("carol", "peanuts", k=5, mode=mode) == []
    assert not two_users.has_user("carol")
    assert two_users.count("carol") == 0
    assert two_users.items("carol") == []


def test_dense_scores_are_cosine_similarities(two_users):
    hits = two_users.search("alice", "My favourite drink is green tea.", k=4)
    assert hits[0].id == "p3"
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert all(-1.0 - 1e-6 <= hit.score <= 1.0 + 1e-6 for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


@pytest.mark.parametrize("mode", ["dense", "bm25"])
def test_foreign_records_from_the_backend_are_dropped_and_logged(two_users, monkeypatch, caplog, mode):
    collection = two_users._collection
    real_get = collection.get

    def leaky_get(**kwargs):
        result = real_get(**kwargs)
        if kwargs.get("where") == {"user_id": "alice"} and "documents" in kwargs.get("include", []):
            bob = real_get(ids=[record_id("bob", "p2")], include=kwargs["include"])
            for key in ("ids", "documents", "metadatas"):
                result[key] = list(result[key]) + list(bob[key])
            if result.get("embeddings") is not None:
                result["embeddings"] = list(result["embeddings"]) + list(bob["embeddings"])
        return result

    monkeypatch.setattr(collection, "get", leaky_get)
    with caplog.at_level(logging.ERROR, logger="pr2_agent.store.collection"):
        hits = two_users.search("alice", "Porto nurse", k=10, mode=mode)
    assert all(hit.metadata["owner_tag"] == "alice" for hit in hits)
    assert "not owned by that user" in caplog.text


def test_same_item_ids_for_two_users_are_separate_records(two_users):
    assert two_users.items("alice")[0] == ProfileItem("p1", ALICE[0].text, {"owner_tag": "alice"})
    assert {item.id for item in two_users.items("bob")} == {"p1", "p2", "shared", "alice"}
    assert two_users.users() == ["alice", "bob"]


def test_composite_ids_are_unambiguous(store):
    pairs = [("a:b", "c"), ("a", "b:c"), ('a","b', "c"), ("a", '","b'), ("a b", "c"), ("a", "b c")]
    assert len({record_id(u, i) for u, i in pairs}) == len(pairs)
    for user, item in pairs:
        store.upsert(user, [ProfileItem(item, f"{user} owns {item}")])
    expected: dict[str, list[ProfileItem]] = {}
    for user, item in pairs:
        expected.setdefault(user, []).append(ProfileItem(item, f"{user} owns {item}"))
    for user, items in expected.items():
        assert store.items(user) == sorted(items, key=lambda item: item.id)
    assert store.users() == sorted(expected)


# ----------------------------------------------------------------------------------------- idempotence


@pytest.mark.parametrize("mode", MODES)
def test_reingest_is_idempotent_and_updates_text_and_metadata(store, mode):
    items = [
        ProfileItem("p1", "I drink green tea", {"source": "chat", "year": 2020}),
        ProfileItem("p2", "I run"),
    ]
    assert store.upsert("u1", items) == 2
    assert store.upsert("u1", items) == 2
    assert store.count("u1") == 2
    assert store.search("u1", "green tea", k=1, mode=mode)[0].text == "I drink green tea"

    store.upsert("u1", [ProfileItem("p1", "I switched to black coffee", {"year": 2024})])
    assert store.count("u1") == 2
    assert store.items("u1")[0] == ProfileItem("p1", "I switched to black coffee", {"year": 2024})
    [hit] = store.search("u1", "black coffee", k=1, mode=mode)
    assert (hit.id, hit.text, hit.metadata) == ("p1", "I switched to black coffee", {"year": 2024})
    assert all("green" not in hit.text for hit in store.search("u1", "green tea", k=5, mode=mode))


def test_upsert_empty_list_writes_nothing(store):
    assert store.upsert("u1", []) == 0
    assert store.users() == []


def test_upsert_with_progress_bars(store, capsys):
    assert store.upsert("u1", [ProfileItem("p1", "hello world")], progress=True) == 1
    assert "write u1" in capsys.readouterr().err


def test_upsert_spans_several_write_batches(store, monkeypatch):
    monkeypatch.setattr(profile_store_module, "WRITE_BATCH_SIZE", 3)
    monkeypatch.setattr(profile_store_module, "EMBED_CHUNK_SIZE", 4)
    monkeypatch.setattr(profile_store_module, "PAGE_SIZE", 2)
    items = [ProfileItem(f"p{i}", f"item number {i} about topic{i}") for i in range(10)]
    assert store.upsert("u1", items) == 10
    store.upsert("u2", items[:3])
    assert store.count("u1") == 10
    assert store.items("u1") == sorted(items, key=lambda item: item.id)
    assert store.users() == ["u1", "u2"]
    assert store.search("u1", "topic7", k=1, mode="bm25")[0].id == "p7"


# --------------------------------------------------------------------------------- failures lose nothing


@pytest.fixture
def seeded(store):
    store.upsert("u1", [ProfileItem("p1", "I drink green tea"), ProfileItem("p2", "I live in Lisbon")])
    store.search("u1", "tea", k=1, mode="bm25")  # warm the BM25 cache
    return store


def snapshot(store):
    return store.items("u1"), store.users()


@pytest.mark.parametrize(
    "bad_items",
    [
        [ProfileItem("p1", "updated"), ProfileItem("p3", "")],
        [ProfileItem("p1", "updated"), ProfileItem("p1", "again")],
        [ProfileItem("p1", "updated"), ProfileItem("p4", "x", {"user_id": "u2"})],
        [ProfileItem("p1", "updated"), ProfileItem("p5", "x" * 20_001)],
    ],
)
def test_invalid_batch_writes_nothing(seeded, bad_items):
    before = snapshot(seeded)
    with pytest.raises(ProfileDataError, match="upsert\\(user_id='u1'\\): item 1"):
        seeded.upsert("u1", bad_items)
    assert snapshot(seeded) == before
    assert seeded.search("u1", "updated", k=2, mode="bm25") == []


def test_embedder_failure_midway_writes_nothing(seeded, monkeypatch):
    before = snapshot(seeded)
    monkeypatch.setattr(profile_store_module, "EMBED_CHUNK_SIZE", 2)
    real = seeded.embedder.embed_documents
    calls = []

    def flaky(texts):
        calls.append(len(texts))
        if len(calls) == 2:
            raise RuntimeError("out of memory")
        return real(texts)

    monkeypatch.setattr(seeded.embedder, "embed_documents", flaky)
    items = [ProfileItem("p1", "changed")] + [ProfileItem(f"n{i}", f"new item {i}") for i in range(4)]
    with pytest.raises(ProfileStoreError, match="Embedding 'hash' failed on items 2..3.*Nothing was written"):
        seeded.upsert("u1", items)
    assert snapshot(seeded) == before


def test_embedder_returning_wrong_shape_is_caught_before_writing(seeded, monkeypatch):
    before = snapshot(seeded)
    monkeypatch.setattr(
        seeded.embedder, "embed_documents", lambda texts: np.zeros((len(texts), 3), np.float32)
    )
    with pytest.raises(ProfileStoreError, match=r"shape \(1, 3\), expected \(1, 256\)"):
        seeded.upsert("u1", [ProfileItem("p1", "changed")])
    assert snapshot(seeded) == before


def test_backend_failure_is_wrapped_with_a_hint_and_keeps_existing_items(seeded, monkeypatch):
    def broken_upsert(**kwargs):
        raise InternalError("disk full")

    monkeypatch.setattr(seeded._collection, "upsert", broken_upsert)
    with pytest.raises(
        ProfileStoreError, match="Chroma failed to write items of user 'u1'.*disk full"
    ) as info:
        seeded.upsert("u1", [ProfileItem("p9", "new")])
    assert isinstance(info.value.__cause__, InternalError)
    monkeypatch.undo()
    assert [item.id for item in seeded.items("u1")] == ["p1", "p2"]
    assert seeded.search("u1", "Lisbon", k=1, mode="bm25")[0].id == "p2"


# ----------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("user_id", ["", "   ", None, 5])
def test_bad_user_id(store, user_id):
    for call in (
        lambda: store.search(user_id, "tea", k=1),
        lambda: store.upsert(user_id, [ProfileItem("p", "t")]),
        lambda: store.count(user_id),
        lambda: store.has_user(user_id),
        lambda: store.items(user_id),
        lambda: store.delete_user(user_id),
    ):
        with pytest.raises(ValueError, match="user_id must be a non-empty string"):
            call()
    assert store.users() == []


@pytest.mark.parametrize("k", [0, -1, 1.5, True, "3"])
def test_bad_k(seeded, k):
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        seeded.search("u1", "tea", k=k)


@pytest.mark.parametrize("query", ["", "  \t", None])
def test_bad_query(seeded, query):
    with pytest.raises(ValueError, match="query must be a non-empty string"):
        seeded.search("u1", query, k=1)


def test_bad_mode(seeded, client):
    with pytest.raises(ValueError, match="Unknown retriever 'sparse'. Choose one of: dense, bm25"):
        seeded.search("u1", "tea", k=1, mode="sparse")
    with pytest.raises(ValueError, match="Unknown retriever"):
        open_profile_store(client=client, embedding="hash", retriever="tfidf")  # type: ignore[arg-type]


def test_bad_open_arguments(client, tmp_path):
    with pytest.raises(ValueError, match="Unknown embedding 'e5'"):
        open_profile_store(client=client, embedding="e5")
    with pytest.raises(
        ValueError, match="only one of path, url or client to open a profile store; got path and url"
    ):
        open_profile_store(tmp_path, url="http://127.0.0.1:8000", embedding="hash")
    for url in ("127.0.0.1:8000", "ftp://host:1", "http://:8000", "http://host:notaport"):
        with pytest.raises(ValueError, match="Invalid Chroma server URL"):
            open_profile_store(url=url, embedding="hash")
    with pytest.raises(ProfileStoreError, match="Expected a name containing 3-512 characters"):
        open_profile_store(client=client, collection="x", embedding="hash")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_server_names_the_url_and_how_to_start_one():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ProfileStoreError, match="chroma run") as info:
        open_profile_store(url=url, embedding="hash")
    assert url in str(info.value)


# -------------------------------------------------------------------------------- embedding mismatch


class OtherEmbedder(HashEmbedder):
    name = "other"


def test_reopening_with_another_embedder_is_refused(client, collection_name, store):
    store.upsert("u1", [ProfileItem("p1", "green tea")])
    with pytest.raises(EmbeddingMismatchError) as info:
        open_profile_store(client=client, collection=collection_name, embedding=HashEmbedder(dim=64))
    message = str(info.value)
    assert "'hash' (dim 256)" in message and "'hash' (dim 64)" in message
    assert "--embedding hash" in message and "--store" in message
    with pytest.raises(EmbeddingMismatchError, match="configured with 'other' \\(dim 256\\)"):
        open_profile_store(client=client, collection=collection_name, embedding=OtherEmbedder())
    same = open_profile_store(client=client, collection=collection_name, embedding=HashEmbedder(dim=256))
    assert same.items("u1") == [ProfileItem("p1", "green tea")]


def test_collection_not_created_by_pr2_is_refused(client, collection_name):
    client.create_collection(collection_name, embedding_function=None)
    with pytest.raises(ProfileStoreError, match="not created by pr2-agent"):
        open_profile_store(client=client, collection=collection_name, embedding="hash")


# ---------------------------------------------------------------------------------- delete and cache


@pytest.mark.parametrize("mode", MODES)
def test_delete_user_removes_only_that_user(two_users, mode):
    assert two_users.search("bob", "Porto", k=1, mode=mode)
    assert two_users.delete_user("bob") == 4
    assert two_users.search("bob", "Porto", k=3, mode=mode) == []
    assert two_users.users() == ["alice"]
    assert two_users.count("alice") == 4
    assert two_users.delete_user("bob") == 0


def test_bm25_cache_sees_new_items(store):
    store.upsert("u1", [ProfileItem("p1", "green tea")])
    assert store.search("u1", "coffee", k=1, mode="bm25") == []
    store.upsert("u1", [ProfileItem("p2", "black coffee")])
    assert [hit.id for hit in store.search("u1", "coffee", k=1, mode="bm25")] == ["p2"]


def test_search_cache_keeps_only_recent_users_within_its_item_bound(store):
    store._slices.max_items = 2
    for user in ("u1", "u2", "u3"):
        store.upsert(user, [ProfileItem("p1", f"{user} likes tea")])
        assert store.search(user, "tea", k=1, mode="bm25")[0].text == f"{user} likes tea"
    assert list(store._slices._slices) == ["u2", "u3"]
    store.search("u2", "tea", k=1)
    assert list(store._slices._slices) == ["u3", "u2"]


def test_bm25_is_the_store_default_when_configured(client, collection_name):
    store = open_profile_store(client=client, collection=collection_name, embedding="hash", retriever="bm25")
    store.upsert("u1", [ProfileItem("p1", "green tea"), ProfileItem("p2", "tea tea tea")])
    hits = store.search("u1", "tea", k=5)
    assert [hit.id for hit in hits] == ["p2", "p1"]
    assert isinstance(hits[0], ProfileHit) and hits[0].score > hits[1].score > 0


# ------------------------------------------------------------------------------------ retriever view


@pytest.mark.parametrize("mode", MODES)
def test_retriever_returns_documents_of_one_user(two_users, mode):
    retriever = two_users.as_retriever("alice", k=2, mode=mode)
    assert isinstance(retriever, ProfileRetriever)
    docs = retriever.invoke("peanuts allergy bob Porto")
    assert 1 <= len(docs) <= 2
    assert all(isinstance(doc, Document) for doc in docs)
    assert docs[0].page_content == ALICE[0].text
    for doc in docs:
        assert doc.metadata["user_id"] == "alice"
        assert doc.metadata["owner_tag"] == "alice"
        assert doc.id == doc.metadata["id"]
        assert isinstance(doc.metadata["score"], float)


def test_retriever_validates_its_fields(two_users):
    with pytest.raises(ValueError, match="user_id must be a non-empty string"):
        two_users.as_retriever("  ")
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        ProfileRetriever(store=two_users, user_id="alice", k=0)
    with pytest.raises(ValueError):
        ProfileRetriever(store=object(), user_id="alice")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------- persistence


def test_persistent_round_trip(tmp_path):
    path = tmp_path / "store"
    store = open_profile_store(path, embedding="hash")
    store.upsert("u1", [ProfileItem("p1", "I drink green tea", {"year": 2020}), ProfileItem("p2", "I run")])
    store.upsert("u2", [ProfileItem("p1", "I paint")])
    assert "store directory" in store.location
    # Forget the in-process client so the second open really reads from disk.
    SharedSystemClient.clear_system_cache()

    reopened = open_profile_store(path, embedding="hash")
    assert reopened.users() == ["u1", "u2"]
    assert reopened.items("u1") == [
        ProfileItem("p1", "I drink green tea", {"year": 2020}),
        ProfileItem("p2", "I run"),
    ]
    assert reopened.search("u1", "green tea", k=1)[0].id == "p1"
    assert reopened.search("u2", "green tea", k=5, mode="bm25") == []
    SharedSystemClient.clear_system_cache()
    with pytest.raises(EmbeddingMismatchError, match="--embedding hash"):
        open_profile_store(path, embedding=HashEmbedder(dim=32))
    SharedSystemClient.clear_system_cache()


def test_store_directory_that_is_a_file(tmp_path):
    path = tmp_path / "not_a_dir"
    path.write_text("x")
    # Refused before Chroma is asked (it used to fail inside Chroma with a hint about other processes).
    with pytest.raises(ValueError, match="is a file, not a directory"):
        open_profile_store(path, embedding="hash")


def test_connect_defaults_and_direct_construction(client, collection_name):
    connection = connect(client=client)
    assert connection.location == "given Chroma client" and not connection.shared
    store = ProfileStore(connection, HashEmbedder(), collection=collection_name)
    assert store.collection_name == collection_name
    assert "embedding='hash'" in repr(store)
