"""Policy artifacts: a trained LoRA adapter over an embedded base model, verified, merged once.

A trained 135M policy is a 517 MB checkpoint; what training changed is a few MB of low-rank
updates. An artifact carries only those, so the package can ship its trained policy and users can
ship theirs. It is a directory::

    manifest.json                name, base model, sha256 of the adapter, how it was made and measured
    adapter_config.json          PEFT's LoRA config
    adapter_model.safetensors    the adapter weights, float16
    MODEL_CARD.md                data, config, commands, measured results

``ensure_policy`` verifies the checksum, merges the adapter into the base model once and caches
the result as a plain transformers checkpoint (``PR2_HOME/models/<name>-<sha>/``), which every
backend then loads as any checkpoint (``llamacpp:`` exports it to GGUF on first use).
``pack_policy`` makes an artifact from a LoRA training run (``trainers/sft_train.py`` with
``use_peft`` keeps the adapter in ``OUTPUT/adapter/``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pr2_agent.weights import EMBEDDED_MODELS, WeightsError, ensure_model, pr2_home

logger = logging.getLogger(__name__)

ARTIFACTS_DIR = Path(__file__).parent / "artifacts"
SHIPPED_POLICY = "pr2-smollm2-135m"
"""The trained policy in the package: what ``embedded`` serves."""
MANIFEST = "manifest.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
ADAPTER_CONFIG = "adapter_config.json"
MODEL_CARD = "MODEL_CARD.md"
FORMAT_VERSION = 1


class ArtifactError(WeightsError):
    """A policy artifact is missing, malformed or corrupted."""


@dataclass(frozen=True)
class PolicyArtifact:
    """A verified-on-use policy artifact directory."""

    name: str
    base: str
    """Registered embedded model the adapter was trained on (``smollm2-135m``)."""
    directory: Path
    adapter_sha256: str

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> PolicyArtifact:
        """Read an artifact's manifest.

        Raises:
            ArtifactError: no manifest, a field missing, or an unknown base model.
        """
        path = Path(directory)
        manifest_path = path / MANIFEST
        if not manifest_path.is_file():
            raise ArtifactError(
                f"{path} is not a policy artifact (no {MANIFEST}). A LoRA training run over an embedded model "
                "writes one in OUTPUT/policy/ (trainers/configs/sft_lora_cpu.yaml)."
            )
        try:
            manifest = json.loads(manifest_path.read_text())
            name, base, sha = str(manifest["name"]), str(manifest["base"]), str(manifest["adapter_sha256"])
        except (ValueError, KeyError, TypeError) as err:
            raise ArtifactError(f"{manifest_path} is malformed ({err!r}); re-create it from the training run.") from err
        if base not in EMBEDDED_MODELS:
            raise ArtifactError(
                f"{manifest_path}: base model {base!r} is not an embedded model ({', '.join(EMBEDDED_MODELS)})."
            )
        return cls(name=name, base=base, directory=path, adapter_sha256=sha)

    def verify(self) -> None:
        """Check the adapter file against the manifest's sha256.

        Raises:
            ArtifactError: the file is missing or its content differs (a damaged copy).
        """
        weights = self.directory / ADAPTER_WEIGHTS
        if not weights.is_file() or not (self.directory / ADAPTER_CONFIG).is_file():
            raise ArtifactError(
                f"{self.directory} lacks {ADAPTER_WEIGHTS} or {ADAPTER_CONFIG}; re-install or re-pack it."
            )
        actual = _sha256(weights)
        if actual != self.adapter_sha256:
            raise ArtifactError(
                f"{weights} has sha256 {actual}, but its manifest says {self.adapter_sha256}: the file is damaged. "
                "Re-install pr2-agent (or re-pack your artifact)."
            )


def shipped_policy_dir(name: str = SHIPPED_POLICY) -> Path:
    """Directory of a policy artifact shipped inside the package."""
    return ARTIFACTS_DIR / name


def is_artifact(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a policy artifact directory (has a manifest)."""
    return (Path(path) / MANIFEST).is_file()


def ensure_policy(directory: str | os.PathLike[str] | None = None) -> Path:
    """Return a transformers checkpoint of the artifact at ``directory`` (the shipped one by default).

    The first call verifies the adapter, merges it into its base model and caches the result
    (seconds); later calls return the cached directory at once.
    """
    artifact = PolicyArtifact.load(shipped_policy_dir() if directory is None else directory)
    out = pr2_home() / "models" / f"{artifact.name}-{artifact.adapter_sha256[:12]}"
    if (out / "config.json").is_file():
        return out
    artifact.verify()
    base_dir = ensure_model(artifact.base)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-"))
    tmp.chmod(0o755)
    try:
        _merge(base_dir, artifact.directory, tmp)
        try:
            os.rename(tmp, out)
        except OSError:
            if not (out / "config.json").is_file():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another process merged it first
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("Merged policy %s into %s", artifact.name, out)
    return out


def pack_policy(
    trained_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    name: str,
    base: str,
    card: str = "",
    results: dict[str, Any] | None = None,
) -> PolicyArtifact:
    """Make an artifact from a LoRA training run's ``adapter/`` directory.

    Args:
        trained_dir: A trainer's output directory (``trainers/sft_train.py`` with ``use_peft``).
        out_dir: Where the artifact is written (created; must not hold another artifact).
        name: The artifact's name (its cache key, with the checksum).
        base: The embedded model the run started from.
        card: Markdown for MODEL_CARD.md (data, config, commands, measured results).
        results: Measured numbers to keep in the manifest.

    Raises:
        ArtifactError: no adapter in ``trained_dir``, or an unknown base.
    """
    from safetensors.torch import load_file, save_file

    adapter = Path(trained_dir) / "adapter"
    if not (adapter / ADAPTER_WEIGHTS).is_file():
        raise ArtifactError(
            f"{adapter} has no {ADAPTER_WEIGHTS}: pack a LoRA run (use_peft: true in the trainer's config)."
        )
    if base not in EMBEDDED_MODELS:
        raise ArtifactError(f"base {base!r} is not an embedded model ({', '.join(EMBEDDED_MODELS)}).")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    weights = {k: v.half().contiguous() for k, v in load_file(str(adapter / ADAPTER_WEIGHTS)).items()}
    save_file(weights, str(out / ADAPTER_WEIGHTS), metadata={"format": "pt"})
    (out / ADAPTER_WEIGHTS).chmod(0o644)  # written private; an artifact is data to share
    config = json.loads((adapter / ADAPTER_CONFIG).read_text())
    config["base_model_name_or_path"] = base  # not a hub id: the embedded model it merges into
    (out / ADAPTER_CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    manifest = {
        "format": FORMAT_VERSION,
        "name": name,
        "base": base,
        "adapter_sha256": _sha256(out / ADAPTER_WEIGHTS),
        "adapter_parameters": sum(v.numel() for v in weights.values()),
        "results": results or {},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    if card:
        (out / MODEL_CARD).write_text(card)
    return PolicyArtifact.load(out)


def _merge(base_dir: Path, adapter_dir: Path, out: Path) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32, local_files_only=True)
    merged = PeftModel.from_pretrained(model, str(adapter_dir), is_trainable=False).merge_and_unload()
    merged.save_pretrained(out)
    AutoTokenizer.from_pretrained(base_dir, local_files_only=True).save_pretrained(out)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
