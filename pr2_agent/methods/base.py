"""What a method is: its graph, and the reward terms and advantage its training uses.

A method (PR2, ...) owns its prompts (kept in :mod:`pr2_agent.prompts`), the shape of its graph,
the reward functions it trains against and its advantage estimator. Serving, Studio, evaluation,
export and training all take the method's graph from here, so the graph stays the only rollout loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

GraphBuilder = Callable[..., Any]
"""``(*, model=None, store=None, checkpointer=None, name=...) -> CompiledStateGraph``."""


@dataclass(frozen=True)
class Method:
    """A reasoning method as a plug-in (register it in :mod:`pr2_agent.methods`)."""

    name: str
    """Registry name; also the graph's name in ``langgraph.json`` and the system name in ``pr2 eval``."""
    description: str
    build_graph: GraphBuilder
    user_prompt: Callable[[str], str]
    """The user turn the graph sends the policy for a question (training rows log the same text)."""
    reward_terms: tuple[str, ...]
    """Default reward functions, by name from :data:`pr2_agent.rewards.REWARD_FUNCTIONS`."""
    advantage: str
    """Default advantage estimator, by name from :data:`pr2_agent.advantage.ADVANTAGE_KINDS`."""
    baseline_rollouts: int = 0
    """Non-personalized rollouts per question a training step adds (PR2's advantage needs one)."""
    default_top_k: int = 3
    """Profile items per search when the caller sets none (``pr2 ask`` / ``pr2 eval``; PR2's code: 3)."""

    def __post_init__(self) -> None:
        """Refuse a method whose defaults name no known reward or advantage."""
        from pr2_agent.advantage import ADVANTAGE_KINDS
        from pr2_agent.rewards import REWARD_FUNCTIONS

        unknown = [r for r in self.reward_terms if r not in REWARD_FUNCTIONS]
        if unknown:
            raise ValueError(
                f"method {self.name!r}: unknown reward terms {unknown}; known: {sorted(REWARD_FUNCTIONS)}."
            )
        if self.advantage not in ADVANTAGE_KINDS:
            raise ValueError(f"method {self.name!r}: unknown advantage {self.advantage!r}; known: {ADVANTAGE_KINDS}.")
