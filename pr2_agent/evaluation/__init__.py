"""Evaluation on LaMP-QA: the benchmark's baselines and the PR2 graph, judged per rubric aspect.

``pr2 eval`` (see :mod:`.cli`) is the entry point; the pieces are usable on their own:

* :mod:`.systems` - ``nopers``, ``rag``, ``rag_random`` and ``pr2`` on one shared ``Policy``;
* :mod:`.runner` - profile ingestion, batched generation, judging and resumable JSONL results
  (``--label``: ``<system>@<label>`` rows, so several generators share one output directory);
* :mod:`.compare` - every system scored in an output directory, checked to share judge and questions;
* :mod:`.report` - the system x category table, relative improvements and the chart.
"""

from __future__ import annotations

from pr2_agent.evaluation.compare import Comparison, compare_results
from pr2_agent.evaluation.report import Summary, relative_improvement, summarize, write_summary
from pr2_agent.evaluation.runner import (
    Evaluation,
    ResultsLog,
    SystemRun,
    ensure_profiles,
    run_name,
    run_system,
    select_records,
    validate_label,
)
from pr2_agent.evaluation.systems import (
    SYSTEM_NAMES,
    NoPersonalization,
    PR2System,
    ProfileRag,
    RandomProfileRag,
    Sampling,
    System,
    SystemAnswer,
    donor_for,
    extract_personalized_answer,
)

__all__ = [
    "SYSTEM_NAMES",
    "Comparison",
    "Evaluation",
    "NoPersonalization",
    "PR2System",
    "ProfileRag",
    "RandomProfileRag",
    "ResultsLog",
    "Sampling",
    "Summary",
    "System",
    "SystemAnswer",
    "SystemRun",
    "compare_results",
    "donor_for",
    "ensure_profiles",
    "extract_personalized_answer",
    "relative_improvement",
    "run_name",
    "run_system",
    "select_records",
    "summarize",
    "validate_label",
    "write_summary",
]
