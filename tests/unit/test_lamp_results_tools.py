"""The LaMP results tools: the per-task table (tools/lampset/lamp_table.py) and the estimator chart
(trainers/compare_curves.py), on small hand-made eval and training outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.lampset.lamp_table import main as table_main
from tools.lampset.lamp_table import paired_margin, task_rows
from trainers.compare_curves import load_run
from trainers.compare_curves import main as curves_main


def _eval_dir(root: Path, scores: dict[str, list[float]]) -> Path:
    out = root / "lamp2"
    out.mkdir(parents=True)
    systems = []
    for name, values in scores.items():
        rows = [{"qid": str(i), "score": v} for i, v in enumerate(values)]
        (out / f"scores_{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        mean = sum(values) / len(values)
        systems.append(
            {"system": name, "n": len(values), "scores": {"macro": mean}, "official": {"accuracy": mean, "f1": mean},
             "mean_searches": 1.5 if name == "pr2" else None}
        )  # fmt: skip
    (out / "summary.json").write_text(json.dumps({"judge": "lamp2", "model": "embedded", "systems": systems}))
    return out


def test_paired_margin_is_the_mean_difference_with_an_interval():
    m = paired_margin({"a": 1.0, "b": 1.0, "c": 0.0}, {"a": 0.0, "b": 0.0, "c": 0.0, "d": 1.0})
    assert m is not None and m["n"] == 3 and m["mean"] == pytest.approx(2 / 3)
    assert 0.0 <= m["low"] <= m["mean"] <= m["high"] <= 1.0
    assert paired_margin({"a": 1.0}, {"b": 0.0}) is None


def test_table_gives_official_metrics_and_margins(tmp_path: Path, capsys):
    out = _eval_dir(
        tmp_path, {"nopers": [0.0] * 10, "rag": [1.0] * 10, "rag_random": [0.0] * 10, "pr2": [1.0, 0.0] * 5}
    )
    row = task_rows(out)
    assert row["rag_minus_nopers"]["mean"] == 1.0 and row["rag_minus_nopers"]["low"] == 1.0
    assert row["pr2_minus_nopers"]["mean"] == 0.5
    assert table_main([str(out), "--out", str(tmp_path / "t")]) == 0
    md = (tmp_path / "t.md").read_text()
    assert "| lamp2 | accuracy | 0.000 | 1.000 | 0.000 | 0.500 | 10 |" in md
    assert "+1.000 [+1.000, +1.000] ✔" in md and json.loads((tmp_path / "t.json").read_text())[0]["task"] == "lamp2"


def test_table_refuses_a_directory_without_a_summary(tmp_path: Path, capsys):
    with pytest.raises(SystemExit):
        table_main([str(tmp_path), "--out", str(tmp_path / "t")])
    assert "no summary.json" in capsys.readouterr().err


def _run_dir(root: Path, name: str, advantage: str, seed: int, values: list[float]) -> Path:
    out = root / name
    out.mkdir()
    history = [{"step": i + 1, "pr2/personalized_score": v} for i, v in enumerate(values)]
    summary = {"script_arguments": {"advantage": advantage}, "seed": seed, "log_history": history}
    (out / "pr2_training.json").write_text(json.dumps(summary))
    return out


def test_curves_of_several_runs_in_one_chart(tmp_path: Path):
    runs = [
        _run_dir(tmp_path, "pr2-s0", "pr2", 0, [0.1, 0.2]),
        _run_dir(tmp_path, "pr2-s1", "pr2", 1, [0.3, 0.4]),
        _run_dir(tmp_path, "grpo-s0", "grpo", 0, [0.5]),
    ]
    assert load_run(runs[0], "pr2/personalized_score")["values"] == [0.1, 0.2]
    png = tmp_path / "c.png"
    assert curves_main([*map(str, runs), "--out", str(png)]) == 0
    assert png.stat().st_size > 1000
    curves = json.loads(png.with_suffix(".json").read_text())
    assert [(c["advantage"], c["seed"]) for c in curves] == [("pr2", 0), ("pr2", 1), ("grpo", 0)]


def test_curves_refuse_a_run_without_a_log_history(tmp_path: Path, capsys):
    run = tmp_path / "old"
    run.mkdir()
    (run / "pr2_training.json").write_text(json.dumps({"script_arguments": {"advantage": "pr2"}}))
    with pytest.raises(SystemExit):
        curves_main([str(run), "--out", str(tmp_path / "c.png")])
    assert "no log_history" in capsys.readouterr().err


def _scores(path: Path, system: str, preds: dict[str, tuple[str, str]], searches: int = 1) -> Path:
    rows = [
        {"qid": q, "system": system, "prediction": p, "gold": g, "score": float(p == g), "searches": ["q"] * searches}
        for q, (p, g) in preds.items()
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_runs_table_compares_on_shared_questions_and_groups_seeds(tmp_path: Path):
    from tools.lampset.runs_table import main as runs_main

    full = {str(i): ("comedy", "comedy" if i % 2 else "romance") for i in range(10)}  # 5 of 10 right
    first = {q: v for q, v in full.items() if int(q) < 4}  # questions 0-3: 2 of 4 right
    rag = _scores(tmp_path / "scores_rag.jsonl", "rag", full)
    s0 = _scores(tmp_path / "scores_pr2@a.jsonl", "pr2", {q: (g, g) for q, (_, g) in first.items()}, searches=2)
    s1 = _scores(tmp_path / "scores_pr2@b.jsonl", "pr2", first)
    out = tmp_path / "t"
    assert runs_main(["--task", "2", "--out", str(out), f"RAG={rag}", f"est/s0={s0}", f"est/s1={s1}"]) == 0
    result = json.loads(out.with_suffix(".json").read_text())
    assert result["n"] == 4 and result["qids"] == ["0", "1", "2", "3"]
    assert result["rows"]["RAG"]["accuracy"] == 0.5 and result["rows"]["RAG"]["searches"] is None
    assert result["rows"]["est/s0"]["accuracy"] == 1.0 and result["rows"]["est/s0"]["searches"] == 2.0
    assert result["groups"]["est"]["accuracy"] == {"mean": 0.75, "min": 0.5, "max": 1.0}
    assert "| est | 0.750 [0.500, 1.000]" in out.with_suffix(".md").read_text()
