"""Tokens per second of one model turn: the embedded model on transformers vs on llama.cpp, in one run.

Both backends serve the same model (SmolLM2-135M: the transformers checkpoint converted from the GGUF,
and the GGUF itself on llama.cpp) with the same prompt ids and the same thread count. Each repeat
times one turn on each backend, alternating which goes first (A-B, then B-A), so machine load hits
both alike; the ratio of medians is what to read, with its spread over the repeats. A second
measurement times a whole three-turn trajectory (two inserted ``<information>`` blocks), where
llama.cpp's prefix cache means only the inserted text is prefilled.

    .venv/bin/python bench/serving_bench.py --out bench/results/serving_smollm2.json
    .venv/bin/python bench/serving_bench.py --smoke          # seconds: 1 repeat, 8 tokens
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

from pr2_agent.run.environment import offline_defaults  # noqa: E402

offline_defaults()

import torch  # noqa: E402

from pr2_agent import prompts  # noqa: E402
from pr2_agent.parsing import render_information, render_user_prompt  # noqa: E402
from pr2_agent.policy.base import GenerationRequest, Policy  # noqa: E402
from pr2_agent.policy.llamacpp import LlamaCppPolicy  # noqa: E402
from pr2_agent.policy.local import LocalPolicy  # noqa: E402
from pr2_agent.trajectory import env_segment, model_segment  # noqa: E402
from pr2_agent.weights import DEFAULT_MODEL, ensure_model, gguf_path  # noqa: E402

QUESTION = "What should I cook for dinner this week? Please give me a detailed plan."


class _Item:
    def __init__(self, text: str, score: float) -> None:
        self.text, self.score = text, score


ITEMS = [
    _Item(t, 0.8 - i / 10)
    for i, t in enumerate(
        [
            "I stopped eating meat two years ago.",
            "I only have 20 minutes to cook on weeknights.",
            "My partner is allergic to peanuts.",
            "We have two burners and no oven.",
            "I love spicy Sichuan food.",
        ]
    )
]


def one_turn(policy: Policy, new_tokens: int) -> tuple[int, float]:
    """Tokens kept and seconds for one free-running turn (no stop string, so the budget is used)."""
    request = GenerationRequest(
        messages=[{"role": "user", "content": render_user_prompt(QUESTION)}],
        max_new_tokens=new_tokens,
        temperature=0.7,
        top_p=0.95,
    )
    t0 = time.perf_counter()
    gen = policy.generate(request)
    return len(gen.token_ids or []), time.perf_counter() - t0


def trajectory(policy: Policy, new_tokens: int) -> float:
    """Seconds for three turns of one trajectory, two inserted information blocks in between."""
    messages = [{"role": "user", "content": render_user_prompt(QUESTION)}]
    segments = []
    t0 = time.perf_counter()
    for turn in range(3):
        gen = policy.generate(
            GenerationRequest(messages=messages, segments=list(segments), max_new_tokens=new_tokens, temperature=0.7)
        )
        segments.append(model_segment(gen.text, gen.token_ids, gen.finish_reason))
        if turn < 2:
            info = render_information(ITEMS[turn * 2 : turn * 2 + 3])
            segments.append(env_segment(info, policy.encode(info), []))
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch and llama.cpp threads (default: %(default)s)")
    parser.add_argument("--smoke", action="store_true", help="1 repeat of 8 tokens: checks the bench runs")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    if args.smoke:
        args.repeats, args.new_tokens = 1, 8

    torch.set_num_threads(args.threads)
    checkpoint = ensure_model(args.model)
    backends: dict[str, Policy] = {
        "transformers": LocalPolicy(checkpoint, seed=0, name="transformers"),
        "llamacpp": LlamaCppPolicy(gguf_path(args.model), checkpoint, seed=0, n_threads=args.threads),
    }
    for policy in backends.values():
        one_turn(policy, 4)  # warm-up
    rates: dict[str, list[float]] = {name: [] for name in backends}
    traj: dict[str, list[float]] = {name: [] for name in backends}
    order = list(backends)
    for repeat in range(args.repeats):
        for name in order if repeat % 2 == 0 else order[::-1]:
            tokens, seconds = one_turn(backends[name], args.new_tokens)
            rates[name].append(tokens / seconds)
            traj[name].append(trajectory(backends[name], args.new_tokens // 2))
    ratios = [t / c for t, c in zip(rates["transformers"], rates["llamacpp"], strict=True)]
    traj_ratios = [c / t for t, c in zip(traj["transformers"], traj["llamacpp"], strict=True)]
    result = {
        "tokens_per_s": {name: round(statistics.median(v), 2) for name, v in rates.items()},
        "ratio_transformers_over_llamacpp": round(statistics.median(ratios), 3),
        "ratio_spread": [round(min(ratios), 3), round(max(ratios), 3)],
        "trajectory_s": {name: round(statistics.median(v), 2) for name, v in traj.items()},
        "trajectory_ratio_llamacpp_over_transformers": round(statistics.median(traj_ratios), 3),
        "meta": {
            "model": args.model,
            "new_tokens": args.new_tokens,
            "repeats": args.repeats,
            "threads": args.threads,
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
            "load_avg_1min": round(os.getloadavg()[0], 2),
            "stop_strings": list(prompts.STOP_STRINGS),
        },
    }
    print(json.dumps(result, indent=2))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
