"""Benchmark the profile store: ingest throughput and per-user search latency (dense and BM25).

Why: retrieval runs inside every reasoning step of the agent and of every GRPO rollout, so its latency
multiplies; ingest speed decides how long building a store for a dataset takes. The default workload is
one 1,000-item profile among 10 users (10,000 items in one collection, all users the same size), with
synthetic but varied first-person texts, searched with 200 queries.

Run (about a minute on 2 CPU cores with MiniLM):

    .venv/bin/python bench/retrieval_bench.py --out bench/results/retrieval.json

Use ``--url http://127.0.0.1:8000`` to measure a ``chroma run`` server instead of an embedded directory,
and ``--embedding hash`` to take the embedding model out of the picture.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

from pr2_agent.store import (  # noqa: E402
    EMBEDDERS,
    RETRIEVAL_MODES,
    Embedder,
    ProfileItem,
    make_embedder,
    open_profile_store,
)
from pr2_agent.store.embedding import FloatArray  # noqa: E402

VERBS = [
    "cook",
    "repair",
    "photograph",
    "paint",
    "practise",
    "read about",
    "collect",
    "grow",
    "study",
    "sketch",
]
OBJECTS = [
    "sourdough bread",
    "vintage road bikes",
    "Sichuan noodles",
    "succulents",
    "jazz piano",
    "bird songs",
    "Spanish verbs",
    "sea kayaks",
    "board games",
    "mechanical watches",
    "houseplants",
    "Nordic crime novels",
    "trail running shoes",
    "espresso machines",
    "urban planning podcasts",
    "watercolour landscapes",
    "Thai curries",
    "chess openings",
    "film cameras",
    "mountain huts",
    "vegan desserts",
    "Roman history",
]
PLACES = [
    "Lisbon",
    "Oslo",
    "the allotment",
    "my tiny kitchen",
    "the night bus",
    "the office",
    "my balcony",
    "the climbing gym",
    "Kyoto",
    "the public library",
    "the riverside path",
    "my parents' garage",
]
WHEN = [
    "every Sunday",
    "after work",
    "on rainy evenings",
    "before sunrise",
    "during lunch breaks",
    "in winter",
]
RELATIONS = ["partner", "sister", "flatmate", "manager", "best friend", "grandfather"]
TEMPLATES = [
    "I {verb} {obj} in {place} {when}.",
    "Any tips for getting better at {obj}? I usually {verb} them {when}.",
    "My {rel} says I spend too much money on {obj}.",
    "Last year I started to {verb} {obj} in {place}, and I still do it {when}.",
    "I don't like {obj} much, but my {rel} wants me to {verb} them in {place}.",
    "What is the best way to store {obj} in {place}?",
]
QUERY_TEMPLATES = [
    "What do I think about {obj}?",
    "Where do I usually {verb} things?",
    "Which hobby do I do {when}?",
    "What does my {rel} say about my spending?",
    "{obj} in {place}",
    "Recommend something related to {obj}",
]


def make_profile(rng: random.Random, user: str, num_items: int) -> list[ProfileItem]:
    """Build ``num_items`` synthetic first-person items for ``user``."""
    items = []
    for i in range(num_items):
        template = rng.choice(TEMPLATES)
        text = template.format(
            verb=rng.choice(VERBS),
            obj=rng.choice(OBJECTS),
            place=rng.choice(PLACES),
            when=rng.choice(WHEN),
            rel=rng.choice(RELATIONS),
        )
        items.append(ProfileItem(id=f"i{i:05d}", text=f"{text} (note {i})", metadata={"owner": user}))
    return items


def make_queries(rng: random.Random, num_queries: int) -> list[str]:
    """Build ``num_queries`` synthetic questions about the profile topics."""
    return [
        rng.choice(QUERY_TEMPLATES).format(
            verb=rng.choice(VERBS),
            obj=rng.choice(OBJECTS),
            place=rng.choice(PLACES),
            when=rng.choice(WHEN),
            rel=rng.choice(RELATIONS),
        )
        for _ in range(num_queries)
    ]


@dataclass
class TimedEmbedder:
    """Wraps an embedder: times it (to split ingest into its parts) and keeps vectors for exact search."""

    inner: Embedder
    document_seconds: float = 0.0
    query_seconds: list[float] = field(default_factory=list)
    recorded_documents: list[FloatArray] | None = None
    """When a list, document vectors are appended to it (in embedding order)."""
    last_query: FloatArray | None = None
    name: str = field(init=False)
    dim: int = field(init=False)

    def __post_init__(self) -> None:
        # Same identity as the wrapped embedder, so the store records (and checks) the real one.
        self.name, self.dim = self.inner.name, self.inner.dim

    def embed_documents(self, texts: Sequence[str]) -> FloatArray:
        start = time.perf_counter()
        try:
            vectors = self.inner.embed_documents(texts)
        finally:
            self.document_seconds += time.perf_counter() - start
        if self.recorded_documents is not None:
            self.recorded_documents.append(vectors)
        return vectors

    def embed_query(self, text: str) -> FloatArray:
        start = time.perf_counter()
        try:
            self.last_query = self.inner.embed_query(text)
        finally:
            self.query_seconds.append(time.perf_counter() - start)
        return self.last_query


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    """The q-th percentile of durations, in milliseconds."""
    return float(np.percentile(np.asarray(seconds) * 1000.0, q))


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/mean/max of durations, in milliseconds."""
    return {
        "p50_ms": round(percentile_ms(seconds, 50), 2),
        "p95_ms": round(percentile_ms(seconds, 95), 2),
        "mean_ms": round(statistics.fmean(seconds) * 1000.0, 2),
        "max_ms": round(max(seconds) * 1000.0, 2),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the benchmark described by ``args`` and return the measurements."""
    rng = random.Random(args.seed)
    users = [f"user{u:02d}" for u in range(args.users)]
    target = users[0]
    profiles = {user: make_profile(rng, user, args.items) for user in users}
    queries = make_queries(rng, args.queries)

    embedder = TimedEmbedder(make_embedder(args.embedding))
    workdir = None
    if args.url:
        backend = f"chroma run server at {args.url}"
        store = open_profile_store(url=args.url, collection=args.collection, embedding=embedder)
    else:
        if args.store:
            path = Path(args.store)
        else:
            workdir = tempfile.TemporaryDirectory(prefix="pr2-bench-")
            path = Path(workdir.name) / "store"
        backend = f"PersistentClient at {path}" + (" (temporary)" if workdir else "")
        store = open_profile_store(path, collection=args.collection, embedding=embedder)
    for user in users:  # start from a clean slate when reusing a store
        store.delete_user(user)

    # Load the model outside the timed region: process start-up is not ingest throughput.
    start = time.perf_counter()
    embedder.inner.embed_query("warm up")
    model_load_s = time.perf_counter() - start

    ingest_start = time.perf_counter()
    per_user_s = {}
    target_vectors = np.zeros((0, embedder.dim), dtype=np.float32)
    for user in users:
        # The store embeds a user's items in order, so the recorded rows line up with profiles[target].
        embedder.recorded_documents = [] if user == target else None
        start = time.perf_counter()
        store.upsert(user, profiles[user], progress=args.progress)
        per_user_s[user] = time.perf_counter() - start
        if embedder.recorded_documents is not None:
            target_vectors = np.concatenate(embedder.recorded_documents)
    embedder.recorded_documents = None
    ingest_s = time.perf_counter() - ingest_start
    target_ids = [item.id for item in profiles[target]]
    total_items = args.items * len(users)

    results: dict[str, Any] = {}
    for mode in RETRIEVAL_MODES:
        start = time.perf_counter()
        store.search(target, queries[0], k=args.k, mode=mode)  # warm-up; builds the BM25 view
        first_query_ms = (time.perf_counter() - start) * 1000.0
        embedder.query_seconds.clear()
        timings, foreign, returned, recalls = [], 0, 0, []
        for query in queries:
            start = time.perf_counter()
            hits = store.search(target, query, k=args.k, mode=mode)
            timings.append(time.perf_counter() - start)
            returned += len(hits)
            foreign += sum(hit.metadata.get("owner") != target for hit in hits)
            if mode == "dense" and embedder.last_query is not None:
                # Exact cosine top-k over the target's vectors: how much the HNSW index misses.
                exact = np.argsort(-(target_vectors @ embedder.last_query), kind="stable")[: args.k]
                recalls.append(len({hit.id for hit in hits} & {target_ids[i] for i in exact}) / len(exact))
        results[mode] = {
            **latency_summary(timings),
            "first_query_ms": round(first_query_ms, 2),
            "mean_hits": round(returned / len(queries), 2),
            "foreign_hits": foreign,
        }
        if mode == "dense":
            results[mode]["query_embedding"] = latency_summary(embedder.query_seconds)
            results[mode]["recall_at_k_vs_exact"] = round(statistics.fmean(recalls), 4)

    if workdir is not None:
        workdir.cleanup()
    return {
        "config": {
            "backend": backend,
            "embedding": args.embedding,
            "users": args.users,
            "items_per_user": args.items,
            "total_items": total_items,
            "queries": args.queries,
            "k": args.k,
            "seed": args.seed,
        },
        "environment": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        },
        "model_load_s": round(model_load_s, 2),
        "ingest": {
            "seconds": round(ingest_s, 2),
            "items_per_s": round(total_items / ingest_s, 1),
            "embedding_seconds": round(embedder.document_seconds, 2),
            "write_seconds": round(ingest_s - embedder.document_seconds, 2),
            "target_user_seconds": round(per_user_s[target], 2),
        },
        "search": results,
    }


def print_table(report: dict[str, Any]) -> None:
    """Print the measurements as a small table."""
    cfg, ingest = report["config"], report["ingest"]
    print(
        f"backend: {cfg['backend']}\nembedding: {cfg['embedding']}, {cfg['users']} users x "
        f"{cfg['items_per_user']} items = {cfg['total_items']} items, {cfg['queries']} queries, k={cfg['k']}"
    )
    print(
        f"\ningest   {ingest['items_per_s']:>8.1f} items/s   ({cfg['total_items']} items in "
        f"{ingest['seconds']} s: embedding {ingest['embedding_seconds']} s, "
        f"Chroma writes {ingest['write_seconds']} s)"
    )
    print(f"\n{'search':<8}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}{'first ms':>10}{'hits':>6}{'foreign':>9}")
    for mode, row in report["search"].items():
        print(
            f"{mode:<8}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}{row['mean_ms']:>9.2f}"
            f"{row['first_query_ms']:>10.2f}{row['mean_hits']:>6.1f}{row['foreign_hits']:>9d}"
        )
    emb = report["search"]["dense"]["query_embedding"]
    print(f"(dense includes embedding the query: p50 {emb['p50_ms']} ms, p95 {emb['p95_ms']} ms)")
    recall = report["search"]["dense"]["recall_at_k_vs_exact"]
    print(f"dense recall@{cfg['k']} against exact cosine search over the user's items: {recall:.3f}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10, help="number of users (default: %(default)s)")
    parser.add_argument("--items", type=int, default=1000, help="items per user (default: %(default)s)")
    parser.add_argument(
        "--queries", type=int, default=200, help="timed searches per mode (default: %(default)s)"
    )
    parser.add_argument("--k", type=int, default=5, help="hits per search (default: %(default)s)")
    parser.add_argument("--embedding", default="minilm", choices=sorted(EMBEDDERS))
    parser.add_argument("--store", default=None, help="store directory (default: a temporary one, removed)")
    parser.add_argument("--url", default=None, help="measure a `chroma run` server instead of a directory")
    parser.add_argument("--collection", default="pr2_bench", help="collection name (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--progress", action="store_true", help="show ingest progress bars")
    parser.add_argument("--out", default=None, help="write the measurements as JSON to this file")
    args = parser.parse_args(argv)
    for name in ("users", "items", "queries", "k"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1, got {getattr(args, name)}")
    if args.store and args.url:
        parser.error("pass --store or --url, not both")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    report = run(args)
    print_table(report)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
