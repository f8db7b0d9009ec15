"""PrLM's format warm-up rows: the reply's format and gold, and a prompt equal to the served PrLM graph's."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pytest
import yaml

from pr2_agent.context import Context
from pr2_agent.methods import get_method
from pr2_agent.methods.prlm_graph import prlm_answer
from pr2_agent.rewards import think_answer_format
from trainers.prlm_warmup import (
    PRLM_TASKS,
    build_rows,
    load_task_examples,
    main,
    past_outputs,
    style_reasoning,
    warmup_reply,
)
from trainers.sft_train import prepare_rows
from trainers.trajectories import load_rows, run_context


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    from tests.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def examples():
    return load_task_examples([4, 5, 7], "train", 2)


@pytest.fixture(scope="module")
def store(tmp_path_factory, examples):
    from pr2_agent.run.ingest import open_store_with_profiles

    return open_store_with_profiles([e for _, e in examples], tmp_path_factory.mktemp("store"), embedding="hash")


@pytest.fixture(scope="module")
def tokenizer(tiny_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_dir)


CONTEXT = Context(top_k=5, retriever="dense", max_new_tokens=128)


@pytest.fixture(scope="module")
def rows(examples, store, tokenizer):
    data = build_rows(examples, store=store, tokenizer=tokenizer, context=CONTEXT)
    assert data.too_long == []
    return data.rows


def test_doctests():
    import trainers.prlm_warmup as module

    result = doctest.testmod(module)
    assert result.attempted >= 5 and result.failed == 0


def test_reasoning_names_the_shared_opening_ending_and_length():
    text = style_reasoning(["Well folks, a cat. Life, kids", "Well folks, rain fell. Life, kids"], "tweet")
    assert '"Well folks, a cat. Life, kids"' in text  # the most similar one, quoted
    assert 'open with "Well folks," and end with "Life, kids"' in text
    assert "about 6 words long" in text and "lower case" not in text


def test_reasoning_without_a_shared_frame_or_items():
    assert "share no fixed opening or ending" in style_reasoning(["A big storm", "Rain again today"], "headline")
    one = style_reasoning(["Rain again today"], "headline")
    assert "retrieved headlines" not in one and "about 3 words long" in one
    assert style_reasoning(["", "  "], "title").startswith("No past title of this user was retrieved")


def test_reply_has_the_think_answer_format_and_the_gold_is_its_answer():
    reply = warmup_reply("they keep it short", "New job!")
    assert think_answer_format(reply) == 1.0
    assert prlm_answer(reply) == ("New job!", True)


def test_outside_text_cannot_break_the_reply_format():
    reply = warmup_reply("quoting </think> from a tweet", "a <answer>tagged</answer> gold")
    assert think_answer_format(reply) == 1.0
    assert reply.count("<answer>") == 1 and reply.count("</think>") == 1


def test_rows_think_over_the_retrieved_items_and_answer_the_gold(rows, examples):
    by_id = {e.id: (n, e) for n, e in examples}
    assert sorted(r["lamp_task"] for r in rows) == [4, 4, 5, 5, 7, 7]
    for row in rows:
        n, example = by_id[row["record_id"]]
        assert row["gold"] == example.reference.output
        assert row["answer"] == row["gold"] and row["finish"] == "answer"
        assert think_answer_format(row["text"]) == 1.0
        assert len(row["retrieved_ids"]) == 5
        top = past_outputs(example, row["retrieved_ids"][:1], n)[0]
        assert f'past {PRLM_TASKS[n].noun} of this user is "{top}"' in row["reasoning"]
        assert row["reasoning"] in row["text"]
        # The gold is never the reasoning's source: it shows only inside <answer>.
        assert row["gold"] not in row["reasoning"]


def test_rows_are_what_sft_train_trains_on(rows, tokenizer, tmp_path):
    from trainers.trajectories import write_dataset

    for row in rows:
        n_prompt = len(row["prompt_ids"])
        assert row["input_ids"] == row["prompt_ids"] + row["completion_ids"] + [tokenizer.eos_token_id]
        assert row["completion_mask"] == [0] * n_prompt + [1] * (len(row["input_ids"]) - n_prompt)
    dataset = prepare_rows(load_rows(write_dataset(rows, tmp_path / "w.jsonl")), max_length=1024)
    assert len(dataset) == len(rows) and dataset.column_names == ["input_ids", "completion_mask"]


@pytest.mark.parametrize("retriever", ["dense", "bm25"])
def test_the_prompt_is_the_one_the_served_prlm_graph_feeds_the_policy(examples, store, tokenizer, tiny_dir, retriever):
    """Serve the record with the PrLM graph on a real (tiny) local policy: its prompt ids are the row's."""
    from pr2_agent.policy.local import LocalPolicy

    context = Context(top_k=5, retriever=retriever, max_new_tokens=128)
    (row,) = build_rows(examples[-1:], store=store, tokenizer=tokenizer, context=context).rows
    _, example = examples[-1]
    graph = get_method("prlm").build_graph(model=LocalPolicy(tiny_dir, seed=0), store=store)
    served = graph.invoke(
        {"question": example.question},
        context=run_context(Context(top_k=5, retriever=retriever, max_new_tokens=2, temperature=0.0), example),
    )
    assert served["retrieved_ids"] == row["retrieved_ids"]
    assert served["prompt_ids"] == row["prompt_ids"]


def test_replies_longer_than_the_rollout_turn_are_left_out(examples, store, tokenizer):
    data = build_rows(examples[:2], store=store, tokenizer=tokenizer, context=Context(top_k=5, max_new_tokens=10))
    assert data.rows == [] and data.too_long == [e.id for _, e in examples[:2]]


def test_main_writes_rows(tiny_dir, tmp_path, capsys):
    out = tmp_path / "warmup.jsonl"
    argv = ["--tasks", "7", "--limit", "2", "--tokenizer", str(tiny_dir), "--embedding", "hash",
            "--store", str(tmp_path / "store"), "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["lamp_task"] for r in written] == [7, 7] and all(r["source"] == "prlm-warmup" for r in written)
    assert "rows: 2 {7: 2}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tasks", "3"], "--tasks takes PrLM's LaMP tasks [4, 5, 7]"),
        (["--top-k", "0"], "--top-k must be >= 1"),
    ],
)
def test_bad_arguments_are_one_line(argv, message, tmp_path, capsys):
    assert main([*argv, "--out", str(tmp_path / "x.jsonl")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


CONFIGS = Path(__file__).resolve().parents[2] / "trainers" / "configs"


def test_the_configs_chain_warmup_rows_to_sft_to_grpo():
    """prlm_sft_cpu.yaml trains on the warm-up rows; prlm_grpo_warm_cpu.yaml starts from its checkpoint and is
    otherwise prlm_grpo_cpu.yaml, whose rollout context the warm-up's defaults reproduce (no train/serve skew)."""
    from trl import GRPOConfig, ModelConfig, SFTConfig, TrlParser

    from trainers.grpo_train import PR2ScriptArguments
    from trainers.prlm_warmup import build_parser
    from trainers.sft_train import SFTScriptArguments

    sft_path, warm_path = CONFIGS / "prlm_sft_cpu.yaml", CONFIGS / "prlm_grpo_warm_cpu.yaml"
    sft_script, sft, sft_model = TrlParser((SFTScriptArguments, SFTConfig, ModelConfig)).parse_args_and_config(
        args=["--config", str(sft_path)]
    )
    grpo_script, grpo, grpo_model = TrlParser((PR2ScriptArguments, GRPOConfig, ModelConfig)).parse_args_and_config(
        args=["--config", str(warm_path)]
    )
    assert sft.completion_only_loss and sft_model.use_peft and sft_model.model_name_or_path == "embedded-base"
    assert grpo_model.model_name_or_path == sft.output_dir
    assert grpo_script.method == "prlm" and grpo.reward_weights == [1.0, 0.1, 0.1]

    cold, warm = (yaml.safe_load((CONFIGS / name).read_text()) for name in ("prlm_grpo_cpu.yaml", warm_path.name))
    assert {k for k in cold if cold[k] != warm[k]} == {"model_name_or_path", "output_dir"}

    defaults = build_parser().parse_args(["--out", sft_script.dataset_path])
    rollout = grpo_script.run_context()
    assert (defaults.store, defaults.embedding, defaults.retriever) == (
        rollout.store_path, rollout.embedding, rollout.retriever
    )
    assert (defaults.top_k, defaults.max_new_tokens) == (rollout.top_k, rollout.max_new_tokens)


def test_an_unknown_tokenizer_is_one_line(tmp_path, capsys):
    argv = ["--tasks", "7", "--limit", "1", "--tokenizer", str(tmp_path / "nope"), "--embedding", "hash",
            "--store", str(tmp_path / "store"), "--out", str(tmp_path / "x.jsonl")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("prlm_warmup: error: model") and err.count("\n") == 1
