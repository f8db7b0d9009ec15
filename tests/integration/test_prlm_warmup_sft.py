"""PrLM's format warm-up end to end on the tiny model: warm-up rows -> sft_train.py (the shipped config) -> the
PrLM graph serves the checkpoint on the same prompt the rows were built from."""

from __future__ import annotations

import json
from pathlib import Path

from pr2_agent.context import Context
from pr2_agent.methods import get_method
from trainers.prlm_warmup import build_rows, load_task_examples
from trainers.trajectories import run_context, write_dataset

CONFIG = Path(__file__).resolve().parents[2] / "trainers" / "configs" / "prlm_sft_cpu.yaml"


def test_warmup_rows_train_with_the_prlm_sft_config_and_the_graph_serves_the_result(tmp_path):
    from transformers import AutoTokenizer

    from pr2_agent.policy.local import LocalPolicy
    from pr2_agent.run.ingest import open_store_with_profiles
    from tests.tiny_model import build_tiny_model
    from trainers.sft_train import SUMMARY_FILENAME, main

    base = build_tiny_model(tmp_path / "tiny")
    examples = load_task_examples([4, 7], "train", 2)  # 4 records
    store = open_store_with_profiles([e for _, e in examples], tmp_path / "store", embedding="hash")
    context = Context(top_k=5, retriever="dense", max_new_tokens=128)
    rows = build_rows(examples, store=store, tokenizer=AutoTokenizer.from_pretrained(base), context=context).rows
    data = write_dataset(rows, tmp_path / "warmup.jsonl")

    out = tmp_path / "sft"
    argv = [
        "--config", str(CONFIG),
        "--model_name_or_path", str(base),
        "--dataset_path", str(data),
        "--output_dir", str(out),
        "--max_steps", "2",
        "--trainable_layers", "1",   # the tiny model has 2 blocks (the config adapts the top 10 of SmolLM2's 30)
        "--lora_r", "4", "--lora_alpha", "8",
        "--learning_rate", "1e-2",
        "--logging_steps", "1",
    ]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads((out / SUMMARY_FILENAME).read_text())
    assert summary["num_rows"] == 4 and summary["global_steps"] == 2
    assert (out / "config.json").is_file() and (out / "adapter" / "adapter_config.json").is_file()

    _, example = examples[0]
    graph = get_method("prlm").build_graph(model=LocalPolicy(out, seed=0), store=store)
    state = graph.invoke(
        {"question": example.question},
        context=run_context(Context(top_k=5, retriever="dense", max_new_tokens=8, temperature=0.0), example),
    )
    assert state["finish"] in ("answer", "forced") and isinstance(state["answer"], str)
    assert state["retrieved_ids"] == rows[0]["retrieved_ids"] and state["prompt_ids"] == rows[0]["prompt_ids"]
