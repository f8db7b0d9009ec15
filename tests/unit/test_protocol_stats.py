"""protocol_stats reads the protocol facts off real graph runs (scripted policy, keyword store)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from pr2_agent import Context, build_graph
from pr2_agent.policy.scripted import ScriptedPolicy
from pr2_agent.tasks.lampqa import lampqa_example
from tests.unit.test_demonstrations import KeywordStore, make_record
from trainers.protocol_stats import format_table, run_stats, summarize

RECORD = lampqa_example(make_record())


def run(turns: list[str], **context: Any):
    store = KeywordStore({RECORD.id: [(p.id, p.text) for p in RECORD.profile]})
    graph = build_graph(model=ScriptedPolicy(turns), store=cast(Any, store))
    state = graph.invoke({"question": RECORD.question}, context=Context(user_id=RECORD.id, **context))
    return run_stats(RECORD, 0, state)


def test_search_then_answer_follows_the_protocol():
    stats = run(["<think>a</think><search>grocery budget</search>", "<think>b</think><answer>ok</answer>"])
    assert stats.searched and stats.answered and stats.within_budget and stats.protocol
    assert stats.think_before_answer and not stats.corrected
    assert stats.searches == 1 and stats.evidence_recall == pytest.approx(1 / 3)


def test_searching_past_the_budget_is_flagged():
    stats = run(["<search>x</search>", "<search>b</search>", "x</answer>"], max_searches=1)
    assert stats.searched and not stats.answered and not stats.within_budget and not stats.protocol


def test_failed_correction_is_forced_but_within_budget():
    stats = run(["rambling", "still rambling", "x</answer>"])
    assert stats.corrected and not stats.answered and stats.within_budget and not stats.searched


def test_direct_answer_is_not_a_search():
    stats = run(["<answer>ok</answer>"])
    assert stats.answered and not stats.searched and not stats.protocol and not stats.think_before_answer


def test_summary_shares_and_table():
    runs = [
        run(["<think>a</think><search>budget</search>", "<think>b</think><answer>ok</answer>"]),
        run(["<answer>ok</answer>"]),
    ]
    summary = summarize(runs)
    assert summary["runs"] == 2 and summary["searched"] == 0.5 and summary["answered"] == 1.0
    assert summary["protocol"] == 0.5 and summary["mean_searches"] == 0.5
    table = format_table("m", summary)
    assert "search >= 1" in table and "50.0%" in table
    with pytest.raises(ValueError, match="no runs"):
        summarize([])
