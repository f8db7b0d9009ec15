"""LaMP-QA records, their loader, and the benchmark's response-file format.

Record format (LaMP-QA's ``utils/download_datasets.py`` writes ``dataset.to_list()`` to
``{category}_{split}.json``)::

    {"id": str, "question": str, "narrative": str,
     "rubric_aspects": [{"aspect": str, "reason": str, "evidence": str}, ...],
     "profile": [{"id": str, "text": str}, ...]}

``question`` is the only thing a system sees besides the profile; ``narrative`` and
``rubric_aspects`` exist for evaluation. Keys beyond these (and ``category``) are kept verbatim in
:attr:`LaMPQARecord.extra` (the bundled development set stores its generator metadata there).

Responses are scored from ``{qid: [{"output": answer}]}``; the evaluator reads the first element.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pr2_agent.data.records_file import read_json, read_record_list, write_json_atomic
from pr2_agent.data.validation import DatasetFormatError, RecordChecker, RecordProblem, type_name

logger = logging.getLogger(__name__)

LAMPQA_CATEGORIES: tuple[str, ...] = (
    "Art_and_Entertainment",
    "Lifestyle_and_Personal_Development",
    "Society_and_Culture",
)
"""The three LaMP-QA categories, spelled as the dataset's config names and file names."""

LAMPQA_SPLITS: tuple[str, ...] = ("train", "validation", "test")

_KNOWN_KEYS = frozenset({"id", "question", "narrative", "rubric_aspects", "profile", "category"})


@dataclass(frozen=True)
class Aspect:
    """One rubric aspect: something the user expects the answer to address."""

    aspect: str
    """Short title of the aspect."""
    reason: str
    """Why the aspect matters to this user."""
    evidence: str
    """The span of the narrative the aspect was extracted from."""
    facts: tuple[str, ...] = ()
    """Optional (not in LaMP-QA): the user's concrete facts an answer must use to cover the aspect.

    The bundled development set's generator writes them; :class:`~pr2_agent.judges.SpecificsJudge`
    reads them (and falls back to ``evidence`` where they are absent, as in LaMP-QA itself)."""
    contrasts: tuple[str, ...] = ()
    """Optional: plausible but wrong specifics for this user (another diet, another budget), which
    an answer must not be credited for."""

    def to_dict(self) -> dict[str, Any]:
        """The aspect as a JSON object; ``facts``/``contrasts`` only when present (LaMP-QA has neither)."""
        data: dict[str, Any] = {"aspect": self.aspect, "reason": self.reason, "evidence": self.evidence}
        if self.facts:
            data["facts"] = list(self.facts)
        if self.contrasts:
            data["contrasts"] = list(self.contrasts)
        return data


@dataclass(frozen=True)
class ProfileEntry:
    """One past post of the user: a previous question with its detailed description."""

    id: str
    text: str


@dataclass(frozen=True)
class LaMPQARecord:
    """One LaMP-QA question (one user) with its hidden narrative, rubric and the user's profile."""

    id: str
    question: str
    narrative: str
    rubric_aspects: list[Aspect]
    profile: list[ProfileEntry]
    category: str | None = None
    """One of :data:`LAMPQA_CATEGORIES`, or None when neither file name nor record says."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Keys of the source record that are not part of the LaMP-QA format, kept verbatim."""

    def to_dict(self) -> dict[str, Any]:
        """Return the record in LaMP-QA's JSON layout (``load_lampqa`` reads it back unchanged)."""
        data: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "narrative": self.narrative,
            "rubric_aspects": [a.to_dict() for a in self.rubric_aspects],
            "profile": [{"id": p.id, "text": p.text} for p in self.profile],
        }
        if self.category is not None:
            data["category"] = self.category
        data.update(self.extra)
        return data


def category_from_filename(path: Path | str) -> str | None:
    """Return the LaMP-QA category named in a file name, or None.

    >>> category_from_filename("data/Society_and_Culture_validation.json")
    'Society_and_Culture'
    >>> category_from_filename("dev.json") is None
    True
    """
    name = Path(path).name
    found = [c for c in LAMPQA_CATEGORIES if c.lower() in name.lower()]
    return found[0] if len(found) == 1 else None


def load_lampqa(path: Path | str, *, category: str | None = None) -> list[LaMPQARecord]:
    """Load and validate a LaMP-QA file (JSON list or JSON Lines).

    The category of each record is, in order: a ``category`` field of the record holding one of
    :data:`LAMPQA_CATEGORIES`, the category in the file name, the ``category`` argument. The
    sources must agree: a record or file name that contradicts the argument is an error. A record
    ``category`` that is not a LaMP-QA category (e.g. a StackExchange site name from a fork) is
    kept in ``extra["category"]``.

    Args:
        path: ``{category}_{split}.json`` as written by LaMP-QA's download script, or any JSON/JSONL
            file of records in the same layout.
        category: category to assume when the file does not say; must be one of
            :data:`LAMPQA_CATEGORIES`.

    Returns:
        The records in file order.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: ``category`` is not a LaMP-QA category.
        DatasetFormatError: any record is malformed; lists every problem with record index, id,
            field and the fix.
    """
    path = Path(path)
    if category is not None and category not in LAMPQA_CATEGORIES:
        raise ValueError(f"category={category!r} is not a LaMP-QA category; use one of {LAMPQA_CATEGORIES}")
    from_name = category_from_filename(path)
    if category is not None and from_name is not None and from_name != category:
        raise ValueError(
            f"{path}: the file name says category {from_name!r} but category={category!r} was passed; "
            "rename the file or drop the argument"
        )
    default_category = from_name or category
    raw = read_record_list(path)
    problems: list[RecordProblem] = []
    records: list[LaMPQARecord] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(raw):
        record = _parse_record(item, index, default_category, problems)
        if record is None:
            continue
        if record.id in first_index:
            problems.append(
                RecordProblem(
                    index,
                    record.id,
                    "id",
                    f"duplicate id (first used by record #{first_index[record.id]})",
                    "give every question a unique id; LaMP-QA has one question per user",
                )
            )
            continue
        first_index[record.id] = index
        records.append(record)
    if problems:
        raise DatasetFormatError(path, problems)
    logger.debug("loaded %d LaMP-QA records from %s", len(records), path)
    return records


def _parse_record(
    item: Any, index: int, default_category: str | None, problems: list[RecordProblem]
) -> LaMPQARecord | None:
    check = RecordChecker(problems, index)
    if not check.is_object(item, "", "LaMP-QA record"):
        return None
    before = len(problems)
    record_id = check.identifier(item, "id", "id")
    check.record_id = record_id
    question = check.text(item, "question", "question")
    narrative = check.text(item, "narrative", "narrative")
    aspects = _parse_aspects(item, check)
    profile = _parse_profile(item, check)
    category, extra = _resolve_category(item, default_category, check)
    if len(problems) > before:
        return None
    assert record_id is not None and question is not None and narrative is not None
    assert aspects is not None and profile is not None
    extra.update({k: v for k, v in item.items() if k not in _KNOWN_KEYS})
    return LaMPQARecord(record_id, question, narrative, aspects, profile, category, extra)


def _parse_aspects(item: dict[str, Any], check: RecordChecker) -> list[Aspect] | None:
    raw = check.object_list(item, "rubric_aspects", "rubric_aspects", allow_empty=False)
    if raw is None:
        return None
    aspects: list[Aspect] = []
    for i, entry in enumerate(raw):
        where = f"rubric_aspects[{i}]"
        if not check.is_object(entry, where, "aspect {aspect, reason, evidence}"):
            continue
        title = check.text(entry, "aspect", f"{where}.aspect")
        # The judge prompt tolerates an empty reason/evidence; a missing or non-string one is a bug.
        reason = check.text(entry, "reason", f"{where}.reason", allow_empty=True)
        evidence = check.text(entry, "evidence", f"{where}.evidence", allow_empty=True)
        facts = _optional_texts(entry, "facts", where, check)
        contrasts = _optional_texts(entry, "contrasts", where, check)
        if title is not None and reason is not None and evidence is not None and None not in (facts, contrasts):
            assert facts is not None and contrasts is not None
            aspects.append(Aspect(title, reason, evidence, facts, contrasts))
    return aspects if len(aspects) == len(raw) else None


def _optional_texts(entry: dict[str, Any], key: str, where: str, check: RecordChecker) -> tuple[str, ...] | None:
    """An optional list of strings of an aspect (``facts``, ``contrasts``); None after reporting a problem."""
    value = entry.get(key, [])
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    check.add(
        f"{where}.{key}",
        f"must be a list of strings, got {type_name(value)}",
        f"write {key} as a JSON list of strings, or leave it out",
    )
    return None


def _parse_profile(item: dict[str, Any], check: RecordChecker) -> list[ProfileEntry] | None:
    raw = check.object_list(item, "profile", "profile", allow_empty=True)
    if raw is None:
        return None
    entries: list[ProfileEntry] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(raw):
        where = f"profile[{i}]"
        if not check.is_object(entry, where, "profile item {id, text}"):
            continue
        item_id = check.identifier(entry, "id", f"{where}.id")
        text = check.text(entry, "text", f"{where}.text")
        if item_id is None or text is None:
            continue
        if item_id in seen:
            check.add(
                f"{where}.id",
                f"duplicate profile item id {item_id!r} (also profile[{seen[item_id]}])",
                "give each of the user's profile items a distinct id",
            )
            continue
        seen[item_id] = i
        entries.append(ProfileEntry(item_id, text))
    return entries if len(entries) == len(raw) else None


def _resolve_category(
    item: dict[str, Any], default_category: str | None, check: RecordChecker
) -> tuple[str | None, dict[str, Any]]:
    if "category" not in item:
        return default_category, {}
    value = item["category"]
    if not isinstance(value, str):
        check.add(
            "category", f"expected a string, got {type_name(value)}", "store the category name as a string"
        )
        return default_category, {}
    if value not in LAMPQA_CATEGORIES:
        return default_category, {"category": value}
    if default_category is not None and value != default_category:
        check.add(
            "category",
            f"record says {value!r} but the file name or argument says {default_category!r}",
            "keep one category per file, or fix the record's category",
        )
    return value, {}


def save_responses(path: Path | str, answers: Mapping[str, str]) -> Path:
    """Write answers in LaMP-QA's response format ``{qid: [{"output": answer}]}``.

    The write is atomic. Raises ``ValueError`` (before touching the file) if a question id is not a
    non-empty string or an answer is not a string.
    """
    bad = [
        qid
        for qid, answer in answers.items()
        if not (isinstance(qid, str) and qid) or not isinstance(answer, str)
    ]
    if bad:
        raise ValueError(
            "save_responses needs {question id (non-empty str): answer (str)}; "
            f"bad entries for ids {bad[:5]!r}. Convert ids with str() and answers to text before saving."
        )
    return write_json_atomic(path, {qid: [{"output": answer}] for qid, answer in answers.items()}, indent=1)


def load_responses(path: Path | str) -> dict[str, str]:
    """Read a LaMP-QA response file back into ``{qid: answer}`` (the first output per question).

    Raises:
        DatasetFormatError: the file is not ``{qid: [{"output": str}, ...]}``.
    """
    path = Path(path)
    data = read_json(path)
    if not isinstance(data, dict):
        raise DatasetFormatError(
            path,
            [
                RecordProblem(
                    None,
                    None,
                    "",
                    f"top level is a JSON {type_name(data)}, expected an object {{qid: [{{'output': ...}}]}}",
                    "write responses with save_responses()",
                )
            ],
        )
    problems: list[RecordProblem] = []
    answers: dict[str, str] = {}
    for index, (qid, outputs) in enumerate(data.items()):
        check = RecordChecker(problems, index, qid)
        if not isinstance(outputs, list) or not outputs:
            check.add(
                qid,
                f"expected a non-empty list of outputs, got {type_name(outputs)}",
                'use [{"output": answer}]',
            )
            continue
        if not check.is_object(outputs[0], f"{qid}[0]", "output {output}"):
            continue
        answer = check.text(outputs[0], "output", f"{qid}[0].output", allow_empty=True)
        if answer is not None:
            answers[qid] = answer
    if problems:
        raise DatasetFormatError(path, problems)
    return answers
