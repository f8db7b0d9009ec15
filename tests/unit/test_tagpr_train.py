"""TagPR's multi-stage driver: the YAML schedule, stage configs chained checkpoint to checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from trainers.tagpr_train import Schedule, Stage, _flag_overrides, main

CONFIG = Path(__file__).resolve().parents[2] / "trainers" / "configs" / "tagpr_cpu.yaml"


def test_the_shipped_config_is_guided_then_exploratory():
    schedule = Schedule.from_mapping(yaml.safe_load(CONFIG.read_text()))
    guided, exploratory = schedule.stages
    assert set(guided.rewards) == {"lamp_metric", "tag_constraints", "prmu"}
    assert list(exploratory.rewards) == ["lamp_metric"]
    first = schedule.stage_config(0, "outputs/tagpr-sft")
    assert first["reward_funcs"] == ["lamp_metric", "tag_constraints", "prmu"]
    assert first["reward_weights"] == [1.0, 0.5, 0.5]
    assert first["reward_model_path"] == "outputs/prmu" and first["method"] == "tagpr"
    second = schedule.stage_config(1, str(schedule.stage_dir(0)))
    assert second["model_name_or_path"] == "outputs/tagpr-rl/1-guided"
    assert second["output_dir"] == "outputs/tagpr-rl/2-exploratory"
    assert "reward_model_path" not in second and second["reward_weights"] == [1.0]


def test_flag_overrides_reach_every_stage():
    raw = yaml.safe_load(CONFIG.read_text())
    schedule = Schedule.from_mapping(raw, _flag_overrides(["--max_steps", "1", "--learning_rate", "1e-4"]))
    assert all(s.options["max_steps"] == 1 and s.options["learning_rate"] == 1e-4 for s in schedule.stages)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"common": {"model_name_or_path": "m"}, "stages": []}, "no stages"),
        ({"common": {}, "stages": [{"name": "a", "rewards": {"lamp_metric": 1}}]}, "model_name_or_path"),
        ({"common": {"model_name_or_path": "m"}, "stages": [{"name": "a", "rewards": {}}]}, "no rewards"),
        ({"common": {"model_name_or_path": "m"}, "stages": [{"name": "a", "rewards": {"x": 1}}] * 2}, "repeat"),
        ({"common": {"model_name_or_path": "m"}, "stages": [{"name": "a b", "rewards": {"x": 1}}]}, "stage name"),
        ({"common": {"model_name_or_path": "m"}, "stages": [{"name": "a", "rewards": {"x": 1}, "output_dir": "o"}]},
         "chains the checkpoints"),
        ({"comon": {}}, "unknown top-level"),
    ],
)
def test_bad_schedules_are_refused_with_the_fix(raw, message):
    with pytest.raises(ValueError, match=message):
        Schedule.from_mapping(raw)


def test_main_reports_a_bad_config_in_one_line(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text("common: {}\nstages: []\n")
    assert main(["--config", str(path)]) == 2
    assert capsys.readouterr().err.startswith("tagpr_train: error: the config has no stages")


def test_stage_weights_must_be_numbers():
    with pytest.raises(ValueError, match="numbers"):
        Stage("a", {"lamp_metric": "high"})
