"""TagPR multi-stage RL end to end: two grpo_train.py stages (guided, exploratory) on a tiny model.

Stage 1 trains on lamp_metric + tag_constraints + PRMU (a hash-encoder PRMU), stage 2 on the metric
alone from stage 1's checkpoint; each stage leaves a loadable checkpoint and the driver's summary.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow


def test_two_stages_chain_their_checkpoints(tmp_path: Path) -> None:
    from pr2_agent.reward_models.prmu import PRMUConfig, build_head, save_prmu
    from tests.tiny_model import build_tiny_model
    from trainers.tagpr_train import SUMMARY_FILENAME, main

    tiny = build_tiny_model(tmp_path / "tiny")
    config = PRMUConfig(embed_dim=256, embedding="hash")
    save_prmu(tmp_path / "prmu", config, build_head(config), {"metrics": {}})
    schedule = {
        "output_dir": str(tmp_path / "rl"),
        "common": {
            "model_name_or_path": str(tiny), "method": "tagpr", "task": "lamp4", "train_file": "lamp:4:train",
            "max_train_samples": 2,
            "context": {"store_path": str(tmp_path / "store"), "embedding": "hash", "top_k": 2, "max_new_tokens": 6},
            "advantage": "grpo", "num_baseline": 0, "use_cpu": True, "bf16": False,
            "per_device_train_batch_size": 2, "num_generations": 2, "max_completion_length": 40,
            "max_steps": 1, "save_strategy": "no", "report_to": "none", "gradient_checkpointing": False,
            "disable_tqdm": True,
        },
        "stages": [
            {"name": "guided", "rewards": {"lamp_metric": 1.0, "tag_constraints": 0.5, "prmu": 0.5},
             "reward_model_path": str(tmp_path / "prmu")},
            {"name": "exploratory", "rewards": {"lamp_metric": 1.0}},
        ],
    }  # fmt: skip
    path = tmp_path / "tagpr.yaml"
    path.write_text(yaml.safe_dump(schedule))
    assert main(["--config", str(path)]) == 0
    summary = json.loads((tmp_path / "rl" / SUMMARY_FILENAME).read_text())
    guided, exploratory = summary["stages"]
    assert guided["global_steps"] == 1 and exploratory["global_steps"] == 1
    assert "rewards/prmu/mean" in guided["last_log"] and "rewards/tag_constraints/mean" in guided["last_log"]
    assert "rewards/prmu/mean" not in exploratory["last_log"]
    assert exploratory["started_from"] == guided["checkpoint"]
    for stage in (guided, exploratory):
        assert (Path(stage["checkpoint"]) / "config.json").is_file()
        assert stage["cpu_seconds"] > 0
