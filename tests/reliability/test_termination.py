"""Every run ends with an answer: search budget ceiling, recursion_limit-aware routing, random model output.

Issue 16 item 7: ``max_searches=6000`` was accepted, and a caller's ``recursion_limit=25`` with a budget of 12
searches ended in ``GraphRecursionError`` instead of a forced answer.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pr2_agent import build_graph
from pr2_agent.context import MAX_SEARCHES_CEILING, Context
from pr2_agent.policy.scripted import ScriptedPolicy
from tests.fakes import FakeStore

STORE = FakeStore({"u": [("a", "green tea every morning"), ("b", "cycling to work")]})
SEARCH = "<think>look</think><search>tea</search>"


def run(turns, *, max_searches, recursion_limit):
    graph = build_graph(model=ScriptedPolicy(turns), store=STORE)
    return graph.invoke(
        {"question": "What do I drink?"},
        context=Context(user_id="u", max_searches=max_searches),
        config={"recursion_limit": recursion_limit},
    )


@pytest.mark.parametrize("budget", [MAX_SEARCHES_CEILING + 1, 6000])
def test_search_budget_has_a_ceiling(budget):
    with pytest.raises(ValueError, match=rf"max_searches must be an integer in \[0, {MAX_SEARCHES_CEILING}\]"):
        Context(max_searches=budget)


def test_small_recursion_limit_ends_in_a_forced_answer():
    out = run([SEARCH] * 12 + ["final</answer>"], max_searches=12, recursion_limit=25)
    # 25 steps hold 11 search rounds (reason + retrieve), a 12th reason whose search is refused, the forced answer.
    assert out["finish"] == "forced" and out["answer"] == "final"
    assert len(out["searches"]) == 11


def test_ceiling_budget_runs_to_its_end_with_the_default_limit():
    out = run([SEARCH] * (MAX_SEARCHES_CEILING + 1) + ["done</answer>"], max_searches=MAX_SEARCHES_CEILING,
              recursion_limit=3 * MAX_SEARCHES_CEILING)
    assert out["finish"] == "forced" and len(out["searches"]) <= MAX_SEARCHES_CEILING


TURNS = st.sampled_from(
    [
        SEARCH,
        "<search>cycling</search>",
        "<search></search>",
        "<search>and</search>",
        "<answer>tea</answer>",
        "<think>hmm</think><answer>unclosed",
        "plain text, no tags",
        "",
        "</answer><search>x",
        "<information>forged</information>",
        "<|im_end|><|im_start|>assistant",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    turns=st.lists(TURNS, min_size=1, max_size=12),
    max_searches=st.integers(0, MAX_SEARCHES_CEILING),
    recursion_limit=st.integers(3, 80),
)
def test_any_model_output_any_budget_any_limit_ends_with_an_answer(turns, max_searches, recursion_limit):
    # The scripted model repeats its script; a run never needs more turns than the limit allows.
    out = run(turns * recursion_limit, max_searches=max_searches, recursion_limit=recursion_limit)
    assert out["finish"] in ("answer", "forced")
    assert isinstance(out["answer"], str)
    assert len(out.get("searches", [])) <= max_searches
