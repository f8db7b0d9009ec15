"""Evaluation on LaMP-QA: the benchmark's baselines and the PR2 graph, judged per rubric aspect.

``pr2 eval`` (see :mod:`.cli`) is the entry point; the pieces are usable on their own:

* :mod:`.systems` - ``nopers``, ``rag``, ``rag_random`` and ``pr2`` on one shared ``Policy``;
* :mod:`.runner` - profile ingestion, batched generation, judging and resumable JSONL results;
* :mod:`.report` - the system x category table, relative improvements and the chart.
"""

from __future__ import annotations

from pr2_agent.evaluation.report import Summary, relative_improvement, summarize, write_summary
from pr2_agent.evaluation.runner import (
    Evaluation,
    ResultsLog,
    SystemRun,
    ensure_profiles,
    run_system,
    select_records,
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
    "donor_for",
    "ensure_profiles",
    "extract_personalized_answer",
    "relative_improvement",
    "run_system",
    "select_records",
    "summarize",
    "write_summary",
]
