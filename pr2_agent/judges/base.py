"""What every rubric judge consumes and returns, and the interface they share.

A judge scores one response against a question's rubric aspects (LaMP-QA): one judgement per
aspect, each a ``match_score`` in [0, 2], and a per-question score
``Σ match_score / (2 · #aspects)`` in [0, 1] (the official LaMP-QA normalisation; PR2's training
code divides by ``#aspects`` only, which GRPO's group-normalised advantage makes irrelevant).

Aspects arrive as the LaMP-QA JSON dicts (``{"aspect", "reason", "evidence"}``) or as any object
with those attributes (the data loader's dataclass); both are read the same way and copied into a
:class:`RubricAspect`, so judges never depend on the loader.

:class:`Judge` is the interface callers depend on; :class:`BaseJudge` is what this package's
judges build on (configuration only, picklable, ``judge`` as a batch of one).
"""

from __future__ import annotations

import math
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

MAX_MATCH_SCORE = 2
"""LaMP-QA's scale: 0 = not covered, 1 = somewhat covered, 2 = covered very well."""

_ASPECT_FIELDS = ("aspect", "reason", "evidence")


@dataclass(frozen=True)
class RubricAspect:
    """One rubric aspect, normalised: plain strings, whatever shape it came in."""

    aspect: str
    """Title of what the user wants addressed."""
    reason: str
    """Why it matters to this user."""
    evidence: str
    """The span of the user's narrative the aspect was extracted from."""
    facts: tuple[str, ...] = ()
    """Optional: the user's concrete facts that cover the aspect (the bundled set carries them)."""
    contrasts: tuple[str, ...] = ()
    """Optional: plausible wrong specifics for this user, never to be credited."""

    @classmethod
    def coerce(cls, value: object, *, where: str = "aspect") -> RubricAspect:
        """Read an aspect from a LaMP-QA dict or any object with ``aspect``/``reason``/``evidence``.

        Args:
            value: A mapping or an object exposing the three fields.
            where: Position of the value, used in the error message (e.g. ``aspects[2]``).

        Raises:
            ValueError: A field is missing or is not a string.
        """
        if isinstance(value, RubricAspect):
            return value
        fields: dict[str, str] = {}
        for name in _ASPECT_FIELDS:
            if isinstance(value, Mapping):
                present, raw = name in value, value.get(name)
            else:
                present, raw = hasattr(value, name), getattr(value, name, None)
            if not present:
                raise ValueError(
                    f"{where} has no {name!r} field (got {type(value).__name__}: {_preview(value)}); "
                    "a rubric aspect needs 'aspect', 'reason' and 'evidence' as in LaMP-QA's rubric_aspects. "
                    "Pass the record's rubric_aspects entries unchanged."
                )
            if not isinstance(raw, str):
                raise ValueError(
                    f"{where}.{name} must be a string, got {type(raw).__name__} ({raw!r}); "
                    "check that the data file was not converted with numbers or nulls in aspect fields."
                )
            fields[name] = raw
        if not fields["aspect"].strip():
            raise ValueError(f"{where}.aspect is empty: an aspect needs a title to be judged against.")
        facts = _optional_texts(value, "facts", where)
        return cls(**fields, facts=facts, contrasts=_optional_texts(value, "contrasts", where))


def coerce_aspects(aspects: Sequence[object] | object) -> tuple[RubricAspect, ...]:
    """Normalise a rubric (a sequence of aspect-likes) and reject an empty one.

    Raises:
        ValueError: ``aspects`` is not a sequence, is empty, or one entry is malformed.
    """
    if isinstance(aspects, str | bytes | Mapping) or not isinstance(aspects, Sequence):
        raise ValueError(
            f"aspects must be a list of rubric aspects, got {type(aspects).__name__}; "
            "pass the record's rubric_aspects list, not a single aspect or a string."
        )
    if not aspects:
        raise ValueError(
            "aspects is empty: the score is averaged over aspects, so a question needs at least one. "
            "LaMP-QA records always carry rubric_aspects; check the record was loaded with them."
        )
    return tuple(RubricAspect.coerce(a, where=f"aspects[{i}]") for i, a in enumerate(aspects))


@dataclass(frozen=True)
class JudgeItem:
    """One (question, rubric, response) to score."""

    question: str
    narrative: str
    """The user's detailed description of the question (LaMP-QA's ``narrative``; PR2's ``details``)."""
    aspects: tuple[RubricAspect, ...]
    response: str
    """The full completion; judges score only its ``<answer>`` span (see :func:`pr2_agent.parsing.answer_text`)."""

    def __init__(self, question: str, narrative: str, aspects: Sequence[Any], response: str) -> None:
        for name, value in (("question", question), ("narrative", narrative), ("response", response)):
            if not isinstance(value, str):
                raise ValueError(f"{name} must be a string, got {type(value).__name__}.")
        object.__setattr__(self, "question", question)
        object.__setattr__(self, "narrative", narrative)
        object.__setattr__(self, "aspects", coerce_aspects(aspects))
        object.__setattr__(self, "response", response)

    @classmethod
    def from_record(cls, record: object, response: str) -> JudgeItem:
        """Build an item from a LaMP-QA record (a JSON dict or the loader's dataclass).

        Reads ``question``, ``narrative`` and ``rubric_aspects`` (``aspects`` is accepted too, the
        name PR2's code uses).
        """

        def read(*names: str) -> Any:
            for name in names:
                if isinstance(record, Mapping) and name in record:
                    return record[name]
                if not isinstance(record, Mapping) and hasattr(record, name):
                    return getattr(record, name)
            raise ValueError(
                f"the record has no {' or '.join(repr(n) for n in names)} field; "
                "a LaMP-QA record has question, narrative and rubric_aspects."
            )

        return cls(read("question"), read("narrative", "details"), read("rubric_aspects", "aspects"), response)


@dataclass(frozen=True)
class AspectJudgement:
    """The verdict on one aspect."""

    aspect: str
    """The aspect's title."""
    match_score: int | float
    """0..2: an int from the protocol judge, an int or a float from a proxy (see its ``continuous``)."""
    raw: str | None
    """What the judge produced to reach the score (model output, or a similarity/probability), for audit."""
    parsed: bool = True
    """False when the judge gave up (unparseable output after every retry) and scored 0."""


@dataclass(frozen=True)
class JudgeResult:
    """All aspect verdicts for one response and the normalised question score."""

    scores: list[AspectJudgement]
    score: float
    """``Σ match_score / (2 · #aspects)`` in [0, 1]."""
    judge: str = ""
    """Name of the judge that produced it (proxy judges carry "proxy" in the name)."""
    is_proxy: bool = False

    @classmethod
    def from_judgements(
        cls, scores: Sequence[AspectJudgement], *, judge: str = "", is_proxy: bool = False
    ) -> JudgeResult:
        """Aggregate per-aspect verdicts with LaMP-QA's normalisation.

        Raises:
            ValueError: No verdicts, or a score outside [0, 2].
        """
        if not scores:
            raise ValueError("cannot aggregate zero aspect judgements: every question has at least one aspect.")
        for s in scores:
            if not 0 <= s.match_score <= MAX_MATCH_SCORE:
                raise ValueError(
                    f"match_score {s.match_score!r} for aspect {s.aspect!r} is outside "
                    f"[0, {MAX_MATCH_SCORE}]; judges must clamp their scores before aggregating."
                )
        total = float(sum(s.match_score for s in scores))
        return cls(
            scores=list(scores),
            score=total / (MAX_MATCH_SCORE * len(scores)),
            judge=judge,
            is_proxy=is_proxy,
        )


def threshold_score(value: float, thresholds: tuple[float, float], *, continuous: bool) -> float:
    """Map a proxy judge's signal (a similarity, a probability) to the 0..2 scale.

    Discrete: 0 below the first threshold, 1 below the second, else 2. Continuous: the straight
    line through (t1, 0.5) and (t2, 1.5), clipped to [0, 2]; rounding it gives the discrete score,
    so both modes agree and the continuous one only breaks ties (useful as a GRPO reward).

    Example:
        >>> threshold_score(0.30, (0.2, 0.4), continuous=False)
        1
        >>> round(threshold_score(0.30, (0.2, 0.4), continuous=True), 3)
        1.0
    """
    low, high = thresholds
    if not continuous:
        return 0 if value < low else 1 if value < high else MAX_MATCH_SCORE
    graded = 0.5 + (value - low) / (high - low)
    return min(max(graded, 0.0), float(MAX_MATCH_SCORE))


def check_thresholds(thresholds: tuple[float, float], *, lowest: float, highest: float, what: str) -> None:
    """Reject a threshold pair that is not ``lowest <= somewhat < well <= highest``.

    Raises:
        ValueError: Says which pair was given and what is expected.
    """
    low, high = thresholds
    if not (math.isfinite(low) and math.isfinite(high) and lowest <= low < high <= highest):
        raise ValueError(
            f"thresholds must be two {what} with {lowest:g} <= somewhat < well <= {highest:g}, got {thresholds!r}."
        )


@runtime_checkable
class Judge(Protocol):
    """A rubric judge. Implementations hold configuration only and are picklable (TRL reward workers)."""

    @property
    def name(self) -> str:
        """Identifies the judge in results; proxy judges carry "proxy" in it."""
        ...

    @property
    def is_proxy(self) -> bool:
        """True for offline stand-ins whose numbers are not comparable with published LaMP-QA scores."""
        ...

    def judge(self, question: str, narrative: str, aspects: Sequence[Any], response: str) -> JudgeResult:
        """Score one response against the question's rubric."""
        ...

    def judge_batch(self, items: Sequence[JudgeItem]) -> list[JudgeResult]:
        """Score several responses, results in input order."""
        ...


class BaseJudge(ABC):
    """Base of this package's judges: configuration only, whatever they load dropped when pickled.

    TRL reward workers and ``pr2 eval`` pickle judges, so a subclass keeps what it loads (a model,
    an HTTP client) in the attributes named by ``_transient``, loads it on first use under
    ``_lock``, and gets it back as None in a pickled copy. A subclass implements
    :meth:`judge_batch`, and :meth:`judge` scores a batch of one.
    """

    _transient: ClassVar[tuple[str, ...]] = ()
    """Attributes holding loaded resources: None in the pickled state, reloaded on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @property
    @abstractmethod
    def name(self) -> str:
        """Identifies the judge in results; proxy judges carry "proxy" in it."""

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        state.update(dict.fromkeys(self._transient))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def judge(self, question: str, narrative: str, aspects: Sequence[Any], response: str) -> JudgeResult:
        """Score one response against the question's rubric, as a batch of one (see :meth:`judge_batch`).

        Raises:
            ValueError: Malformed aspects (see :class:`JudgeItem`); a subclass's batch errors too.
        """
        return self.judge_batch([JudgeItem(question, narrative, aspects, response)])[0]

    @abstractmethod
    def judge_batch(self, items: Sequence[JudgeItem]) -> list[JudgeResult]:
        """Score several responses, results in input order."""


def _optional_texts(value: object, name: str, where: str) -> tuple[str, ...]:
    """An aspect's optional list of strings (``facts``, ``contrasts``): () when absent."""
    raw = value.get(name, ()) if isinstance(value, Mapping) else getattr(value, name, ())
    if raw is None:
        # A `datasets` table gives every row the union of the struct fields, so an aspect without
        # contrasts arrives in training rows as contrasts=None: absent, not malformed.
        return ()
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence) or not all(isinstance(v, str) for v in raw):
        raise ValueError(
            f"{where}.{name} must be a list of strings, got {_preview(raw)}; leave it out when there is none."
        )
    return tuple(raw)


def _preview(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
