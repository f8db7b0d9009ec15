"""GRPO on a LaMP task through the trainer's entry point: ``task: lamp2``, the metric reward, no judge.

A tiny random model, the bundled LaMP-2 train split, a hash-embedding store: two optimizer steps whose
rewards are LaMP-2 accuracy of the ``<answer>`` span plus the structural penalty.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from tests.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.mark.parametrize(("advantage", "num_baseline"), [("grpo", "0"), ("pr2", "1"), ("contrastive", "1")])
def test_grpo_train_on_lamp2_with_the_metric_reward(tiny_model, tmp_path: Path, advantage, num_baseline) -> None:
    """Every estimator trains on LaMP: the baseline ones score the no-profile answers with the same metric."""
    from trainers.grpo_train import SUMMARY_FILENAME, main

    out_dir = tmp_path / "lamp2"
    argv = [
        "--model_name_or_path", str(tiny_model),
        "--task", "lamp2",
        "--train_file", "lamp:2:train",
        "--max_train_samples", "4",
        "--context", json.dumps(
            {"store_path": str(tmp_path / "store"), "embedding": "hash", "max_searches": 1, "max_new_tokens": 6}
        ),
        "--reward_funcs", "lamp_metric", "structure",
        "--advantage", advantage,
        "--num_baseline", num_baseline,
        "--output_dir", str(out_dir),
        "--use_cpu", "true", "--bf16", "false",
        "--per_device_train_batch_size", "4",
        "--num_generations", "2",
        "--max_completion_length", "120",
        "--max_steps", "2",
        "--save_strategy", "no",
        "--report_to", "none",
        "--gradient_checkpointing", "false",
        "--disable_tqdm", "true",
    ]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads((out_dir / SUMMARY_FILENAME).read_text())
    assert summary["global_steps"] == 2 and summary["num_questions"] == 4
    assert summary["script_arguments"]["task"] == "lamp2"
    last = summary["last_log"]
    assert "rewards/lamp_metric/mean" in last and "rewards/structure/mean" in last
    assert 0.0 <= last["rewards/lamp_metric/mean"] <= 1.0
    if num_baseline != "0":  # the no-profile answers were scored with LaMP-2 accuracy
        assert 0.0 <= last["pr2/baseline_score"] <= 1.0
        assert summary["script_arguments"]["advantage"] == advantage
    assert (out_dir / "config.json").is_file()
