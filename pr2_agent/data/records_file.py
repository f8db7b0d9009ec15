"""Reading and writing the JSON files benchmarks ship: a JSON document, a JSON list, or JSON Lines.

Writes are atomic (temporary file in the same directory, then rename) so an interrupted run never
leaves a half-written responses file where the evaluator would read it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pr2_agent.data.validation import DatasetFormatError, RecordProblem, type_name

JSONL_SUFFIXES = (".jsonl", ".ndjson")


def read_json(path: Path | str) -> Any:
    """Parse a whole file as one JSON document.

    Raises:
        FileNotFoundError: the file does not exist.
        DatasetFormatError: the file is not valid JSON (with line and column).
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise DatasetFormatError(
            path,
            [
                RecordProblem(
                    None,
                    None,
                    "",
                    f"not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}",
                    "re-export the file with a JSON writer (json.dump) instead of editing it by hand",
                )
            ],
        ) from err


def read_record_list(path: Path | str) -> list[Any]:
    """Read a list of records from a JSON list file or a JSON Lines file.

    JSON Lines is used when the suffix is ``.jsonl``/``.ndjson``, or when the file is not one JSON
    document but every non-blank line is (``datasets``' ``to_json`` writes that with a ``.json`` name).

    Raises:
        DatasetFormatError: unparseable content, or a JSON document that is not a list.
    """
    path = Path(path)
    if path.suffix.lower() in JSONL_SUFFIXES:
        return _read_jsonl(path, path.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        if err.msg == "Extra data":
            return _read_jsonl(path, text)
        raise DatasetFormatError(
            path,
            [
                RecordProblem(
                    None,
                    None,
                    "",
                    f"not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}",
                    "write the file with json.dump (a list of records) or as JSON Lines with a .jsonl name",
                )
            ],
        ) from err
    if not isinstance(data, list):
        raise DatasetFormatError(
            path,
            [
                RecordProblem(
                    None,
                    None,
                    "",
                    f"top level is a JSON {type_name(data)}, expected a list of records",
                    "store the records as a JSON list ([{...}, {...}]) or one record per line (.jsonl)",
                )
            ],
        )
    return data


def _read_jsonl(path: Path, text: str) -> list[Any]:
    records: list[Any] = []
    problems: list[RecordProblem] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as err:
            problems.append(
                RecordProblem(
                    len(records),
                    None,
                    "",
                    f"line {line_no} is not valid JSON ({err.msg}, column {err.colno})",
                    "write exactly one JSON object per line",
                )
            )
    if problems:
        raise DatasetFormatError(path, problems)
    return records


def write_json_atomic(path: Path | str, data: Any, *, indent: int | None = None) -> Path:
    """Write ``data`` as JSON to ``path`` atomically and return the path.

    Parent directories are created. Non-ASCII text is written as UTF-8, not escaped.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=indent)
            handle.write("\n")
        # mkstemp creates 0600 files; data files are meant to be shared like any other checkout file.
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path
