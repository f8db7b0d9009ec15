"""PrLM's result tables are computed from pr2 eval score files and never fill in a missing run."""

from __future__ import annotations

import json

from trainers.prlm_table import main


def scores(directory, system, pairs):
    directory.mkdir(parents=True, exist_ok=True)
    rows = [{"qid": str(i), "prediction": p, "gold": g} for i, (p, g) in enumerate(pairs)]
    (directory / f"scores_{system}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_tables(tmp_path):
    scores(tmp_path / "l4", "rag", [("storm hits coast", "storm hits coast")])
    scores(tmp_path / "l4", "prlm@grpo", [("a b", "c d")])
    scores(tmp_path / "l7", "rag", [("new job", "new job")])
    scores(tmp_path / "dense-k1", "prlm@grpo", [("x y", "x y")])
    out = tmp_path / "t.md"
    argv = ["--eval", f"lamp4={tmp_path / 'l4'}", f"lamp7={tmp_path / 'l7'}", "--robust", str(tmp_path / "dense-k1"),
            "--out", str(out)]
    assert main(argv) == 0
    text = out.read_text()
    assert "| rag | 1.000 / 1.000 (n=1) | 1.000 / 1.000 (n=1) |" in text
    assert "| prlm@grpo | 0.000 / 0.000 (n=1) | not run |" in text
    assert "| 1 | 1.000 / 1.000 (n=1) | not run |" in text


def test_bad_arguments_are_one_line(tmp_path, capsys):
    assert main(["--eval", f"lamp4={tmp_path / 'none'}", "--out", str(tmp_path / "t.md")]) == 2
    assert "TASK=DIR" in capsys.readouterr().err
