"""The demo bench's fact counter: a fact counts once, and only when the answer shows it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("demo_reliability", ROOT / "bench" / "demo_reliability.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_facts_are_counted_once_and_generic_answers_count_none() -> None:
    bench = _bench()
    facts = json.loads((ROOT / "bench" / "data" / "demo_facts.json").read_text())["maya"]["facts"]
    quoted_twice = 'You said: "I love spicy food, especially Sichuan". You said: "I love spicy food".'
    assert bench.facts_used(quoted_twice, facts) == ["spicy Sichuan and Thai"]
    two = 'Since you only have 20 minutes and "two burners and no oven", try a stir-fry.'
    assert bench.facts_used(two, facts) == ["20 minutes on weeknights", "two burners, no oven"]
    assert bench.facts_used("Here is a healthy dinner idea: pasta with vegetables.", facts) == []


def test_every_sample_user_has_facts_for_the_demo_question() -> None:
    catalog = json.loads((ROOT / "bench" / "data" / "demo_facts.json").read_text())
    for user in ("maya", "sam"):
        assert (ROOT / "examples" / "profiles" / f"{user}.json").exists()
        assert catalog[user]["question"] and len(catalog[user]["facts"]) >= 4
