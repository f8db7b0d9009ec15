"""Trajectory: what the agent wrote and what the environment inserted, as typed segments.

Model segments keep the exact sampled token ids (when the backend exposes them); environment
segments (``<information>`` blocks, corrective and forced-answer observations) are tokenized once
when they are inserted. Training concatenates the ids as they are and never re-tokenizes the
transcript, so the loss mask (``env_mask``) lines up with the ids by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired

# typing_extensions' TypedDict: LangGraph builds JSON schemas from it on Python < 3.12 too.
from typing_extensions import TypedDict

SegmentKind = Literal["model", "env"]
SegmentFinish = Literal["stop", "eos", "length"]


class SegmentLogprobs(TypedDict):
    """What the sampling backend reported about the probabilities of a model segment's tokens."""

    tokens: list[float | None]
    """One log-probability per id of ``token_ids`` (None where the backend gave none)."""
    end: float | None
    """The end-of-turn token's, when the turn ended with one (it is stripped from ``token_ids``)."""
    end_token_id: int | None
    """That end-of-turn token (several ids may end a turn)."""


class Segment(TypedDict):
    """One contiguous piece of a completion, with what its producer reported about it."""

    kind: SegmentKind
    """``model`` = sampled by the policy (trained on); ``env`` = inserted by the graph (masked)."""
    text: str
    """Decoded text of the segment (for model segments: the decode of ``token_ids``)."""
    token_ids: list[int] | None
    """Exact token ids, or None when the backend does not expose them (chat APIs)."""
    finish_reason: NotRequired[SegmentFinish | None]
    """Model segments: why the backend stopped (``stop`` string, ``eos``, token budget ``length``)."""
    logprobs: NotRequired[SegmentLogprobs | None]
    """Model segments: sampling log-probabilities, where the backend reports them (vLLM)."""
    item_ids: NotRequired[list[str] | None]
    """Inserted ``<information>`` blocks: the profile item ids shown, in rank order."""


def model_segment(
    text: str,
    token_ids: list[int] | None,
    finish_reason: SegmentFinish | None = None,
    logprobs: SegmentLogprobs | None = None,
) -> Segment:
    """Build a segment the policy sampled."""
    return {
        "kind": "model",
        "text": text,
        "token_ids": token_ids,
        "finish_reason": finish_reason,
        "logprobs": logprobs,
    }


def env_segment(text: str, token_ids: list[int] | None, item_ids: list[str] | None = None) -> Segment:
    """Build a segment the graph inserted (``item_ids``: the profile items an ``<information>`` block shows)."""
    segment: Segment = {"kind": "env", "text": text, "token_ids": token_ids}
    if item_ids is not None:
        segment["item_ids"] = item_ids
    return segment


@dataclass(frozen=True)
class Trajectory:
    """A finished rollout in the form trainers consume."""

    prompt_ids: list[int] | None
    segments: list[Segment] = field(default_factory=list)

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Trajectory:
        """Build a trajectory from a finished graph state (or the graph's output)."""
        return cls(prompt_ids=state.get("prompt_ids"), segments=list(state.get("segments", [])))

    @property
    def has_token_ids(self) -> bool:
        """Whether every segment (and the prompt) carries token ids."""
        return self.prompt_ids is not None and all(s["token_ids"] is not None for s in self.segments)

    def completion_ids(self) -> list[int]:
        """Concatenate the segment ids in order (sampled ids are never re-tokenized)."""
        ids: list[int] = []
        for seg in self.segments:
            if seg["token_ids"] is None:
                raise ValueError(
                    "this trajectory has a segment without token ids: it came from a backend that does not "
                    "expose them (a chat API). Train from a local model backend (model='embedded' or a path)."
                )
            ids.extend(seg["token_ids"])
        return ids

    def env_mask(self) -> list[int]:
        """Return 1 for each model-sampled token, 0 for each inserted token, aligned with ``completion_ids``."""
        mask: list[int] = []
        for seg in self.segments:
            n = len(seg["token_ids"] or [])
            mask.extend([1 if seg["kind"] == "model" else 0] * n)
        return mask

    def text(self) -> str:
        """Return the whole completion as text."""
        return "".join(s["text"] for s in self.segments)

    def model_text(self) -> str:
        """Return only what the policy wrote."""
        return "".join(s["text"] for s in self.segments if s["kind"] == "model")
