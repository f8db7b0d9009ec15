"""Types of the persona catalog the development-set generator draws from, and the template renderer.

The catalog itself is data (``tools/devset/catalog/*.json``); :mod:`tools.devset.catalog` reads it
into these types.

A :class:`Domain` (cooking, travel, ...) has generic *needs* (the question a user asks, which never
mentions personal facts), *facets* (dimensions of a persona that change the right answer: diet,
budget, time, ...) whose :class:`Fact` values carry every text the generator needs for one rubric
aspect, and neutral *fillers* (past questions about the domain that reveal nothing personal).

Templates use two kinds of fields: ``{name}`` is a named slot filled once per fact (so a budget
amount is the same in the narrative, the profile item and the fact phrase), and ``{a|b|c}`` picks
one alternative independently each time a text is rendered (``{x|}`` makes ``x`` optional).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass

_FIELD = re.compile(r"\{([^{}]*)\}")


def render(template: str, slots: Mapping[str, str], rng: random.Random) -> str:
    """Fill named slots and pick inline alternatives; collapse the whitespace left by empty choices.

    >>> render("I {really |}like {food}.", {"food": "tea"}, random.Random(0))
    'I like tea.'
    """

    def fill(match: re.Match[str]) -> str:
        body = match.group(1)
        if "|" in body:
            return rng.choice(body.split("|"))
        if body not in slots:
            raise KeyError(f"template {template!r} uses slot {{{body}}} but the fact defines {sorted(slots)}")
        return slots[body]

    text = _FIELD.sub(fill, template)
    return " ".join(text.split()).replace(" ,", ",").replace(" .", ".").replace(" ?", "?")


def named_slots(template: str) -> list[str]:
    """Names of the ``{name}`` slots a template uses, in order (alternatives ``{a|b}`` are not slots).

    >>> named_slots("{a|b} costs ${amount} a {period}")
    ['amount', 'period']
    """
    return [body for body in _FIELD.findall(template) if "|" not in body]


def stray_braces(template: str) -> bool:
    """Whether a brace is left over once every well-formed field is removed (it would leak into the text).

    >>> stray_braces("fine {a|b} {slot}"), stray_braces("broken {slot")
    (False, True)
    """
    rest = _FIELD.sub("", template)
    return "{" in rest or "}" in rest


@dataclass(frozen=True)
class Fact:
    """One value of a facet: a personal fact, with every text that carries it."""

    key: str
    """Identifier unique within the facet (e.g. ``vegetarian``)."""
    aspect: str
    """Rubric aspect title."""
    reason: str
    """Why the aspect matters to the user (third person, as in LaMP-QA rubrics)."""
    fact: str
    """Short phrase an ideal answer would build on."""
    narrative: tuple[str, ...]
    """First-person sentences stating the fact in the current question's narrative (one is used)."""
    profile: tuple[str, ...]
    """Past-question texts (question + description) that reveal the fact (one is used)."""
    slots: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Named slots and their possible values, in the order the generator draws them."""
    tags: frozenset[str] = frozenset()
    """Persona properties this fact implies (e.g. ``kids``), for consistency checks."""
    conflicts: frozenset[str] = frozenset()
    """Persona properties that would contradict this fact."""


@dataclass(frozen=True)
class Facet:
    """A dimension of a persona that changes the right answer in a domain."""

    name: str
    kind: str
    """Cross-domain kind (``diet``, ``budget``, ``health``, ...): facts of a kind the current domain
    cares about are never used as background, since an ideal answer could then depend on them."""
    query: str
    """A search query an agent could write without knowing the fact (used in SFT demonstrations)."""
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class Need:
    """A generic question of the domain and the narrative sentences that open it."""

    question: str
    openers: tuple[str, ...]


@dataclass(frozen=True)
class Filler:
    """A neutral past question of a domain: it carries no fact relevant to any facet."""

    text: str
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Domain:
    """An everyday topic with its LaMP-QA category."""

    name: str
    category: str
    needs: tuple[Need, ...]
    facets: tuple[Facet, ...]
    fillers: tuple[Filler, ...]
    tags: frozenset[str] = frozenset()
    """Persona properties implied by asking in this domain at all (parenting implies ``kids``)."""
    reveals: frozenset[str] = frozenset()
    """Facet kinds the domain's fillers reveal (parenting fillers reveal ``family``)."""

    @property
    def kinds(self) -> frozenset[str]:
        """Facet kinds this domain's answers depend on."""
        return frozenset(f.kind for f in self.facets)


@dataclass(frozen=True)
class Catalog:
    """Everything the generator draws from: the domains and the neutral framing of past posts."""

    domains: tuple[Domain, ...]
    """All domains; their order is part of the generator's determinism."""
    openers: tuple[str, ...]
    """Neutral sentences that may open a past post ("Sorry if this has been asked before.")."""
    closers: tuple[str, ...]
    """Neutral sentences that may close a past post ("Thanks in advance!")."""
