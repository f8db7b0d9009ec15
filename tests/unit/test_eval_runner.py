"""pr2 eval runner and CLI: ingestion once, resumable JSONL results, crash safety, clear errors."""

from __future__ import annotations

import json
import uuid

import chromadb
import pytest

from pr2_agent import cli as pr2_cli
from pr2_agent.data.lampqa import load_responses
from pr2_agent.evaluation import cli as eval_cli
from pr2_agent.evaluation.runner import (
    Evaluation,
    ResultsLog,
    check_records,
    scores_path,
    select_records,
    validate_system_names,
)
from pr2_agent.evaluation.systems import NoPersonalization, ProfileRag
from pr2_agent.run.ingest import ensure_profiles
from pr2_agent.store import open_profile_store
from pr2_agent.tasks import get_task
from tests.unit.test_eval_systems import GREEDY, EchoPolicy, FakeJudge, make_record, make_store

LAMPQA = get_task("lampqa")

SETUP = {"model": "echo", "temperature": 0.0}


def read_rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def evaluation(tmp_path, policy, judge=None, batch_size=2, **kw):
    system = NoPersonalization(policy, GREEDY, batch_size)
    return Evaluation(
        systems=[system],
        task=LAMPQA,
        judge=judge or FakeJudge(),
        out_dir=tmp_path,
        setups={"nopers": SETUP},
        progress=False,
        **kw,
    )


def test_results_are_written_with_trace_and_responses_file(tmp_path):
    records = [make_record(i) for i in range(3)]
    store = make_store(records)
    policy = EchoPolicy()
    ev = Evaluation(
        systems=[ProfileRag(policy, GREEDY, store, k=2, batch_size=2)],
        task=LAMPQA,
        judge=FakeJudge(),
        out_dir=tmp_path,
        setups={"rag": SETUP},
        progress=False,
    )
    (run,) = ev.run(records)
    rows = read_rows(scores_path(tmp_path, "rag"))
    assert [r["qid"] for r in rows] == ["u0", "u1", "u2"] == [r["qid"] for r in run.rows]
    row = rows[0]
    assert row["category"] == records[0].category and row["system"] == "rag"
    assert row["answer"] == "answer using u0" and row["json_parsed"] is True
    assert row["score"] == 0.0 and [a["match_score"] for a in row["aspect_scores"]] == [0, 0]
    assert len(row["retrieved_ids"]) == 2 and row["searches"] == [records[0].question]
    assert row["setup"] == {"judge": "fake-judge", **SETUP} and row["finish"] == "eos"
    assert {"seconds", "raw", "profile_user", "judge"} <= set(row)
    assert load_responses(tmp_path / "responses_rag.json") == {r.id: f"answer using {r.id}" for r in records}
    assert json.loads((tmp_path / "responses_rag.json").read_text())["u1"] == [{"output": "answer using u1"}]


def test_judge_receives_the_record_rubric_and_answer(tmp_path):
    judge = FakeJudge()
    record = make_record(0)
    evaluation(tmp_path, EchoPolicy(), judge).run([record])
    (item,) = judge.items
    assert item.question == record.question and item.narrative == record.reference.narrative
    assert [a.aspect for a in item.aspects] == [
        "budget0",
        "timing0",
    ] and item.response == "answer using nothing"


def test_resume_skips_done_questions(tmp_path):
    records = [make_record(i) for i in range(4)]
    evaluation(tmp_path, EchoPolicy()).run(records[:2])
    # Everything already done: the policy must not be called at all.
    untouchable = EchoPolicy(fail_on_call=1)
    (run,) = evaluation(tmp_path, untouchable).run(records[:2])
    assert run.resumed == 2 and untouchable.requests == []
    # Two more questions: only those are generated.
    policy = EchoPolicy()
    (run,) = evaluation(tmp_path, policy).run(records)
    assert run.resumed == 2 and len(policy.requests) == 2
    assert [r.messages[-1]["content"] for r in policy.requests] == [records[2].question, records[3].question]
    assert [r["qid"] for r in read_rows(scores_path(tmp_path, "nopers"))] == ["u0", "u1", "u2", "u3"]


def test_crash_mid_run_loses_nothing(tmp_path):
    records = [make_record(i) for i in range(5)]
    with pytest.raises(RuntimeError, match="simulated crash"):
        evaluation(tmp_path, EchoPolicy(fail_on_call=3), batch_size=2).run(records)
    # Two batches of two were judged before the crash: they are on disk.
    assert [r["qid"] for r in read_rows(scores_path(tmp_path, "nopers"))] == ["u0", "u1", "u2", "u3"]
    policy = EchoPolicy()
    (run,) = evaluation(tmp_path, policy).run(records)
    assert run.resumed == 4 and len(policy.requests) == 1
    rows = read_rows(scores_path(tmp_path, "nopers"))
    assert [r["qid"] for r in rows] == ["u0", "u1", "u2", "u3", "u4"]
    assert set(load_responses(tmp_path / "responses_nopers.json")) == {r.id for r in records}


def test_a_partial_last_line_is_dropped_and_redone(tmp_path):
    records = [make_record(i) for i in range(2)]
    evaluation(tmp_path, EchoPolicy()).run(records)
    path = scores_path(tmp_path, "nopers")
    text = path.read_text()
    path.write_text(text[: text.rfind('"qid"') + 12])  # second line cut mid-write
    policy = EchoPolicy()
    (run,) = evaluation(tmp_path, policy).run(records)
    assert run.resumed == 1 and len(policy.requests) == 1
    assert [r["qid"] for r in read_rows(path)] == ["u0", "u1"]


def test_different_settings_are_not_mixed(tmp_path):
    evaluation(tmp_path, EchoPolicy()).run([make_record(0)])
    with pytest.raises(ValueError, match=r"temperature=0.0 there but 0.7 now.*another --out"):
        ResultsLog(scores_path(tmp_path, "nopers"), {"judge": "fake-judge", **SETUP, "temperature": 0.7})


def test_a_foreign_line_is_reported(tmp_path):
    path = scores_path(tmp_path, "nopers")
    path.write_text('{"no_qid": 1}\n')
    with pytest.raises(ValueError, match="line 1 is not a result line"):
        ResultsLog(path, SETUP)


def test_profiles_are_ingested_once():
    records = [make_record(i, n_profile=3) for i in range(3)] + [make_record(9, n_profile=0)]
    store = open_profile_store(client=chromadb.EphemeralClient(), collection=f"t{uuid.uuid4().hex}", embedding="hash")
    assert ensure_profiles(store, records, progress=False) == {"ingested": 3, "resumed": 0, "skipped": 0, "items": 9}
    assert ensure_profiles(store, records, progress=False) == {"ingested": 0, "resumed": 0, "skipped": 3, "items": 0}
    # A user whose stored profile differs from the data is replaced, not merged.
    store.delete_user("u1")
    from pr2_agent.store import ProfileItem

    store.upsert("u1", [ProfileItem("stale", "old text")])
    assert ensure_profiles(store, records, progress=False)["ingested"] == 1
    assert sorted(i.id for i in store.items("u1")) == ["p0", "p1", "p2"]


def test_select_records_spreads_a_limit_over_categories():
    records = [make_record(i, category=c) for i, c in enumerate(["A", "A", "A", "B", "C", "C"])]
    assert [r.id for r in select_records(records, 4)] == ["u0", "u3", "u4", "u1"]
    assert select_records(records, None) == records and select_records(records, 99) == records


def test_record_and_system_checks():
    with pytest.raises(ValueError, match="more than one record"):
        check_records([make_record(1), make_record(1)])
    with pytest.raises(ValueError, match="no records"):
        check_records([])
    with pytest.raises(ValueError, match=r"unknown system\(s\) 'ragg'.*nopers, rag, rag_random, planpers, pr2"):
        validate_system_names(["rag", "ragg"])
    assert validate_system_names(["rag", "nopers", "rag"]) == ["rag", "nopers"]


# ---------------------------------------------------------------------------------------------- CLI
def write_data(tmp_path, n=4):
    path = tmp_path / "data.json"
    path.write_text(json.dumps([make_record(i).reference.to_dict() for i in range(n)]))
    return path


def run_cli(argv, capsys):
    code = pr2_cli.main(["eval", *argv])
    return code, capsys.readouterr()


def test_cli_unknown_system(tmp_path, capsys):
    code, out = run_cli(["--data", str(write_data(tmp_path)), "--systems", "rag,magic"], capsys)
    assert code == 2 and "unknown system(s) 'magic'" in out.err


def test_cli_unreadable_data(tmp_path, capsys):
    code, out = run_cli(["--data", str(tmp_path / "missing.json")], capsys)
    assert code == 2 and "missing.json: no such file" in out.err
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "x", "question": 3}]')
    code, out = run_cli(["--data", str(bad)], capsys)
    assert code == 2 and "bad.json" in out.err and "question" in out.err
    code, out = run_cli(["--data", "devset:nosuchsplit"], capsys)
    assert code == 2 and "no split 'nosuchsplit'" in out.err


def test_cli_judge_endpoint_that_does_not_answer(tmp_path, capsys, monkeypatch):
    data = str(write_data(tmp_path))
    code, out = run_cli(["--data", data, "--judge", "lampqa"], capsys)
    assert code == 2 and "needs --judge-base-url" in out.err
    # Port 9 (discard) is closed: the check fails before any model is loaded (no transport retries: fast).
    from pr2_agent.judges import LaMPQAJudge

    monkeypatch.setattr(
        eval_cli,
        "make_judge",
        lambda spec: LaMPQAJudge(spec.base_url, spec.model, transport_retries=0, timeout=5),
    )
    monkeypatch.setattr(eval_cli, "load_policy", lambda args: pytest.fail("the policy loaded before the check"))
    code, out = run_cli(
        [
            "--data",
            data,
            "--judge",
            "lampqa",
            "--judge-base-url",
            "http://127.0.0.1:9/v1",
            "--judge-model",
            "m",
        ],
        capsys,
    )
    assert code == 2 and "judge does not answer" in out.err and "cannot reach" in out.err


def test_cli_writes_every_output(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(eval_cli, "load_policy", lambda args: EchoPolicy())
    monkeypatch.setattr(eval_cli, "make_judge", lambda args: FakeJudge())
    out_dir = tmp_path / "out"
    data = str(write_data(tmp_path, 6))
    argv = ["--data", data, "--systems", "nopers,rag,rag_random,pr2", "--out", str(out_dir)]
    argv += ["--embedding", "hash", "--limit", "5", "--batch-size", "2", "--no-progress"]
    code, out = run_cli(argv, capsys)
    assert code == 0, out.err
    for name in ("nopers", "rag", "rag_random", "pr2"):
        assert len(read_rows(out_dir / f"scores_{name}.jsonl")) == 5
        assert len(json.loads((out_dir / f"responses_{name}.json").read_text())) == 5
    for name in ("summary.md", "summary.json", "summary.png"):
        assert (out_dir / name).stat().st_size > 0
    assert (out_dir / "store").is_dir()
    assert "| rag |" in out.out and "PROXY judge" in out.out
    summary = json.loads((out_dir / "summary.json").read_text())
    assert summary["run"]["questions"] == 5
    assert [s["system"] for s in summary["systems"]] == ["nopers", "rag", "rag_random", "pr2"]
    pr2_rows = read_rows(out_dir / "scores_pr2.jsonl")
    assert all(r["answer"] == f"pr2 answer using {r['qid']}" and r["searches"] == ["topic"] for r in pr2_rows)
    # Same command again: everything resumes, nothing is generated.
    monkeypatch.setattr(eval_cli, "load_policy", lambda args: EchoPolicy(fail_on_call=1))
    code, out = run_cli(argv, capsys)
    assert code == 0, out.err
    assert json.loads((out_dir / "summary.json").read_text())["systems"][0]["resumed"] == 5
