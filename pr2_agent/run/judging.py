"""The one judge factory: a :class:`JudgeSpec` (from CLI flags or a trainer config) becomes a judge.

``pr2 eval``, the GRPO trainer and the trajectory export all describe their judge with the same
fields and build it here, so a judge option means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pr2_agent.judges import Judge
    from pr2_agent.tasks import Example, Task

JUDGE_KINDS: tuple[str, ...] = ("proxy", "specifics", "lampqa")
"""``proxy``: offline MiniLM aspect similarity (labelled proxy; credits naming an aspect's topic);
``specifics``: offline, credits an aspect only when the answer uses the user's own facts (labelled proxy);
``lampqa``: LaMP-QA's protocol on an endpoint."""


@dataclass(frozen=True)
class JudgeSpec:
    """Which judge, and how to reach it."""

    kind: str = "proxy"
    base_url: str | None = None
    """``lampqa``: the OpenAI-compatible endpoint serving the judge model, e.g. http://127.0.0.1:8011/v1."""
    model: str | None = None
    """``lampqa``: the model name at ``base_url`` (None: the first one served)."""
    continuous: bool = False
    """``proxy``/``specifics``: float aspect scores in [0, 2] instead of 0/1/2 (a smoother GRPO reward)."""
    concurrency: int = 4
    """``lampqa``: parallel requests."""
    max_tokens: int = 4096
    """``lampqa``: generation cap per judge call."""
    timeout: float = 60.0
    """``lampqa``: seconds one judge call may take before the judge fails (a hung server is not retried)."""

    def __post_init__(self) -> None:
        """Refuse a judge that cannot be built, saying what to pass instead."""
        if self.kind not in JUDGE_KINDS:
            raise ValueError(f"judge must be one of {', '.join(JUDGE_KINDS)}, got {self.kind!r}.")
        if self.kind == "lampqa" and not self.base_url:
            raise ValueError(
                "judge 'lampqa' needs --judge-base-url (judge_base_url in a trainer config): an OpenAI-compatible "
                "endpoint serving the judge model, e.g. http://127.0.0.1:8011/v1; LaMP-QA's protocol uses "
                "Qwen2.5-32B-Instruct. "
                "Or use the offline 'proxy' judge."
            )
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, int | float) or not 0 < self.timeout < 1e6:
            raise ValueError(
                f"the judge timeout must be a number of seconds in (0, 1e6), got {self.timeout!r} "
                "(--judge-timeout / judge_timeout); 60 suits a local server, raise it for a large remote model."
            )


def make_judge(spec: JudgeSpec) -> Judge:
    """Build the judge ``spec`` names (nothing is loaded or called until its first use)."""
    if spec.kind == "proxy":
        from pr2_agent.judges import EmbeddingProxyJudge

        return EmbeddingProxyJudge(continuous=spec.continuous)
    if spec.kind == "specifics":
        from pr2_agent.judges import SpecificsJudge

        return SpecificsJudge(continuous=spec.continuous)
    from pr2_agent.judges import LaMPQAJudge

    assert spec.base_url is not None  # checked in JudgeSpec
    return LaMPQAJudge(
        base_url=spec.base_url,
        model=spec.model,
        concurrency=spec.concurrency,
        max_tokens=spec.max_tokens,
        timeout=spec.timeout,
    )


def check_judge(task: Task, example: Example, judge: Judge | None) -> None:
    """Score one placeholder answer through ``task`` before any generation, so a dead judge fails in seconds.

    A judge that answers but never in the judge format (every reply unparseable after all retries) fails
    here too: it cannot judge, and its protocol zeros would read as real scores. A metric task (no
    judge) makes no call.

    Raises:
        ConnectionError: The judge's endpoint does not answer, or does not answer as a judge.
    """
    from pr2_agent.judges import JudgeEndpointError

    if judge is None:
        return
    try:
        scores = task.score([example], ["ok"], judge)
    except JudgeEndpointError as err:
        raise ConnectionError(f"the judge does not answer: {err}") from None
    aspects = [a for s in scores for a in s.details.get("aspect_scores", [])]
    if aspects and not any(a.get("parsed", True) for a in aspects):
        raise ConnectionError(
            f"the judge {judge.name} answers, but none of its {len(aspects)} replies to a test question held a "
            "readable match_score (after every retry), so it cannot judge. Serve an instruction-following chat "
            "model at the judge endpoint (LaMP-QA uses Qwen2.5-32B-Instruct), or try json_mode."
        )
