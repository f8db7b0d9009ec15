"""Per-user retrieval at scale: the store's top-k against a brute-force dot product over the same user's vectors.

Why: retrieval runs inside every reasoning step of the agent and every GRPO rollout, and it must be exact
(a filtered approximate query over one shared index silently lost items, issue 16 item 1). For each
layout (users x items per user, all in one store) this measures, with the query embedding taken out of
the picture (vectors are precomputed, so "embedding" is a dictionary lookup):

- ``ratio``: store.search p50 over a brute-force ``argsort(V_user @ q)`` p50, timed interleaved on the
  same queries, per round; reported as the median of rounds and its min-max spread;
- ``recall@k`` of the store against that exact search, ``exact_text_rank1`` (query = an item's own vector
  finds it at rank 1), ``min_k_ok`` (every result has min(k, user's items) hits), foreign hits;
- the old path for reference: Chroma's ``query(where={"user_id": ...})`` p50 and recall;
- ingest throughput with precomputed vectors (store-bound), and the first (cold) search of a user.

``--minilm-users N`` adds a real-model check: N users x 6 items embedded with MiniLM, each user queried
with one of its own item texts, counting misses at rank 1 (the shape of the issue's 600-user failure).

Run (the full measurement, under the shared heavy lock on the 2-core machine):

    flock /tmp/pr2-heavy.lock .venv/bin/python bench/retrieval_bench.py --out bench/results/retrieval_exact.json

``--smoke`` runs a seconds-long version (the tests use it).
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
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

from pr2_agent.store import ProfileItem, make_embedder, open_profile_store  # noqa: E402
from pr2_agent.store.collection import user_scope  # noqa: E402
from pr2_agent.store.embedding import FloatArray  # noqa: E402

DIM = 384
"""MiniLM's dimension, so matrix sizes match the real store."""


class PrecomputedEmbedder:
    """Returns vectors fixed in advance for each text: embedding costs a dictionary lookup."""

    name = "precomputed"
    dim = DIM

    def __init__(self) -> None:
        self.table: dict[str, FloatArray] = {}

    def embed_documents(self, texts: Sequence[str]) -> FloatArray:
        return np.stack([self.table[t] for t in texts]) if texts else np.zeros((0, DIM), dtype=np.float32)

    def embed_query(self, text: str) -> FloatArray:
        return self.table[text]


def unit(rng: np.random.Generator, rows: int) -> FloatArray:
    """Random unit vectors (float32)."""
    v = rng.standard_normal((rows, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def ms(seconds: Sequence[float], q: float = 50) -> float:
    """The q-th percentile of durations, in milliseconds."""
    return float(np.percentile(np.asarray(seconds) * 1000.0, q))


def layout(users: int, items: int, *, rounds: int, queries: int, k: int, seed: int) -> dict[str, Any]:
    """Measure one layout in a fresh temporary store."""
    rng = np.random.default_rng(seed)
    embedder = PrecomputedEmbedder()
    user_ids = [f"user{u:05d}" for u in range(users)]
    vectors = {u: unit(rng, items) for u in user_ids}
    profiles = {}
    for u in user_ids:
        texts = [f"{u} item {i}" for i in range(items)]
        embedder.table.update(zip(texts, vectors[u], strict=True))
        profiles[u] = [ProfileItem(f"i{i:05d}", t) for i, t in enumerate(texts)]
    with tempfile.TemporaryDirectory(prefix="pr2-bench-") as tmp:
        store = open_profile_store(Path(tmp) / "store", embedding=embedder)
        start = time.perf_counter()
        for u in user_ids:
            store.upsert(u, profiles[u])
        ingest_s = time.perf_counter() - start

        sample = random.Random(seed).sample(user_ids, min(users, max(queries // 10, 1)))
        # Queries: random directions, plus each sampled user's own item vectors (exact-text checks).
        query_vectors = unit(rng, queries)
        for i, q in enumerate(query_vectors):
            embedder.table[f"q{i}"] = q
        cold = []
        for u in sample:
            t = time.perf_counter()
            store.search(u, "q0", k=k)
            cold.append(time.perf_counter() - t)

        ratios, store_p50, brute_p50 = [], [], []
        recall_hits = recall_total = foreign = min_k_bad = 0
        for r in range(rounds):
            t_store, t_brute = [], []
            for i in range(queries):
                u = sample[i % len(sample)]
                q = query_vectors[i]
                v = vectors[u]
                # Alternate the order so neither side always runs with warmer caches.
                for side in ((0, 1) if (i + r) % 2 == 0 else (1, 0)):
                    t = time.perf_counter()
                    if side == 0:
                        hits = store.search(u, f"q{i}", k=k)
                        t_store.append(time.perf_counter() - t)
                    else:
                        exact = np.argsort(-(v @ q), kind="stable")[:k]
                        t_brute.append(time.perf_counter() - t)
                if r == 0:
                    want = {f"i{j:05d}" for j in exact}
                    recall_hits += len(want & {h.id for h in hits})
                    recall_total += len(want)
                    foreign += sum(not h.text.startswith(u + " ") for h in hits)
                    min_k_bad += len(hits) != min(k, items)
            store_p50.append(ms(t_store))
            brute_p50.append(ms(t_brute))
            ratios.append(store_p50[-1] / brute_p50[-1])

        rank1 = 0
        for u in sample:
            j = len(profiles[u]) // 2
            rank1 += store.search(u, profiles[u][j].text, k=k)[0].id == profiles[u][j].id

        # The old path: Chroma's approximate query filtered to the user.
        where_t, where_hits = [], 0
        collection = store._collection
        for i in range(min(queries, 50)):
            u = sample[i % len(sample)]
            t = time.perf_counter()
            res = collection.query(query_embeddings=query_vectors[i][None, :], n_results=k, where=user_scope(u))
            where_t.append(time.perf_counter() - t)
            exact = np.argsort(-(vectors[u] @ query_vectors[i]), kind="stable")[:k]
            got = {json.loads(rid)[1] for rid in res["ids"][0]}
            where_hits += len({f"i{j:05d}" for j in exact} & got)
        where_total = min(queries, 50) * min(k, items)

    return {
        "users": users,
        "items_per_user": items,
        "total_items": users * items,
        "k": k,
        "queries_per_round": queries,
        "rounds": rounds,
        "ratio_store_over_bruteforce": round(statistics.median(ratios), 3),
        "ratio_spread": [round(min(ratios), 3), round(max(ratios), 3)],
        "store_p50_ms": round(statistics.median(store_p50), 4),
        "bruteforce_p50_ms": round(statistics.median(brute_p50), 4),
        "first_search_of_a_user_ms": {"p50": round(ms(cold), 2), "max": round(ms(cold, 100), 2)},
        "recall_at_k": round(recall_hits / recall_total, 4),
        "exact_text_rank1": f"{rank1}/{len(sample)}",
        "min_k_violations": min_k_bad,
        "foreign_hits": foreign,
        "ingest_items_per_s_precomputed": round(users * items / ingest_s, 1),
        "ingest_s": round(ingest_s, 2),
        "old_where_query": {
            "p50_ms": round(ms(where_t), 3),
            "ratio_over_bruteforce": round(ms(where_t) / statistics.median(brute_p50), 1),
            "recall_at_k": round(where_hits / where_total, 4),
        },
    }


def minilm_check(users: int, items: int, seed: int) -> dict[str, Any]:
    """Real MiniLM: every user queried with one of its own item texts; misses at rank 1 and empty results."""
    rng = random.Random(seed)
    words = "tea bikes garden piano kayak chess novels bread curry hiking film jazz yoga running dogs cats".split()
    with tempfile.TemporaryDirectory(prefix="pr2-bench-minilm-") as tmp:
        store = open_profile_store(Path(tmp) / "store", embedding="minilm")
        make_embedder("minilm").embed_query("warm up")
        profiles = {}
        start = time.perf_counter()
        for u in range(users):
            uid = f"user{u:05d}"
            profiles[uid] = [
                ProfileItem(f"p{i}", f"I like {rng.choice(words)} and {rng.choice(words)}, note {u}-{i}.")
                for i in range(items)
            ]
            store.upsert(uid, profiles[uid])
        ingest_s = time.perf_counter() - start
        empty = miss = 0
        for uid, items_ in profiles.items():
            target = items_[rng.randrange(len(items_))]
            hits = store.search(uid, target.text, k=5)
            empty += not hits
            miss += not hits or hits[0].id != target.id
    return {
        "users": users,
        "items_per_user": items,
        "empty_results": empty,
        "rank1_misses": miss,
        "ingest_items_per_s_minilm": round(users * items / ingest_s, 1),
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--layouts", default="100x1000,1000x100", help="USERSxITEMS, comma separated (default: %(default)s)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per layout (default: %(default)s)")
    parser.add_argument("--queries", type=int, default=400, help="queries per round (default: %(default)s)")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--minilm-users", type=int, default=1000, help="0 skips the MiniLM check")
    parser.add_argument("--minilm-items", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="seconds-long run: 20x50 and 10x5, 2 rounds")
    parser.add_argument("--out", default=None, help="write the measurements as JSON to this file")
    args = parser.parse_args(argv)
    if args.smoke:
        args.layouts, args.rounds, args.queries, args.minilm_users = "20x50,10x5", 2, 40, 0
    try:
        args.layouts = [tuple(int(x) for x in spec.split("x")) for spec in args.layouts.split(",")]
    except ValueError:
        parser.error(f"--layouts must look like 100x1000,1000x100, got {args.layouts!r}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    report: dict[str, Any] = {
        "environment": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "omp_threads": os.environ.get("OMP_NUM_THREADS"),
            "load_average_1m_at_start": round(os.getloadavg()[0], 2),
        },
        "layouts": [],
    }
    for users, items in args.layouts:
        row = layout(users, items, rounds=args.rounds, queries=args.queries, k=args.k, seed=args.seed)
        report["layouts"].append(row)
        print(
            f"{users} users x {items} items: store/brute {row['ratio_store_over_bruteforce']}x "
            f"(spread {row['ratio_spread']}), p50 {row['store_p50_ms']} vs {row['bruteforce_p50_ms']} ms, "
            f"recall@{args.k} {row['recall_at_k']}, exact-text rank 1 {row['exact_text_rank1']}, "
            f"ingest {row['ingest_items_per_s_precomputed']} items/s; old where-query "
            f"{row['old_where_query']['ratio_over_bruteforce']}x, recall {row['old_where_query']['recall_at_k']}",
            flush=True,
        )
    if args.minilm_users:
        report["minilm"] = minilm_check(args.minilm_users, args.minilm_items, args.seed)
        print(f"minilm: {report['minilm']}")
    report["environment"]["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
