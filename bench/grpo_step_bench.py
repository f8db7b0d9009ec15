"""One PR2 GRPO step vs one plain single-turn TRL GRPO step that samples as many tokens, in one run.

A PR2 step runs the graph for every training row (K personalized rollouts per question, several turns
each, retrieval in between) plus M non-personalized baselines per question, scores the baselines, and
trains on whole trajectories (inserted ``<information>`` masked). The plain step is TRL's own
``GRPOTrainer`` on the same rows and prompts: one ``generate`` per step, no graph, no store. Its
completion length is set (``min_new_tokens`` = ``max_completion_length``) so that it samples as many
tokens as the PR2 step did (personalized and baseline rollouts together). The model is the tiny
random Llama of the tests (``tests/tiny_model.py``), so what is compared is everything around the
model: the graph, batching, retrieval, judging, the trainer's bookkeeping. Both judges are the same
cheap deterministic hash, so judging cost is not what is measured.

Each repeat builds both trainers afresh and runs two steps of each, timing the second (the first
warms up lazy initialisation); repeats alternate which trainer goes first, so machine load hits
both alike. Read the median ratio of step times (PR2 / plain) and its spread.

    .venv/bin/python bench/grpo_step_bench.py --out bench/results/grpo_step_tiny.json
    .venv/bin/python bench/grpo_step_bench.py --smoke       # seconds: 1 repeat, K=2, 4-token turns
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # trainers/ and tests/ run from the checkout

from pr2_agent.run.environment import offline_defaults  # noqa: E402

offline_defaults()
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")

import torch  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback  # noqa: E402

QUESTIONS = [
    ("u1", "What should I cook tonight?", ["meat", "quick"]),
    ("u2", "Where should I travel this summer?", ["swim", "sun"]),
    ("u3", "Which book should I read next?", ["history", "short"]),
    ("u4", "How should I train for a race?", ["knee", "mornings"]),
]
TOPICS = ["cooking", "travel", "books", "running", "music", "garden", "movies", "work", "family", "money"]


class HashJudge:
    """Deterministic, near-free aspect judge (0-2 from a hash of aspect + answer): judging is not what is timed."""

    name = "hash-judge"
    is_proxy = True

    def judge(self, question: str, narrative: str, aspects: Any, response: str) -> Any:
        from pr2_agent.judges import JudgeItem

        return self.judge_batch([JudgeItem(question, narrative, aspects, response)])[0]

    def judge_batch(self, items: Any) -> list[Any]:
        from pr2_agent.judges import JudgeResult
        from pr2_agent.judges.base import AspectJudgement

        return [
            JudgeResult.from_judgements(
                [AspectJudgement(a.aspect, _hash3(a.aspect + item.response), None) for a in item.aspects]
            )
            for item in items
        ]


def _hash3(text: str) -> int:
    return hashlib.sha256(text.encode()).digest()[0] % 3


def hash_reward(completions: list[Any], **_: Any) -> list[float]:
    """The plain step's reward: the same kind of hash as the PR2 judge."""
    return [_hash3(str(c)) / 2 for c in completions]


def records(n: int, items: int) -> list[Any]:
    """``n`` LaMP-QA-style records whose users have ``items`` profile entries each."""
    from pr2_agent.data.lampqa import Aspect, LaMPQARecord, ProfileEntry

    out = []
    for uid, question, aspects in QUESTIONS[:n]:
        profile = [
            ProfileEntry(f"{uid}-{i}", f"Note {i} on {TOPICS[i % len(TOPICS)]}: I tried option {i * 7 % 97}.")
            for i in range(items)
        ]
        out.append(LaMPQARecord(uid, question, " ".join(aspects), [Aspect(a, a, a) for a in aspects], profile))
    return out


class StepTimer(TrainerCallback):  # type: ignore[misc]
    """Seconds of each optimizer step: rollouts/generation, rewards, loss, backward, optimizer."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._start = 0.0

    def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._start = time.perf_counter()

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.seconds.append(time.perf_counter() - self._start)


def grpo_config(out: str, args: argparse.Namespace, **overrides: Any) -> Any:
    from trl import GRPOConfig

    values: dict[str, Any] = dict(
        output_dir=out,
        use_cpu=True,
        bf16=False,
        per_device_train_batch_size=args.k * args.questions,
        gradient_accumulation_steps=1,
        num_generations=args.k,
        max_steps=2,
        learning_rate=1e-3,
        temperature=1.0,
        top_p=1.0,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        gradient_checkpointing=False,
        disable_tqdm=True,
        seed=0,
    )
    values.update(overrides)
    return GRPOConfig(**values)


def pr2_step(model_dir: Path, dataset: Any, store: Any, args: argparse.Namespace, out: str) -> tuple[float, int]:
    """Seconds of the second PR2 step and the tokens it sampled (personalized + baseline rollouts)."""
    from pr2_agent.context import Context
    from pr2_agent.rewards import build_reward_functions
    from trainers.pr2_trainer import PR2GRPOTrainer
    from trainers.rollout import GraphRollout, RolloutSettings

    rewards = build_reward_functions(["rubric_judge", "structure"], HashJudge())
    context = Context(top_k=3, max_searches=args.max_searches, max_new_tokens=args.new_tokens)
    rollout = GraphRollout(store, RolloutSettings(context=context, num_baseline=args.baselines), rewards[0])
    timer = StepTimer()
    trainer = PR2GRPOTrainer(
        model=AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32),
        reward_funcs=rewards,
        args=grpo_config(out, args, max_completion_length=args.pr2_max_completion),
        train_dataset=dataset,
        processing_class=AutoTokenizer.from_pretrained(model_dir, padding_side="left"),
        rollout_func=rollout,
        callbacks=[timer],
    )
    trainer.train()
    batch = rollout.last_batch
    assert batch is not None
    samples = [*batch.samples, *(s for group in batch.baselines.values() for s in group)]
    sampled = sum(len(seg["token_ids"]) for s in samples for seg in s.output["segments"] if seg["kind"] == "model")
    return timer.seconds[-1], sampled


def plain_step(model_dir: Path, dataset: Any, length: int, args: argparse.Namespace, out: str) -> tuple[float, int]:
    """Seconds of the second plain TRL step and the tokens it sampled (``length`` per row)."""
    from trl import GRPOTrainer

    timer = StepTimer()
    trainer = GRPOTrainer(
        model=AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32),
        reward_funcs=[hash_reward],
        args=grpo_config(out, args, max_completion_length=length, generation_kwargs={"min_new_tokens": length}),
        train_dataset=dataset,
        processing_class=AutoTokenizer.from_pretrained(model_dir, padding_side="left"),
        callbacks=[timer],
    )
    sampled: list[int] = []
    original = trainer._generate_and_score_completions

    def count(inputs: Any) -> Any:
        output = original(inputs)
        sampled.append(int(output["completion_mask"].sum()))
        return output

    trainer._generate_and_score_completions = count
    trainer.train()
    return timer.seconds[-1], sampled[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k", type=int, default=4, help="personalized rollouts per question (num_generations)")
    parser.add_argument("--baselines", type=int, default=1, help="non-personalized rollouts per question (M)")
    parser.add_argument("--questions", type=int, default=2, help="questions per step")
    parser.add_argument("--new-tokens", type=int, default=16, help="token budget of each model turn")
    parser.add_argument("--max-searches", type=int, default=3)
    parser.add_argument("--items", type=int, default=100, help="profile items per user")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="seconds: 1 repeat, K=2, 4-token turns, 1 search")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    if args.smoke:
        args.repeats, args.k, args.new_tokens, args.max_searches, args.items = 1, 2, 4, 1, 10
    args.pr2_max_completion = 2048

    from datasets import Dataset

    from pr2_agent.methods import get_method
    from pr2_agent.run.ingest import open_store_with_profiles
    from pr2_agent.run.rows import training_rows
    from pr2_agent.tasks import get_task
    from pr2_agent.tasks.lampqa import lampqa_example
    from tests.tiny_model import build_tiny_model

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    examples = [lampqa_example(r) for r in records(args.questions, args.items)]
    dataset = Dataset.from_list(training_rows(examples, get_task("lampqa"), get_method("pr2")))
    times: dict[str, list[float]] = {"pr2": [], "plain": []}
    tokens: dict[str, list[int]] = {"pr2": [], "plain": []}
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = build_tiny_model(Path(tmp) / "tiny")
        store = open_store_with_profiles(
            examples, str(Path(tmp) / "store"), embedding="hash", collection=f"bench-{uuid.uuid4().hex[:8]}"
        )
        # The plain step's length: the PR2 step's sampled tokens spread over its training rows.
        _, warm_tokens = pr2_step(model_dir, dataset, store, args, str(Path(tmp) / "warm"))
        length = max(1, round(warm_tokens / (args.k * args.questions)))
        for repeat in range(args.repeats):
            order = ["pr2", "plain"] if repeat % 2 == 0 else ["plain", "pr2"]
            for name in order:
                out = str(Path(tmp) / f"{name}-{repeat}")
                if name == "pr2":
                    seconds, sampled = pr2_step(model_dir, dataset, store, args, out)
                else:
                    seconds, sampled = plain_step(model_dir, dataset, length, args, out)
                times[name].append(seconds)
                tokens[name].append(sampled)
    ratios = [p / q for p, q in zip(times["pr2"], times["plain"], strict=True)]
    per_token = [
        (p / tp) / (q / tq)
        for p, tp, q, tq in zip(times["pr2"], tokens["pr2"], times["plain"], tokens["plain"], strict=True)
    ]
    result = {
        "step_s": {name: round(statistics.median(v), 3) for name, v in times.items()},
        "step_s_each": {name: [round(x, 3) for x in v] for name, v in times.items()},
        "sampled_tokens": {name: v for name, v in tokens.items()},
        "ratio_pr2_over_plain": round(statistics.median(ratios), 3),
        "ratio_of_median_steps": round(statistics.median(times["pr2"]) / statistics.median(times["plain"]), 3),
        "ratio_spread": [round(min(ratios), 3), round(max(ratios), 3)],
        "ratio_per_sampled_token": round(statistics.median(per_token), 3),
        "meta": {
            "model": "tests/tiny_model.py (2-layer Llama, hidden 32)",
            "k": args.k,
            "baselines": args.baselines,
            "questions": args.questions,
            "new_tokens": args.new_tokens,
            "max_searches": args.max_searches,
            "profile_items": args.items,
            "plain_completion_length": length,
            "repeats": args.repeats,
            "torch_threads": torch.get_num_threads(),
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
            "load_avg_1min": round(os.getloadavg()[0], 2),
        },
    }
    print(json.dumps(result, indent=2))  # noqa: T201
    print(f"PR2 step / plain TRL step: {result['ratio_pr2_over_plain']}x (spread {result['ratio_spread']})")  # noqa: T201
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
