"""Tasks as plug-ins: each turns its records into :class:`Example` s and scores outputs.

Adding a task is one module implementing :class:`~pr2_agent.tasks.base.Task` plus one
``register_task`` line here. ``pr2 eval --task NAME`` and the trainers' ``task`` option look tasks
up by name.
"""

from __future__ import annotations

from pr2_agent.registry import Registry
from pr2_agent.tasks.base import Example, PlanningTask, ProfileText, Score, Task
from pr2_agent.tasks.lamp import LAMP_TASKS
from pr2_agent.tasks.lampqa import LaMPQATask

TASKS: Registry[Task] = Registry("task")
register_task = TASKS.register
get_task = TASKS.get
task_names = TASKS.names

register_task(LaMPQATask())
for _lamp in LAMP_TASKS:  # lamp1 ... lamp7
    register_task(_lamp)

__all__ = [
    "TASKS",
    "Example",
    "PlanningTask",
    "ProfileText",
    "Score",
    "Task",
    "get_task",
    "register_task",
    "task_names",
]
