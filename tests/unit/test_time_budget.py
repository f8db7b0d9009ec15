"""The wall-clock training budget stops the trainer after the step that crosses it."""

from __future__ import annotations

import pytest
from transformers import TrainerControl, TrainerState, TrainingArguments

from trainers.time_budget import TimeBudgetCallback


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_stops_only_after_the_budget_and_asks_for_a_save(tmp_path):
    clock = FakeClock()
    cb = TimeBudgetCallback(minutes=1.0, clock=clock)
    args = TrainingArguments(output_dir=str(tmp_path), use_cpu=True, report_to=[])
    state, control = TrainerState(), TrainerControl()
    cb.on_train_begin(args, state, control)

    clock.now += 59.0
    state.global_step = 1
    cb.on_step_end(args, state, control)
    assert not control.should_training_stop
    assert not control.should_save

    clock.now += 1.5
    state.global_step = 2
    cb.on_step_end(args, state, control)
    assert control.should_training_stop
    assert control.should_save


@pytest.mark.parametrize("minutes", [0, -3, float("nan")])
def test_a_non_positive_budget_is_refused(minutes):
    with pytest.raises(ValueError, match="max_minutes must be > 0"):
        TimeBudgetCallback(minutes=minutes)


def test_script_arguments_validate_max_minutes():
    from trainers.grpo_train import PR2ScriptArguments

    with pytest.raises(ValueError, match="max_minutes must be > 0"):
        PR2ScriptArguments(max_minutes=0)
    assert PR2ScriptArguments(max_minutes=30).max_minutes == 30
