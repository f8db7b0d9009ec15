"""Which backend serves a local model: PR2_SERVING / serving=auto|transformers|llamacpp."""

from __future__ import annotations

from pathlib import Path

import pytest

from pr2_agent.policy import llamacpp as llamacpp_module
from pr2_agent.policy import resolve as resolve_module
from pr2_agent.policy.resolve import served_spec, serving_backend, serving_choice
from pr2_agent.policy.scripted import ScriptedPolicy


@pytest.fixture
def llama(monkeypatch: pytest.MonkeyPatch) -> None:
    """llama-cpp-python installed, models on the CPU, no PR2_SERVING set."""
    monkeypatch.delenv("PR2_SERVING", raising=False)
    monkeypatch.setattr(llamacpp_module, "llama_cpp_available", lambda: True)
    monkeypatch.setattr(resolve_module, "_device", lambda: "cpu")


@pytest.fixture
def artifact(tmp_path: Path) -> Path:
    (tmp_path / "manifest.json").write_text("{}")
    return tmp_path


def test_auto_serves_the_shipped_policy_and_artifacts_on_llamacpp(llama: None, artifact: Path) -> None:
    assert served_spec("embedded") == "llamacpp:embedded"
    assert served_spec(str(artifact)) == f"llamacpp:{artifact}"


def test_auto_keeps_other_local_models_on_transformers(llama: None, tmp_path: Path) -> None:
    # The untrained model's own GGUF is 4-bit (different greedy tokens); a user's checkpoint is not written into.
    for spec in ("embedded-base", "smollm2-135m", "qwen2.5-coder-0.5b", str(tmp_path), f"hf:{tmp_path}"):
        assert served_spec(spec) == spec


def test_auto_falls_back_to_transformers_without_llamacpp_or_on_a_gpu(
    llama: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resolve_module, "_device", lambda: "cuda")
    assert served_spec("embedded") == "embedded"
    monkeypatch.setattr(resolve_module, "_device", lambda: "cpu")
    monkeypatch.setattr(llamacpp_module, "llama_cpp_available", lambda: False)
    assert served_spec("embedded") == "embedded"


def test_the_setting_overrides_auto_both_ways(llama: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert served_spec("embedded", serving="transformers") == "embedded"
    monkeypatch.setenv("PR2_SERVING", "transformers")
    assert served_spec("embedded") == "embedded"
    assert served_spec("embedded", serving="auto") == "llamacpp:embedded"  # the argument beats the variable
    monkeypatch.setenv("PR2_SERVING", "LlamaCpp ")
    assert served_spec("embedded-base") == "llamacpp:embedded-base"
    assert served_spec(f"hf:{tmp_path}") == f"llamacpp:{tmp_path}"


def test_explicit_prefixes_and_endpoints_are_never_rewritten(llama: None) -> None:
    for serving in ("auto", "transformers", "llamacpp"):
        assert served_spec("llamacpp:embedded", serving=serving) == "llamacpp:embedded"
        assert served_spec("openai:gpt-4o-mini", serving=serving) == "openai:gpt-4o-mini"
        assert served_spec("embedded", base_url="http://127.0.0.1:8000/v1", serving=serving) == "embedded"


def test_a_bad_setting_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PR2_SERVING", "vllm")
    with pytest.raises(ValueError, match=r"PR2_SERVING='vllm' is not a serving backend: use one of auto, trans"):
        serving_choice()
    with pytest.raises(ValueError, match=r"^serving='fast'"):
        serving_choice("fast")


def test_llamacpp_serving_without_the_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llamacpp_module, "llama_cpp_available", lambda: False)
    resolve_module.clear_policy_cache()
    with pytest.raises(ValueError, match=r"needs llama-cpp-python: pip install 'pr2-agent\[llamacpp\]'"):
        resolve_module.resolve_policy("embedded", serving="llamacpp")


def test_serving_backend_names_the_backend() -> None:
    assert serving_backend(ScriptedPolicy(["<answer>x</answer>"])) == "ScriptedPolicy"
