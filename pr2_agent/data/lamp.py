"""Loaders for the original LaMP benchmark, tasks 1-7.

Each task ships ``*_questions.json`` (a list of ``{"id", "input", "profile": [...]}``) and, except for
the test split, ``*_outputs.json`` (``{"task": "LaMP_k", "golds": [{"id", "output"}]}``). This module
joins the two by id and checks that every profile item has the fields its task defines:

====  ===================================  =======================
Task  Name                                 Profile item fields
====  ===================================  =======================
1     Personalized Citation Identification title, abstract
2     Personalized Movie Tagging           description, tag
3     Personalized Product Rating          text, score
4     Personalized News Headline Gen.      title, text
5     Personalized Scholarly Title Gen.    title, abstract
6     Personalized Email Subject Gen.      title, text
7     Personalized Tweet Paraphrasing      text
====  ===================================  =======================

(LaMP-2's first release was news categorization with ``title``/``text``/``category`` items; pass
``profile_fields=("title", "text", "category")`` to load it.)
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pr2_agent.data.records_file import read_json, read_record_list
from pr2_agent.data.validation import DatasetFormatError, RecordChecker, RecordProblem, type_name

logger = logging.getLogger(__name__)

LAMP_PROFILE_FIELDS: dict[int, tuple[str, ...]] = {
    1: ("title", "abstract"),
    2: ("description", "tag"),
    3: ("text", "score"),
    4: ("title", "text"),
    5: ("title", "abstract"),
    6: ("title", "text"),
    7: ("text",),
}
"""Fields every profile item of a task must carry (besides ``id``)."""

_TASK_NAME = re.compile(r"LaMP[_-]?([1-7])(?![0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class LaMPProfileItem:
    """One item of a LaMP user profile."""

    id: str
    fields: dict[str, str]
    """The task's profile fields (see :data:`LAMP_PROFILE_FIELDS`), as text."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Other keys of the item (e.g. ``date`` in the time-based splits), verbatim."""


@dataclass(frozen=True)
class LaMPExample:
    """One LaMP example: the task input, the user's profile and (when known) the gold output."""

    task: int
    id: str
    input: str
    profile: list[LaMPProfileItem]
    output: str | None
    """Gold output; None when no outputs file was given (the hidden test split)."""


def task_number(task: int | str) -> int:
    """Normalize ``3``, ``"3"``, ``"LaMP_3"`` or ``"LaMP-3"`` to ``3``.

    >>> task_number("LaMP_3"), task_number(7)
    (3, 7)
    """
    if isinstance(task, int) and not isinstance(task, bool) and task in LAMP_PROFILE_FIELDS:
        return task
    if isinstance(task, str):
        text = task.strip()
        if text.isdigit() and int(text) in LAMP_PROFILE_FIELDS:
            return int(text)
        match = _TASK_NAME.fullmatch(text)
        if match:
            return int(match.group(1))
    raise ValueError(f"unknown LaMP task {task!r}; use 1-7 or 'LaMP_1' ... 'LaMP_7'")


def _task_from_path(path: Path) -> int | None:
    found = {int(m.group(1)) for part in path.parts for m in _TASK_NAME.finditer(part)}
    return found.pop() if len(found) == 1 else None


def load_lamp(
    questions_path: Path | str,
    outputs_path: Path | str | None = None,
    *,
    task: int | str | None = None,
    profile_fields: tuple[str, ...] | None = None,
) -> list[LaMPExample]:
    """Load a LaMP split, joining questions with gold outputs by id.

    The task comes from ``task``, else the outputs file's ``task`` field, else a ``LaMP_k`` part of
    the questions path; the sources must agree.

    Args:
        questions_path: ``*_questions.json``.
        outputs_path: ``*_outputs.json``; omit for the test split (outputs are then None).
        task: task number or name.
        profile_fields: override the profile fields to require (default: the task's, see
            :data:`LAMP_PROFILE_FIELDS`).

    Raises:
        ValueError: the task cannot be determined or the sources disagree.
        DatasetFormatError: malformed questions or outputs, or ids that do not match between them.
    """
    questions_path = Path(questions_path)
    golds: dict[str, str] | None = None
    task_no = task_number(task) if task is not None else None
    if outputs_path is not None:
        outputs_task, golds = _read_outputs(Path(outputs_path))
        if task_no is not None and outputs_task != task_no:
            raise ValueError(f"{outputs_path} holds LaMP_{outputs_task} outputs but task={task!r} was passed")
        task_no = outputs_task
    if task_no is None:
        task_no = _task_from_path(questions_path)
    if task_no is None:
        raise ValueError(
            f"cannot tell which LaMP task {questions_path} belongs to: pass task=1..7 or the outputs file"
        )
    required = profile_fields or LAMP_PROFILE_FIELDS[task_no]
    problems: list[RecordProblem] = []
    examples: list[LaMPExample] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(read_record_list(questions_path)):
        example = _parse_question(item, index, task_no, required, golds, problems)
        if example is None:
            continue
        if example.id in first_index:
            problems.append(
                RecordProblem(
                    index,
                    example.id,
                    "id",
                    f"duplicate id (first used by record #{first_index[example.id]})",
                    "give every example a unique id",
                )
            )
            continue
        first_index[example.id] = index
        examples.append(example)
    if golds is not None:
        missing = sorted(set(golds) - set(first_index))
        if missing:
            problems.append(
                RecordProblem(
                    None,
                    None,
                    "golds",
                    f"{len(missing)} gold id(s) have no question, e.g. {missing[:5]!r}",
                    "use the questions and outputs files of the same task and split",
                )
            )
    if problems:
        raise DatasetFormatError(questions_path, problems)
    logger.debug("loaded %d LaMP_%d examples from %s", len(examples), task_no, questions_path)
    return examples


def _parse_question(
    item: Any,
    index: int,
    task_no: int,
    required: tuple[str, ...],
    golds: dict[str, str] | None,
    problems: list[RecordProblem],
) -> LaMPExample | None:
    check = RecordChecker(problems, index)
    if not check.is_object(item, "", "LaMP example {id, input, profile}"):
        return None
    before = len(problems)
    example_id = check.identifier(item, "id", "id")
    check.record_id = example_id
    text = check.text(item, "input", "input")
    raw_profile = check.object_list(item, "profile", "profile", allow_empty=True)
    profile = _parse_profile(raw_profile or [], required, check)
    output = None
    if golds is not None and example_id is not None:
        output = golds.get(example_id)
        if output is None:
            check.add(
                "id", "has no gold output in the outputs file", "use outputs of the same task and split"
            )
    if len(problems) > before:
        return None
    assert example_id is not None and text is not None
    return LaMPExample(task_no, example_id, text, profile, output)


def _parse_profile(raw: list[Any], required: tuple[str, ...], check: RecordChecker) -> list[LaMPProfileItem]:
    items: list[LaMPProfileItem] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        where = f"profile[{i}]"
        if not check.is_object(entry, where, "profile item"):
            continue
        item_id = check.identifier(entry, "id", f"{where}.id")
        values: dict[str, str] = {}
        for name in required:
            value = entry.get(name)
            # Ratings are numbers in some dumps and strings in others; both mean the same.
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                got = "missing" if name not in entry else f"a {type_name(value)}"
                check.add(
                    f"{where}.{name}",
                    f"{got}; this task's profile items need {required}",
                    f"add {name!r} as a string to every profile item (or pass profile_fields=...)",
                )
                continue
            values[name] = value
        if item_id is None or len(values) != len(required):
            continue
        if item_id in seen:
            check.add(
                f"{where}.id",
                f"duplicate profile item id {item_id!r}",
                "give each profile item a distinct id",
            )
            continue
        seen.add(item_id)
        extra = {k: v for k, v in entry.items() if k != "id" and k not in required}
        items.append(LaMPProfileItem(item_id, values, extra))
    return items


def _read_outputs(path: Path) -> tuple[int, dict[str, str]]:
    data = read_json(path)
    problems: list[RecordProblem] = []
    check = RecordChecker(problems, None)
    if not isinstance(data, dict):
        check.add("", f"top level is a JSON {type_name(data)}", 'expected {"task": "LaMP_k", "golds": [...]}')
        raise DatasetFormatError(path, problems)
    task_no: int | None = None
    raw_task = data.get("task")
    try:
        task_no = task_number(raw_task) if raw_task is not None else None
    except ValueError:
        pass
    if task_no is None:
        check.add(
            "task", f"expected 'LaMP_1'..'LaMP_7', got {raw_task!r}", "set the outputs file's task name"
        )
    raw_golds = check.object_list(data, "golds", "golds", allow_empty=False) or []
    golds: dict[str, str] = {}
    for index, entry in enumerate(raw_golds):
        gold_check = RecordChecker(problems, index)
        if not gold_check.is_object(entry, f"golds[{index}]", "gold {id, output}"):
            continue
        gold_id = gold_check.identifier(entry, "id", f"golds[{index}].id")
        gold_check.record_id = gold_id
        output = gold_check.text(entry, "output", f"golds[{index}].output", allow_empty=True)
        if gold_id is None or output is None:
            continue
        if gold_id in golds:
            gold_check.add(f"golds[{index}].id", "duplicate gold id", "keep one gold output per example")
            continue
        golds[gold_id] = output
    if problems:
        raise DatasetFormatError(path, problems)
    assert task_no is not None
    return task_no, golds
