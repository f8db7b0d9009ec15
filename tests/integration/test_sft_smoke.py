"""SFT smoke test: demonstrations -> rows -> SFTTrainer (2 steps) -> a checkpoint the graph can serve."""

from __future__ import annotations

from typing import Any, cast

import pytest
import torch

from pr2_agent import Context, build_graph
from pr2_agent.methods import get_method
from tests.unit.test_demonstrations import KeywordStore, make_record
from tests.unit.test_export import run_records
from trainers.trajectories import demonstration_runner, trajectory_row, write_dataset

pytestmark = pytest.mark.slow


def _params(path) -> dict[str, torch.Tensor]:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(path)
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize(("trainable_layers", "lora"), [(None, False), (1, False), (1, True)])
def test_sft_two_steps_changes_the_model_and_the_checkpoint_serves(tmp_path, trainable_layers, lora):
    from transformers import AutoTokenizer

    from pr2_agent.policy.local import LocalPolicy
    from tests.tiny_model import build_tiny_model
    from trainers.sft_train import main

    base = build_tiny_model(tmp_path / "tiny")
    tokenizer = AutoTokenizer.from_pretrained(base)
    records = [make_record(f"q{i}") for i in range(3)]
    store = KeywordStore({r.id: [(p.id, p.text) for p in r.profile] for r in records})
    run_one = demonstration_runner(store, tokenizer, Context(), seed=0, probe=True, method=get_method("pr2"))
    rows = [trajectory_row(r, s, eos_token_id=tokenizer.eos_token_id) for r, _, s in run_records(records, run_one)]
    data = write_dataset(rows, tmp_path / "demo.jsonl")

    out = tmp_path / "sft"
    argv = [
        "--model_name_or_path", str(base),
        "--dataset_path", str(data),
        "--output_dir", str(out),
        "--max_steps", "2",
        "--per_device_train_batch_size", "2",
        "--learning_rate", "1e-2",
        "--use_cpu", "true",
        "--bf16", "false",
        "--completion_only_loss", "true",
        "--save_strategy", "no",
        "--report_to", "none",
        "--logging_steps", "1",
    ]  # fmt: skip
    if trainable_layers is not None:
        argv += ["--trainable_layers", str(trainable_layers)]
    if lora:
        argv += ["--use_peft", "true", "--lora_r", "4", "--lora_alpha", "8"]
        argv += ["--lora_target_modules", "q_proj", "v_proj"]
    assert main(argv) == 0
    if lora:
        # The adapter is kept next to the merged checkpoint: it is what a shipped policy carries.
        assert (out / "adapter" / "adapter_config.json").is_file()
        assert (out / "adapter" / "adapter_model.safetensors").is_file()

    for name in (
        "config.json",
        "model.safetensors",
        "generation_config.json",
        "tokenizer.json",
        "pr2_sft.json",
        "training_curves.png",
    ):
        assert (out / name).is_file(), name
    before, after = _params(base), _params(out)
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed
    if lora:
        # LoRA on the top block only: its adapted projections move, nothing else.
        adapted = ("model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj")
        assert all(k.startswith(adapted) for k in changed), changed
    elif trainable_layers is not None:
        # Only the top block and the final norm may move; embeddings and lower blocks stay put.
        assert all(k.startswith(("model.layers.1.", "model.norm.")) for k in changed), changed

    policy = LocalPolicy(out, seed=0)
    assert policy.tokenizer.chat_template
    graph = build_graph(model=policy, store=cast(Any, store))
    state = graph.invoke(
        {"question": records[0].question},
        context=Context(user_id=records[0].id, max_new_tokens=8, temperature=0.0),
    )
    assert state["finish"] in ("answer", "forced") and "answer" in state
