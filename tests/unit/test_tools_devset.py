"""The development-set generator (tools/devset/): its JSON catalog, its validation and its determinism."""

from __future__ import annotations

import doctest
import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pr2_agent.data.devset import DEVSET_SPLITS, devset_path
from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from tools.devset import schema
from tools.devset.catalog import CATALOG_DIR, DOMAIN_ORDER, CatalogError, load_catalog
from tools.devset.generator import MAX_ITEM_SENTENCES, DevsetConfig, generate_devset, sentence_count, write_devset
from tools.devset.schema import Catalog, render

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_schema_doctests() -> None:
    result = doctest.testmod(schema, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_the_json_catalog_reproduces_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    """Editing the catalog or generator without regenerating the committed files is caught here."""
    written = write_devset(tmp_path, DevsetConfig(), load_catalog(CATALOG_DIR))
    for split in DEVSET_SPLITS:
        assert written[split].read_bytes() == devset_path(split).read_bytes(), (
            f"{split}.json is stale: run python tools/devset/make_devset.py"
        )


def test_make_devset_runs_as_a_file_from_anywhere(tmp_path: Path) -> None:
    """The documented command works from any directory without PYTHONPATH (it finds the checkout itself)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = tmp_path / "out"
    args = ["--out", str(out), "--seed", "7", "--train", "4", "--dev", "2", "--test", "2"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "devset" / "make_devset.py"), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert re.search(r"^test: 2 users -> .*test\.json", done.stdout, re.MULTILINE), done.stdout
    sizes = {s: len(json.loads((out / f"{s}.json").read_text(encoding="utf-8"))) for s in DEVSET_SPLITS}
    assert sizes == {"train": 4, "dev": 2, "test": 2}
    assert generate_devset(DevsetConfig(seed=7, n_train=4, n_dev=2, n_test=2))["test"] == json.loads(
        (out / "test.json").read_text(encoding="utf-8")
    )


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


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="min_aspects"):
        DevsetConfig(min_aspects=4, max_aspects=6)
    with pytest.raises(ValueError, match="max_profile"):
        DevsetConfig(max_profile=10)


def test_catalog_covers_every_category_in_order(catalog: Catalog) -> None:
    assert [d.name for d in catalog.domains] == list(DOMAIN_ORDER)
    assert len(catalog.domains) >= 15
    assert {d.category for d in catalog.domains} == set(LAMPQA_CATEGORIES)
    assert catalog.openers and catalog.closers


_STOPWORDS = {"a", "an", "the", "and", "or", "of", "for", "with", "to", "in", "on", "at", "no", "only", "not"}


def _content_words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower())) - _STOPWORDS


def test_every_evidence_wording_shares_a_word_with_its_aspect_title(catalog: Catalog) -> None:
    """Checked on the catalog, so every wording (not only the ones the seed happened to draw) qualifies."""
    for domain in catalog.domains:
        for facet in domain.facets:
            for fact in facet.facts:
                for seed in range(5):
                    rng = random.Random(seed)
                    slots = {name: rng.choice(values) for name, values in fact.slots}
                    title = _content_words(render(fact.aspect, slots, rng))
                    for text in fact.profile:
                        assert title & _content_words(render(text, slots, rng)), (domain.name, fact.key, text)


def test_every_catalog_template_renders(catalog: Catalog) -> None:
    rng = random.Random(0)
    for domain in catalog.domains:
        assert len(domain.facets) >= 5, domain.name  # enough facets for 5 aspects
        for need in domain.needs:
            assert "{" not in render(need.question, {}, rng)
            for opener in need.openers:
                render(opener, {}, rng)
        for facet in domain.facets:
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
    for text in (*catalog.openers, *catalog.closers):
        assert "{" not in render(text, {}, rng)


def test_render_reports_unknown_slots() -> None:
    with pytest.raises(KeyError, match="uses slot {amount}"):
        render("about ${amount}", {}, random.Random(0))


def _teacher(d: dict[str, Any]) -> dict[str, Any]:
    """careers.json facets[0].facts[0]: the teacher fact, which has slots, tags and conflicts."""
    fact: dict[str, Any] = d["facets"][0]["facts"][0]
    assert fact["key"] == "teacher"
    return fact


# (file, edit of its parsed JSON, pattern the error must match: file, field path, problem)
BAD_ENTRIES: list[tuple[str, Callable[[Any], None], str]] = [
    (
        "careers.json",
        lambda d: _teacher(d)["narrative"].__setitem__(1, 7),
        r"^careers\.json: facets\[0\]\.facts\[0\]\.narrative\[1\]: is 7 \(int\), expected a non-empty string$",
    ),
    (
        "careers.json",
        lambda d: _teacher(d).__setitem__("narative", _teacher(d).pop("narrative")),
        r"^careers\.json: facets\[0\]\.facts\[0\]: unknown field\(s\) \['narative'\].*a typo",
    ),
    (
        "careers.json",
        lambda d: _teacher(d)["profile"].__setitem__(0, "I taught {subjct} for {years} years."),
        r"^careers\.json: facets\[0\]\.facts\[0\]\.profile\[0\]: .* uses slot\(s\) \['subjct'\] but the fact's "
        r"\"slots\" declare only \['subject', 'years'\]",
    ),
    (
        "careers.json",
        lambda d: _teacher(d).__setitem__("aspect", "Moving on from {years years"),
        r"^careers\.json: facets\[0\]\.facts\[0\]\.aspect: .* unmatched brace",
    ),
    (
        "careers.json",
        lambda d: _teacher(d).__setitem__("tags", "employed"),
        r"^careers\.json: facets\[0\]\.facts\[0\]\.tags: .*expected a list of single-word names",
    ),
    (
        "careers.json",
        lambda d: d["facets"][0]["facts"][1].__setitem__("key", "teacher"),
        r"^careers\.json: facets\[0\]\.facts: fact keys repeat: \['teacher', 'teacher'\]",
    ),
    (
        "careers.json",
        lambda d: d["facets"][1].__setitem__("name", "current"),
        r"^careers\.json: facets: facet names repeat",
    ),
    (
        "careers.json",
        lambda d: d.__setitem__("category", "Careers"),
        r"^careers\.json: category: is 'Careers'; use one of the LaMP-QA categories",
    ),
    (
        "careers.json",
        lambda d: d.__setitem__("name", "jobs"),
        r"^careers\.json: name: is 'jobs' but the file is careers\.json",
    ),
    (
        "careers.json",
        lambda d: d["needs"][0].__setitem__("question", "How do I leave {job}?"),
        r"^careers\.json: needs\[0\]\.question: .* uses slot\(s\) \['job'\] but needs have no slots",
    ),
    (
        "careers.json",
        lambda d: d.pop("fillers"),
        r"^careers\.json: top level: lacks the required field\(s\) \['fillers'\]$",
    ),
    (
        "framing.json",
        lambda d: d["closers"].__setitem__(0, ""),
        r"^framing\.json: closers\[0\]: is '' \(str\), expected a non-empty string$",
    ),
]


def _copy_catalog(tmp_path: Path) -> Path:
    directory = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, directory)
    return directory


@pytest.mark.parametrize(("file", "edit", "pattern"), BAD_ENTRIES)
def test_a_bad_entry_is_reported_with_its_file_and_field(
    tmp_path: Path, file: str, edit: Callable[[Any], None], pattern: str
) -> None:
    directory = _copy_catalog(tmp_path)
    data = json.loads((directory / file).read_text(encoding="utf-8"))
    edit(data)
    (directory / file).write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(CatalogError, match=pattern):
        load_catalog(directory)


def test_invalid_json_names_file_line_and_column(tmp_path: Path) -> None:
    directory = _copy_catalog(tmp_path)
    (directory / "music.json").write_text('{\n  "name": "music",\n}\n', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^music\.json: not valid JSON at line 3 column 1"):
        load_catalog(directory)


def test_domain_files_must_match_the_domain_order(tmp_path: Path) -> None:
    directory = _copy_catalog(tmp_path)
    (directory / "music.json").rename(directory / "knitting.json")
    with pytest.raises(CatalogError, match=r"no file for domain\(s\) \['music'\]; expected \['music\.json'\]"):
        load_catalog(directory)
    shutil.copy(CATALOG_DIR / "music.json", directory / "music.json")
    with pytest.raises(CatalogError, match=r"\['knitting\.json'\] are not in DOMAIN_ORDER"):
        load_catalog(directory)
