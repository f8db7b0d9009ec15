"""Read the persona catalog (``catalog/*.json``) into :mod:`tools.devset.schema` types, checking every entry.

One file per domain, named after it (``cooking.json``), plus ``framing.json``. A domain file is::

    {"name": "cooking", "category": "Lifestyle_and_Personal_Development",
     "tags": ["..."], "reveals": ["..."],                      # optional, default []
     "needs": [{"question": "...", "openers": ["...", ...]}, ...],
     "facets": [{"name": "diet", "kind": "diet", "query": "...",
                 "facts": [{"key": "vegetarian", "aspect": "...", "reason": "...", "fact": "...",
                            "narrative": ["..."], "profile": ["..."],
                            "slots": {"amount": ["40", "60"]},   # optional; order = draw order
                            "tags": ["..."], "conflicts": ["..."]}]}],   # optional
     "fillers": [{"text": "...", "tags": ["..."]}, ...]}       # filler tags optional

and ``framing.json`` is ``{"openers": [...], "closers": [...]}``: neutral sentences around a past post,
which must not imply anything about the person (no family, job, place or habit). Template syntax is
described in :mod:`tools.devset.schema`. A bad entry raises :class:`CatalogError` naming the file and
the field (``cooking.json: facets[2].facts[0].profile[1]: ...``), so the fix is one look away.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from tools.devset.schema import Catalog, Domain, Facet, Fact, Filler, Need, named_slots, stray_braces

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
FRAMING_FILE = "framing.json"

DOMAIN_ORDER: tuple[str, ...] = (
    # Art_and_Entertainment
    "music",
    "games",
    "reading",
    "movies",
    "photography",
    "crafts",
    # Lifestyle_and_Personal_Development
    "cooking",
    "travel",
    "fitness",
    "gardening",
    "pets",
    "parenting",
    "cycling",
    "home_repair",
    "health_habits",
    "careers",
    # Society_and_Culture
    "personal_finance",
    "study",
    "language_learning",
    "social_life",
)
"""Domains in generation order, grouped by LaMP-QA category. Users are dealt to domains round-robin in
this order, so it is part of the generator's determinism: reordering changes every generated file."""


class CatalogError(ValueError):
    """A catalog file is unreadable or one of its entries is malformed."""


class _Reader:
    """One JSON object of a catalog file, read field by field; errors name the file and field path."""

    def __init__(self, value: Any, file: str, where: str, required: Iterable[str], optional: Iterable[str] = ()):
        self.file, self.where = file, where
        if not isinstance(value, dict):
            _fail(file, where, f"is {_kind(value)}, expected an object")
        required, optional = tuple(required), tuple(optional)
        unknown = sorted(set(value) - set(required) - set(optional))
        if unknown:
            self.fail(f"unknown field(s) {unknown}; allowed are {sorted({*required, *optional})} (a typo?)")
        missing = [key for key in required if key not in value]
        if missing:
            self.fail(f"lacks the required field(s) {missing}")
        self.value: dict[str, Any] = value

    def at(self, key: str) -> str:
        """Field path of a child (``facets[2].kind``)."""
        return f"{self.where}.{key}" if self.where else key

    def fail(self, problem: str, key: str | None = None) -> NoReturn:
        _fail(self.file, self.where if key is None else self.at(key), problem)

    def text(self, key: str) -> str:
        return _text(self.value[key], self.file, self.at(key))

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.value[key]
        if not isinstance(values, list) or not values:
            self.fail(f"is {_kind(values)}, expected a non-empty list of strings", key)
        return tuple(_text(v, self.file, f"{self.at(key)}[{i}]") for i, v in enumerate(values))

    def words(self, key: str) -> frozenset[str]:
        """An optional list of tag names (single words), as a set."""
        values = self.value.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and v.split() == [v] for v in values):
            self.fail(f'is {values!r}, expected a list of single-word names like ["kids", "employed"]', key)
        if len(set(values)) < len(values):
            self.fail(f"repeats a name: {values!r}", key)
        return frozenset(values)

    def objects(self, key: str) -> list[tuple[Any, str]]:
        """A non-empty list of objects, each with its field path (``facets[2]``)."""
        values = self.value[key]
        if not isinstance(values, list) or not values:
            self.fail(f"is {_kind(values)}, expected a non-empty list of objects", key)
        return [(v, f"{self.at(key)}[{i}]") for i, v in enumerate(values)]

    def slots(self, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Optional ``{"name": ["value", ...]}``; the object's order is the order the generator draws in."""
        values = self.value.get(key, {})
        if not isinstance(values, dict):
            self.fail(f'is {_kind(values)}, expected an object like {{"amount": ["40", "60"]}}', key)
        sub = _Reader(values, self.file, self.at(key), values)
        return tuple((name, sub.texts(name)) for name in values)

    def templates_use_only(self, keys: Iterable[str], slots: Iterable[str], hint: str) -> None:
        """Every ``{name}`` in the templates under ``keys`` is one of ``slots`` (else it fails when rendered)."""
        allowed = set(slots)
        for key in keys:
            values = self.value[key]
            for i, template in enumerate(values if isinstance(values, list) else [values]):
                unknown = [s for s in named_slots(template) if s not in allowed]
                if unknown:
                    where = f"{key}[{i}]" if isinstance(values, list) else key
                    self.fail(f"{template!r} uses slot(s) {unknown} but {hint}", where)


def _fail(file: str, where: str, problem: str) -> NoReturn:
    raise CatalogError(f"{file}: {where or 'top level'}: {problem}")


def _text(value: Any, file: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(file, where, f"is {_kind(value)}, expected a non-empty string")
    if stray_braces(value):
        _fail(file, where, f"{value!r} has an unmatched brace; fields are {{name}} or {{a|b}}")
    return value


def _kind(value: Any) -> str:
    return f"{value!r:.60} ({type(value).__name__})"


def _fact(value: Any, file: str, where: str) -> Fact:
    r = _Reader(
        value,
        file,
        where,
        ("key", "aspect", "reason", "fact", "narrative", "profile"),
        ("slots", "tags", "conflicts"),
    )
    fact = Fact(
        key=r.text("key"),
        aspect=r.text("aspect"),
        reason=r.text("reason"),
        fact=r.text("fact"),
        narrative=r.texts("narrative"),
        profile=r.texts("profile"),
        slots=r.slots("slots"),
        tags=r.words("tags"),
        conflicts=r.words("conflicts"),
    )
    declared = [name for name, _ in fact.slots]
    r.templates_use_only(
        ("aspect", "reason", "fact", "narrative", "profile"),
        declared,
        f'the fact\'s "slots" declare only {declared}; add the slot or fix the name',
    )
    return fact


def _facet(value: Any, file: str, where: str) -> Facet:
    r = _Reader(value, file, where, ("name", "kind", "query", "facts"))
    facts = tuple(_fact(v, file, where) for v, where in r.objects("facts"))
    keys = [f.key for f in facts]
    if len(set(keys)) < len(keys):
        r.fail(f"fact keys repeat: {keys}; each key must be unique within its facet", "facts")
    return Facet(name=r.text("name"), kind=r.text("kind"), query=r.text("query"), facts=facts)


def _need(value: Any, file: str, where: str) -> Need:
    r = _Reader(value, file, where, ("question", "openers"))
    need = Need(question=r.text("question"), openers=r.texts("openers"))
    r.templates_use_only(("question", "openers"), (), "needs have no slots; use {a|b} alternatives")
    return need


def _filler(value: Any, file: str, where: str) -> Filler:
    r = _Reader(value, file, where, ("text",), ("tags",))
    filler = Filler(text=r.text("text"), tags=r.words("tags"))
    r.templates_use_only(("text",), (), "fillers have no slots; use {a|b} alternatives")
    return filler


def load_domain(path: Path) -> Domain:
    """Read one domain file; its ``name`` must be the file's stem."""
    file = path.name
    r = _Reader(_read_json(path), file, "", ("name", "category", "needs", "facets", "fillers"), ("tags", "reveals"))
    name = r.text("name")
    if name != path.stem:
        r.fail(f"is {name!r} but the file is {file}; a domain file is named after its domain", "name")
    category = r.text("category")
    if category not in LAMPQA_CATEGORIES:
        r.fail(f"is {category!r}; use one of the LaMP-QA categories {list(LAMPQA_CATEGORIES)}", "category")
    facets = tuple(_facet(v, file, where) for v, where in r.objects("facets"))
    names = [f.name for f in facets]
    if len(set(names)) < len(names):
        r.fail(f"facet names repeat: {names}; each facet name must be unique within its domain", "facets")
    return Domain(
        name=name,
        category=category,
        needs=tuple(_need(v, file, where) for v, where in r.objects("needs")),
        facets=facets,
        fillers=tuple(_filler(v, file, where) for v, where in r.objects("fillers")),
        tags=r.words("tags"),
        reveals=r.words("reveals"),
    )


def load_catalog(directory: Path | str = CATALOG_DIR) -> Catalog:
    """Read ``framing.json`` and one file per name in :data:`DOMAIN_ORDER`, in that order."""
    directory = Path(directory)
    present = {p.stem for p in directory.glob("*.json")} - {Path(FRAMING_FILE).stem}
    missing = [name for name in DOMAIN_ORDER if name not in present]
    if missing:
        raise CatalogError(f"{directory}: no file for domain(s) {missing}; expected {[f'{m}.json' for m in missing]}")
    extra = sorted(present - set(DOMAIN_ORDER))
    if extra:
        raise CatalogError(
            f"{directory}: {[f'{e}.json' for e in extra]} are not in DOMAIN_ORDER; add each name to "
            "tools/devset/catalog.py:DOMAIN_ORDER under its category (this changes every generated file)"
        )
    framing = _Reader(_read_json(directory / FRAMING_FILE), FRAMING_FILE, "", ("openers", "closers"))
    openers, closers = framing.texts("openers"), framing.texts("closers")
    framing.templates_use_only(("openers", "closers"), (), "framing sentences have no slots; use {a|b} alternatives")
    domains = tuple(load_domain(directory / f"{name}.json") for name in DOMAIN_ORDER)
    return Catalog(domains=domains, openers=openers, closers=closers)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path}: no such catalog file") from None
    except json.JSONDecodeError as err:
        raise CatalogError(f"{path.name}: not valid JSON at line {err.lineno} column {err.colno}: {err.msg}") from None
