"""Invariants of the bundled development set and its loader (the generator is tested in test_tools_devset.py)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from pr2_agent.data import devset
from pr2_agent.data.devset import DEVSET_SPLITS, devset_path, load_devset
from pr2_agent.data.lampqa import LAMPQA_CATEGORIES, LaMPQARecord
from tools.devset.catalog import DOMAIN_ORDER
from tools.devset.generator import (
    MAX_ITEM_SENTENCES,
    ROLE_BACKGROUND_FACT,
    ROLE_EVIDENCE,
    ROLE_OTHER_TOPIC,
    ROLE_SAME_DOMAIN,
    sentence_count,
)


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
    for split, records in bundled.items():
        assert {r.category for r in records} == set(LAMPQA_CATEGORIES), split
        assert {r.extra["pr2_meta"]["domain"] for r in records} == set(DOMAIN_ORDER), split


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


def test_unknown_split_is_named() -> None:
    with pytest.raises(ValueError, match="unknown development-set split 'validation'"):
        devset_path("validation")


def test_missing_bundled_file_says_how_to_regenerate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devset, "BUNDLED_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"test\.json is missing.*python tools/devset/make_devset\.py"):
        load_devset("test")


def test_every_aspect_carries_its_fact_and_wrong_specifics(bundled: dict[str, list[LaMPQARecord]]) -> None:
    with_contrasts = total = 0
    for record in _all(bundled):
        meta = record.extra["pr2_meta"]["aspects"]
        for aspect, plan in zip(record.rubric_aspects, meta, strict=True):
            assert aspect.facts == (plan["fact"],), record.id
            total += 1
            with_contrasts += bool(aspect.contrasts)  # a one-fact facet without slots has none
            assert plan["fact"] not in aspect.contrasts
            assert len(set(aspect.contrasts)) == len(aspect.contrasts)
    assert with_contrasts / total > 0.7


def test_facts_round_trip_through_the_record_layout(bundled: dict[str, list[LaMPQARecord]]) -> None:
    record = bundled["test"][0]
    again = record.to_dict()["rubric_aspects"][0]
    assert again["facts"] == list(record.rubric_aspects[0].facts)
    assert again["contrasts"] == list(record.rubric_aspects[0].contrasts)
