"""The TagPR method: its graph with a scripted policy, its registration and its reward term."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from pr2_agent import prompts
from pr2_agent.methods import get_method, method_names
from pr2_agent.policy.scripted import ScriptedPolicy
from pr2_agent.rewards import REWARD_FUNCTIONS, TAG_REWARD, TagConstraintReward
from pr2_agent.tags import Step, render_chain
from tests.fakes import FakeStore

PROFILES = {
    "ann": [("a1", '"Explainer: why floods matter" is the title for "..."'), ("a2", "an unrelated item")],
    "ben": [("b1", '"Floods hit town" is the title for "..."')],
}
CHAIN = render_chain(
    [
        Step("examine_history", "[1] is an explainer headline."),
        Step("infer_preference", "Ann writes explainers."),
        Step("relate_to_input", "Explain the heatwave."),
    ],
    "Explainer: why the heatwave matters",
)


def run(turns, **context):
    policy = ScriptedPolicy(turns, with_token_ids=True)
    graph = get_method("tagpr").build_graph(model=policy, store=FakeStore(PROFILES))
    out = graph.invoke({"question": "Generate a headline: heatwave"}, context={"user_id": "ann", **context})
    return out, policy


def test_recall_then_tagged_answer():
    out, policy = run([CHAIN])
    assert out["answer"] == "Explainer: why the heatwave matters"
    assert out["finish"] == "answer"
    assert [s["tag"] for s in out["steps"]] == ["examine_history", "infer_preference", "relate_to_input"]
    assert out["chain_problems"] == []
    assert out["retrieved_ids"] and out["retrieved_ids"][0].startswith("a")
    prompt = policy.requests[0].messages[0]["content"]
    assert "[1] " in prompt and "<examine_history>" in prompt and prompt.rstrip().endswith("heatwave")
    assert policy.requests[0].stop == (prompts.close_tag(prompts.ANSWER_TAG),)
    assert [s["kind"] for s in out["segments"]] == ["model"]


def test_no_answer_is_forced_and_the_chain_reported_invalid():
    out, _ = run(["<examine_history>[1]</examine_history> and then", "Floods</answer>"])
    assert out["finish"] == "forced" and out["answer"] == "Floods"
    assert "no answer" in out["chain_problems"]
    assert out["segments"][-2]["text"] == prompts.FORCED_ANSWER_OBSERVATION


def test_unpersonalized_runs_never_see_the_profile():
    out, policy = run([CHAIN], personalized=False, user_id="")
    prompt = policy.requests[0].messages[0]["content"]
    assert prompts.NO_PROFILE_ACCESS_TEXT in prompt and "Explainer: why floods" not in prompt
    assert out["retrieved_ids"] == []


def test_registered_as_method_system_and_studio_graph():
    assert "tagpr" in method_names()
    graphs = json.loads((Path(__file__).resolve().parents[2] / "langgraph.json").read_text())["graphs"]
    assert graphs["tagpr"]["path"] == "./graphs/tagpr.py:graph"
    from pr2_agent.evaluation.systems import system_names

    assert "tagpr" in system_names()


def test_tag_constraint_reward_is_registered_pure_and_picklable():
    reward = REWARD_FUNCTIONS[TAG_REWARD](None)
    assert isinstance(reward, TagConstraintReward)
    scores = reward([None, None], [None, None], model_text=[CHAIN, "<answer>x</answer>"])
    assert scores == [1.0, 0.25]
    assert pickle.loads(pickle.dumps(reward))([None], [None], model_text=[CHAIN]) == [1.0]


def test_pr2_ask_prints_tagged_steps_readably(capsys):
    from pr2_agent.cli import _print_update

    out, _ = run([CHAIN])
    _print_update("reason", {"steps": out["steps"], "chain_problems": []})
    _print_update("reason", {"steps": out["steps"][:1], "chain_problems": ["missing required tag <draft>"]})
    text = capsys.readouterr().out
    assert "[reason] tagged steps:" in text
    assert "1. examine_history   [1] is an explainer headline." in text
    assert "chain: valid" in text and "chain: invalid (missing required tag <draft>)" in text


def test_pr2_ask_refuses_an_unknown_method_in_one_line(capsys):
    from pr2_agent import cli

    assert cli.main(["ask", "--no-personalize", "--method", "nope", "q"]) == 2
    assert "unknown method 'nope'" in capsys.readouterr().err
