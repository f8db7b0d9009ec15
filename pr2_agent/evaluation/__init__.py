"""Evaluation: the benchmark's baselines and every method's graph on one task, scored per question.

``pr2 eval`` (see :mod:`.cli`) is the entry point; the pieces are usable on their own:

* :mod:`.systems` - ``nopers``, ``rag``, ``rag_random``, ``planpers`` and each registered method on one ``Policy``;
* :mod:`.runner` - generation, scoring through the task, and resumable JSONL results
  (``--label``: ``<system>@<label>`` rows, so several generators share one output directory);
* :mod:`.compare` - every system scored in an output directory, checked to share judge and questions;
* :mod:`.report` - the system x category table, relative improvements and the chart.

Profile ingestion, data loading, judges and the fan-out of graph runs are the run layer's
(:mod:`pr2_agent.run`), shared with the trainers.
"""

from __future__ import annotations

from pr2_agent.evaluation.compare import Comparison, compare_results
from pr2_agent.evaluation.report import Summary, relative_improvement, summarize, write_summary
from pr2_agent.evaluation.runner import (
    Evaluation,
    ResultsLog,
    SystemRun,
    run_name,
    run_system,
    select_records,
    validate_label,
)
from pr2_agent.evaluation.systems import (
    BASELINE_NAMES,
    GraphSystem,
    NoPersonalization,
    PlanPers,
    ProfileRag,
    RandomProfileRag,
    System,
    SystemAnswer,
    donor_for,
    system_names,
)

__all__ = [
    "BASELINE_NAMES",
    "Comparison",
    "Evaluation",
    "GraphSystem",
    "NoPersonalization",
    "PlanPers",
    "ProfileRag",
    "RandomProfileRag",
    "ResultsLog",
    "Summary",
    "System",
    "SystemAnswer",
    "SystemRun",
    "compare_results",
    "donor_for",
    "relative_improvement",
    "run_name",
    "run_system",
    "select_records",
    "summarize",
    "system_names",
    "validate_label",
    "write_summary",
]
