"""A wall-clock budget for training: stop after the step that crosses it, then save as usual.

On a CPU the seconds per step depend on the machine and its load far more than on the config, so
"train for 30 minutes" is the budget users can actually state. The check runs at the end of each
optimizer step; the final save and the curves still happen, because the trainer stops the normal way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

logger = logging.getLogger(__name__)


class TimeBudgetCallback(TrainerCallback):
    """Ask the trainer to stop once ``minutes`` of training have elapsed."""

    def __init__(self, minutes: float, clock: Callable[[], float] = time.perf_counter) -> None:
        if not minutes > 0:
            raise ValueError(f"max_minutes must be > 0, got {minutes!r}; leave it unset to train for max_steps.")
        self.seconds = minutes * 60.0
        self._clock = clock
        self._started: float | None = None

    def on_train_begin(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: object
    ) -> None:
        self._started = self._clock()

    def on_step_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: object
    ) -> TrainerControl:
        if self._started is None:
            self._started = self._clock()
        elapsed = self._clock() - self._started
        if elapsed >= self.seconds and not control.should_training_stop:
            logger.info(
                "time budget reached: %.1f min after step %d; stopping and saving", elapsed / 60, state.global_step
            )
            control.should_training_stop = True
            control.should_save = True
        return control
