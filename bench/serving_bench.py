"""Tokens per second of one model turn: the embedded model on transformers vs on llama.cpp, in one run.

Both backends serve the same model with the same prompt ids and the same thread count.
``--model embedded`` is the shipped policy: its merged transformers checkpoint against the float16
GGUF exported from it (``pr2_agent.gguf_export``), plus a third entry, ``default``: what
``resolve_policy("embedded")`` serves by default here (``PR2_SERVING`` unset: llama.cpp when
llama-cpp-python is installed). An embedded model name (default: the untrained SmolLM2) compares its
converted checkpoint with the model's own (4-bit) GGUF. A greedy turn per prompt checks that the two
backends sample the same ids. Each repeat times one turn on each backend, alternating which goes
first (A-B, then B-A), so machine load hits all alike; the ratio of medians is what to read, with its
spread over the repeats. A second measurement times a whole three-turn trajectory (two inserted
``<information>`` blocks), where llama.cpp's prefix cache means only the inserted text is prefilled.

    .venv/bin/python bench/serving_bench.py --model embedded --out bench/results/serving_embedded_1thread.json
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
from pr2_agent.policy.resolve import resolve_policy, serving_backend  # noqa: E402
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


GREEDY_PROMPTS = [
    "What should I cook tonight?",
    "Plan a weekend trip for me.",
    "Which book should I read next, and why?",
]


def greedy_agreement(a: Policy, b: Policy, new_tokens: int) -> tuple[int, int]:
    """Leading greedy ids the two backends share, and the ids compared, over ``GREEDY_PROMPTS``."""
    same = total = 0
    for question in GREEDY_PROMPTS:
        request = GenerationRequest(
            messages=[{"role": "user", "content": render_user_prompt(question)}],
            max_new_tokens=new_tokens,
            temperature=0.0,
        )
        x, y = a.generate(request).token_ids or [], b.generate(request).token_ids or []
        n = min(len(x), len(y))
        total += max(len(x), len(y))
        same += next((i for i in range(n) if x[i] != y[i]), n)
    return same, total


def backends_for(model: str, threads: int) -> dict[str, Policy]:
    """The policies to time: transformers and llama.cpp on the same weights (+ the default path for embedded)."""
    if model == "embedded":
        from pr2_agent.gguf_export import served_gguf
        from pr2_agent.policy_artifact import ensure_policy

        checkpoint = ensure_policy()
        gguf = served_gguf(checkpoint)
    else:
        checkpoint, gguf = ensure_model(model), gguf_path(model)
    backends: dict[str, Policy] = {
        "transformers": LocalPolicy(checkpoint, seed=0, name="transformers"),
        "llamacpp": LlamaCppPolicy(gguf, checkpoint, seed=0, n_threads=threads),
    }
    if model == "embedded":
        os.environ.pop("PR2_SERVING", None)
        backends["default"] = resolve_policy("embedded", seed=0)
    return backends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--model", default=DEFAULT_MODEL, help="embedded (the shipped policy) or an embedded model name"
    )
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch and llama.cpp threads (default: %(default)s)")
    parser.add_argument("--smoke", action="store_true", help="1 repeat of 8 tokens: checks the bench runs")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    if args.smoke:
        args.repeats, args.new_tokens = 1, 8

    torch.set_num_threads(args.threads)
    os.environ["PR2_THREADS"] = str(args.threads)  # the default path's llama.cpp threads
    backends = backends_for(args.model, args.threads)
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
    same, compared = greedy_agreement(backends["transformers"], backends["llamacpp"], 8 if args.smoke else 48)
    result = {
        "tokens_per_s": {name: round(statistics.median(v), 2) for name, v in rates.items()},
        "ratio_transformers_over_llamacpp": round(statistics.median(ratios), 3),
        "ratio_spread": [round(min(ratios), 3), round(max(ratios), 3)],
        **default_path(backends, rates),
        "greedy_ids_shared": f"{same}/{compared}",
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


def default_path(backends: dict[str, Policy], rates: dict[str, list[float]]) -> dict[str, object]:
    """What users get by default, as a ratio to llama.cpp (the goal's reading), when it was timed."""
    if "default" not in backends:
        return {}
    ratios = [d / c for d, c in zip(rates["default"], rates["llamacpp"], strict=True)]
    return {
        "default_backend": serving_backend(backends["default"]),
        "ratio_default_over_llamacpp": round(statistics.median(ratios), 3),
        "ratio_default_spread": [round(min(ratios), 3), round(max(ratios), 3)],
    }


if __name__ == "__main__":
    main()
