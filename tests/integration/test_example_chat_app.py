"""examples/chat_app.py end to end on the embedded model (SmolLM2-135M), as a user runs it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.waiting import run_with_progress

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_chat_app_example_runs_two_turns_on_the_embedded_model():
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    done = run_with_progress(  # fails on a hang (no CPU progress) or a 30 min cap, not on a slow machine
        [sys.executable, str(ROOT / "examples" / "chat_app.py"), "--max-new-tokens", "48"],
        cwd=ROOT, env=env, text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("pr2: ") == 2
    assert "thread 'demo' holds 4 messages" in done.stdout
