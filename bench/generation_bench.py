"""Throughput of LocalPolicy.generate_batch on an embedded model, by batch size.

Each row samples up to ``--new-tokens`` tokens (temperature 0.7, top_p 0.95, the graph's defaults)
from a prompt that asks for a long text, so rows rarely end early. Throughput counts the tokens
actually kept (rows that hit EOS early contribute fewer), divided by wall time of the one
``generate_batch`` call. The machine's load average is printed too: on a shared CPU it dominates.

    .venv/bin/python bench/generation_bench.py                       # SmolLM2, batch 1 4 8 16
    .venv/bin/python bench/generation_bench.py --threads 1 --out results.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

from pr2_agent.run.environment import offline_defaults  # noqa: E402

offline_defaults()

import torch  # noqa: E402

from pr2_agent.policy.base import GenerationRequest  # noqa: E402
from pr2_agent.policy.local import LocalPolicy  # noqa: E402
from pr2_agent.weights import DEFAULT_MODEL, ensure_model  # noqa: E402

PROMPTS = [
    "Write a long, detailed story about a dragon who learns to cook.",
    "Explain in detail how to plan a vegetable garden for a small backyard.",
    "Describe, step by step, how a bicycle works.",
    "Write a long letter to a friend about your summer holiday by the sea.",
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=DEFAULT_MODEL, help="embedded model name (default: %(default)s)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 4, 8, 16])
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=1, help="runs per batch size (the best is reported)")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="also write the results as JSON here")
    args = parser.parse_args()

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    start = time.perf_counter()
    policy = LocalPolicy(ensure_model(args.model), seed=args.seed, name=args.model)
    load_s = time.perf_counter() - start
    policy.generate(
        GenerationRequest(messages=[{"role": "user", "content": "Hi"}], max_new_tokens=4)
    )  # warm-up

    print(f"model={args.model} torch_threads={torch.get_num_threads()} load={load_s:.1f}s")
    print(f"{'batch':>5} {'tokens':>6} {'early':>5} {'seconds':>8} {'tok/s':>7} {'load avg':>8}")
    rows = []
    for batch in args.batch_sizes:
        requests = [
            GenerationRequest(
                messages=[{"role": "user", "content": PROMPTS[i % len(PROMPTS)]}],
                max_new_tokens=args.new_tokens,
                temperature=0.7,
                top_p=0.95,
            )
            for i in range(batch)
        ]
        best = None
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            gens = policy.generate_batch(requests)
            seconds = time.perf_counter() - t0
            tokens = sum(len(g.token_ids or []) for g in gens)
            run = {
                "batch": batch,
                "tokens": tokens,
                "ended_early": sum(g.finish_reason != "length" for g in gens),
                "seconds": round(seconds, 3),
                "tokens_per_s": round(tokens / seconds, 2),
                "load_avg_1min": round(os.getloadavg()[0], 2),
            }
            if best is None or run["tokens_per_s"] > best["tokens_per_s"]:
                best = run
        assert best is not None
        rows.append(best)
        print(
            f"{best['batch']:>5} {best['tokens']:>6} {best['ended_early']:>5} {best['seconds']:>8.2f} "
            f"{best['tokens_per_s']:>7.1f} {best['load_avg_1min']:>8.2f}"
        )
    if args.out:
        meta = {
            "model": args.model,
            "new_tokens": args.new_tokens,
            "torch_threads": torch.get_num_threads(),
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
            "torch": torch.__version__,
        }
        with open(args.out, "w") as f:
            json.dump({"meta": meta, "results": rows}, f, indent=2)


if __name__ == "__main__":
    main()
