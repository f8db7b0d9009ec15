"""pr2 eval report: LaMP-QA's macro average, relative improvements, and the files it writes."""

from __future__ import annotations

import json

import pytest

from pr2_agent.evaluation.report import (
    MACRO,
    PROXY_LABEL,
    category_scores,
    relative_improvement,
    render_markdown,
    summarize,
    write_summary,
)
from pr2_agent.evaluation.runner import SystemRun

A, L = "Art_and_Entertainment", "Lifestyle_and_Personal_Development"


def row(qid, category, score, **extra):
    return {"qid": qid, "category": category, "score": score, "aspect_scores": [], "seconds": 1.0, **extra}


@pytest.mark.parametrize(
    ("score", "baseline", "expected"),
    [(0.44, 0.40, 0.10), (0.40, 0.40, 0.0), (0.30, 0.40, -0.25), (0.5, 0.25, 1.0), (0.3, 0.0, None)],
)
def test_relative_improvement(score, baseline, expected):
    got = relative_improvement(score, baseline)
    assert got == (None if expected is None else pytest.approx(expected))


def test_macro_is_the_mean_of_category_means_not_of_questions():
    rows = [row("a1", A, 1.0), row("l1", L, 0.0), row("l2", L, 0.0), row("l3", L, 0.0)]
    scores, counts = category_scores(rows, [A, L])
    assert scores == {A: 1.0, L: 0.0, MACRO: 0.5}  # the question mean would be 0.25
    assert counts == {A: 1, L: 3}


def runs():
    rag = [row("a1", A, 0.4, json_parsed=True), row("l1", L, 0.2, json_parsed=False)]
    pr2 = [
        row("a1", A, 0.5, searches=["x"], finish="answer"),
        row("l1", L, 0.1, searches=["x", "y", "z"], finish="forced"),
    ]
    nopers = [row("a1", A, 0.0, json_parsed=True), row("l1", L, 0.3, json_parsed=True)]
    return [SystemRun("nopers", nopers, 0, 3.0), SystemRun("rag", rag, 1, 2.0), SystemRun("pr2", pr2, 0, 9.0)]


def test_summary_numbers():
    s = summarize(runs(), judge="j", is_proxy=False, model="m", run={"questions": 2})
    by = {x.system: x for x in s.systems}
    assert s.categories == [A, L]
    assert by["rag"].scores == pytest.approx({A: 0.4, L: 0.2, MACRO: 0.3})
    assert by["pr2"].improvement_over_rag == pytest.approx({A: 0.25, L: -0.5, MACRO: 0.0})
    assert by["nopers"].improvement_over_rag[A] == pytest.approx(-1.0)
    assert by["rag"].improvement_over_rag[MACRO] == 0.0
    assert by["rag"].json_parse_rate == 0.5 and by["nopers"].json_parse_rate == 1.0
    assert by["pr2"].json_parse_rate is None and by["pr2"].mean_searches == 2.0
    assert by["rag"].mean_searches is None and by["pr2"].finish == {"answer": 1, "forced": 1}


def test_no_rag_means_no_improvements():
    s = summarize(runs()[::2], judge="j", is_proxy=False, model="m", run={})
    assert all(v is None for x in s.systems for v in x.improvement_over_rag.values())
    assert "was not evaluated" in render_markdown(s)


def test_markdown_labels_a_proxy_judge():
    proxy = render_markdown(summarize(runs(), judge="embedding-proxy:m", is_proxy=True, model="m", run={}))
    real = render_markdown(summarize(runs(), judge="lampqa:q", is_proxy=False, model="m", run={}))
    assert PROXY_LABEL in proxy and PROXY_LABEL not in real
    assert "| pr2 | 0.5000 | 0.1000 | 0.3000 | +0.0% |" in proxy
    assert "| pr2 | +25.0% | -50.0% | +0.0% |" in proxy
    assert "| rag | 2 | 50% | — |" in proxy


def test_summary_files_are_written(tmp_path):
    s = summarize(runs(), judge="embedding-proxy:m", is_proxy=True, model="embedded", run={"questions": 2})
    written = write_summary(s, tmp_path)
    assert set(written) == {"md", "json", "png"}
    assert (tmp_path / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((tmp_path / "summary.json").read_text())
    assert data["is_proxy"] is True and PROXY_LABEL in data["judge_label"]
    assert data["systems"][2]["scores"][MACRO] == pytest.approx(0.3)
    assert (tmp_path / "summary.md").read_text() == render_markdown(s)
