"""The demo's answer latency on transformers vs llama.cpp, on the SAME trajectory, in one run.

Two sampled demo runs say nothing about speed (issue 17: 110 vs 269 sampled tokens, 1 vs 2 searches):
each backend samples with its own random numbers. Greedy decoding gives both backends the same
trajectory (their greedy ids agree, ``bench/serving_bench.py``), so the time of the quickstart's graph
run for maya is comparable. Repeats alternate which backend goes first (A-B, B-A) so machine load hits
both alike; read the ratio of medians and its spread.

    .venv/bin/python bench/demo_latency.py --repeats 3 --out bench/results/demo_latency.json
    .venv/bin/python bench/demo_latency.py --smoke          # 1 repeat, 8-token turns
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from pr2_agent.run.environment import offline_defaults  # noqa: E402

offline_defaults()

import torch  # noqa: E402

from pr2_agent import Context, build_graph  # noqa: E402
from pr2_agent.policy.resolve import resolve_policy, serving_backend  # noqa: E402
from pr2_agent.store import ProfileItem, open_profile_store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "What should I cook for dinner tonight?"
BACKENDS = ("transformers", "llamacpp")


def main() -> None:
    """Time the greedy demo run on each backend, alternating order, and write the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="embedded")
    parser.add_argument("--user", default="maya")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-new-tokens", type=int, default=128, help="tokens per model turn (the demo's)")
    parser.add_argument("--max-searches", type=int, default=2, help="the demo's search budget")
    parser.add_argument("--smoke", action="store_true", help="1 repeat, 8-token turns")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    if args.smoke:
        args.repeats, args.max_new_tokens = 1, 8

    store_dir = tempfile.mkdtemp(prefix="pr2-demo-latency-")
    store = open_profile_store(store_dir)
    items = json.loads((ROOT / "examples" / "profiles" / f"{args.user}.json").read_text())
    store.upsert(args.user, [ProfileItem(id=i["id"], text=i["text"]) for i in items])
    graphs = {}
    for backend in BACKENDS:
        policy = resolve_policy(args.model, serving=backend)
        if serving_backend(policy) != backend:
            raise SystemExit(f"{args.model!r} is not served by {backend} here: install llama-cpp-python "
                             "(scripts/bootstrap.sh --test builds it)")
        graphs[backend] = build_graph(model=policy, profile_store=store)
    context = Context(
        user_id=args.user,
        store_path=store_dir,
        max_new_tokens=args.max_new_tokens,
        max_searches=args.max_searches,
        temperature=0.0,
    )
    for graph in graphs.values():  # warm-up: model load, GGUF export, first-call allocations
        graph.invoke({"question": QUESTION}, context=context)

    seconds: dict[str, list[float]] = {b: [] for b in BACKENDS}
    answers: dict[str, set[str]] = {b: set() for b in BACKENDS}
    ratios: list[float] = []
    for repeat in range(args.repeats):
        order = BACKENDS if repeat % 2 == 0 else BACKENDS[::-1]
        took = {}
        for backend in order:
            start = time.perf_counter()
            final = graphs[backend].invoke({"question": QUESTION}, context=context)
            took[backend] = time.perf_counter() - start
            seconds[backend].append(round(took[backend], 3))
            answers[backend].add(str(final.get("answer")))
        ratios.append(took["llamacpp"] / took["transformers"])
        print(f"repeat {repeat}: transformers {took['transformers']:.2f} s, llamacpp {took['llamacpp']:.2f} s",
              flush=True)
    medians = {b: statistics.median(v) for b, v in seconds.items()}
    result = {
        "model": args.model,
        "user": args.user,
        "threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
        "seconds": seconds,
        "median_seconds": medians,
        "ratio_llamacpp_over_transformers": statistics.median(ratios),
        "ratio_spread": [min(ratios), max(ratios)],
        "same_answer": answers["transformers"] == answers["llamacpp"] and len(answers["transformers"]) == 1,
        "answer": sorted(answers["transformers"]),
    }
    print(f"greedy demo answer: transformers {medians['transformers']:.2f} s, llama.cpp {medians['llamacpp']:.2f} s; "
          f"llama.cpp / transformers {result['ratio_llamacpp_over_transformers']:.3f}x "
          f"({min(ratios):.3f}-{max(ratios):.3f}); same answer: {result['same_answer']}")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
