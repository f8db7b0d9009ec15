"""``pr2 eval`` end to end: the real embedded model, the offline proxy judge, all four systems."""

from __future__ import annotations

import json

import pytest

from pr2_agent import cli as pr2_cli
from pr2_agent.data.lampqa import load_lampqa
from pr2_agent.evaluation.report import PROXY_LABEL
from pr2_agent.run.data import resolve_data_path
from pr2_agent.tasks import get_task

SYSTEMS = ("nopers", "rag", "rag_random", "pr2")


@pytest.mark.slow
def test_eval_runs_end_to_end_and_resumes(tmp_path, capsys):
    out = tmp_path / "eval"
    argv = ["eval", "--data", "devset:test", "--limit", "3", "--systems", ",".join(SYSTEMS)]
    argv += ["--out", str(out), "--max-new-tokens", "48", "--batch-size", "3", "--no-progress"]
    assert pr2_cli.main(argv) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out

    records = load_lampqa(resolve_data_path("devset:test", get_task("lampqa")))
    profiles = {r.id: {p.id for p in r.profile} for r in records}
    qids = None
    for system in SYSTEMS:
        rows = [json.loads(line) for line in (out / f"scores_{system}.jsonl").read_text().splitlines()]
        assert len(rows) == 3
        qids = qids or [r["qid"] for r in rows]
        assert sorted(r["qid"] for r in rows) == sorted(qids)
        for row in rows:
            assert 0.0 <= row["score"] <= 1.0 and row["judge"].startswith("specifics-proxy")  # the default judge
            assert len(row["aspect_scores"]) >= 1 and isinstance(row["answer"], str)
            if system == "rag":
                assert row["retrieved_ids"] and set(row["retrieved_ids"]) <= profiles[row["qid"]]
            if system == "rag_random":
                assert row["retrieved_ids"] and not set(row["retrieved_ids"]) & profiles[row["qid"]]
            if system == "pr2":
                assert row["finish"] in ("answer", "forced") and row["json_parsed"] is None
                assert set(row["retrieved_ids"]) <= profiles[row["qid"]]
        responses = json.loads((out / f"responses_{system}.json").read_text())
        assert sorted(responses) == sorted(qids)
        assert all(isinstance(v[0]["output"], str) for v in responses.values())

    summary = json.loads((out / "summary.json").read_text())
    assert summary["is_proxy"] is True and [s["system"] for s in summary["systems"]] == list(SYSTEMS)
    assert (out / "summary.png").read_bytes()[:4] == b"\x89PNG"
    assert PROXY_LABEL in (out / "summary.md").read_text() and PROXY_LABEL in printed

    # The same command again resumes: nothing is regenerated, the table is the same.
    assert pr2_cli.main(argv) == 0
    again = json.loads((out / "summary.json").read_text())
    assert all(s["resumed"] == 3 for s in again["systems"])
    assert [s["scores"] for s in again["systems"]] == [s["scores"] for s in summary["systems"]]
