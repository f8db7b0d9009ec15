"""Pair generation: the PrLM graph with and without the profile, through the fan-out (tiny model, hash store)."""

from __future__ import annotations

import json

import pytest

from pr2_agent.reward_models.pairwise import read_pairs
from trainers.prlm_pairs import main, pairs_from_outputs


def row(source, sample, personalized, answer):
    return {"source": source, "sample": sample, "personalized": personalized, "query": f"q {source}",
            "answer": answer}


def test_pairs_match_samples_and_drop_empty_and_identical_outputs():
    outputs = [
        row("a", 0, True, "with"), row("a", 0, False, "without"),
        row("a", 1, True, ""), row("a", 1, False, "without"),
        row("b", 0, True, "same"), row("b", 0, False, "same"),
        row("c", 0, True, "lonely"),
    ]  # fmt: skip
    pairs, counts = pairs_from_outputs(outputs)
    assert [(p.chosen, p.rejected, p.source) for p in pairs] == [("with", "without", "a#0")]
    assert counts == {"pairs": 1, "empty": 1, "identical": 1}


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from tests.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny"))


def test_main_writes_pairs_outputs_and_summary(tiny_model, tmp_path):
    out = tmp_path / "pairs.jsonl"
    argv = ["--tasks", "7", "--limit", "2", "--samples", "2", "--model", str(tiny_model), "--embedding", "hash",
            "--store", str(tmp_path / "store"), "--max-new-tokens", "6", "--batch-size", "4", "--out", str(out)]
    assert main(argv) == 0
    outputs = [json.loads(line) for line in out.with_suffix(".outputs.jsonl").read_text().splitlines()]
    assert len(outputs) == 2 * 2 * 2
    with_profile = [o for o in outputs if o["personalized"]]
    assert all(len(o["retrieved_ids"]) == 5 for o in with_profile)
    assert all(o["retrieved_ids"] == [] for o in outputs if not o["personalized"])
    summary = json.loads(out.with_suffix(".json").read_text())
    assert summary["generations"] == 8 and summary["pairs"] == len(read_pairs(out))
    assert summary["pairs"] + summary["empty"] + summary["identical"] == 4


def test_bad_arguments_are_one_line(capsys):
    assert main(["--samples", "0"]) == 2
    assert "--samples must be >= 1" in capsys.readouterr().err
