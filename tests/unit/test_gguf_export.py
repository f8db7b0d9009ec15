"""Names and layouts of the checkpoint -> GGUF export (the weights round trip is an integration test)."""

from __future__ import annotations

import numpy as np
import pytest

from pr2_agent.gguf_export import GGUFExportError, gguf_name, permute_rotary


@pytest.mark.parametrize(
    ("hf", "gguf"),
    [
        ("model.embed_tokens.weight", "token_embd.weight"),
        ("model.norm.weight", "output_norm.weight"),
        ("lm_head.weight", "output.weight"),
        ("model.layers.0.self_attn.k_proj.weight", "blk.0.attn_k.weight"),
        ("model.layers.29.mlp.down_proj.weight", "blk.29.ffn_down.weight"),
        ("model.layers.7.post_attention_layernorm.weight", "blk.7.ffn_norm.weight"),
    ],
)
def test_llama_cpp_names(hf, gguf):
    assert gguf_name(hf) == gguf


def test_an_unknown_parameter_is_refused_with_the_reason():
    with pytest.raises(GGUFExportError, match="only Llama-architecture"):
        gguf_name("model.layers.0.self_attn.rotary_emb.inv_freq")


def test_rotary_permutation_reorders_rows_within_each_head():
    n_head, head_dim, cols = 3, 4, 2
    weights = np.arange(n_head * head_dim * cols, dtype=np.float32).reshape(n_head * head_dim, cols)
    out = permute_rotary(weights, n_head)
    assert out.shape == weights.shape
    # Within a head, the two rotary halves [0, 1 | 2, 3] are interleaved as [0, 2, 1, 3]; heads stay in place.
    first_col = out[:, 0].reshape(n_head, head_dim) / cols
    assert first_col.tolist() == [[0, 2, 1, 3], [4, 6, 5, 7], [8, 10, 9, 11]]
