"""examples/chat_app.py works as the README shows it (scripted policy here; the real model in integration)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from pr2_agent.policy.scripted import ScriptedPolicy

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "chat_app.py"


def load_example():
    spec = importlib.util.spec_from_file_location("chat_app_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve the module's annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def test_chat_app_two_turns_with_its_own_context_checkpointer_and_store():
    example = load_example()
    policy = ScriptedPolicy(
        ["<search>eating meat protein</search>", "<answer>Chickpea curry</answer>", "<answer>A wrap</answer>"]
    )
    app = example.build_app(model=policy)
    context = example.ChatContext(user_id="maya")
    assert example.chat(app, context, "t", "What should I cook tonight?") == "Chickpea curry"
    # The search read maya's memories (the vector index ranks her meat post first), nobody else's.
    inserted = policy.requests[1].segments[1]["text"]
    assert "I stopped eating meat two years ago" in inserted
    assert example.chat(app, context, "t", "And lunch?") == "A wrap"
    history = app.get_state({"configurable": {"thread_id": "t"}}).values["messages"]
    assert [m.type for m in history] == ["human", "ai", "human", "ai"]
