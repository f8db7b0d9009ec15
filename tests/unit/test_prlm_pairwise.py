"""The pairwise reward model library and its trainer, on a tiny random BERT (no MiniLM weights needed)."""

from __future__ import annotations

import json

import pytest

from pr2_agent.reward_models.pairwise import (
    PairwiseRewardModel,
    PreferencePair,
    encode_pair,
    read_pairs,
    split_pairs,
    write_pairs,
)
from tests.tiny_reward_model import build_tiny_reward_model


@pytest.fixture(scope="module")
def tiny_rm(tmp_path_factory):
    return build_tiny_reward_model(tmp_path_factory.mktemp("tiny-rm"))


def pairs(n: int = 30) -> list[PreferencePair]:
    return [
        PreferencePair(f"Paraphrase the following tweet: news number {i % 10}", f"omg news {i} !!! :)",
                       f"News {i}.", f"lamp7:{i % 10}#{i // 10}")
        for i in range(n)
    ]


def test_pairs_round_trip_and_bad_lines_are_named(tmp_path):
    path = tmp_path / "p.jsonl"
    assert write_pairs(path, pairs(3)) == 3
    assert read_pairs(path) == pairs(3)
    path.write_text('{"query": "q", "chosen": "a"}\n')
    with pytest.raises(ValueError, match=r"p.jsonl:1: not a preference pair"):
        read_pairs(path)


def test_split_holds_out_whole_inputs():
    train, held = split_pairs(pairs(30), 0.1, 42)
    assert len(held) == 3 and len({p.query for p in held}) == 1
    assert not {p.query for p in held} & {p.query for p in train}
    assert split_pairs(pairs(30), 0.1, 42) == (train, held)
    with pytest.raises(ValueError, match="at least 2 inputs"):
        split_pairs(pairs(1))


def test_encode_pair_cuts_the_query_first(tiny_rm):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_rm)
    ids = encode_pair(tokenizer, "word " * 600, "short output", max_length=64)
    assert len(ids) == 64 and tokenizer.decode(ids).endswith("short output [SEP]")
    assert tokenizer.decode(encode_pair(tokenizer, "q", "o")) == "[CLS] q [SEP] o [SEP]"


def test_scores_are_batch_independent_and_accuracy_counts_wins(tiny_rm):
    model = PairwiseRewardModel.load(tiny_rm, batch_size=2)
    queries, outputs = ["a query", "another longer query here"] * 2, ["x", "y z", "w", "v u t"]
    batched = model.score(queries, outputs)
    one_by_one = [model.score([q], [o])[0] for q, o in zip(queries, outputs, strict=True)]
    assert batched == pytest.approx(one_by_one, abs=1e-5)
    acc = model.accuracy(pairs(10))
    assert 0.0 <= acc <= 1.0
    with pytest.raises(ValueError, match="one query per output"):
        model.score(["q"], ["a", "b"])


def test_trainer_writes_a_standard_directory_with_its_held_out_accuracy(tiny_rm, tmp_path):
    from trainers.prlm_rm_train import SUMMARY_FILENAME, main

    pairs_file = tmp_path / "pairs.jsonl"
    write_pairs(pairs_file, pairs(40))
    out = tmp_path / "rm"
    argv = [
        "--pairs_file", str(pairs_file), "--encoder", str(tiny_rm), "--output_dir", str(out),
        "--use_cpu", "true", "--per_device_train_batch_size", "8", "--num_train_epochs", "2",
        "--learning_rate", "1e-3", "--save_strategy", "no", "--report_to", "none", "--eval_strategy", "no",
        "--disable_tqdm", "true", "--max_length", "64",
    ]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads((out / SUMMARY_FILENAME).read_text())
    assert summary["held_out_pairs"] == 4 and summary["train_pairs"] == 36
    assert 0.0 <= summary["held_out_accuracy"] <= 1.0
    # These pairs are trivially separable ("!!!" vs "."): two epochs at a high rate learn them.
    assert summary["train_accuracy"] > 0.9
    assert PairwiseRewardModel.load(out).model.config.num_labels == 1


def test_trainer_refuses_a_missing_pairs_file(tmp_path, capsys):
    from trainers.prlm_rm_train import main

    assert main(["--pairs_file", str(tmp_path / "none.jsonl"), "--output_dir", str(tmp_path / "o")]) == 2
    assert "prlm_pairs.py" in capsys.readouterr().err
