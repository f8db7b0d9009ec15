"""A scripted policy: returns canned turns in order. For unit tests and examples without a model."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from pr2_agent.policy.base import Generation, GenerationRequest


class ScriptedPolicy:
    """Replay ``turns`` one per ``generate`` call, cut at the request's stop strings like a real backend.

    With ``vocab`` given, text is "tokenized" into one id per character so trajectory code paths that
    need token ids can be exercised without a model. ``requests`` records every request for assertions.
    """

    name = "scripted"

    def __init__(self, turns: Sequence[str], *, with_token_ids: bool = False) -> None:
        """Create a policy that answers with ``turns`` in order."""
        self._turns = list(turns)
        self._with_ids = with_token_ids
        self._lock = threading.Lock()
        self.requests: list[GenerationRequest] = []

    def encode(self, text: str) -> list[int] | None:
        """Return one id per character (code point) when token ids are enabled."""
        return [ord(c) for c in text] if self._with_ids else None

    def generate(self, request: GenerationRequest) -> Generation:
        """Return the next scripted turn, cut right after the first stop string it contains."""
        with self._lock:
            if not self._turns:
                raise RuntimeError(
                    f"ScriptedPolicy ran out of turns after {len(self.requests)} calls: give it one turn per "
                    "expected model step."
                )
            self.requests.append(request)
            text = self._turns.pop(0)
        finish = "eos"
        cut = [text.find(s) + len(s) for s in request.stop if s in text]
        if cut:
            text, finish = text[: min(cut)], "stop"
        prompt = "".join(m["content"] for m in request.messages)
        return Generation(
            text=text,
            token_ids=self.encode(text),
            prompt_ids=self.encode(prompt),
            finish_reason=finish,  # type: ignore[arg-type]
        )

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Answer each request in order."""
        return [self.generate(r) for r in requests]
