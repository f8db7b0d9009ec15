"""The policy interface every model backend implements.

A policy turns "prompt messages + completion so far" into the next model segment. The graph calls
``generate`` once per reasoning step; trainers and evaluation batch many trajectories together
through ``generate_batch`` (see ``batching.py``), so a backend that can batch should do it there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from pr2_agent.trajectory import Segment, SegmentFinish, SegmentLogprobs

FinishReason = SegmentFinish


@dataclass(frozen=True)
class GenerationRequest:
    """Everything a backend needs to produce the next model segment."""

    messages: list[dict[str, str]]
    """The prompt as chat messages (system/user); identical for every step of one trajectory."""
    segments: list[Segment] = field(default_factory=list)
    """The completion so far. Local backends feed their token ids back; chat backends their text."""
    stop: tuple[str, ...] = ()
    """Stop right after any of these strings is generated (kept in the output)."""
    max_new_tokens: int = 256
    temperature: float = 0.7
    top_p: float = 0.95


@dataclass(frozen=True)
class Generation:
    """One model segment."""

    text: str
    """Decoded text (special tokens removed)."""
    token_ids: list[int] | None
    """Exact sampled ids without trailing EOS/padding, or None for backends that hide them."""
    prompt_ids: list[int] | None
    """Ids of the templated prompt this trajectory is conditioned on, or None."""
    finish_reason: FinishReason
    """``stop``: a stop string was produced; ``eos``: end of sequence; ``length``: max_new_tokens hit."""
    logprobs: SegmentLogprobs | None = None
    """Sampling log-probabilities of ``token_ids``, where the backend reports them (vLLM)."""


def validate_request(r: GenerationRequest) -> None:
    """Refuse a request no backend can honour; the message lists every problem."""
    problems = []
    if not r.messages:
        problems.append("messages is empty (the prompt needs at least a user message)")
    if not isinstance(r.max_new_tokens, int) or r.max_new_tokens < 1:
        problems.append(f"max_new_tokens must be a positive integer, got {r.max_new_tokens!r}")
    if r.temperature < 0:
        problems.append(f"temperature must be >= 0 (0 = greedy), got {r.temperature!r}")
    if not 0 < r.top_p <= 1:
        problems.append(f"top_p must be in (0, 1], got {r.top_p!r}")
    if any(not s for s in r.stop):
        problems.append("stop contains an empty string, which would stop immediately")
    if problems:
        raise ValueError("Invalid GenerationRequest: " + "; ".join(problems) + ".")


@runtime_checkable
class Policy(Protocol):
    """A model backend."""

    name: str

    def generate(self, request: GenerationRequest) -> Generation:
        """Produce the next segment for one trajectory."""
        ...

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Produce the next segment for several trajectories at once, in order."""
        ...

    def encode(self, text: str) -> list[int] | None:
        """Tokenize inserted text exactly as it will be fed back, or None if the backend has no tokenizer."""
        ...
