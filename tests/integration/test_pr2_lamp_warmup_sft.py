"""PR2's LaMP warm-up end to end on the tiny model: warm-up rows -> sft_train.py with pr2_lamp_sft_cpu.yaml -> the PR2
graph serves the checkpoint on the prompts the rows were built from and still ends every run with a parsed answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pr2_agent.context import Context
from pr2_agent.methods import get_method
from trainers.pr2_lamp_warmup import build_rows, load_task_examples
from trainers.trajectories import run_context, write_dataset

CONFIG = Path(__file__).resolve().parents[2] / "trainers" / "configs" / "pr2_lamp_sft_cpu.yaml"
CONTEXT = Context(top_k=3, retriever="dense", max_searches=1, max_new_tokens=64)


@pytest.fixture(scope="module")
def warmup(tmp_path_factory):
    """The tiny model, 4 records (LaMP-2 and LaMP-3), their hash store and warm-up rows."""
    from transformers import AutoTokenizer

    from pr2_agent.run.ingest import open_store_with_profiles
    from tests.tiny_model import build_tiny_model

    tmp = tmp_path_factory.mktemp("warmup")
    base = build_tiny_model(tmp / "tiny")
    examples = load_task_examples([2, 3], "train", 2)
    store = open_store_with_profiles([e for _, e in examples], tmp / "store", embedding="hash")
    data = build_rows(examples, store=store, tokenizer=AutoTokenizer.from_pretrained(base), context=CONTEXT)
    return base, examples, store, data.rows, write_dataset(data.rows, tmp / "warmup.jsonl")


def test_sft_on_the_rows_runs_and_the_pr2_graph_serves_the_result(warmup, tmp_path):
    from pr2_agent.policy.local import LocalPolicy
    from trainers.sft_train import SUMMARY_FILENAME, main

    base, examples, store, rows, data = warmup
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
        "--disable_tqdm", "true",
    ]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads((out / SUMMARY_FILENAME).read_text())
    assert summary["num_rows"] == len(rows) >= 3 and summary["global_steps"] == 2
    assert (out / "config.json").is_file() and (out / "adapter" / "adapter_config.json").is_file()

    graph = get_method("pr2").build_graph(model=LocalPolicy(out, seed=0), store=store)
    by_id = {r["record_id"]: r for r in rows}
    for _, example in examples:
        if example.id not in by_id:
            continue
        serve = run_context(Context(top_k=3, max_searches=1, max_new_tokens=64, temperature=0.0), example)
        state = graph.invoke({"question": example.question}, context=serve)
        assert state["finish"] in ("answer", "forced") and isinstance(state["answer"], str)
        assert state["prompt_ids"] == by_id[example.id]["prompt_ids"]
