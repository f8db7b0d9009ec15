"""Policy artifacts: pack a LoRA adapter, verify its checksum, merge it once into its base model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from pr2_agent import policy_artifact
from pr2_agent.policy_artifact import ArtifactError, PolicyArtifact, ensure_policy, is_artifact, pack_policy
from tests.tiny_model import build_tiny_model


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.fixture()
def trained_run(tmp_path: Path, tiny_dir: Path) -> Path:
    """A training output directory with a LoRA adapter whose update is not zero."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(tiny_dir),
        LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj"], layers_to_transform=[1], layers_pattern="layers"),
    )
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.fill_(0.05)  # a fresh adapter's B is zero: make the merge visible
    out = tmp_path / "run"
    model.save_pretrained(out / "adapter")
    return out


def test_pack_then_merge_changes_only_the_adapted_weights(
    trained_run: Path, tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transformers import AutoModelForCausalLM

    artifact = pack_policy(trained_run, tmp_path / "art", name="mine", base="smollm2-135m", results={"x": 1})
    assert is_artifact(artifact.directory) and artifact.base == "smollm2-135m"
    manifest = json.loads((artifact.directory / "manifest.json").read_text())
    assert manifest["results"] == {"x": 1} and manifest["adapter_parameters"] > 0
    artifact.verify()

    monkeypatch.setenv("PR2_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(policy_artifact, "ensure_model", lambda name: tiny_dir)
    merged = ensure_policy(artifact.directory)
    assert merged.name.startswith("mine-") and (merged / "tokenizer.json").is_file()
    assert ensure_policy(artifact.directory) == merged  # cached: merged once
    before = AutoModelForCausalLM.from_pretrained(tiny_dir).state_dict()
    after = AutoModelForCausalLM.from_pretrained(merged).state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed == {"model.layers.1.self_attn.q_proj.weight"}


def test_a_damaged_adapter_is_refused(trained_run: Path, tmp_path: Path) -> None:
    artifact = pack_policy(trained_run, tmp_path / "art", name="mine", base="smollm2-135m")
    weights = artifact.directory / "adapter_model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="damaged"):
        artifact.verify()


def test_clear_errors_for_what_is_not_an_artifact(tmp_path: Path, trained_run: Path) -> None:
    with pytest.raises(ArtifactError, match="not a policy artifact"):
        PolicyArtifact.load(tmp_path)
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(ArtifactError, match="malformed"):
        PolicyArtifact.load(tmp_path)
    with pytest.raises(ArtifactError, match="not an embedded model"):
        pack_policy(trained_run, tmp_path / "x", name="m", base="gpt-5")
    with pytest.raises(ArtifactError, match="use_peft"):
        pack_policy(tmp_path, tmp_path / "y", name="m", base="smollm2-135m")
