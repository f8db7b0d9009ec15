"""G graph rollouts of one question vs one batched ``generate`` of as many tokens, in one run.

A GRPO step samples G trajectories of one question through the graph: several turns each, with the
retrieved ``<information>`` inserted between turns. This bench times those rollouts (the graph, the
batching policy, retrieval from a 1,000-item profile) against the best case for the same model: one
``generate_batch`` of G rows sampling the same number of tokens. Both rollout variants are timed:
with the key/value cache kept across turns (the default) and without it (every turn re-reads the
whole prompt and trajectory). Repeats alternate the order, so machine load hits all alike; read the
median ratio of tokens per second (rollouts / batched generate) and its spread.

    .venv/bin/python bench/rollout_bench.py --out bench/results/rollouts_smollm2.json
    .venv/bin/python bench/rollout_bench.py --smoke        # seconds: tiny profile, 1 repeat, 4 tokens
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time

from pr2_agent.run.environment import offline_defaults  # noqa: E402

offline_defaults()

import chromadb  # noqa: E402
import torch  # noqa: E402

from pr2_agent.context import Context  # noqa: E402
from pr2_agent.graph import build_graph  # noqa: E402
from pr2_agent.parsing import render_user_prompt  # noqa: E402
from pr2_agent.policy.base import GenerationRequest  # noqa: E402
from pr2_agent.policy.local import LocalPolicy  # noqa: E402
from pr2_agent.run.fanout import batched, run_all  # noqa: E402
from pr2_agent.store import ProfileItem, open_profile_store  # noqa: E402
from pr2_agent.weights import DEFAULT_MODEL, ensure_model  # noqa: E402

QUESTION = "What should I cook for dinner this week, given what I like and what I cannot eat?"
USER = "bench-user"
TOPICS = ["cooking", "travel", "books", "running", "music", "garden", "movies", "work", "family", "money"]


def profile(n: int) -> list[ProfileItem]:
    """``n`` short, distinct history items over a few topics."""
    return [
        ProfileItem(id=f"i{i}", text=f"Note {i} on {TOPICS[i % len(TOPICS)]}: I tried option {i * 7 % 97}, liked it.")
        for i in range(n)
    ]


def rollouts(policy: LocalPolicy, store: object, group: int, new_tokens: int) -> tuple[int, float, list]:
    """Sampled tokens, seconds and trajectories of ``group`` graph rollouts of one question."""
    batching = batched(policy, max_batch=group)
    graph = build_graph(model=batching, store=store)  # type: ignore[arg-type]
    context = Context(user_id=USER, max_new_tokens=new_tokens, temperature=1.0, top_p=1.0, max_searches=3)
    t0 = time.perf_counter()
    outputs = run_all(
        list(range(group)), lambda _: graph.invoke({"question": QUESTION}, context=context), batching=batching
    )
    seconds = time.perf_counter() - t0
    segments = [o["segments"] for o in outputs]
    tokens = sum(len(s["token_ids"] or []) for traj in segments for s in traj if s["kind"] == "model")
    return tokens, seconds, segments


def one_generate(policy: LocalPolicy, group: int, tokens_per_row: int) -> tuple[int, float]:
    """Sampled tokens and seconds of one ``generate_batch`` of ``group`` rows of the same prompt."""
    request = GenerationRequest(
        messages=[{"role": "user", "content": render_user_prompt(QUESTION)}],
        max_new_tokens=max(1, tokens_per_row),
        temperature=1.0,
        top_p=1.0,
    )
    t0 = time.perf_counter()
    gens = policy.generate_batch([request] * group)
    return sum(len(g.token_ids or []) for g in gens), time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--group", type=int, default=8, help="rollouts per question (G)")
    parser.add_argument("--new-tokens", type=int, default=32, help="token budget of each model turn")
    parser.add_argument("--items", type=int, default=1000, help="profile items of the user")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    parser.add_argument("--smoke", action="store_true", help="seconds: 20 items, 1 repeat, 4 tokens, G=2")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    if args.smoke:
        args.items, args.repeats, args.new_tokens, args.group = 20, 1, 4, 2
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    checkpoint = ensure_model(args.model)
    cached = LocalPolicy(checkpoint, seed=0, name="kv-cache")
    plain = LocalPolicy.from_model(cached.model, cached.tokenizer, seed=0, name="no-cache")
    plain.kv_cache = None
    # Its own wrapper, so the rollouts' policies see the same sequence of seeded calls.
    reference = LocalPolicy.from_model(cached.model, cached.tokenizer, seed=0, name="generate")
    with tempfile.TemporaryDirectory() as tmp:
        store = open_profile_store(client=chromadb.PersistentClient(tmp), embedding="hash")
        store.upsert(USER, profile(args.items))
        rates: dict[str, list[float]] = {"kv_cache": [], "no_cache": [], "generate": []}
        same = 0
        for repeat in range(args.repeats):
            order = ["kv_cache", "no_cache"] if repeat % 2 == 0 else ["no_cache", "kv_cache"]
            trajectories = {}
            sampled = {}
            for name in order:
                policy = cached if name == "kv_cache" else plain
                sampled[name], seconds, trajectories[name] = rollouts(policy, store, args.group, args.new_tokens)
                rates[name].append(sampled[name] / seconds)
            same += trajectories["kv_cache"] == trajectories["no_cache"]
            gen_tokens, gen_seconds = one_generate(reference, args.group, sampled["kv_cache"] // args.group)
            rates["generate"].append(gen_tokens / gen_seconds)
    ratios = {
        name: [r / g for r, g in zip(rates[name], rates["generate"], strict=True)] for name in ("kv_cache", "no_cache")
    }
    result = {
        "tokens_per_s": {name: round(statistics.median(v), 2) for name, v in rates.items()},
        "ratio_rollouts_over_generate": {name: round(statistics.median(v), 3) for name, v in ratios.items()},
        "ratio_spread": {name: [round(min(v), 3), round(max(v), 3)] for name, v in ratios.items()},
        "identical_trajectories": f"{same}/{args.repeats}",
        "kv_cache_reused_tokens": cached.kv_cache.reused_tokens if cached.kv_cache else 0,
        "meta": {
            "model": args.model,
            "group": args.group,
            "new_tokens": args.new_tokens,
            "profile_items": args.items,
            "repeats": args.repeats,
            "torch_threads": torch.get_num_threads(),
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
            "load_avg_1min": round(os.getloadavg()[0], 2),
        },
    }
    print(json.dumps(result, indent=2))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
