"""Chat apps: a parent graph that holds only `messages`, with its own checkpointer and context schema."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import MemorySaver
from langgraph.graph import START, MessagesState, StateGraph

from pr2_agent import build_graph
from pr2_agent.policy.scripted import ScriptedPolicy
from tests.fakes import FakeStore

PROFILES = {"maya": [("m1", "I stopped eating meat two years ago"), ("m2", "I cook in 20 minutes")]}


@dataclass
class ChatContext:
    """The app's own context: the user plus fields pr2 does not know."""

    user_id: str
    locale: str = "en"


def chat_app(policy):
    parent = StateGraph(MessagesState, context_schema=ChatContext)
    parent.add_node("pr2", build_graph(model=policy, store=FakeStore(PROFILES)))
    parent.add_edge(START, "pr2")
    return parent.compile(checkpointer=MemorySaver())


def test_two_chat_turns_on_one_thread():
    policy = ScriptedPolicy(
        ["<search>meat</search>", "<answer>Lentil curry</answer>", "<answer>Ten minutes</answer>"]
    )
    app = chat_app(policy)
    thread = {"configurable": {"thread_id": "t1"}}
    ctx = ChatContext(user_id="maya")

    first = app.invoke({"messages": [HumanMessage("What should I cook tonight?")]}, thread, context=ctx)
    assert [type(m) for m in first["messages"]] == [HumanMessage, AIMessage]
    assert first["messages"][-1].content == "Lentil curry"
    assert "What should I cook tonight?" in policy.requests[0].messages[0]["content"]

    second = app.invoke({"messages": [("user", "How long will it take?")]}, thread, context=ctx)
    assert [m.content for m in second["messages"]] == [
        "What should I cook tonight?", "Lentil curry", "How long will it take?", "Ten minutes",
    ]
    # The second turn asks the new question and starts a fresh trajectory.
    last = policy.requests[-1]
    assert "How long will it take?" in last.messages[0]["content"] and last.segments == []
    assert app.get_state(thread).values["messages"][-1].content == "Ten minutes"


def test_question_input_still_answers_with_question_and_answer_keys():
    graph = build_graph(model=ScriptedPolicy(["<answer>Pasta</answer>"]), store=FakeStore(PROFILES))
    out = graph.invoke({"question": "Dinner?"}, context={"user_id": "maya"})
    assert out["question"] == "Dinner?" and out["answer"] == "Pasta"
    assert out["messages"][-1].content == "Pasta"


def test_messages_input_reports_the_question_it_answered():
    graph = build_graph(model=ScriptedPolicy(["<answer>Soup</answer>"]), store=FakeStore(PROFILES))
    out = graph.invoke({"messages": [{"role": "user", "content": "Lunch?"}]}, context={"user_id": "maya"})
    assert out["question"] == "Lunch?" and out["answer"] == "Soup"


def test_forced_answer_is_a_message_too():
    policy = ScriptedPolicy(["<search>meat</search>", "<search>cook</search>", "Stew</answer>"])
    graph = build_graph(model=policy, store=FakeStore(PROFILES))
    out = graph.invoke({"messages": [HumanMessage("Dinner?")]}, context={"user_id": "maya", "max_searches": 1})
    assert out["finish"] == "forced" and out["messages"][-1].content == "Stew"


@pytest.mark.parametrize(
    "given",
    [{}, {"messages": [AIMessage("hello")]}, {"messages": [HumanMessage("  ")]}, {"question": " "}],
)
def test_no_question_is_a_clear_error(given):
    graph = build_graph(model=ScriptedPolicy(["<answer>x</answer>"]), store=FakeStore(PROFILES))
    with pytest.raises(ValueError, match="question|human message is empty"):
        graph.invoke(given, context={"user_id": "maya"})
