"""Training rows: one per example, in the conversational form TRL's trainers take.

A row carries what the rollout and the reward functions need: the method's user turn (the same
message the graph sends the policy, so TRL's logs and the rollouts agree), the ids, and the task's
reward columns. The profile itself lives only in the store and is reached through the graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pr2_agent.methods import Method
from pr2_agent.tasks import Example, Task

ID_FIELDS: tuple[str, ...] = ("prompt", "record_id", "user_id", "question")
"""Columns every row has; the task adds its reward columns."""


def training_row(example: Example, task: Task, method: Method) -> dict[str, Any]:
    """Convert one example into a training row."""
    return {
        **task.reward_columns(example),
        "prompt": [{"role": "user", "content": method.user_prompt(example.question)}],
        "record_id": example.id,
        "user_id": example.user_id,
        "question": example.question,
        # The user's history as text: what a reward model that conditions on the user reads (PRMU).
        "profile_texts": [item.text for item in example.profile],
    }


def training_rows(examples: Sequence[Example], task: Task, method: Method) -> list[dict[str, Any]]:
    """Convert examples into rows, refusing an empty list (nothing to train on)."""
    if not examples:
        raise ValueError(
            f"no {task.name} examples to train on: the data file is empty. Point train_file at a data file "
            "(e.g. devset:train for the bundled set)."
        )
    return [training_row(e, task, method) for e in examples]
