"""Exported SFT rows: ids and masks line up with the graph's segments; TRL's labels mask the rest."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from pr2_agent import Context
from pr2_agent.judges import JudgeResult
from pr2_agent.judges.base import AspectJudgement
from pr2_agent.methods import get_method
from pr2_agent.policy.batching import BatchingPolicy
from pr2_agent.policy.scripted import ScriptedPolicy
from pr2_agent.run.fanout import run_jobs
from pr2_agent.tasks import get_task
from pr2_agent.tasks.lampqa import lampqa_example
from tests.unit.test_demonstrations import KeywordStore, make_record
from trainers.sft_train import SFTScriptArguments, prepare_rows
from trainers.trajectories import (
    collect_rows,
    demonstration_runner,
    load_rows,
    model_runner,
    trajectory_row,
    write_dataset,
)

PR2 = get_method("pr2")


def run_records(records, run_one, *, samples=1, workers=1, batching=None):
    """(example, sample, final state) of every graph run, through the run layer's fan-out."""
    jobs = [(lampqa_example(r), s) for r in records for s in range(samples)]
    for finished in run_jobs(jobs, run_one, workers=workers, batching=batching):
        example, sample = finished.job
        yield example, sample, finished.result


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from transformers import AutoTokenizer

    from tests.tiny_model import build_tiny_model

    path = build_tiny_model(tmp_path_factory.mktemp("tiny"))
    return path, AutoTokenizer.from_pretrained(path)


def demo_runs(tokenizer, *, n_records: int = 3, samples: int = 2, max_searches: int = 3):
    records = [make_record(f"q{i}") for i in range(n_records)]
    store = KeywordStore({r.id: [(p.id, p.text) for p in r.profile] for r in records})
    run_one = demonstration_runner(store, tokenizer, Context(max_searches=max_searches), seed=0, probe=True, method=PR2)
    return list(run_records(records, run_one, samples=samples))


def test_row_ids_and_masks_line_up_with_the_segments(tiny):
    _, tokenizer = tiny
    eos = tokenizer.eos_token_id
    for record, _, state in demo_runs(tokenizer):
        row = trajectory_row(record, state, eos_token_id=eos)
        prompt, completion = row["prompt_ids"], row["completion_ids"]
        assert row["input_ids"] == prompt + completion + [eos]
        assert len(row["completion_mask"]) == len(row["input_ids"])
        assert len(row["env_mask"]) == len(completion)
        assert row["completion_mask"][: len(prompt)] == [0] * len(prompt)
        assert row["completion_mask"][-1] == 1  # the EOS is learned: the model must stop after </answer>
        # Segment by segment: zeros exactly on what the graph inserted, ones on what the policy wrote.
        at = len(prompt)
        for seg in state["segments"]:
            ids = seg["token_ids"]
            assert row["input_ids"][at : at + len(ids)] == ids
            assert row["completion_mask"][at : at + len(ids)] == [int(seg["kind"] == "model")] * len(ids)
            at += len(ids)
        assert at == len(row["input_ids"]) - 1
        assert any(seg["kind"] == "env" for seg in state["segments"])
        assert row["prompt_version"] and row["finish"] == "answer" and row["searches"]
        assert row["evidence_recall"] is not None and 0 <= row["evidence_recall"] <= 1


def test_prompt_ids_are_the_chat_templated_prompt(tiny):
    _, tokenizer = tiny
    record, _, state = demo_runs(tokenizer, n_records=1, samples=1)[0]
    row = trajectory_row(record, state, eos_token_id=tokenizer.eos_token_id)
    from pr2_agent.parsing import render_user_prompt

    messages = [{"role": "user", "content": render_user_prompt(record.question)}]
    expected = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=False)
    assert row["prompt_ids"] == list(expected)


def test_sft_labels_are_ignored_exactly_on_prompt_and_inserted_tokens(tiny, tmp_path):
    from transformers import AutoModelForCausalLM
    from trl import SFTConfig, SFTTrainer

    path, tokenizer = tiny
    rows = [trajectory_row(r, s, eos_token_id=tokenizer.eos_token_id) for r, _, s in demo_runs(tokenizer)]
    out = write_dataset(rows, tmp_path / "rows.jsonl")
    dataset = prepare_rows(load_rows(out), max_length=4096)
    args = SFTConfig(
        output_dir=str(tmp_path / "sft"),
        use_cpu=True,
        bf16=False,
        completion_only_loss=True,
        max_length=4096,
        per_device_train_batch_size=len(rows),
        report_to=[],
    )
    model = AutoModelForCausalLM.from_pretrained(path)
    trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer)
    batch = next(iter(trainer.get_train_dataloader()))
    by_ids = {tuple(r["input_ids"]): r for r in rows}
    for input_ids, labels, attention in zip(batch["input_ids"], batch["labels"], batch["attention_mask"], strict=True):
        n = int(attention.sum())
        row = by_ids[tuple(input_ids[:n].tolist())]
        mask = row["completion_mask"]
        expected = [tok if keep else -100 for tok, keep in zip(row["input_ids"], mask, strict=True)]
        assert labels[:n].tolist() == expected
        assert (labels[n:] == -100).all()  # padding
        assert sum(mask) == sum(row["env_mask"]) + 1  # the policy's tokens and the EOS


def test_forced_runs_are_dropped_unless_kept(tiny):
    _, tokenizer = tiny
    turns = ["<think>a</think><search>x</search>", "<search>y</search>", "Rice</answer>"]
    record = make_record("q0")
    store = KeywordStore({record.id: [(p.id, p.text) for p in record.profile]})
    from trainers.demonstrations import TokenizedPolicy

    def runs():
        policy = TokenizedPolicy(ScriptedPolicy(list(turns)), tokenizer)
        return run_records([record], model_runner(policy, store, Context(max_searches=1), method=PR2))

    assert collect_rows(runs(), eos_token_id=tokenizer.eos_token_id).dropped_forced == 1
    kept = collect_rows(runs(), eos_token_id=tokenizer.eos_token_id, keep_forced=True)
    assert len(kept.rows) == 1 and kept.rows[0]["finish"] == "forced"
    # The forced-answer nudge is inserted text: masked like an <information> block.
    row = kept.rows[0]
    nudge = tokenizer("\n\n<information>", add_special_tokens=False).input_ids
    start = next(i for i in range(len(row["input_ids"])) if row["input_ids"][i : i + len(nudge)] == nudge)
    assert row["completion_mask"][start] == 0


class FixedJudge:
    name, is_proxy = "fixed", True

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores

    def judge(self, question, narrative, aspects, response) -> JudgeResult:
        score = next(v for k, v in self.scores.items() if k in response)
        return JudgeResult([AspectJudgement("a", score * 2, None)], score, self.name, True)

    def judge_batch(self, items):
        return [self.judge(i.question, i.narrative, i.aspects, i.response) for i in items]


def test_rejection_sampling_keeps_runs_at_or_above_the_threshold(tiny):
    _, tokenizer = tiny
    records = [make_record("good"), make_record("bad")]
    store = KeywordStore({r.id: [(p.id, p.text) for p in r.profile] for r in records})
    from trainers.demonstrations import TokenizedPolicy

    answers = iter(["<think>t</think><answer>great</answer>", "<think>t</think><answer>poor</answer>"])
    policy = TokenizedPolicy(ScriptedPolicy(list(answers)), tokenizer)
    runs = run_records(records, model_runner(policy, store, Context(), method=PR2))
    kept = collect_rows(
        runs,
        eos_token_id=tokenizer.eos_token_id,
        task=get_task("lampqa"),
        judge=cast(Any, FixedJudge({"great": 0.9, "poor": 0.1})),
        min_score=0.5,
    )
    assert [r["answer"] for r in kept.rows] == ["great"]
    assert kept.rows[0]["judge_score"] == 0.9 and kept.rows[0]["judge"] == "fixed"
    assert kept.dropped_low_score == 1


def test_threads_with_batching_run_every_job_once(tiny):
    _, tokenizer = tiny
    records = [make_record(f"q{i}") for i in range(5)]
    store = KeywordStore({r.id: [(p.id, p.text) for p in r.profile] for r in records})
    scripted = ScriptedPolicy(["<think>t</think><answer>ok</answer>"] * 10, with_token_ids=True)
    batching = BatchingPolicy(scripted, max_batch=4)
    runs = list(
        run_records(
            records, model_runner(batching, store, Context(), method=PR2), samples=2, workers=4, batching=batching
        )
    )
    assert sorted((r.id, s) for r, s, _ in runs) == sorted((r.id, s) for r in records for s in range(2))
    assert all(state["finish"] == "answer" for _, _, state in runs)
    assert max(batching.batch_sizes) > 1
    assert batching.participants == 0


def test_runner_errors_reach_the_caller():
    record = make_record()

    def boom(job):
        raise RuntimeError("model crashed")

    with pytest.raises(RuntimeError, match="model crashed"):
        list(run_records([record, make_record("q2")], boom, workers=2))


def test_rows_without_token_ids_are_refused():
    record = lampqa_example(make_record())
    state = {"prompt_ids": None, "segments": [{"kind": "model", "text": "x", "token_ids": None}]}
    with pytest.raises(ValueError, match="TokenizedPolicy"):
        trajectory_row(record, state, eos_token_id=0)


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_dataset_round_trip(tmp_path, suffix):
    rows = [{"input_ids": [1, 2, 3], "completion_mask": [0, 1, 1], "judge_score": None, "searches": ["a"]}]
    out = write_dataset(rows, tmp_path / f"rows{suffix}")
    back = load_rows(out)
    assert back[0]["input_ids"] == [1, 2, 3] and back[0]["completion_mask"] == [0, 1, 1]
    assert [p.name for p in tmp_path.iterdir()] == [f"rows{suffix}"]  # no temporary file left behind


def test_bad_outputs_and_inputs_are_explained(tmp_path):
    with pytest.raises(ValueError, match="jsonl"):
        write_dataset([{"input_ids": [1]}], tmp_path / "rows.csv")
    with pytest.raises(ValueError, match="no rows"):
        write_dataset([], tmp_path / "rows.jsonl")
    with pytest.raises(FileNotFoundError, match="export.py"):
        load_rows(tmp_path / "missing.jsonl")
    from datasets import Dataset

    with pytest.raises(ValueError, match="completion_mask"):
        prepare_rows(Dataset.from_list([{"input_ids": [1, 2]}]), max_length=None)
    with pytest.raises(ValueError, match="re-export"):
        prepare_rows(Dataset.from_list([{"input_ids": [1, 2], "completion_mask": [1]}]), max_length=None)
    long = Dataset.from_list([{"input_ids": [1] * 10, "completion_mask": [1] * 10}])
    with pytest.raises(ValueError, match="max_length"):
        prepare_rows(long, max_length=5)
    with pytest.raises(ValueError, match="max_train_samples"):
        SFTScriptArguments(max_train_samples=0)


def test_prepare_rows_drops_long_rows_and_keeps_training_columns():
    from datasets import Dataset

    rows = [
        {"input_ids": [1, 2], "completion_mask": [0, 1], "text": "a"},
        {"input_ids": [1] * 9, "completion_mask": [0] * 8 + [1], "text": "b"},
    ]
    out = prepare_rows(Dataset.from_list(rows), max_length=4)
    assert out.column_names == ["input_ids", "completion_mask"] and len(out) == 1


def test_export_cli_writes_demo_rows(tmp_path, tiny, monkeypatch):
    import trainers.export as export_module

    path, _ = tiny
    records = [make_record(f"q{i}") for i in range(2)]
    data = tmp_path / "data.json"
    data.write_text(json.dumps([r.to_dict() for r in records]))
    store = KeywordStore({r.id: [(p.id, p.text) for p in r.profile] for r in records})
    monkeypatch.setattr("pr2_agent.run.ingest.open_store_with_profiles", lambda examples, path: store)
    out = tmp_path / "demo.jsonl"
    argv = [
        "--data",
        str(data),
        "--source",
        "demo",
        "--samples",
        "2",
        "--tokenizer",
        str(path),
        "--out",
        str(out),
    ]
    assert export_module.main(argv) == 0
    back = load_rows(out)
    assert len(back) == 4 and set(back["source"]) == {"demo"}
    assert all(len(i) == len(m) for i, m in zip(back["input_ids"], back["completion_mask"], strict=True))


def test_trained_positions_loss_equals_trl_loss(tiny, tmp_path):
    import torch
    from transformers import AutoModelForCausalLM
    from trl import SFTConfig, SFTTrainer

    from trainers.sft_train import _sft_trainer_class

    path, tokenizer = tiny
    rows = [trajectory_row(r, s, eos_token_id=tokenizer.eos_token_id) for r, _, s in demo_runs(tokenizer)]
    dataset = prepare_rows(load_rows(write_dataset(rows, tmp_path / "rows.jsonl")), max_length=4096)
    args = SFTConfig(
        output_dir=str(tmp_path / "sft"),
        use_cpu=True,
        bf16=False,
        completion_only_loss=True,
        max_length=4096,
        per_device_train_batch_size=3,
        report_to=[],
    )
    model = AutoModelForCausalLM.from_pretrained(path)
    trainer = _sft_trainer_class()(model=model, args=args, train_dataset=dataset, processing_class=tokenizer)
    batch = next(iter(trainer.get_train_dataloader()))
    model.train()
    with torch.no_grad():
        ours = trainer.compute_loss(model, dict(batch))
        theirs = SFTTrainer.compute_loss(trainer, model, dict(batch))
    assert torch.allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    assert 0 <= trainer._metrics["train"]["mean_token_accuracy"][0] <= 1
