"""Gather every system scored in one ``pr2 eval`` output directory into one comparable set of rows.

Several invocations may write into the same directory: other systems, or the same system on other
generators under ``--label`` (``pr2@sft``, ``pr2@grpo``). A table means something only when its rows
were judged by one judge on one set of questions, so a reference judge and question set are chosen
and each row is checked against them:

* judge: the current run's; for ``--report-only``, the baseline row's, else the one most rows share.
  Rows judged by another judge are left out (their scores are on another scale).
* questions: the current run's (or those of ``--data``/``--limit`` given with ``--report-only``);
  otherwise the baseline row's, else the set most rows share. A row missing some of them is left
  out; a row holding extra questions is counted on the reference ones only.

Every row left out or narrowed, and every setting that differs between rows, becomes a note that
the summary prints with the fix.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pr2_agent.evaluation.report import baseline_name, is_proxy_judge
from pr2_agent.evaluation.runner import LABEL_SEPARATOR, SystemRun, load_run, scored_names
from pr2_agent.evaluation.systems import system_names

SHOWN_ELSEWHERE = ("model", "base_url", "judge")
"""Setup keys the summary shows on their own (generator column, judge line), not as settings."""


@dataclass(frozen=True)
class Comparison:
    """The rows one summary shows, and why any others are not in it."""

    runs: list[SystemRun]
    """One per system, in table order, each holding the reference questions only (in their order)."""
    judge: str
    is_proxy: bool
    """Whether ``judge`` is a proxy (as recorded on the result lines, else judged by its name)."""
    notes: list[str] = field(default_factory=list)
    """Rows left out or narrowed, and settings that differ between rows."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Recorded settings every row shares (model and judge excluded)."""


def compare_results(
    out_dir: Path,
    *,
    current: Sequence[SystemRun] = (),
    qids: Sequence[str] | None = None,
    judge: str | None = None,
) -> Comparison:
    """Collect every ``scores_*.jsonl`` in ``out_dir`` into one comparable set of rows.

    Args:
        out_dir: An evaluation's output directory.
        current: Runs of this invocation (they carry timings); the others are read from disk.
        qids: The reference question set; None picks it from the files (see the module docstring).
        judge: The reference judge's name; None picks it from the files.

    Raises:
        ValueError: The directory holds no scores file with a complete line.
    """
    fresh = {r.system: r for r in current}
    runs = [fresh.get(name) or load_run(out_dir, name) for name in scored_names(out_dir)]
    notes = [f"`{r.system}` left out: its scores file holds no complete result line." for r in runs if not r.rows]
    runs = [r for r in runs if r.rows]
    if not runs:
        raise ValueError(
            f"{out_dir} holds no scores_<system>.jsonl results, so there is nothing to report. Point --out at "
            f"the directory a `pr2 eval` run wrote, or run one first: pr2 eval --data devset:test --out {out_dir}"
        )
    judges = {r.system: judge_of(r) for r in runs}
    ref_judge = judge or _preferred(judges, baseline_name(judges))
    for name, theirs in judges.items():
        if theirs != ref_judge:
            notes.append(
                f"`{name}` left out: judged by {theirs}, this table by {ref_judge}; scores of different "
                "judges are not comparable (keep one judge per --out)."
            )
    runs = [r for r in runs if judges[r.system] == ref_judge]
    question_sets = {r.system: frozenset(row["qid"] for row in r.rows) for r in runs}
    if qids is None:
        baseline = baseline_name(question_sets)
        chosen = _preferred(question_sets, baseline, size=len)
        source = next(r for r in runs if question_sets[r.system] == chosen)
        qids = [row["qid"] for row in source.rows]
    kept = []
    for run in runs:
        narrowed, note = _restrict(run, qids)
        if note:
            notes.append(note)
        if narrowed is not None:
            kept.append(narrowed)
    kept.sort(key=lambda r: table_order(r.system))
    settings, differences = _settings(kept)
    notes += differences
    proxy = any(row.get("judge_is_proxy") for r in kept for row in r.rows) or is_proxy_judge(ref_judge)
    return Comparison(runs=kept, judge=ref_judge, is_proxy=proxy, notes=notes, settings=settings)


def judge_of(run: SystemRun) -> str:
    """The judge a run's results were scored by (as recorded on its lines)."""
    first = run.rows[0]
    return str(first.get("setup", {}).get("judge") or first.get("judge") or "unknown")


def table_order(name: str) -> tuple[int, str, bool, str]:
    """Sort key: systems in ``system_names()`` order, the unlabelled row first, then labels alphabetically.

    Example:
        >>> sorted(["pr2@sft", "pr2", "rag", "pr2@base"], key=table_order)
        ['rag', 'pr2', 'pr2@base', 'pr2@sft']
    """
    system, _, label = name.partition(LABEL_SEPARATOR)
    order = system_names()
    rank = order.index(system) if system in order else len(order)
    return rank, system, bool(label), label


def _preferred(values: Mapping[str, Any], baseline: str | None, size: Callable[[Any], int] | None = None) -> Any:
    """The baseline's value if there is a baseline, else the value most rows share (ties: the larger)."""
    if baseline is not None:
        return values[baseline]
    counts = Counter(values.values())
    return max(counts, key=lambda v: (counts[v], size(v) if size else 0))


def _restrict(run: SystemRun, qids: Sequence[str]) -> tuple[SystemRun | None, str]:
    """``run`` holding exactly ``qids`` (or None when it lacks some), and a note when anything changed."""
    by_qid = {row["qid"]: row for row in run.rows}
    have = sum(q in by_qid for q in qids)
    if have < len(qids):
        return None, (
            f"`{run.system}` left out: scored on {have} of this table's {len(qids)} questions. Rerun its "
            f"command with the same --data and --limit to score the other {len(qids) - have} (it resumes)."
        )
    extra = len(by_qid) - len(qids)
    rows = [by_qid[q] for q in qids]
    narrowed = dataclasses.replace(run, rows=rows, resumed=min(run.resumed, len(rows)))
    note = f"`{run.system}`: {extra} of its scored questions are outside this table's set and not counted."
    return narrowed, note if extra else ""


def _settings(runs: Sequence[SystemRun]) -> tuple[dict[str, Any], list[str]]:
    """Settings all rows share, and a note for each setting whose value differs between rows."""
    setups = {r.system: r.rows[0].get("setup", {}) for r in runs}
    keys = [k for k in dict.fromkeys(k for s in setups.values() for k in s) if k not in SHOWN_ELSEWHERE]
    shared: dict[str, Any] = {}
    notes = []
    for key in keys:
        having = {name: s[key] for name, s in setups.items() if key in s}
        if len({repr(v) for v in having.values()}) > 1:
            values = ", ".join(f"{name}={value!r}" for name, value in having.items())
            notes.append(f"`{key}` differs between rows ({values}): they do not differ in the generator alone.")
        elif len(having) == len(setups):
            shared[key] = next(iter(having.values()))
    return shared, notes
