"""Graph state: what a caller supplies, what the nodes accumulate, what a caller reads back.

No logic lives here. Lists grow through ``operator.add`` reducers, so nodes return only their new
items; everything except ``messages`` is plain JSON-compatible data so the state survives checkpointers
and the LangGraph API server unchanged (``messages`` holds LangChain messages, which both serialize).

A caller asks either with ``question`` or, like a chat app, with ``messages``: when the last message is
a human one it is the question. The answer comes back as ``answer`` and as an AI message appended to
``messages`` (LangGraph's ``add_messages`` reducer), so a parent graph holding only ``messages`` works.
"""

from __future__ import annotations

import operator
from typing import Annotated, Literal, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from langgraph.managed import RemainingSteps
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
    """What a caller passes in: a ``question``, or chat ``messages`` ending with the user's turn."""

    question: NotRequired[str]
    messages: NotRequired[Annotated[list[AnyMessage], add_messages]]


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
    messages: Annotated[list[AnyMessage], add_messages]
    """The caller's messages plus the answer as an AI message."""


class GraphState(TypedDict, total=False):
    """Everything the nodes read and write."""

    question: str
    messages: Annotated[list[AnyMessage], add_messages]
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
    remaining_steps: RemainingSteps
    """Steps left before the run's ``recursion_limit`` (managed by LangGraph; the router reads it)."""
