"""PrLM's result tables are read from pr2 eval summaries and never fill in a missing run."""

from __future__ import annotations

import json

from trainers.prlm_table import main


def summary(path, task, systems, top_k=5, retriever="dense/minilm"):
    path.mkdir(parents=True)
    rows = [{"system": name, "model": model, "n": 20, "official": {"rouge-1": r1, "rouge-L": rl}}
            for name, model, r1, rl in systems]
    (path / "summary.json").write_text(json.dumps({"run": {"task": task, "top_k": top_k, "retriever": retriever},
                                                   "systems": rows}))


def test_tables(tmp_path, capsys):
    summary(tmp_path / "l4", "lamp4", [("rag", "embedded-base", 0.2, 0.1), ("prlm@grpo", "ckpt", 0.3, 0.25)])
    summary(tmp_path / "l7", "lamp7", [("rag", "embedded-base", 0.4, 0.35)])
    summary(tmp_path / "d1", "lamp4", [("prlm@grpo", "ckpt", 0.1, 0.05)], top_k=1)
    summary(tmp_path / "b1", "lamp4", [("prlm@grpo", "ckpt", 0.2, 0.15)], top_k=1, retriever="bm25/minilm")
    out = tmp_path / "t.md"
    argv = ["--eval", str(tmp_path / "l4"), str(tmp_path / "l7"), "--robust", str(tmp_path / "d1"),
            str(tmp_path / "b1"), "--out", str(out)]
    assert main(argv) == 0
    text = out.read_text()
    assert "| rag | embedded-base | 0.200 / 0.100 (n=20) | 0.400 / 0.350 (n=20) |" in text
    assert "| prlm@grpo | ckpt | 0.300 / 0.250 (n=20) | not run |" in text
    assert "| k | bm25 | dense |" in text and "| 1 | 0.200 / 0.150 (n=20) | 0.100 / 0.050 (n=20) |" in text


def test_a_missing_summary_is_one_line(tmp_path, capsys):
    assert main(["--eval", str(tmp_path / "nothing"), "--out", str(tmp_path / "t.md")]) == 2
    assert "--report-only" in capsys.readouterr().err
