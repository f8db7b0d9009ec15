"""Tasks as plug-ins: each turns its records into :class:`Example` s and scores outputs.

Adding a task is one module implementing :class:`~pr2_agent.tasks.base.Task` plus one
:func:`register_task` line here. ``pr2 eval --task NAME`` and the trainers' ``task`` option look
tasks up by name.
"""

from __future__ import annotations

from pr2_agent.tasks.base import Example, ProfileText, Score, Task
from pr2_agent.tasks.lampqa import LaMPQATask

_TASKS: dict[str, Task] = {}


def register_task(task: Task) -> Task:
    """Make ``task`` available by its name; a second task with the same name is refused."""
    if task.name in _TASKS:
        raise ValueError(f"a task named {task.name!r} is already registered; pick another name.")
    _TASKS[task.name] = task
    return task


def get_task(name: str) -> Task:
    """Return the registered task ``name``, or explain which names exist."""
    try:
        return _TASKS[name]
    except KeyError:
        raise ValueError(f"unknown task {name!r}: choose from {', '.join(sorted(_TASKS))}.") from None


def task_names() -> list[str]:
    """Every registered task name."""
    return sorted(_TASKS)


register_task(LaMPQATask())

__all__ = ["Example", "ProfileText", "Score", "Task", "get_task", "register_task", "task_names"]
