"""pr2 eval serves local models on transformers unless PR2_SERVING says otherwise (batched decoding wins)."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from pr2_agent.evaluation import cli as eval_cli
from pr2_agent.policy import resolve


def _served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_resolve(model: str, **kwargs: Any) -> str:
        seen.update(kwargs, model=model)
        return "policy"

    monkeypatch.setattr(resolve, "resolve_policy", fake_resolve)
    args = argparse.Namespace(model="embedded", base_url=None, seed=0, timeout=60.0)
    assert eval_cli.load_policy(args) == "policy"
    return seen


def test_eval_defaults_to_transformers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(resolve.SERVING_ENV, raising=False)
    assert _served(monkeypatch)["serving"] == "transformers"


@pytest.mark.parametrize("choice", ["llamacpp", "auto", "transformers"])
def test_pr2_serving_still_decides_when_set(monkeypatch: pytest.MonkeyPatch, choice: str) -> None:
    monkeypatch.setenv(resolve.SERVING_ENV, choice)
    assert _served(monkeypatch)["serving"] is None  # resolve_policy reads PR2_SERVING itself
