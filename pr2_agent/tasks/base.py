"""What a task is to the run layer: records become :class:`Example` s, outputs become scores.

A task (LaMP-QA, a LaMP task) owns how one of its records becomes a question asked for one user
with that user's profile items, how a final output is parsed and stored, and how it is scored (a
rubric judge or an exact metric). The graph, the run layer, evaluation and the trainers see only
``Example`` s and this interface, never a task's own record type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from pr2_agent.judges import Judge


@dataclass(frozen=True)
class ProfileText:
    """One item of a user's history, as the task renders it for the profile store."""

    id: str
    text: str


@dataclass(frozen=True)
class Example:
    """One question for one user, in the form every system and trainer consumes."""

    id: str
    """The question id (unique within a run; results and predictions are keyed by it)."""
    user_id: str
    """Whose profile the question is answered from (LaMP and LaMP-QA: the record id)."""
    question: str
    """What the agent is asked, already rendered by the task."""
    profile: tuple[ProfileText, ...] = ()
    """The user's history items, ingested into the profile store under ``user_id``."""
    category: str | None = None
    """A grouping the report breaks results down by (LaMP-QA's category), if the task has one."""
    reference: Any = field(default=None, compare=False, repr=False)
    """The task's own record: what its scorer and data-driven demonstrations read (gold, rubric)."""


@dataclass(frozen=True)
class Score:
    """A task's verdict on one output."""

    score: float
    """In [0, 1]; higher is better (what tables average and rewards use)."""
    scorer: str
    """Which judge or metric produced it."""
    is_proxy: bool = False
    """True when the scorer stands in for the benchmark's official one (reported as such)."""
    details: Mapping[str, Any] = field(default_factory=dict)
    """Per-aspect or per-metric parts, stored with the result line."""


class Task(Protocol):
    """A benchmark task as a plug-in (register it in :mod:`pr2_agent.tasks`)."""

    name: str
    """Registry name, e.g. ``lampqa``."""
    judged: bool
    """True when outputs are scored by a judge (LaMP-QA's rubric); False for an exact metric."""

    def load(self, path: Path) -> list[Example]:
        """Read a data file of this task."""
        ...

    def bundled(self, split: str) -> Path:
        """The path of a bundled development split (raise FileNotFoundError if the task ships none)."""
        ...

    def parse_output(self, text: str) -> str:
        """The final output a scorer reads, from an answer span or a baseline's reply."""
        ...

    def baseline_messages(self, example: Example, profile_texts: Sequence[str] | None) -> list[dict[str, str]]:
        """The single-turn baselines' prompt: no profile (None), or the retrieved profile texts, best first."""
        ...

    def parse_reply(self, text: str) -> tuple[str, bool]:
        """A baseline's final output from its raw reply, and whether the reply had the asked-for format."""
        ...

    def score(self, examples: Sequence[Example], outputs: Sequence[str], judge: Judge | None) -> list[Score]:
        """Score each output against its example (``judge`` is used by judged tasks)."""
        ...

    def reward_columns(self, example: Example) -> dict[str, Any]:
        """Extra columns of a training row, read by this task's reward functions."""
        ...

    def write_predictions(self, path: Path, outputs: Mapping[str, str]) -> Path:
        """Write ``{example id: output}`` in the task's official prediction format."""
        ...


@runtime_checkable
class PlanningTask(Task, Protocol):
    """A task that also owns a plan-then-answer baseline's prompts (LaMP-QA's PlanPers)."""

    def plan_messages(self, example: Example, profile_texts: Sequence[str]) -> list[dict[str, str]]:
        """The planner's prompt: which aspects should the answer cover, given the retrieved profile texts."""
        ...

    def planned_messages(self, example: Example, profile_texts: Sequence[str], plan: str) -> list[dict[str, str]]:
        """The answer prompt over the same profile texts, with the planner's output."""
        ...
