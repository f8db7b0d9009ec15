"""Training curves: a callback that redraws ``<output_dir>/training_curves.png`` from the trainer's log.

Panels (each drawn only when it was logged, so GRPO and SFT share them): loss, SFT token accuracy,
judge score and total reward, searches per rollout, answer rate (and forced rate), mean
completion length (model tokens), and the KL to the reference model when it is computed
(``beta > 0``). The figure is rewritten at every checkpoint and at the end of training, from
``TrainerState.log_history``, so it always matches what was logged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

logger = logging.getLogger(__name__)

CURVES_FILENAME = "training_curves.png"


@dataclass(frozen=True)
class Panel:
    """One subplot: a title and the log keys drawn in it."""

    title: str
    keys: tuple[str, ...]


PANELS: tuple[Panel, ...] = (
    Panel("loss", ("loss",)),
    Panel("token accuracy (SFT)", ("mean_token_accuracy",)),
    Panel("reward", ("reward", "pr2/personalized_score", "pr2/baseline_score")),
    Panel("searches per rollout", ("pr2/searches_per_rollout",)),
    Panel("answer rate", ("pr2/answer_rate", "pr2/forced_rate")),
    Panel("completion length (model tokens)", ("completions/mean_length",)),
    Panel("KL", ("kl",)),
    Panel(
        "PrLM reward terms (unweighted)",
        ("rewards/prlm_rouge/mean", "rewards/think_answer_format/mean", "rewards/personalization_rm/mean"),
    ),
)


def series(log_history: Sequence[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
    """Return ``(steps, values)`` of one logged key, skipping entries without a number for it."""
    steps: list[float] = []
    values: list[float] = []
    for entry in log_history:
        value = entry.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
            steps.append(float(entry.get("step", len(steps))))
            values.append(float(value))
    return steps, values


def plot_training_curves(log_history: Sequence[dict[str, Any]], path: str | os.PathLike[str]) -> Path | None:
    """Draw the panels that have data into ``path`` (PNG); return the path, or None if nothing was logged."""
    panels = [p for p in PANELS if any(series(log_history, k)[1] for k in p.keys)]
    if not panels:
        return None
    import matplotlib

    matplotlib.use("Agg")  # no display on training machines
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(panels), 1, figsize=(7, 2.4 * len(panels)), sharex=True, squeeze=False)
    for ax, panel in zip(axes[:, 0], panels, strict=True):
        for key in panel.keys:
            steps, values = series(log_history, key)
            if values:
                ax.plot(steps, values, marker="o", markersize=3, linewidth=1.2, label=key)
        ax.set_title(panel.title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    axes[-1, 0].set_xlabel("step")
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, out)
    return out


class TrainingCurvesCallback(TrainerCallback):
    """Rewrite ``<output_dir>/training_curves.png`` on every save and at the end of training."""

    def _draw(self, args: TrainingArguments, state: TrainerState) -> None:
        if not state.is_world_process_zero or args.output_dir is None:
            return
        try:
            path = plot_training_curves(state.log_history, Path(args.output_dir) / CURVES_FILENAME)
        except Exception:  # a plotting problem must never stop training
            logger.exception("could not draw the training curves")
            return
        if path is not None:
            logger.info("training curves written to %s", path)

    def on_save(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> TrainerControl | None:
        """Redraw after a checkpoint."""
        self._draw(args, state)
        return None

    def on_train_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> TrainerControl | None:
        """Redraw once training is over."""
        self._draw(args, state)
        return None
