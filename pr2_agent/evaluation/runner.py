"""Run systems over a task's examples, score every answer, and keep each result the moment it exists.

Per system, results go to ``<out>/scores_<system>.jsonl``, one line per question, appended and
flushed to disk as soon as the question is judged. A rerun with the same output directory skips
the questions already there, so an interrupted evaluation resumes and loses nothing; a line cut
short by a crash is dropped and redone. Lines also record the settings that produced them, and a
rerun with different settings is refused instead of silently mixing two runs in one table.

A run may carry a label (``pr2 eval --label sft``): its systems are then named ``<system>@<label>``
(``pr2@sft``), in their files too (``scores_pr2@sft.jsonl``), so several generators can be scored
into one output directory side by side.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from pr2_agent.evaluation.systems import System, SystemAnswer, system_names
from pr2_agent.judges.base import Judge
from pr2_agent.suggestions import did_you_mean
from pr2_agent.tasks import Example, Score, Task

logger = logging.getLogger(__name__)

SCORES_FILE = "scores_{system}.jsonl"
RESPONSES_FILE = "responses_{system}.json"
LABEL_SEPARATOR = "@"
MAX_LABEL_CHARS = 40
_LABEL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class SystemRun:
    """What one system produced in one invocation."""

    system: str
    """The reported name: the system's, or ``<system>@<label>`` for a labelled run."""
    rows: list[dict[str, Any]]
    """Result lines of the questions evaluated (done earlier or now), in record order."""
    resumed: int
    """How many of them were already in the JSONL before this invocation."""
    wall_seconds: float
    """Time this invocation spent on the system (generation + judging of new questions only)."""


def scores_path(out_dir: Path, system: str) -> Path:
    """Where ``system``'s per-question results live."""
    return out_dir / SCORES_FILE.format(system=system)


def responses_path(out_dir: Path, system: str) -> Path:
    """Where ``system``'s LaMP-QA response file is written."""
    return out_dir / RESPONSES_FILE.format(system=system)


def validate_label(label: str) -> str:
    """Return ``label`` if it can name files and table rows, else explain what to pass instead."""
    if len(label) <= MAX_LABEL_CHARS and _LABEL_RE.fullmatch(label):
        return label
    raise ValueError(
        f"--label {label!r} cannot be used: a label becomes part of file names (scores_<system>"
        f"{LABEL_SEPARATOR}<label>.jsonl) and table rows, so it must start with a letter or digit, use only "
        f"letters, digits, '.', '_' and '-', and be at most {MAX_LABEL_CHARS} characters. "
        "Name the generator instead, e.g. --label sft or --label grpo-step20."
    )


def run_name(system: str, label: str | None) -> str:
    """The name a system is reported and stored under: ``system``, or ``system@label``.

    Example:
        >>> run_name("pr2", "sft"), run_name("rag", None)
        ('pr2@sft', 'rag')
    """
    return system if label is None else f"{system}{LABEL_SEPARATOR}{label}"


def base_system(name: str) -> str:
    """The system part of a reported name (``pr2@sft`` -> ``pr2``)."""
    return name.split(LABEL_SEPARATOR, 1)[0]


def scored_names(out_dir: Path) -> list[str]:
    """The reported names of every system with a scores file in ``out_dir``, sorted."""
    prefix, suffix = SCORES_FILE.split("{system}")
    return sorted(p.name[len(prefix) : -len(suffix)] for p in out_dir.glob(SCORES_FILE.format(system="*")))


# ----------------------------------------------------------------------------------- results file
class ResultsLog:
    """One system's append-only JSONL of judged questions."""

    def __init__(self, path: Path, setup: Mapping[str, Any]) -> None:
        """Open (creating if needed) the log; ``setup`` = the settings every line must share."""
        self.path = path
        self.setup = dict(setup)
        self.rows: dict[str, dict[str, Any]] = {}
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        complete = data.rfind(b"\n") + 1
        if complete < len(data):
            # A crash mid-write left a partial last line: drop it (that question is redone).
            logger.warning("%s ended in a partial line (interrupted write); dropping it", self.path)
            with self.path.open("r+b") as fh:
                fh.truncate(complete)
        for number, row in read_result_lines(self.path):
            self._check_setup(row, number)
            self.rows[row["qid"]] = row

    def _check_setup(self, row: Mapping[str, Any], number: int) -> None:
        theirs = row.get("setup", {})
        changed = {k: (theirs.get(k), v) for k, v in self.setup.items() if theirs.get(k) != v}
        if changed:
            what = ", ".join(f"{k}={old!r} there but {new!r} now" for k, (old, new) in changed.items())
            raise ValueError(
                f"{self.path} (line {number}) holds results from different settings: {what}. Mixing them "
                "would put two runs in one table. Use another --out, give this run its own --label (to compare "
                "generators side by side), or delete that file to evaluate the system again."
            )

    def __contains__(self, qid: object) -> bool:
        return qid in self.rows

    def append(self, row: dict[str, Any]) -> None:
        """Write one line and push it to disk before returning."""
        line = json.dumps({**row, "setup": self.setup}, ensure_ascii=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.rows[row["qid"]] = {**row, "setup": self.setup}


def read_result_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, row)`` for each complete line of a results file, leaving the file as it is."""
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    for number, line in enumerate(complete.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            problem = "" if isinstance(row, dict) and "qid" in row else "it has no 'qid'"
        except ValueError as err:
            problem = str(err)
        if problem:
            raise ValueError(
                f"{path} line {number} is not a result line written by pr2 eval ({problem}). Fix or "
                "delete that file (its system is then evaluated again), or use another --out."
            )
        yield number, row


def load_run(out_dir: Path, name: str) -> SystemRun:
    """Read what an earlier invocation stored for ``name`` (nothing is generated, the file is not changed)."""
    rows = {row["qid"]: row for _, row in read_result_lines(scores_path(out_dir, name))}
    return SystemRun(name, list(rows.values()), resumed=len(rows), wall_seconds=0.0)


def result_row(system: str, example: Example, answer: SystemAnswer, verdict: Score) -> dict[str, Any]:
    """The JSONL line of one scored question."""
    return {
        "qid": example.id,
        "category": example.category,
        "system": system,
        "answer": answer.answer,
        "score": verdict.score,
        **verdict.details,
        "judge": verdict.scorer,
        "judge_is_proxy": verdict.is_proxy,
        "json_parsed": answer.json_parsed,
        "profile_user": answer.profile_user,
        "searches": answer.searches,
        "retrieved_ids": answer.retrieved_ids,
        "finish": answer.finish,
        "seconds": round(answer.seconds, 4),
        "raw": answer.raw,
    }


# ------------------------------------------------------------------------------------------ runs
def run_system(
    system: System,
    records: Sequence[Example],
    task: Task,
    judge: Judge | None,
    log: ResultsLog,
    *,
    seed: int | None = None,
    progress: bool = True,
    name: str | None = None,
) -> SystemRun:
    """Answer and score every example not yet in ``log``, appending each result as it is scored.

    ``name`` is what the results are reported under (default: the system's name).
    """
    name = name or system.name
    pending = [r for r in records if r.id not in log]
    resumed = len(records) - len(pending)
    if resumed:
        logger.info("%s: %d of %d questions already done, resuming", name, resumed, len(records))
    began = time.perf_counter()
    if pending:
        seed_everything(seed)
        with tqdm(total=len(records), initial=resumed, desc=name, unit="q", disable=not progress) as bar:
            for group in system.run(pending):
                verdicts = task.score([e for e, _ in group], [task.parse_output(a.answer) for _, a in group], judge)
                for (record, answer), verdict in zip(group, verdicts, strict=True):
                    log.append(result_row(name, record, answer, verdict))
                bar.update(len(group))
    rows = [log.rows[r.id] for r in records]
    return SystemRun(name, rows, resumed, time.perf_counter() - began)


def write_responses(log: ResultsLog, out_path: Path, task: Task) -> Path:
    """Rewrite the task's prediction file from everything in ``log``."""
    return task.write_predictions(out_path, {qid: row["answer"] for qid, row in log.rows.items()})


def seed_everything(seed: int | None) -> None:
    """Seed Python's and (when loaded) torch's generators; None leaves them alone."""
    if seed is None:
        return
    random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)


@dataclass
class Evaluation:
    """Systems, a task, its judge and an output directory: everything one ``pr2 eval`` run needs."""

    systems: Sequence[System]
    task: Task
    judge: Judge | None
    out_dir: Path
    setups: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Per system, the settings recorded on (and checked against) every result line."""
    seed: int | None = None
    progress: bool = True
    on_system_done: Callable[[SystemRun], None] | None = None
    label: str | None = None
    """Report and store every system as ``<system>@<label>`` (see :func:`validate_label`)."""

    def run(self, records: Sequence[Example]) -> list[SystemRun]:
        """Evaluate every system on ``records``; write the JSONLs and the response files."""
        check_records(records)
        if self.label is not None:
            validate_label(self.label)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        runs = []
        for system in self.systems:
            name = run_name(system.name, self.label)
            setup = {"judge": self.judge.name if self.judge is not None else self.task.name}
            setup.update(self.setups.get(system.name, {}))
            log = ResultsLog(scores_path(self.out_dir, name), setup)
            result = run_system(
                system, records, self.task, self.judge, log, seed=self.seed, progress=self.progress, name=name
            )
            write_responses(log, responses_path(self.out_dir, name), self.task)
            runs.append(result)
            if self.on_system_done is not None:
                self.on_system_done(result)
        return runs


def check_records(records: Sequence[Example]) -> None:
    """Refuse an empty evaluation set or one question id used twice (ids are the store's user ids)."""
    if not records:
        raise ValueError("no records to evaluate: the --data files are empty or --limit is 0.")
    dupes = sorted(qid for qid, n in Counter(r.id for r in records).items() if n > 1)
    if dupes:
        raise ValueError(
            f"question ids {dupes[:5]} appear in more than one record (across the --data files). Each id "
            "is also the user id its profile is stored under, so they must be unique: pass each file once."
        )


def select_records(records: Sequence[Example], limit: int | None) -> list[Example]:
    """Take ``limit`` records, round-robin over categories so a small limit still covers each one.

    Within a category the file order is kept; None returns every record.

    Example:
        >>> from types import SimpleNamespace as R
        >>> rs = [R(id=i, category=c) for i, c in enumerate("aaab")]
        >>> [r.id for r in select_records(rs, 2)]
        [0, 3]
    """
    if limit is None or limit >= len(records):
        return list(records)
    queues: dict[str | None, list[Example]] = {}
    for record in records:
        queues.setdefault(record.category, []).append(record)
    picked: list[Example] = []
    depth = 0
    while len(picked) < limit:
        for queue in queues.values():
            if depth < len(queue) and len(picked) < limit:
                picked.append(queue[depth])
        depth += 1
    return picked


def validate_system_names(names: Sequence[str]) -> list[str]:
    """Return ``names`` deduplicated in order, or explain which one is unknown."""
    known = system_names()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"unknown system(s) {', '.join(map(repr, unknown))}:{did_you_mean(unknown[0], known)} Choose from "
            f"{', '.join(known)} (comma-separated, e.g. --systems nopers,rag,pr2)."
        )
    if not names:
        raise ValueError(f"--systems is empty: choose from {', '.join(known)}.")
    return list(dict.fromkeys(names))
