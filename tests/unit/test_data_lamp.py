"""LaMP task loaders: join by id, task detection, profile fields and malformed-file errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pr2_agent.data.lamp import LAMP_PROFILE_FIELDS, LaMPExample, LaMPProfileItem, load_lamp, task_number
from pr2_agent.data.validation import DatasetFormatError


def _questions(task: int) -> list[dict[str, Any]]:
    fields = LAMP_PROFILE_FIELDS[task]
    return [
        {
            "id": str(100 + i),
            "input": f"input {i}",
            "profile": [
                {"id": f"{i}-{j}", "date": "2020-01-01", **{f: f"{f} {j}" for f in fields}} for j in range(2)
            ],
        }
        for i in range(3)
    ]


def _outputs(task: int, outputs: list[str] | None = None) -> dict[str, Any]:
    outputs = outputs or ["[1]", "[2]", "[1]"]
    return {
        "task": f"LaMP_{task}",
        "golds": [{"id": str(100 + i), "output": o} for i, o in enumerate(outputs)],
    }


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_joins_questions_and_outputs_by_id(tmp_path: Path) -> None:
    questions = _questions(1)
    questions.reverse()  # order of the questions file is kept; the join is by id
    q = _write(tmp_path / "dev_questions.json", questions)
    o = _write(tmp_path / "dev_outputs.json", _outputs(1))
    examples = load_lamp(q, o)
    assert [e.id for e in examples] == ["102", "101", "100"]
    assert examples[0] == LaMPExample(
        task=1,
        id="102",
        input="input 2",
        profile=[
            LaMPProfileItem("2-0", {"title": "title 0", "abstract": "abstract 0"}, {"date": "2020-01-01"}),
            LaMPProfileItem("2-1", {"title": "title 1", "abstract": "abstract 1"}, {"date": "2020-01-01"}),
        ],
        output="[1]",
    )


@pytest.mark.parametrize("task", sorted(LAMP_PROFILE_FIELDS))
def test_every_task_loads_from_its_directory_name(tmp_path: Path, task: int) -> None:
    q = _write(tmp_path / f"LaMP_{task}" / "test" / "test_questions.json", _questions(task))
    examples = load_lamp(q)
    assert {e.task for e in examples} == {task}
    assert all(e.output is None for e in examples)
    assert set(examples[0].profile[0].fields) == set(LAMP_PROFILE_FIELDS[task])


def test_numeric_scores_are_text(tmp_path: Path) -> None:
    questions = _questions(3)
    questions[0]["profile"][0]["score"] = 4
    q = _write(tmp_path / "q.json", questions)
    assert load_lamp(q, task=3)[0].profile[0].fields["score"] == "4"


def test_task_normalization() -> None:
    assert [task_number(t) for t in (2, "2", "LaMP_2", "lamp-2")] == [2, 2, 2, 2]
    for bad in (0, 8, "LaMP_8", "two", True):
        with pytest.raises(ValueError, match="unknown LaMP task"):
            task_number(bad)


def test_task_sources_must_agree_or_exist(tmp_path: Path) -> None:
    q = _write(tmp_path / "q.json", _questions(1))
    with pytest.raises(ValueError, match="cannot tell which LaMP task"):
        load_lamp(q)
    o = _write(tmp_path / "o.json", _outputs(1))
    with pytest.raises(ValueError, match="holds LaMP_1 outputs but task=2"):
        load_lamp(q, o, task=2)


def test_missing_profile_field_names_record_and_field(tmp_path: Path) -> None:
    questions = _questions(5)
    del questions[1]["profile"][1]["abstract"]
    q = _write(tmp_path / "q.json", questions)
    with pytest.raises(DatasetFormatError) as info:
        load_lamp(q, task=5)
    message = str(info.value)
    assert "record #1, id='101', field 'profile[1].abstract': missing" in message
    assert "profile_fields" in message  # the fix mentions the override


def test_old_lamp2_layout_loads_with_profile_fields_override(tmp_path: Path) -> None:
    questions = [
        {"id": "1", "input": "x", "profile": [{"id": "a", "title": "t", "text": "b", "category": "sports"}]}
    ]
    q = _write(tmp_path / "q.json", questions)
    with pytest.raises(DatasetFormatError, match="field 'profile\\[0\\].description'"):
        load_lamp(q, task=2)
    [example] = load_lamp(q, task=2, profile_fields=("title", "text", "category"))
    assert example.profile[0].fields["category"] == "sports"


def test_ids_must_match_between_questions_and_outputs(tmp_path: Path) -> None:
    q = _write(tmp_path / "q.json", _questions(1)[:2])
    o = _write(tmp_path / "o.json", _outputs(1))
    with pytest.raises(DatasetFormatError, match="1 gold id\\(s\\) have no question, e.g. \\['102'\\]"):
        load_lamp(q, o)
    q_all = _write(tmp_path / "q_all.json", _questions(1))
    o_short = _write(tmp_path / "o_short.json", {"task": "LaMP_1", "golds": _outputs(1)["golds"][:2]})
    with pytest.raises(DatasetFormatError, match="record #2, id='102', field 'id': has no gold output"):
        load_lamp(q_all, o_short)


def test_duplicate_example_ids_are_rejected(tmp_path: Path) -> None:
    questions = _questions(7)
    questions[2]["id"] = "100"
    q = _write(tmp_path / "q.json", questions)
    with pytest.raises(DatasetFormatError, match="record #2, id='100', field 'id': duplicate id"):
        load_lamp(q, task=7)


@pytest.mark.parametrize(
    ("outputs", "expected"),
    [
        ([1, 2], "top level is a JSON list"),
        (
            {"task": "LaMP_9", "golds": [{"id": "1", "output": "x"}]},
            "field 'task': expected 'LaMP_1'..'LaMP_7'",
        ),
        ({"task": "LaMP_1", "golds": []}, "field 'golds': is an empty list"),
        ({"task": "LaMP_1", "golds": [{"id": "1"}]}, "field 'golds[0].output': missing key 'output'"),
        (
            {"task": "LaMP_1", "golds": [{"id": "1", "output": "a"}, {"id": "1", "output": "b"}]},
            "record #1, id='1', field 'golds[1].id': duplicate gold id",
        ),
    ],
)
def test_malformed_outputs_files(tmp_path: Path, outputs: Any, expected: str) -> None:
    q = _write(tmp_path / "q.json", _questions(1))
    o = _write(tmp_path / "o.json", outputs)
    with pytest.raises(DatasetFormatError) as info:
        load_lamp(q, o)
    assert str(o) in str(info.value)
    assert expected in str(info.value)
