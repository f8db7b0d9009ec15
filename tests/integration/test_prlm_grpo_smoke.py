"""PrLM GRPO through the PR2 trainer: ``method: prlm``, PrLM's three rewards and weights, LoRA, plain GRPO.

A tiny random policy and a tiny random reward model, the bundled LaMP-4 train split, a hash-embedding
store: two optimizer steps whose rollouts are PrLM graph runs (retrieve k=5, one think+answer turn).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    from tests.tiny_model import build_tiny_model
    from tests.tiny_reward_model import build_tiny_reward_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny")), build_tiny_reward_model(tmp_path_factory.mktemp("rm"))


def test_grpo_train_prlm_with_its_rewards_and_lora(tiny_models, tmp_path: Path) -> None:
    from trainers.grpo_train import SUMMARY_FILENAME, main

    policy, reward_model = tiny_models
    out_dir = tmp_path / "prlm"
    argv = [
        "--model_name_or_path", str(policy),
        "--method", "prlm",
        "--task", "lamp4",
        "--train_file", "lamp:4:train",
        "--max_train_samples", "2",
        "--context", json.dumps({"store_path": str(tmp_path / "store"), "embedding": "hash", "top_k": 5,
                                 "max_new_tokens": 8}),
        "--reward_funcs", "prlm_rouge", "think_answer_format", "personalization_rm",
        "--reward_weights", "1.0", "0.1", "0.1",
        "--reward_model_path", str(reward_model),
        "--advantage", "grpo",
        "--num_baseline", "0",
        "--use_peft", "true", "--lora_r", "16", "--lora_alpha", "16", "--lora_dropout", "0.1",
        "--lora_target_modules", "all-linear",
        "--output_dir", str(out_dir),
        "--use_cpu", "true", "--bf16", "false",
        "--per_device_train_batch_size", "4",
        "--num_generations", "2",
        "--max_completion_length", "16",
        "--max_steps", "2",
        "--learning_rate", "1e-2",
        "--save_strategy", "no",
        "--report_to", "none",
        "--gradient_checkpointing", "true",
        "--disable_tqdm", "true",
    ]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads((out_dir / SUMMARY_FILENAME).read_text())
    assert summary["global_steps"] == 2 and summary["script_arguments"]["method"] == "prlm"
    last = summary["last_log"]
    for name in ("prlm_rouge", "think_answer_format", "personalization_rm"):
        assert f"rewards/{name}/mean" in last
    assert 0.0 <= last["rewards/personalization_rm/mean"] <= 1.0  # a sigmoid (0 for an empty answer)
    assert 0.0 <= last["rewards/prlm_rouge/mean"] <= 3.0
    assert (out_dir / "config.json").is_file() and (out_dir / "adapter").is_dir()  # merged + the LoRA adapter
