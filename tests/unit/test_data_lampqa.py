"""LaMP-QA loader, category resolution, malformed-record errors and the response format."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pr2_agent.data.lampqa import (
    LAMPQA_CATEGORIES,
    Aspect,
    LaMPQARecord,
    ProfileEntry,
    category_from_filename,
    load_lampqa,
    load_responses,
    save_responses,
)
from pr2_agent.data.validation import DatasetFormatError


def _record(rid: str = "q1") -> dict[str, Any]:
    return {
        "id": rid,
        "question": "What should I cook tonight?",
        "narrative": "I don't eat meat. I have 20 minutes.",
        "rubric_aspects": [
            {"aspect": "Vegetarian", "reason": "no meat", "evidence": "I don't eat meat."},
            {"aspect": "Quick", "reason": "short on time", "evidence": "I have 20 minutes."},
        ],
        "profile": [
            {"id": "p1", "text": "Protein without meat? I'm vegetarian."},
            {"id": "p2", "text": "How do I sharpen knives?"},
        ],
    }


def _write(path: Path, records: list[Any]) -> Path:
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def test_loads_official_layout_with_category_from_filename(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "Lifestyle_and_Personal_Development_validation.json", [_record("a"), _record("b")]
    )
    records = load_lampqa(path)
    assert [r.id for r in records] == ["a", "b"]
    first = records[0]
    assert first == LaMPQARecord(
        id="a",
        question="What should I cook tonight?",
        narrative="I don't eat meat. I have 20 minutes.",
        rubric_aspects=[
            Aspect("Vegetarian", "no meat", "I don't eat meat."),
            Aspect("Quick", "short on time", "I have 20 minutes."),
        ],
        profile=[
            ProfileEntry("p1", "Protein without meat? I'm vegetarian."),
            ProfileEntry("p2", "How do I sharpen knives?"),
        ],
        category="Lifestyle_and_Personal_Development",
        extra={},
    )


def test_jsonl_extra_keys_and_round_trip(tmp_path: Path) -> None:
    rec = _record()
    rec["pr2_meta"] = {"domain": "cooking", "aspects": [{"evidence_ids": ["p1"]}]}
    rec["category"] = "Society_and_Culture"
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps(rec) + "\n\n" + json.dumps(_record("q2")) + "\n", encoding="utf-8")
    records = load_lampqa(path)
    assert records[0].extra == {"pr2_meta": rec["pr2_meta"]}
    assert records[0].category == "Society_and_Culture"
    assert records[1].category is None  # no file-name category, no record field, no argument
    assert records[0].to_dict() == rec
    # JSON Lines content under a .json name is recognized too.
    renamed = tmp_path / "data.json"
    renamed.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_lampqa(renamed) == records


def test_integer_ids_are_normalized_to_strings(tmp_path: Path) -> None:
    rec = _record()
    rec["id"] = 12345
    rec["profile"][0]["id"] = 7
    [record] = load_lampqa(_write(tmp_path / "x.json", [rec]))
    assert record.id == "12345" and record.profile[0].id == "7"


def test_category_argument_and_conflicts(tmp_path: Path) -> None:
    plain = _write(tmp_path / "plain.json", [_record()])
    assert load_lampqa(plain, category="Art_and_Entertainment")[0].category == "Art_and_Entertainment"
    with pytest.raises(ValueError, match="not a LaMP-QA category"):
        load_lampqa(plain, category="Arts")
    named = _write(tmp_path / "Society_and_Culture_test.json", [_record()])
    with pytest.raises(ValueError, match="file name says category 'Society_and_Culture'"):
        load_lampqa(named, category="Art_and_Entertainment")
    rec = _record()
    rec["category"] = "Art_and_Entertainment"
    mismatched = _write(tmp_path / "Society_and_Culture_train.json", [rec])
    with pytest.raises(DatasetFormatError, match="record #0, id='q1', field 'category'"):
        load_lampqa(mismatched)


def test_non_canonical_record_category_is_kept_in_extra(tmp_path: Path) -> None:
    rec = _record()
    rec["category"] = "cooking"
    [record] = load_lampqa(_write(tmp_path / "Lifestyle_and_Personal_Development_train.json", [rec]))
    assert record.category == "Lifestyle_and_Personal_Development"
    assert record.extra == {"category": "cooking"}


def test_category_from_filename() -> None:
    assert category_from_filename("Art_and_Entertainment_test.json") == "Art_and_Entertainment"
    assert category_from_filename("/x/lifestyle_and_personal_development_train.jsonl") == LAMPQA_CATEGORIES[1]
    assert category_from_filename("mixed.json") is None


def _drop(key: str) -> Any:
    def mutate(rec: dict[str, Any]) -> None:
        del rec[key]

    return mutate


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def mutate(rec: dict[str, Any]) -> None:
        target = rec
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return mutate


def _del_nested(path: tuple[Any, ...]) -> Any:
    def mutate(rec: dict[str, Any]) -> None:
        target = rec
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return mutate


MALFORMED = [
    ("missing question", _drop("question"), "field 'question': missing key 'question'"),
    ("missing narrative", _drop("narrative"), "field 'narrative': missing key 'narrative'"),
    ("missing aspects", _drop("rubric_aspects"), "field 'rubric_aspects': missing key"),
    ("missing profile", _drop("profile"), "field 'profile': missing key 'profile'"),
    ("question not a string", _set(("question",), 3), "field 'question': expected a string, got number"),
    ("empty question", _set(("question",), "  "), "field 'question': is empty"),
    ("empty aspects", _set(("rubric_aspects",), []), "field 'rubric_aspects': is an empty list"),
    ("aspects not a list", _set(("rubric_aspects",), {"a": 1}), "field 'rubric_aspects': expected a list"),
    (
        "aspect not an object",
        _set(("rubric_aspects", 1), "Quick"),
        "field 'rubric_aspects[1]': expected an object",
    ),
    (
        "aspect without title",
        _del_nested(("rubric_aspects", 0, "aspect")),
        "field 'rubric_aspects[0].aspect'",
    ),
    ("aspect reason wrong type", _set(("rubric_aspects", 1, "reason"), None), "'rubric_aspects[1].reason'"),
    (
        "profile item without text",
        _del_nested(("profile", 1, "text")),
        "field 'profile[1].text': missing key",
    ),
    ("profile item empty text", _set(("profile", 0, "text"), ""), "field 'profile[0].text': is empty"),
    ("profile item without id", _del_nested(("profile", 0, "id")), "field 'profile[0].id': missing key 'id'"),
    (
        "duplicate profile id",
        _set(("profile", 1, "id"), "p1"),
        "field 'profile[1].id': duplicate profile item",
    ),
    ("bool id", _set(("id",), True), "field 'id': expected a non-empty string"),
    ("category not a string", _set(("category",), 1), "field 'category': expected a string"),
]


@pytest.mark.parametrize(("case", "mutate", "expected"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_records_are_rejected_with_location(
    tmp_path: Path, case: str, mutate: Any, expected: str
) -> None:
    bad = copy.deepcopy(_record("bad-id"))
    mutate(bad)
    path = _write(tmp_path / "Art_and_Entertainment_dev.json", [_record("ok"), bad])
    with pytest.raises(DatasetFormatError) as info:
        load_lampqa(path)
    message = str(info.value)
    assert str(path) in message
    location = "record #1" if case == "bool id" else "record #1, id='bad-id'"
    assert location in message, message
    assert expected in message, message
    assert "Fix:" in message
    assert len(info.value.problems) == 1


def test_duplicate_record_ids_name_both_records(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.json", [_record("same"), _record("other"), _record("same")])
    with pytest.raises(
        DatasetFormatError,
        match=r"record #2, id='same', field 'id': duplicate id \(first used by record #0\)",
    ):
        load_lampqa(path)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    one, two = _record("a"), _record("b")
    del one["question"]
    two["profile"][0]["text"] = 5
    with pytest.raises(DatasetFormatError) as info:
        load_lampqa(_write(tmp_path / "m.json", [one, "not a record", two]))
    described = [p.describe() for p in info.value.problems]
    assert len(described) == 3
    assert described[0].startswith("record #0, id='a', field 'question'")
    assert described[1].startswith("record #1: expected an object")
    assert described[2].startswith("record #2, id='b', field 'profile[0].text'")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"id": "x"}', "top level is a JSON object, expected a list of records"),
        ("[{", "not valid JSON"),
    ],
)
def test_file_level_problems(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "f.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetFormatError, match=expected):
        load_lampqa(path)


def test_bad_jsonl_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(json.dumps(_record()) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(DatasetFormatError, match="line 2 is not valid JSON"):
        load_lampqa(path)


def test_responses_round_trip_in_lampqa_format(tmp_path: Path) -> None:
    path = save_responses(tmp_path / "out" / "responses.json", {"q1": "Try lentil curry.", "q2": ""})
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "q1": [{"output": "Try lentil curry."}],
        "q2": [{"output": ""}],
    }
    assert load_responses(path) == {"q1": "Try lentil curry.", "q2": ""}


def test_save_responses_rejects_bad_entries_without_touching_the_file(tmp_path: Path) -> None:
    path = save_responses(tmp_path / "r.json", {"q1": "kept"})
    with pytest.raises(ValueError, match="bad entries for ids"):
        save_responses(path, {"q1": "new", "q2": None})  # type: ignore[dict-item]
    assert load_responses(path) == {"q1": "kept"}


def test_load_responses_rejects_malformed_entries(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"q1": [{"output": "ok"}], "q2": [], "q3": [{"text": "x"}]}), encoding="utf-8")
    with pytest.raises(DatasetFormatError) as info:
        load_responses(path)
    described = [p.describe() for p in info.value.problems]
    assert described[0].startswith("record #1, id='q2'")
    assert "missing key 'output'" in described[1]
