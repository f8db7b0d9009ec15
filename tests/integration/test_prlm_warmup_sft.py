"""PrLM's format warm-up end to end on the tiny model: warm-up rows -> sft_train.py -> the PrLM graph serves the
checkpoint on the same prompts the rows were built from, and after enough steps writes PrLM's format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pr2_agent.context import Context
from pr2_agent.methods import get_method
from pr2_agent.rewards import think_answer_format
from trainers.prlm_warmup import build_rows, load_task_examples
from trainers.trajectories import run_context, write_dataset

CONFIG = Path(__file__).resolve().parents[2] / "trainers" / "configs" / "prlm_sft_cpu.yaml"
SERVE = Context(top_k=5, retriever="dense", max_new_tokens=128, temperature=0.0)


@pytest.fixture(scope="module")
def warmup(tmp_path_factory):
    """The tiny base model, 4 records (LaMP-4 and LaMP-7), their hash store and warm-up rows."""
    from transformers import AutoTokenizer

    from pr2_agent.run.ingest import open_store_with_profiles
    from tests.tiny_model import build_tiny_model

    tmp = tmp_path_factory.mktemp("warmup")
    base = build_tiny_model(tmp / "tiny")
    examples = load_task_examples([4, 7], "train", 2)
    store = open_store_with_profiles([e for _, e in examples], tmp / "store", embedding="hash")
    context = Context(top_k=5, retriever="dense", max_new_tokens=128)
    rows = build_rows(examples, store=store, tokenizer=AutoTokenizer.from_pretrained(base), context=context).rows
    return base, examples, store, rows, write_dataset(rows, tmp / "warmup.jsonl")


def serve(model, store, examples) -> list[dict]:
    from pr2_agent.policy.local import LocalPolicy

    graph = get_method("prlm").build_graph(model=LocalPolicy(model, seed=0), store=store)
    return [dict(graph.invoke({"question": e.question}, context=run_context(SERVE, e))) for _, e in examples]


def model_text(state: dict) -> str:
    return "".join(s["text"] for s in state["segments"] if s["kind"] == "model")


def sft(argv: list[str]) -> dict:
    from trainers.sft_train import SUMMARY_FILENAME, main

    assert main(argv) == 0
    out = Path(argv[argv.index("--output_dir") + 1])
    return json.loads((out / SUMMARY_FILENAME).read_text())


def test_the_prlm_sft_config_trains_on_the_rows_and_the_graph_serves_the_result(warmup, tmp_path):
    base, examples, store, rows, data = warmup
    out = tmp_path / "sft"
    summary = sft([
        "--config", str(CONFIG),
        "--model_name_or_path", str(base),
        "--dataset_path", str(data),
        "--output_dir", str(out),
        "--max_steps", "2",
        "--trainable_layers", "1",   # the tiny model has 2 blocks (the config adapts the top 10 of SmolLM2's 30)
        "--lora_r", "4", "--lora_alpha", "8",
        "--learning_rate", "1e-2",
        "--logging_steps", "1",
    ])  # fmt: skip
    assert summary["num_rows"] == 4 and summary["global_steps"] == 2
    assert (out / "config.json").is_file() and (out / "adapter" / "adapter_config.json").is_file()

    (state,) = serve(out, store, examples[:1])
    assert state["finish"] in ("answer", "forced") and isinstance(state["answer"], str)
    assert state["retrieved_ids"] == rows[0]["retrieved_ids"] and state["prompt_ids"] == rows[0]["prompt_ids"]


@pytest.fixture(scope="module")
def format_trained(warmup, tmp_path_factory):
    """The tiny model after 120 full-weight SFT steps on the rows (it has to learn the format from scratch)."""
    base, _, _, _, data = warmup
    out = tmp_path_factory.mktemp("sft-format")
    summary = sft([
        "--config", str(CONFIG),
        "--model_name_or_path", str(base),
        "--dataset_path", str(data),
        "--output_dir", str(out),
        "--use_peft", "false", "--trainable_layers", "2",
        "--max_steps", "120",
        "--learning_rate", "1e-2",
        "--warmup_steps", "0",
        "--logging_steps", "20",
        "--disable_tqdm", "true",
    ])  # fmt: skip
    assert summary["global_steps"] == 120
    return out


def test_the_warmup_teaches_the_think_answer_format(warmup, format_trained):
    """The random tiny model never writes the format; after SFT on the rows it does, through the served graph."""
    base, examples, store, _, _ = warmup
    assert [think_answer_format(model_text(s)) for s in serve(base, store, examples)] == [0.0] * 4
    served = serve(format_trained, store, examples)
    assert sum(think_answer_format(model_text(s)) for s in served) >= 3, [model_text(s)[:120] for s in served]
    assert sum(s["finish"] == "answer" for s in served) >= 3


def test_grpo_from_the_warmup_checkpoint_gets_a_format_signal(format_trained, tmp_path):
    """prlm_grpo_warm_cpu.yaml on the tiny models, one step from the format-trained checkpoint: the format term
    fires (it never did from the untrained policy). Temperature 0.3: a tiny model's sampling tail is junk."""
    from tests.tiny_reward_model import build_tiny_reward_model
    from trainers.grpo_train import SUMMARY_FILENAME, main

    out = tmp_path / "grpo"
    argv = [
        "--config", str(CONFIG.with_name("prlm_grpo_warm_cpu.yaml")),
        "--model_name_or_path", str(format_trained),
        "--reward_model_path", str(build_tiny_reward_model(tmp_path / "rm")),
        "--max_train_samples", "2",
        "--context", json.dumps({"store_path": str(tmp_path / "store"), "embedding": "hash", "top_k": 5,
                                 "max_new_tokens": 128}),
        "--output_dir", str(out),
        "--per_device_train_batch_size", "4", "--num_generations", "4", "--gradient_accumulation_steps", "1",
        "--temperature", "0.3",
        "--max_steps", "1",
        "--lora_target_modules", "q_proj", "v_proj",
        "--save_strategy", "no", "--disable_tqdm", "true",
    ]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads((out / SUMMARY_FILENAME).read_text())
    assert summary["initial_model"] == str(format_trained) and summary["global_steps"] == 1
    assert summary["last_log"]["rewards/think_answer_format/mean"] > 0.0
