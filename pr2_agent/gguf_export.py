"""A trained transformers checkpoint written back as a GGUF, so llama.cpp serves it as fast as the base model.

The embedded models ship as GGUF; ``pr2_agent.weights`` converts them to transformers checkpoints
for training. This is the way back for Llama-architecture checkpoints (SmolLM2): the metadata and
tokenizer are copied from the model's original GGUF (the template), the tensors come from the
checkpoint, renamed to llama.cpp's names, with the query/key rows permuted the way llama.cpp's own
converter does (it interleaves rotary halves differently from transformers). Norms stay float32;
other tensors are written as float16 (``dtype="f16"``, half the size) or float32 (exact).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any, Literal

import numpy as np

GGUF_FILENAME = "model-{dtype}.gguf"
"""Where a checkpoint's GGUF is cached, inside the checkpoint directory."""

_LAYER_NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
    "input_layernorm": "attn_norm",
    "post_attention_layernorm": "ffn_norm",
}
_LAYER = re.compile(r"model\.layers\.(\d+)\.(.+)\.weight")
_SKIPPED_KEYS = ("GGUF.", "general.file_type", "general.quantization_version")


class GGUFExportError(ValueError):
    """The checkpoint cannot be written as a GGUF llama.cpp serves (architecture, shapes, template)."""


def gguf_name(hf_name: str) -> str:
    """llama.cpp's tensor name for a transformers Llama parameter.

    Example:
        >>> gguf_name("model.layers.3.self_attn.q_proj.weight"), gguf_name("model.norm.weight")
        ('blk.3.attn_q.weight', 'output_norm.weight')
    """
    if hf_name == "model.embed_tokens.weight":
        return "token_embd.weight"
    if hf_name == "model.norm.weight":
        return "output_norm.weight"
    if hf_name == "lm_head.weight":
        return "output.weight"
    match = _LAYER.fullmatch(hf_name)
    if match is None or match.group(2) not in _LAYER_NAMES:
        raise GGUFExportError(f"no llama.cpp name for parameter {hf_name!r}: only Llama-architecture checkpoints.")
    return f"blk.{match.group(1)}.{_LAYER_NAMES[match.group(2)]}.weight"


def permute_rotary(weights: np.ndarray, n_head: int) -> np.ndarray:
    """Reorder a query/key projection's rows from transformers' rotary layout to llama.cpp's."""
    rows = weights.shape[0]
    return weights.reshape(n_head, 2, rows // n_head // 2, *weights.shape[1:]).swapaxes(1, 2).reshape(weights.shape)


def checkpoint_to_gguf(
    checkpoint: Path, template: Path, out: Path | None = None, *, dtype: Literal["f16", "f32"] = "f16"
) -> Path:
    """Write ``checkpoint``'s weights as a GGUF with ``template``'s metadata and tokenizer; return its path.

    Args:
        checkpoint: A transformers Llama checkpoint (e.g. a trained policy) of the template's model.
        template: The model's original GGUF (the embedded model's, from ``pr2_agent.weights.gguf_path``).
        out: Where to write (default: ``checkpoint/model-<dtype>.gguf``); written atomically.
        dtype: ``f16`` (half the size) or ``f32`` (bit-exact weights).

    Raises:
        GGUFExportError: Not a Llama checkpoint, or its shapes do not match the template's.
    """
    import torch
    from gguf import GGUFReader, GGUFWriter, LlamaFileType
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(checkpoint, local_files_only=True)
    if config.model_type != "llama":
        raise GGUFExportError(f"{checkpoint} is a {config.model_type!r} model; GGUF export handles Llama (SmolLM2).")
    reader = GGUFReader(str(template))
    arch = str(reader.fields["general.architecture"].contents())
    if arch != "llama":
        raise GGUFExportError(f"the template {template} is a {arch!r} GGUF, not llama.")
    expected = {t.name: tuple(int(d) for d in reversed(t.shape)) for t in reader.tensors}
    model: Any = AutoModelForCausalLM.from_pretrained(checkpoint, dtype=torch.float32, local_files_only=True)
    state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    if getattr(config, "tie_word_embeddings", False):
        state.pop("lm_head.weight", None)  # llama.cpp reuses token_embd for tied heads
    tensors: dict[str, np.ndarray] = {}
    for hf_name, value in state.items():
        name = gguf_name(hf_name)
        if name.endswith("attn_q.weight"):
            value = permute_rotary(value, config.num_attention_heads)
        elif name.endswith("attn_k.weight"):
            value = permute_rotary(value, config.num_key_value_heads)
        if expected.get(name) != tuple(value.shape):
            raise GGUFExportError(
                f"{checkpoint}: {hf_name} has shape {tuple(value.shape)}, the template's {name} has "
                f"{expected.get(name)}: the checkpoint is not a fine-tune of the template's model."
            )
        keep_f32 = dtype == "f32" or value.ndim == 1
        tensors[name] = value.astype(np.float32 if keep_f32 else np.float16)
    missing = sorted(set(expected) - set(tensors))
    if missing:
        raise GGUFExportError(f"{checkpoint} lacks {len(missing)} tensors of the template, e.g. {missing[:3]}.")

    out = Path(out) if out is not None else Path(checkpoint) / GGUF_FILENAME.format(dtype=dtype)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    try:
        writer = GGUFWriter(tmp, arch=arch)
        for key, field in reader.fields.items():
            if key.startswith(_SKIPPED_KEYS) or key == "general.architecture":
                continue
            sub_type = field.types[-1] if len(field.types) > 1 else None
            writer.add_key_value(key, field.contents(), field.types[0], sub_type=sub_type)
        writer.add_file_type(int(LlamaFileType.MOSTLY_F16 if dtype == "f16" else LlamaFileType.ALL_F32))
        for name in (t.name for t in reader.tensors):  # the template's order
            writer.add_tensor(name, tensors[name])
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def template_for(checkpoint: Path) -> Path:
    """The original GGUF of the embedded model ``checkpoint`` was fine-tuned from (same shapes and vocabulary).

    Raises:
        GGUFExportError: No embedded model has the checkpoint's architecture and sizes.
    """
    from gguf import GGUFReader
    from transformers import AutoConfig

    from pr2_agent.weights import DEFAULT_MODEL, EMBEDDED_MODELS, ensure_gguf, gguf_path

    config = AutoConfig.from_pretrained(checkpoint, local_files_only=True)
    wanted = (config.num_hidden_layers, config.hidden_size, config.vocab_size)
    for name in EMBEDDED_MODELS:
        path = ensure_gguf(name) if name == DEFAULT_MODEL else gguf_path(name)
        if not path.is_file():
            continue
        fields = GGUFReader(str(path)).fields
        arch = str(fields["general.architecture"].contents())
        sizes = tuple(
            int(fields[f"{arch}.{key}"].contents()) if f"{arch}.{key}" in fields else -1
            for key in ("block_count", "embedding_length", "vocab_size")
        )
        if sizes == wanted:
            return path
    raise GGUFExportError(
        f"{checkpoint} ({config.model_type}, {wanted[0]} layers, hidden {wanted[1]}, vocab {wanted[2]}) matches no "
        "embedded model whose GGUF is on this machine; serve it with the transformers path (model=PATH)."
    )


def served_gguf(checkpoint: Path) -> Path:
    """The checkpoint's float16 GGUF for llama.cpp, written next to its weights on first use."""
    out = Path(checkpoint) / GGUF_FILENAME.format(dtype="f16")
    weights = [p for p in Path(checkpoint).glob("*.safetensors")]
    fresh = out.is_file() and all(out.stat().st_mtime >= w.stat().st_mtime for w in weights)
    return out if fresh else checkpoint_to_gguf(Path(checkpoint), template_for(Path(checkpoint)), out, dtype="f16")
