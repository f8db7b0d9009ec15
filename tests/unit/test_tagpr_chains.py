"""TagPR's chain pipeline: offline writer, segmentation and labelling, filtering, export for SFT."""

from __future__ import annotations

import random

import pytest

from pr2_agent.policy.base import GenerationRequest
from pr2_agent.policy.scripted import ScriptedPolicy
from pr2_agent.tags import check_chain, render_tagpr_prompt
from pr2_agent.tasks import get_task
from trainers.sft_train import prepare_rows
from trainers.tagpr_chains import (
    SystemPromptPolicy,
    TeacherLabeller,
    main,
    offline_label,
    relabel,
)
from trainers.tagpr_writer import LaMPChainWriter, Recalled, recalled_items, write_chain
from trainers.trajectories import load_rows


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    from tests.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.mark.parametrize("n", range(1, 8))
def test_offline_chains_are_valid_and_mostly_right_on_every_bundled_task(n):
    task = get_task(f"lamp{n}")
    examples = task.load(task.bundled("train"))[:10]
    good = 0
    for example in examples:
        record = example.reference
        text = write_chain(n, record.input, [Recalled(i + 1, it) for i, it in enumerate(record.profile[:3])],
                           random.Random(0))
        check = check_chain(text)
        assert check.valid, (text, check.problems)
        assert "gold" not in text
        good += task.score([example], [check.answer], None)[0].score >= 0.5
    assert good >= 7  # derived from the recalled items, not copied from the gold


def test_writer_reads_the_recalled_items_from_the_user_turn():
    task = get_task("lamp2")
    example = task.load(task.bundled("train"))[0]
    shown = [p.text for p in example.profile[:2]]
    writer = LaMPChainWriter(2, example.reference)
    gen = writer.generate(GenerationRequest(messages=[{"role": "user", "content": render_tagpr_prompt("q", shown)}]))
    assert [r.rank for r in recalled_items(2, example.reference, shown)] == [1, 2]
    assert "[1]" in gen.text and "[2]" in gen.text and "[3]" not in gen.text


def test_untagged_reasoning_is_segmented_and_labelled_offline():
    raw = ("The user tagged [1] comedy and [2] comedy. Comedy is the common tag. So this user prefers comedy. "
           "Here this movie is a comedy.<answer>comedy</answer>")
    assert not check_chain(raw).valid
    text, labelled = relabel(raw)
    check = check_chain(text)
    assert check.valid, check.problems
    assert labelled == 4 and check.answer == "comedy"
    assert check.tags == ("examine_history", "identify_pattern", "infer_preference", "relate_to_input")


def test_valid_chains_are_left_alone_and_tags_outside_the_schema_dropped():
    ok = write_chain(3, "review", [], random.Random(0))
    assert relabel(ok) == (ok, 0)
    text, _ = relabel("<musing>[1] rated 2.</musing><infer_preference>Harsh.</infer_preference>"
                      "<relate_to_input>Here: 2.</relate_to_input><answer>2</answer>")
    assert "<musing>" not in text and check_chain(text).valid


def test_teacher_labeller_uses_the_reply_and_falls_back_offline():
    labeller = TeacherLabeller(ScriptedPolicy(["  Infer_preference", "Tag: draft.", "no idea"]))
    assert labeller("x") == "infer_preference"
    assert labeller("the user likes it") == "draft"
    assert labeller("[1] is old") == offline_label("[1] is old") == "examine_history"
    assert labeller.fallbacks == 1
    system = labeller.policy.requests[0].messages[0]["content"]
    assert "<check_draft>" in system


def test_teacher_sees_the_schema_the_student_prompt_stays_the_graphs():
    inner = ScriptedPolicy(["ok"])
    policy = SystemPromptPolicy(inner, "SCHEMA")
    policy.generate(GenerationRequest(messages=[{"role": "user", "content": "turn"}]))
    assert [m["role"] for m in inner.requests[0].messages] == ["system", "user"]


def test_offline_export_writes_sft_rows_the_trainer_accepts(tiny_dir, tmp_path, capsys):
    out = tmp_path / "chains.jsonl"
    argv = ["--tasks", "2,4", "--limit", "4", "--samples", "2", "--out", str(out), "--tokenizer", str(tiny_dir),
            "--store", str(tmp_path / "store"), "--embedding", "hash"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "lamp2: 8 chains, 8 answered, valid 8 as generated" in printed
    rows = load_rows(out)
    assert len(rows) >= 10
    for row in rows:
        assert row["chain_valid"] and row["task_score"] >= 0.5
        assert check_chain(row["text"]).valid
        n_prompt = len(row["prompt_ids"])
        assert row["completion_mask"][:n_prompt] == [0] * n_prompt
        assert row["completion_mask"][n_prompt:] == [1] * (len(row["input_ids"]) - n_prompt)
        assert set(row["tags"]) >= {"examine_history", "infer_preference", "relate_to_input"}
    assert len(prepare_rows(rows, max_length=None)) == len(rows)
