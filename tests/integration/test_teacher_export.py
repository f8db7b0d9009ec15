"""Teacher source: a model behind a real OpenAI-compatible server drives the graph; rows are judged."""

from __future__ import annotations

import json

import pytest

from tests.servers import llama_server  # noqa: F401  (fixture)
from tests.unit.test_demonstrations import KeywordStore, make_record
from trainers.export import build_parser, export
from trainers.trajectories import load_rows

pytestmark = pytest.mark.slow


def test_teacher_runs_are_tokenized_judged_and_filtered(tmp_path, monkeypatch, llama_server):  # noqa: F811
    from tests.tiny_model import build_tiny_model

    records = [make_record(f"q{i}") for i in range(2)]
    data = tmp_path / "data.json"
    data.write_text(json.dumps([r.to_dict() for r in records]))
    store = KeywordStore({r.id: [(p.id, p.text) for p in r.profile] for r in records})
    monkeypatch.setattr("pr2_agent.run.ingest.open_store_with_profiles", lambda examples, path: store)
    tokenizer_dir = build_tiny_model(tmp_path / "tiny")
    common = [
        "--data", str(data), "--source", "teacher", "--teacher-model", "smollm2-135m",
        "--base-url", llama_server, "--tokenizer", str(tokenizer_dir), "--samples", "2",
        "--workers", "4", "--max-new-tokens", "48", "--judge", "proxy", "--keep-forced",
    ]  # fmt: skip

    kept, _ = export(build_parser().parse_args([*common, "--min-score", "0", "--out", str(tmp_path / "all.jsonl")]))
    rows = load_rows(tmp_path / "all.jsonl")
    assert len(rows) == 4 == len(kept.rows)
    for row in rows:
        assert row["source"] == "teacher:smollm2-135m"
        assert row["judge"].startswith("embedding-proxy") and 0 <= row["judge_score"] <= 1
        assert (
            len(row["input_ids"])
            == len(row["completion_mask"])
            == len(row["prompt_ids"]) + len(row["completion_ids"]) + 1
        )
        assert row["completion_mask"][-1] == 1 and sum(row["completion_mask"]) >= 1

    # Above every score the judge can give, nothing is kept: rejection sampling is the judge's call. (A bar
    # just above this run's best score would be flaky: the teacher samples, so a second run scores differently.)
    assert max(rows["judge_score"]) <= 1.0
    with pytest.raises(ValueError, match="min-score"):
        export(build_parser().parse_args([*common, "--min-score", "1.01", "--out", str(tmp_path / "x.jsonl")]))
    assert not (tmp_path / "x.jsonl").exists()
