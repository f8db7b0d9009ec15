"""Graph state: what a caller supplies, what the nodes accumulate, what a caller reads back.

No logic lives here. Lists grow through ``operator.add`` reducers, so nodes return only their new
items; everything is plain JSON-compatible data so the state survives checkpointers and the
LangGraph API server unchanged.
"""

from __future__ import annotations

import operator
from typing import Annotated, Literal

from typing_extensions import TypedDict

from pr2_agent.trajectory import Segment


class Retrieval(TypedDict):
    """One executed search."""

    query: str
    item_ids: list[str]
    scores: list[float]


class PendingAction(TypedDict):
    """The action parsed from the latest model turn (read by the router)."""

    kind: Literal["search", "answer", "invalid"]
    payload: str


class InputState(TypedDict):
    """What a caller passes in."""

    question: str


class OutputState(TypedDict, total=False):
    """What a caller reads back."""

    question: str
    answer: str
    """The final answer (the ``<answer>`` span)."""
    finish: Literal["answer", "forced"]
    """``answer`` = the model answered on its own; ``forced`` = budget or corrections ran out."""
    searches: list[str]
    retrieved_ids: list[str]
    retrievals: list[Retrieval]
    segments: list[Segment]
    """The trajectory: model-written and inserted text, with token ids where the backend has them."""
    prompt_ids: list[int] | None


class GraphState(TypedDict, total=False):
    """Everything the nodes read and write."""

    question: str
    answer: str
    finish: Literal["answer", "forced"]
    searches: Annotated[list[str], operator.add]
    retrieved_ids: Annotated[list[str], operator.add]
    retrievals: Annotated[list[Retrieval], operator.add]
    segments: Annotated[list[Segment], operator.add]
    prompt_ids: list[int] | None
    pending: PendingAction
    num_corrections: int
    """Corrective observations inserted so far (at most one per run)."""
