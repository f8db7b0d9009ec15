"""Validation of benchmark files: which file, which record, which field, and how to fix it.

Every loader in :mod:`pr2_agent.data` validates a whole file before returning anything and reports
all problems it found (up to a cap) in one exception, so a user fixing a converted dump sees the full
list instead of one error per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_REPORTED_PROBLEMS = 20
"""More problems than this are counted but not listed: one systematic mistake repeats per record."""


@dataclass(frozen=True)
class RecordProblem:
    """One thing wrong with one record of a data file."""

    index: int | None
    """0-based position of the record in the file (None for file-level problems)."""
    record_id: str | None
    """The record's ``id`` when it could be read."""
    field: str
    """Path of the offending field, e.g. ``rubric_aspects[2].aspect`` (empty for the record itself)."""
    problem: str
    """What is wrong."""
    fix: str
    """How to fix it."""

    def describe(self) -> str:
        """Return a one-line human-readable description."""
        where = []
        if self.index is not None:
            where.append(f"record #{self.index}")
        if self.record_id is not None:
            where.append(f"id={self.record_id!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        location = ", ".join(where) if where else "file"
        return f"{location}: {self.problem}. Fix: {self.fix}"


class DatasetFormatError(ValueError):
    """A data file does not have the expected format; lists every problem found."""

    def __init__(self, path: Path | str, problems: list[RecordProblem]) -> None:
        self.path = Path(path)
        self.problems = problems
        shown = problems[:MAX_REPORTED_PROBLEMS]
        lines = [f"{self.path}: {len(problems)} format problem(s):"]
        lines += [f"  - {p.describe()}" for p in shown]
        if len(problems) > len(shown):
            lines.append(f"  ... and {len(problems) - len(shown)} more")
        super().__init__("\n".join(lines))


def type_name(value: Any) -> str:
    """Return the JSON-ish type name of a value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


class RecordChecker:
    """Reads typed fields out of one JSON record, recording a problem instead of raising.

    Loaders call one method per field; each returns the value (or None when it was unusable) so a
    loader can keep checking the rest of the record and report everything at once.
    """

    def __init__(
        self, problems: list[RecordProblem], index: int | None, record_id: str | None = None
    ) -> None:
        self._problems = problems
        self.index = index
        self.record_id = record_id

    def add(self, field: str, problem: str, fix: str) -> None:
        """Record a problem for this record."""
        self._problems.append(RecordProblem(self.index, self.record_id, field, problem, fix))

    def identifier(self, obj: dict[str, Any], key: str, field: str) -> str | None:
        """Read an id: a non-empty string, or an integer (normalized to its decimal string)."""
        if key not in obj:
            self.add(field, f"missing key {key!r}", f"add a unique string {key!r} to the object")
            return None
        value = obj[key]
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.add(
                field,
                f"expected a non-empty string, got {type_name(value)} {value!r:.40}",
                f"set {key!r} to a unique non-empty string",
            )
            return None
        return value

    def text(self, obj: dict[str, Any], key: str, field: str, *, allow_empty: bool = False) -> str | None:
        """Read a string field; empty (whitespace-only) strings are problems unless allowed."""
        if key not in obj:
            self.add(field, f"missing key {key!r}", f"add {key!r} as a string")
            return None
        value = obj[key]
        if not isinstance(value, str):
            self.add(
                field,
                f"expected a string, got {type_name(value)}",
                f"store {key!r} as a JSON string",
            )
            return None
        if not allow_empty and not value.strip():
            self.add(field, "is empty", f"give {key!r} its text, or drop the record")
            return None
        return value

    def object_list(
        self, obj: dict[str, Any], key: str, field: str, *, allow_empty: bool
    ) -> list[Any] | None:
        """Read a list field; only presence, list type and (optionally) non-emptiness are checked here."""
        if key not in obj:
            self.add(field, f"missing key {key!r}", f"add {key!r} as a JSON list")
            return None
        value = obj[key]
        if not isinstance(value, list):
            self.add(field, f"expected a list, got {type_name(value)}", f"store {key!r} as a JSON list")
            return None
        if not allow_empty and not value:
            self.add(field, "is an empty list", f"give {key!r} at least one element, or drop the record")
            return None
        return value

    def is_object(self, value: Any, field: str, what: str) -> bool:
        """Check that a value is a JSON object, recording a problem if not."""
        if isinstance(value, dict):
            return True
        self.add(
            field, f"expected an object ({what}), got {type_name(value)}", f"make each {what} a JSON object"
        )
        return False
