"""resolve_policy: every accepted model string, caching, and the errors for the rest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pr2_agent.policy import resolve as resolve_module
from pr2_agent.policy.chat import ChatModelPolicy
from pr2_agent.policy.local import LocalPolicy
from pr2_agent.policy.resolve import clear_policy_cache, resolve_policy
from tests.tiny_model import build_tiny_model


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch, tiny_dir: Path) -> Iterator[list[str]]:
    """Empty policy cache; embedded names resolve to the tiny model instead of downloading."""
    ensured: list[str] = []

    def fake_ensure_model(name: str) -> Path:
        ensured.append(name)
        return tiny_dir

    def fake_ensure_policy(directory: Path | None = None) -> Path:
        ensured.append("policy" if directory is None else str(directory))
        return tiny_dir

    monkeypatch.setattr(resolve_module, "ensure_model", fake_ensure_model)
    monkeypatch.setattr(resolve_module, "ensure_policy", fake_ensure_policy)
    monkeypatch.setenv("PR2_SERVING", "transformers")  # these check the forms; test_policy_serving the backend choice
    clear_policy_cache()
    yield ensured
    clear_policy_cache()


def test_embedded_is_the_shipped_policy_and_embedded_base_the_untrained_model(fresh_cache: list[str]) -> None:
    policy = resolve_policy()
    assert isinstance(policy, LocalPolicy)
    assert policy.name == "pr2-smollm2-135m"
    assert resolve_policy("embedded") is policy
    base = resolve_policy("embedded-base")
    assert isinstance(base, LocalPolicy) and base is not policy
    assert base.name == "smollm2-135m"
    assert resolve_policy("smollm2-135m") is base
    assert fresh_cache == ["policy", "smollm2-135m"]  # each merged/converted/loaded once


def test_other_embedded_model_and_seed_are_separate_entries(fresh_cache: list[str]) -> None:
    qwen = resolve_policy("qwen2.5-coder-0.5b")
    assert qwen.name == "qwen2.5-coder-0.5b"
    seeded = resolve_policy("embedded-base", seed=3)
    assert isinstance(seeded, LocalPolicy) and seeded.seed == 3
    assert seeded is not resolve_policy("embedded-base")
    assert fresh_cache == ["qwen2.5-coder-0.5b", "smollm2-135m", "smollm2-135m"]


def test_checkpoint_directory_and_hf_prefix(tiny_dir: Path) -> None:
    policy = resolve_policy(str(tiny_dir))
    assert isinstance(policy, LocalPolicy)
    assert resolve_policy(f"hf:{tiny_dir}") is policy


def test_openai_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    served = resolve_policy("smollm2", base_url="http://127.0.0.1:8080/v1")
    assert isinstance(served, ChatModelPolicy)
    assert served.chat_model.openai_api_base == "http://127.0.0.1:8080/v1"  # type: ignore[attr-defined]
    hosted = resolve_policy("openai:gpt-4o-mini", api_key="k")
    assert isinstance(hosted, ChatModelPolicy)
    assert hosted.chat_model.model_name == "gpt-4o-mini"  # type: ignore[attr-defined]
    assert hosted.name == "openai:gpt-4o-mini"
    # With base_url, even an embedded name means "the model served there".
    assert isinstance(resolve_policy("smollm2-135m", base_url="http://127.0.0.1:8080/v1"), ChatModelPolicy)


@pytest.mark.parametrize(
    ("model", "match"),
    [
        ("gpt-5", "Unknown model 'gpt-5'.*'embedded'.*'hf:PATH'.*'openai:NAME'.*base_url"),
        ("./no/such/checkpoint", "looks like a path"),
        ("hf:/no/such/dir", "is not a directory"),
        ("openai:", "names no model"),
        ("  ", "non-empty string"),
    ],
)
def test_unusable_strings_explain_the_accepted_forms(model: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        resolve_policy(model)


def test_a_policy_artifact_directory_is_merged_and_served(fresh_cache: list[str], tmp_path: Path) -> None:
    artifact = tmp_path / "my-policy"
    artifact.mkdir()
    (artifact / "manifest.json").write_text("{}")  # is_artifact only looks for the manifest
    policy = resolve_policy(str(artifact))
    assert isinstance(policy, LocalPolicy) and policy.name == "my-policy"
    assert fresh_cache == [str(artifact)]
