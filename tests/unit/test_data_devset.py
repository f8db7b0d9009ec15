"""Invariants of the bundled development set and of its generator."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from pr2_agent.data.devset import (
    DEVSET_SPLITS,
    MAX_ITEM_SENTENCES,
    ROLE_BACKGROUND_FACT,
    ROLE_EVIDENCE,
    ROLE_OTHER_TOPIC,
    ROLE_SAME_DOMAIN,
    DevsetConfig,
    devset_path,
    generate_devset,
    load_devset,
    sentence_count,
    write_devset,
)
from pr2_agent.data.lampqa import LAMPQA_CATEGORIES, LaMPQARecord
from pr2_agent.data.persona_catalog import DOMAINS
from pr2_agent.data.persona_catalog.schema import render


@pytest.fixture(scope="module")
def bundled() -> dict[str, list[LaMPQARecord]]:
    return {split: load_devset(split) for split in DEVSET_SPLITS}


def _all(bundled: dict[str, list[LaMPQARecord]]) -> list[LaMPQARecord]:
    return [r for split in DEVSET_SPLITS for r in bundled[split]]


def test_split_sizes_and_disjoint_users(bundled: dict[str, list[LaMPQARecord]]) -> None:
    assert {s: len(rs) for s, rs in bundled.items()} == {"train": 200, "dev": 50, "test": 50}
    users = {s: {r.extra["pr2_meta"]["user_id"] for r in rs} for s, rs in bundled.items()}
    ids = {s: {r.id for r in rs} for s, rs in bundled.items()}
    assert sum(len(u) for u in users.values()) == 300 and sum(len(i) for i in ids.values()) == 300
    for a, b in [("train", "dev"), ("train", "test"), ("dev", "test")]:
        assert not users[a] & users[b] and not ids[a] & ids[b]


def test_domains_and_categories_cover_every_split(bundled: dict[str, list[LaMPQARecord]]) -> None:
    assert len(DOMAINS) >= 15
    assert {d.category for d in DOMAINS} == set(LAMPQA_CATEGORIES)
    for split, records in bundled.items():
        assert {r.category for r in records} == set(LAMPQA_CATEGORIES), split
        assert {r.extra["pr2_meta"]["domain"] for r in records} == {d.name for d in DOMAINS}, split


def test_record_shape(bundled: dict[str, list[LaMPQARecord]]) -> None:
    for record in _all(bundled):
        assert 3 <= len(record.rubric_aspects) <= 5, record.id
        assert 8 <= len(record.profile) <= 40, record.id
        assert len({a.aspect for a in record.rubric_aspects}) == len(record.rubric_aspects)
        for aspect in record.rubric_aspects:
            assert aspect.reason and aspect.evidence
            assert aspect.evidence in record.narrative  # evidence is a span of the narrative, as in LaMP-QA
        assert set(record.extra) == {"pr2_meta"}


def test_pr2_meta_points_at_distinct_evidence_items(bundled: dict[str, list[LaMPQARecord]]) -> None:
    for record in _all(bundled):
        meta = record.extra["pr2_meta"]
        profile_ids = [p.id for p in record.profile]
        assert set(meta["profile_roles"]) == set(profile_ids)
        assert [m["aspect"] for m in meta["aspects"]] == [a.aspect for a in record.rubric_aspects]
        evidence = [i for m in meta["aspects"] for i in m["evidence_ids"]]
        assert all(len(m["evidence_ids"]) == 1 for m in meta["aspects"])
        assert set(evidence) <= set(profile_ids), record.id
        assert len(set(evidence)) == len(evidence), record.id  # one different item per aspect
        roles = meta["profile_roles"]
        assert {i for i, role in roles.items() if role == ROLE_EVIDENCE} == set(evidence)
        counts = Counter(roles.values())
        assert counts[ROLE_SAME_DOMAIN] >= 1 and counts[ROLE_OTHER_TOPIC] >= 1, record.id
        assert set(counts) <= {ROLE_EVIDENCE, ROLE_SAME_DOMAIN, ROLE_BACKGROUND_FACT, ROLE_OTHER_TOPIC}
        for m in meta["aspects"]:
            assert m["fact"] and m["query"] and m["facet"]


def test_question_does_not_reveal_the_aspects(bundled: dict[str, list[LaMPQARecord]]) -> None:
    for record in _all(bundled):
        question = record.question.lower()
        for m in record.extra["pr2_meta"]["aspects"]:
            assert m["fact"].lower() not in question, record.id
            assert m["aspect"].lower() not in question, record.id
        for aspect in record.rubric_aspects:
            assert aspect.evidence.lower() not in question


def test_profile_items_are_short_and_unique_per_user(bundled: dict[str, list[LaMPQARecord]]) -> None:
    for record in _all(bundled):
        texts = [p.text for p in record.profile]
        assert len(set(texts)) == len(texts), record.id
        for text in texts:
            assert 1 <= sentence_count(text) <= MAX_ITEM_SENTENCES, text
            assert "{" not in text and "}" not in text, text


_STOPWORDS = {"a", "an", "the", "and", "or", "of", "for", "with", "to", "in", "on", "at", "no", "only", "not"}


def _content_words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower())) - _STOPWORDS


def test_evidence_items_carry_the_aspect_vocabulary(bundled: dict[str, list[LaMPQARecord]]) -> None:
    """Each evidence item shares at least one content word with its aspect title (retrievable by design)."""
    for record in _all(bundled):
        items = {p.id: p.text for p in record.profile}
        for m in record.extra["pr2_meta"]["aspects"]:
            evidence = items[m["evidence_ids"][0]]
            assert _content_words(m["aspect"]) & _content_words(evidence), (record.id, m["aspect"])


def test_every_evidence_wording_shares_a_word_with_its_aspect_title() -> None:
    """Checked on the catalog, so every wording (not only the ones the seed happened to draw) qualifies."""
    for domain in DOMAINS:
        for facet in domain.facets:
            for fact in facet.facts:
                for seed in range(5):
                    rng = random.Random(seed)
                    slots = {name: rng.choice(values) for name, values in fact.slots}
                    title = _content_words(render(fact.aspect, slots, rng))
                    for text in fact.profile:
                        assert title & _content_words(render(text, slots, rng)), (domain.name, fact.key, text)


def test_bundled_files_match_the_generator() -> None:
    """Editing the catalog or generator without regenerating the committed files is caught here."""
    generated = generate_devset()
    for split in DEVSET_SPLITS:
        on_disk = json.loads(devset_path(split).read_text(encoding="utf-8"))
        assert on_disk == generated[split], f"{split}.json is stale: run python scripts/make_devset.py"


def test_generator_is_deterministic_and_seed_dependent(tmp_path: Path) -> None:
    small = DevsetConfig(seed=7, n_train=8, n_dev=2, n_test=2)
    first = write_devset(tmp_path / "a", small)
    second = write_devset(tmp_path / "b", small)
    for split in DEVSET_SPLITS:
        assert first[split].read_bytes() == second[split].read_bytes()
    other = generate_devset(DevsetConfig(seed=8, n_train=8, n_dev=2, n_test=2))
    assert other["train"] != json.loads(first["train"].read_text(encoding="utf-8"))
    sizes = {s: len(json.loads(first[s].read_text(encoding="utf-8"))) for s in DEVSET_SPLITS}
    assert sizes == {"train": 8, "dev": 2, "test": 2}


def test_config_validation_and_unknown_split() -> None:
    with pytest.raises(ValueError, match="min_aspects"):
        DevsetConfig(min_aspects=4, max_aspects=6)
    with pytest.raises(ValueError, match="max_profile"):
        DevsetConfig(max_profile=10)
    with pytest.raises(ValueError, match="unknown development-set split"):
        devset_path("validation")


def test_every_catalog_template_renders() -> None:
    rng = random.Random(0)
    for domain in DOMAINS:
        assert len(domain.facets) >= 5, domain.name  # enough facets for 5 aspects
        assert len({f.name for f in domain.facets}) == len(domain.facets)
        for need in domain.needs:
            assert "{" not in render(need.question, {}, rng)
            for opener in need.openers:
                render(opener, {}, rng)
        for facet in domain.facets:
            assert len({f.key for f in facet.facts}) == len(facet.facts)
            for fact in facet.facts:
                slots = {name: values[0] for name, values in fact.slots}
                texts = [fact.aspect, fact.reason, fact.fact, *fact.narrative, *fact.profile]
                for text in texts:
                    rendered = render(text, slots, rng)
                    assert "{" not in rendered and "}" not in rendered, (domain.name, fact.key, text)
                for text in fact.profile:
                    assert 1 <= sentence_count(render(text, slots, rng)) <= MAX_ITEM_SENTENCES - 1, text
        for filler in domain.fillers:
            assert 1 <= sentence_count(render(filler.text, {}, rng)) <= MAX_ITEM_SENTENCES - 1, filler.text


def test_render_reports_unknown_slots() -> None:
    with pytest.raises(KeyError, match="uses slot {amount}"):
        render("about ${amount}", {}, random.Random(0))
