"""Generator of the bundled development set: synthetic LaMP-QA-format users whose answers need their profile.

LaMP-QA itself cannot be shipped, and a smoke benchmark must run offline, so this module generates
~300 users (200 train / 50 dev / 50 test by default) in exactly LaMP-QA's record layout, from a hand
written persona catalog (``tools/devset/catalog/*.json``, read by :mod:`tools.devset.catalog`: 20
everyday domains across the three LaMP-QA categories). Files are written by
``tools/devset/make_devset.py`` and committed under ``pr2_agent/data/devset/``;
:func:`pr2_agent.data.devset.load_devset` reads them.

Design
------
Each user belongs to one domain and asks one of the domain's generic *needs* ("What easy dinners
can I cook on weeknights?"): the question never states a personal fact. The generator then:

1. **Picks 3-5 facets** of the domain (diet, budget, time, equipment, family, health, taste, ...)
   and one *fact* per facet (vegetarian, $40 a week, no oven, ...), rejecting combinations that
   contradict each other (facts carry ``tags``/``conflicts``: "I live alone" vs kids). Named slots
   (amounts, ages, durations) are filled once per fact, so the same value appears everywhere.
2. **Writes the hidden side** like LaMP-QA's: a first-person narrative = an opener + one sentence
   per fact (+ a closer); each rubric aspect = (title, reason, evidence) where evidence is exactly
   that fact's narrative sentence, plus (beyond LaMP-QA) ``facts``, the fact phrase an ideal answer
   builds on, and ``contrasts``, the same facet's other facts and the fact with other slot values
   (another diet, another budget): the specifics judge credits the first and never the second.
   Contrasts draw from their own ``random.Random(f"{seed}:{index}:contrasts")`` so adding them left
   every other generated text unchanged.
3. **Hides each fact in a different profile item**, a past "question + description" post worded
   differently from the narrative, often about another situation ("Good sources of protein for a
   vegetarian? I stopped eating meat..."). Retrieval vocabulary is deliberate: an item shares the
   key words of its aspect title, so a sensible search query can find it.
4. **Buries the evidence** among items that do not carry it: neutral past questions from the same
   domain (they match the question's topic, not the constraint), personal facts from other
   domains whose facet kind the current domain does not depend on (personal-sounding but
   irrelevant), and neutral questions from other domains, drawn mostly from 2-3 "interest"
   domains. Nothing the current answer depends on appears outside the evidence items: facts of a
   kind the domain cares about, and fillers of domains that reveal such kinds (parenting reveals
   family), are never used as distractors, and every item must be consistent with the persona.
5. Shuffles the profile (8-40 items), numbers the items, and records in ``pr2_meta`` per aspect the
   evidence item ids, the fact phrase an ideal answer would use and the facet-level search query
   (for building SFT demonstrations; evaluation uses only the LaMP-QA fields), plus the role of
   every profile item.

Splits are by user, stratified by domain, with exact sizes. Everything is a pure function of the
seed: each user draws from its own ``random.Random(f"{seed}:{index}")`` (string seeding does not
depend on ``PYTHONHASHSEED``) and no set is ever iterated.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pr2_agent.data.devset import BUNDLED_DIR, DEVSET_SPLITS
from pr2_agent.data.lampqa import load_lampqa
from pr2_agent.data.records_file import write_json_atomic
from tools.devset.catalog import load_catalog
from tools.devset.schema import Catalog, Domain, Facet, Fact, render

logger = logging.getLogger(__name__)

# Recorded in every record's pr2_meta.generator. The name is the module the generator lived in when the
# bundled files were made (inside the package); it is kept so that regenerating stays byte-identical.
# Change it together with GENERATOR_VERSION, when the output changes anyway.
GENERATOR_NAME = "pr2_agent.data.devset"
GENERATOR_VERSION = 2
"""2: every rubric aspect carries ``facts`` (the fact phrase) and ``contrasts`` (wrong specifics)."""
DEFAULT_SEED = 1234

ROLE_EVIDENCE = "evidence"
ROLE_SAME_DOMAIN = "same_domain"
ROLE_BACKGROUND_FACT = "background_fact"
ROLE_OTHER_TOPIC = "other_topic"

# Every profile gets 2-4 same-domain fillers, 1-3 background facts and at least 2 other-topic items.
_SAME_DOMAIN_RANGE = (2, 4)
_BACKGROUND_RANGE = (1, 3)
_MIN_OTHER_TOPIC = 2
_MAX_DISTRACTOR_FLOOR = _SAME_DOMAIN_RANGE[1] + _BACKGROUND_RANGE[1] + _MIN_OTHER_TOPIC

MAX_ITEM_SENTENCES = 4
_SENTENCE_END = re.compile(r"[.?!](?=\s|$)")
_POST_OPENER_P = 0.35
_POST_CLOSER_P = 0.6

_CLOSERS = (
    "Any suggestions would be really appreciated.",
    "What would you recommend?",
    "I'd love a few concrete ideas.",
    "Where should I start?",
    "",
)


@dataclass(frozen=True)
class DevsetConfig:
    """Sizes and seed of the generated development set."""

    seed: int = DEFAULT_SEED
    n_train: int = 200
    n_dev: int = 50
    n_test: int = 50
    min_aspects: int = 3
    max_aspects: int = 5
    min_profile: int = 8
    max_profile: int = 40

    def __post_init__(self) -> None:
        if min(self.n_train, self.n_dev, self.n_test) < 0 or self.n_users == 0:
            raise ValueError("split sizes must be >= 0 with at least one user")
        if not 1 <= self.min_aspects <= self.max_aspects <= 5:
            raise ValueError("need 1 <= min_aspects <= max_aspects <= 5 (domains define at least 5 facets)")
        if not 1 <= self.min_profile <= self.max_profile or self.max_profile < self.max_aspects + _MAX_DISTRACTOR_FLOOR:
            raise ValueError(
                "need 1 <= min_profile <= max_profile and max_profile >= max_aspects + "
                f"{_MAX_DISTRACTOR_FLOOR}: a profile holds one evidence item per aspect plus up to that many "
                "required distractors"
            )

    @property
    def n_users(self) -> int:
        """Total number of users (one question each)."""
        return self.n_train + self.n_dev + self.n_test


@dataclass
class _Persona:
    """Properties implied so far, so that no profile item contradicts another."""

    tags: set[str] = field(default_factory=set)
    conflicts: set[str] = field(default_factory=set)

    def accepts(self, tags: frozenset[str], conflicts: frozenset[str]) -> bool:
        return not (tags & self.conflicts) and not (conflicts & self.tags)

    def add(self, tags: frozenset[str], conflicts: frozenset[str]) -> None:
        self.tags |= tags
        self.conflicts |= conflicts


@dataclass(frozen=True)
class _Item:
    text: str
    role: str
    aspect: int | None = None


def generate_devset(
    config: DevsetConfig | None = None, catalog: Catalog | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Generate the development set as ``{split: [LaMP-QA record dict, ...]}``, records sorted by id.

    ``catalog`` defaults to the JSON catalog beside this module (:func:`tools.devset.catalog.load_catalog`).
    """
    config = config or DevsetConfig()
    catalog = catalog or load_catalog()
    domains = catalog.domains
    by_domain: list[list[int]] = [list(range(d, config.n_users, len(domains))) for d in range(len(domains))]
    splits = _assign_splits([i for group in by_domain for i in group], config)
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in DEVSET_SPLITS}
    for index in range(config.n_users):
        rng = random.Random(f"{config.seed}:{index}")
        record = _make_user(index, domains[index % len(domains)], catalog, rng, config)
        out[splits[index]].append(record)
    return out


def _assign_splits(order: list[int], config: DevsetConfig) -> dict[int, str]:
    """Give each split its exact size while spreading every domain over all splits."""
    targets = dict(zip(DEVSET_SPLITS, (config.n_train, config.n_dev, config.n_test), strict=True))
    counts = dict.fromkeys(DEVSET_SPLITS, 0)
    assigned: dict[int, str] = {}
    for position, index in enumerate(order, start=1):
        # Largest deficit against the proportional target so far (ties: train, dev, test).
        split = max(DEVSET_SPLITS, key=lambda s: targets[s] * position / config.n_users - counts[s])
        counts[split] += 1
        assigned[index] = split
    return assigned


def _choose_facts(
    domain: Domain, rng: random.Random, config: DevsetConfig, persona: _Persona
) -> list[tuple[Facet, Fact]]:
    wanted = rng.randint(config.min_aspects, config.max_aspects)
    facets = list(domain.facets)
    rng.shuffle(facets)
    chosen: list[tuple[Facet, Fact]] = []
    for facet in facets:
        if len(chosen) == wanted:
            break
        options = [f for f in facet.facts if persona.accepts(f.tags, f.conflicts)]
        if options:
            fact = rng.choice(options)
            persona.add(fact.tags, fact.conflicts)
            chosen.append((facet, fact))
    if len(chosen) < config.min_aspects:
        raise RuntimeError(f"domain {domain.name!r} cannot supply {config.min_aspects} compatible facets")
    return chosen


def _make_user(
    index: int, domain: Domain, catalog: Catalog, rng: random.Random, config: DevsetConfig
) -> dict[str, Any]:
    persona = _Persona(set(domain.tags))
    contrast_rng = random.Random(f"{config.seed}:{index}:contrasts")
    need = rng.choice(domain.needs)
    chosen = _choose_facts(domain, rng, config, persona)
    aspects: list[dict[str, Any]] = []
    evidence_items: list[_Item] = []
    meta_aspects: list[dict[str, Any]] = []
    for number, (facet, fact) in enumerate(chosen):
        slots = {name: rng.choice(values) for name, values in fact.slots}
        title = render(fact.aspect, slots, rng)
        sentence = render(rng.choice(fact.narrative), slots, rng)
        reason = render(fact.reason, slots, rng)
        evidence_items.append(_Item(render(rng.choice(fact.profile), slots, rng), ROLE_EVIDENCE, number))
        phrase = render(fact.fact, slots, rng)
        aspects.append(
            {
                "aspect": title,
                "reason": reason,
                "evidence": sentence,
                "facts": [phrase],
                "contrasts": _contrasts(facet, fact, slots, phrase, contrast_rng),
            }
        )
        meta_aspects.append({"aspect": title, "facet": facet.name, "fact": phrase, "query": facet.query})
    narrative = " ".join(
        part
        for part in [
            render(rng.choice(need.openers), {}, rng),
            *(a["evidence"] for a in aspects),
            rng.choice(_CLOSERS),
        ]
        if part
    )
    items = [
        _Item(_frame(item.text, catalog, rng), item.role, item.aspect)
        for item in _compose_profile(domain, catalog, evidence_items, rng, config, persona)
    ]
    rng.shuffle(items)
    user_id = f"pr2dev-u{index:04d}"
    profile = [{"id": f"{user_id}-p{j:02d}", "text": item.text} for j, item in enumerate(items)]
    for item, entry in zip(items, profile, strict=True):
        if item.aspect is not None:
            meta_aspects[item.aspect]["evidence_ids"] = [entry["id"]]
    return {
        "id": f"pr2dev-q{index:04d}",
        "question": render(need.question, {}, rng),
        "narrative": narrative,
        "rubric_aspects": aspects,
        "profile": profile,
        "category": domain.category,
        "pr2_meta": {
            "user_id": user_id,
            "domain": domain.name,
            "aspects": meta_aspects,
            "profile_roles": {entry["id"]: item.role for item, entry in zip(items, profile, strict=True)},
            "generator": {"name": GENERATOR_NAME, "version": GENERATOR_VERSION, "seed": config.seed},
        },
    }


def _contrasts(facet: Facet, fact: Fact, slots: dict[str, str], phrase: str, rng: random.Random) -> list[str]:
    """Wrong specifics for this aspect: the facet's other facts, and this fact with other slot values.

    A contrast names the same topic as the user's fact with the wrong content (celiac for a
    vegetarian, $60 for a $40 budget), which is what an answer that did not read the profile says.
    """
    out: list[str] = []
    for other in facet.facts:
        if other.key == fact.key:
            continue
        other_slots = {name: rng.choice(values) for name, values in other.slots}
        out.append(render(other.fact, other_slots, rng))
    if fact.slots:
        # Every slot moved to another value where it has one: the fact with the wrong amount/age/duration.
        moved = {
            name: rng.choice([v for v in values if v != slots[name]] or [slots[name]]) for name, values in fact.slots
        }
        out.append(render(fact.fact, moved, rng))
    return [c for c in dict.fromkeys(out) if c != phrase]


def sentence_count(text: str) -> int:
    """Count sentences by their final punctuation (the catalog avoids abbreviations with periods)."""
    return len(_SENTENCE_END.findall(text))


def _frame(text: str, catalog: Catalog, rng: random.Random) -> str:
    """Wrap a post in neutral forum phrasing, keeping it within :data:`MAX_ITEM_SENTENCES`."""
    if rng.random() < _POST_OPENER_P and sentence_count(text) < MAX_ITEM_SENTENCES:
        text = f"{render(rng.choice(catalog.openers), {}, rng)} {text}"
    if rng.random() < _POST_CLOSER_P and sentence_count(text) < MAX_ITEM_SENTENCES:
        text = f"{text} {render(rng.choice(catalog.closers), {}, rng)}"
    return text


def _compose_profile(
    domain: Domain,
    catalog: Catalog,
    evidence: list[_Item],
    rng: random.Random,
    config: DevsetConfig,
    persona: _Persona,
) -> list[_Item]:
    others = [d for d in catalog.domains if d.name != domain.name and not (d.reveals & domain.kinds)]
    n_same = rng.randint(*_SAME_DOMAIN_RANGE)
    n_background = rng.randint(*_BACKGROUND_RANGE)
    floor = len(evidence) + n_same + n_background + _MIN_OTHER_TOPIC
    size = rng.randint(max(config.min_profile, floor), config.max_profile)
    items = list(evidence)
    seen = {item.text for item in items}

    def take(text: str, role: str, tags: frozenset[str], conflicts: frozenset[str] = frozenset()) -> bool:
        if len(items) >= size or text in seen or not persona.accepts(tags, conflicts):
            return False
        persona.add(tags, conflicts)
        seen.add(text)
        items.append(_Item(text, role))
        return True

    same = list(domain.fillers)
    rng.shuffle(same)
    taken = 0
    for filler in same:
        if taken < n_same and take(render(filler.text, {}, rng), ROLE_SAME_DOMAIN, filler.tags):
            taken += 1

    backgrounds = [
        (d, facet, fact) for d in others for facet in d.facets if facet.kind not in domain.kinds for fact in facet.facts
    ]
    rng.shuffle(backgrounds)
    used_kinds: set[str] = set()
    taken = 0
    for d, facet, fact in backgrounds:
        if taken == n_background or facet.kind in used_kinds:
            continue
        slots = {name: rng.choice(values) for name, values in fact.slots}
        if take(
            render(rng.choice(fact.profile), slots, rng),
            ROLE_BACKGROUND_FACT,
            fact.tags | d.tags,
            fact.conflicts,
        ):
            used_kinds.add(facet.kind)
            taken += 1

    interests = {d.name for d in rng.sample(others, k=min(3, len(others)))}
    pool = [(d, filler) for d in others for filler in d.fillers]
    # Weighted sampling without replacement (Efraimidis-Spirakis): interest domains 4x as likely.
    keyed = sorted(pool, key=lambda p: rng.random() ** (1 / (4.0 if p[0].name in interests else 1.0)), reverse=True)
    for d, filler in keyed:
        take(render(filler.text, {}, rng), ROLE_OTHER_TOPIC, filler.tags | d.tags)
    return items


def write_devset(
    out_dir: Path | str = BUNDLED_DIR, config: DevsetConfig | None = None, catalog: Catalog | None = None
) -> dict[str, Path]:
    """Generate the development set and write ``{train,dev,test}.json`` into ``out_dir``.

    Each file is written atomically and read back with :func:`load_lampqa` before returning.
    """
    config = config or DevsetConfig()
    out_dir = Path(out_dir)
    paths: dict[str, Path] = {}
    for split, records in generate_devset(config, catalog).items():
        paths[split] = write_json_atomic(out_dir / f"{split}.json", records, indent=1)
        load_lampqa(paths[split])
        logger.info("wrote %d records to %s", len(records), paths[split])
    return paths
