"""Profile store with real MiniLM embeddings, and through a real `chroma run` server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import chromadb
import httpx
import numpy as np
import pytest

from pr2_agent.store import MiniLMEmbedder, ProfileItem, ProfileStoreError, open_profile_store
from tests.waiting import run_with_progress, wait_until

pytestmark = pytest.mark.slow

MAYA = [
    ProfileItem("m1", "I am allergic to peanuts and always check labels before buying snacks."),
    ProfileItem("m2", "I moved to Lisbon three years ago and love the trams in Alfama."),
    ProfileItem("m3", "My cat Miso keeps scratching the sofa instead of her scratching post."),
    ProfileItem("m4", "I cycle 20 km to work every day, even when it rains."),
    ProfileItem("m5", "I am learning Spanish verb conjugations on the bus each morning."),
    ProfileItem("m6", "Our kitchen only has two burners and no oven."),
    ProfileItem("m7", "I finished every Earthsea book by Ursula K. Le Guin last summer."),
    ProfileItem("m8", "I prefer quiet podcasts about urban planning and architecture."),
]
SAM = [
    ProfileItem("s1", "I live in Oslo and go cross-country skiing every winter weekend."),
    ProfileItem("s2", "I am allergic to penicillin, which I found out as a child."),
    ProfileItem("s3", "I keep two dogs, a husky and a beagle."),
]


@pytest.fixture(scope="module")
def minilm_store():
    client = chromadb.EphemeralClient()
    name = f"minilm-{uuid.uuid4().hex[:8]}"
    store = open_profile_store(client=client, collection=name, embedding="minilm")
    store.upsert("maya", MAYA)
    store.upsert("sam", SAM)
    yield store
    client.delete_collection(name)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Which foods should I avoid?", "m1"),
        ("What city do I live in?", "m2"),
        ("How can I stop my pet from damaging furniture?", "m3"),
        ("How do I get to my job?", "m4"),
        ("Which language am I studying?", "m5"),
        ("Recommend a fantasy novel for me", "m7"),
    ],
)
def test_minilm_ranks_the_relevant_item_first(minilm_store, query, expected):
    hits = minilm_store.search("maya", query, k=3)
    assert hits[0].id == expected, [(hit.id, round(hit.score, 3)) for hit in hits]
    assert hits[0].score > hits[-1].score


def test_minilm_scores_separate_relevant_from_unrelated(minilm_store):
    scores = {hit.id: hit.score for hit in minilm_store.search("maya", "peanut allergy", k=len(MAYA))}
    assert scores["m1"] > 0.5
    assert scores["m1"] - max(score for item_id, score in scores.items() if item_id != "m1") > 0.2


def test_minilm_isolation_on_semantically_close_items(minilm_store):
    # Sam's penicillin allergy and Oslo are closer to these queries than anything of Maya's.
    for query in ("allergic to penicillin", "I live in Oslo", "husky and beagle dogs"):
        hits = minilm_store.search("maya", query, k=len(MAYA))
        assert {hit.id for hit in hits} <= {item.id for item in MAYA}
    assert minilm_store.search("sam", "allergic to penicillin", k=1)[0].id == "s2"


def test_minilm_model_is_loaded_once_per_process(minilm_store):
    first, second = MiniLMEmbedder(), MiniLMEmbedder(batch_size=8)
    assert first._model() is second._model()
    query = first.embed_query("green tea")
    np.testing.assert_allclose(query, second.embed_documents(["green tea"])[0], atol=1e-5)


# ------------------------------------------------------------------------------------ chroma run server


def _chroma_cli() -> str | None:
    return shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def chroma_server(path: Path, log_path: Path) -> Iterator[str]:
    """Run `chroma run` on a free port until the block exits; yields its URL."""
    cli = _chroma_cli()
    if cli is None:
        pytest.skip("the `chroma` CLI (installed with chromadb) was not found next to Python or on PATH")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [cli, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:

            def beats() -> bool:
                try:
                    return httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200
                except httpx.TransportError:
                    return False

            try:  # slow under load is fine; exited or hung (no CPU progress) is not
                wait_until(beats, proc, what="`chroma run`", poll=0.2)
            except (RuntimeError, TimeoutError) as err:
                pytest.fail(f"{err}:\n{log_path.read_text()}")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def server_url(tmp_path_factory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("chroma-server")
    with chroma_server(root / "db", root / "server.log") as url:
        yield url


@pytest.mark.parametrize("mode", ["dense", "bm25"])
def test_server_store_works_and_isolates_users(server_url, mode):
    collection = f"srv-{mode}-{uuid.uuid4().hex[:8]}"
    store = open_profile_store(url=server_url, collection=collection, embedding="minilm", retriever=mode)
    assert server_url in store.location
    store.upsert("maya", MAYA)
    store.upsert("sam", SAM)
    assert store.users() == ["maya", "sam"]
    assert store.count("maya") == len(MAYA)
    query = "allergic to peanuts" if mode == "bm25" else "Which foods should I avoid?"
    assert store.search("maya", query, k=3)[0].id == "m1"
    for query in ("allergic to penicillin Oslo husky beagle", "sam", SAM[0].text):
        hits = store.search("maya", query, k=len(MAYA) + len(SAM))
        assert {hit.id for hit in hits} <= {item.id for item in MAYA}
    docs = store.as_retriever("sam", k=2).invoke("dogs")
    assert docs and all(doc.metadata["user_id"] == "sam" for doc in docs)
    assert store.delete_user("sam") == len(SAM)
    assert store.users() == ["maya"]


def test_server_is_shared_between_processes(server_url):
    collection = f"srv-shared-{uuid.uuid4().hex[:8]}"
    store = open_profile_store(url=server_url, collection=collection, embedding="hash", retriever="bm25")
    store.upsert("maya", MAYA)
    assert store.search("maya", "Lisbon trams", k=1)[0].id == "m2"  # builds a BM25 view of maya
    writer = textwrap.dedent(
        f"""
        from pr2_agent.store import ProfileItem, open_profile_store
        store = open_profile_store(url={server_url!r}, collection={collection!r}, embedding="hash")
        store.upsert("maya", [ProfileItem("m9", "I started rock climbing at an indoor gym.")])
        store.upsert("sam", [ProfileItem("s1", "I started rock climbing too.")])
        """
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    run_with_progress([sys.executable, "-c", writer], env=env).check_returncode()
    # Another process wrote: a shared store must not serve a stale BM25 index.
    hits = store.search("maya", "rock climbing", k=5)
    assert [hit.id for hit in hits] == ["m9"]
    assert store.users() == ["maya", "sam"]


def test_server_going_away_gives_a_clear_error(tmp_path):
    with chroma_server(tmp_path / "db", tmp_path / "server.log") as url:
        store = open_profile_store(url=url, collection="going-away", embedding="hash")
        store.upsert("maya", MAYA[:2])
    with pytest.raises(ProfileStoreError) as info:
        store.search("maya", "Lisbon", k=1)
    assert url in str(info.value) and "chroma run" in str(info.value)
