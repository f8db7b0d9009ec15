"""pr2 eval across generators: --label, one summary per output directory, --report-only."""

from __future__ import annotations

import json
import re

import pytest

from pr2_agent.evaluation import cli as eval_cli
from pr2_agent.evaluation.compare import compare_results
from pr2_agent.evaluation.report import MACRO, baseline_name, render_markdown, summarize
from pr2_agent.evaluation.runner import scores_path, validate_label
from tests.unit.test_eval_runner import read_rows, run_cli, write_data
from tests.unit.test_eval_systems import CATS, EchoPolicy, FakeJudge

A, L, S = CATS


class CoachedPolicy(EchoPolicy):
    """EchoPolicy whose answers also name rubric aspects of the profile owners they cite.

    FakeJudge gives an aspect full marks when its title is in the answer, so ``aspects(i)`` sets
    question ``u{i}``'s score: one of its two aspects named = 0.5, both = 1.0.
    """

    def __init__(self, aspects=lambda i: ["budget"], **kwargs) -> None:
        super().__init__(**kwargs)
        self.aspects = aspects

    def _reply(self, request):
        def coach(match: re.Match[str]) -> str:
            ids = re.findall(r"u(\d+)", match.group(0))
            return match.group(0) + "".join(f" {a}{i}" for i in ids for a in self.aspects(int(i)))

        return re.sub(r"using (?:u\d+ ?)+", coach, super()._reply(request))


# The untrained generator names one aspect of every question (0.5 each); the "SFT checkpoint" names
# both aspects of even questions: u0 (A) 1.0, u1 (L) 0.5, u2 (S) 1.0, u3 (A) 0.5.
POLICIES = {
    "embedded": lambda: CoachedPolicy(),
    "outputs/sft": lambda: CoachedPolicy(lambda i: ["budget", "timing"] if i % 2 == 0 else ["budget"]),
    "outputs/grpo": lambda: CoachedPolicy(lambda i: ["budget", "timing"]),
}


@pytest.fixture
def fakes(monkeypatch):
    monkeypatch.setattr(eval_cli, "load_policy", lambda args: POLICIES[args.model]())
    monkeypatch.setattr(eval_cli, "make_judge", lambda args: FakeJudge())


def eval_args(tmp_path, *extra):
    data = str(write_data(tmp_path, 4))
    return ["--data", data, "--out", str(tmp_path / "out"), "--embedding", "hash", "--no-progress", *extra]


def two_labelled_runs(tmp_path, capsys):
    code, out = run_cli(eval_args(tmp_path, "--systems", "rag,pr2"), capsys)
    assert code == 0, out.err
    code, out = run_cli(eval_args(tmp_path, "--systems", "pr2", "--model", "outputs/sft", "--label", "sft"), capsys)
    assert code == 0, out.err
    return tmp_path / "out", out


def score_table(summary):
    """What a comparison is about: rows, their generators, sizes, scores and improvements."""
    return [(s["system"], s["model"], s["n"], s["scores"], s["improvement_over_rag"]) for s in summary["systems"]]


# ------------------------------------------------------------------------------------------ labels
def test_labelled_runs_share_one_summary(tmp_path, capsys, fakes):
    out_dir, out = two_labelled_runs(tmp_path, capsys)
    files = sorted(p.name for p in out_dir.iterdir() if p.is_file())
    assert files == [
        "responses_pr2.json",
        "responses_pr2@sft.json",
        "responses_rag.json",
        "scores_pr2.jsonl",
        "scores_pr2@sft.jsonl",
        "scores_rag.jsonl",
        "summary.json",
        "summary.md",
        "summary.png",
    ]
    sft_rows = read_rows(scores_path(out_dir, "pr2@sft"))
    assert [r["system"] for r in sft_rows] == ["pr2@sft"] * 4
    assert {r["setup"]["model"] for r in sft_rows} == {"outputs/sft"}
    assert {r["qid"]: r["score"] for r in sft_rows} == {"u0": 1.0, "u1": 0.5, "u2": 1.0, "u3": 0.5}

    summary = json.loads((out_dir / "summary.json").read_text())
    assert summary["baseline"] == "rag" and summary["notes"] == []
    assert summary["model"] == "per row (see the generator column)"
    by = {s["system"]: s for s in summary["systems"]}
    assert list(by) == ["rag", "pr2", "pr2@sft"]
    assert [s["model"] for s in by.values()] == ["embedded", "embedded", "outputs/sft"]
    assert by["rag"]["scores"] == pytest.approx({A: 0.5, L: 0.5, S: 0.5, MACRO: 0.5})
    assert by["pr2"]["scores"] == pytest.approx({A: 0.5, L: 0.5, S: 0.5, MACRO: 0.5})
    assert by["pr2@sft"]["scores"] == pytest.approx({A: 0.75, L: 0.5, S: 1.0, MACRO: 0.75})
    assert by["pr2@sft"]["improvement_over_rag"] == pytest.approx({A: 0.5, L: 0.0, S: 1.0, MACRO: 0.5})
    assert by["pr2@sft"]["mean_searches"] == 1.0  # a labelled pr2 row is still the pr2 system
    # The earlier run's rows are read back from disk: resumed, no time spent in this invocation.
    assert (by["rag"]["resumed"], by["rag"]["wall_seconds"]) == (4, 0.0)
    assert by["pr2@sft"]["resumed"] == 0

    md = (out_dir / "summary.md").read_text()
    assert "| system | generator | A&E | L&PD | S&C | macro | Δ macro vs rag |" in md
    assert "| rag | embedded | 0.5000 | 0.5000 | 0.5000 | 0.5000 | +0.0% |" in md
    assert "| pr2@sft | outputs/sft | 0.7500 | 0.5000 | 1.0000 | 0.7500 | +50.0% |" in md
    assert "| pr2@sft | +50.0% | +0.0% | +100.0% | +50.0% |" in md
    assert "`systems=['pr2@sft']`" in md
    assert md in out.out  # the report is printed


def test_report_only_reproduces_the_summary(tmp_path, capsys, fakes, monkeypatch):
    out_dir, _ = two_labelled_runs(tmp_path, capsys)
    after_run = json.loads((out_dir / "summary.json").read_text())
    for name in ("summary.md", "summary.json", "summary.png"):
        (out_dir / name).unlink()
    monkeypatch.setattr(eval_cli, "load_policy", lambda args: pytest.fail("--report-only loaded a model"))
    monkeypatch.setattr(eval_cli, "make_judge", lambda args: pytest.fail("--report-only built a judge"))
    scores_before = {p.name: p.read_bytes() for p in out_dir.glob("scores_*")}

    code, out = run_cli(["--out", str(out_dir), "--report-only"], capsys)
    assert code == 0, out.err
    report = json.loads((out_dir / "summary.json").read_text())
    assert score_table(report) == score_table(after_run)
    assert (report["judge"], report["is_proxy"], report["baseline"]) == ("fake-judge", True, "rag")
    assert report["run"]["questions"] == 4 and report["run"]["per_category"] == {A: 2, L: 1, S: 1}
    assert report["run"]["temperature"] == 0.0 and "model" not in report["run"]
    assert (out_dir / "summary.png").stat().st_size > 0
    assert "| pr2@sft | outputs/sft | 0.7500 | 0.5000 | 1.0000 | 0.7500 | +50.0% |" in out.out
    assert {p.name: p.read_bytes() for p in out_dir.glob("scores_*")} == scores_before


@pytest.mark.parametrize("label", ["sft/v2", "", "pr2@sft", "-sft", "a b", "x" * 41])
def test_a_bad_label_is_refused_before_anything_runs(tmp_path, capsys, monkeypatch, label):
    monkeypatch.setattr(eval_cli, "load_policy", lambda args: pytest.fail("loaded a model"))
    code, out = run_cli(eval_args(tmp_path, f"--label={label}"), capsys)
    assert code == 2
    assert f"--label {label!r} cannot be used" in out.err
    assert "letters, digits, '.', '_' and '-'" in out.err and "e.g. --label sft" in out.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("label", ["sft", "grpo-step20", "v1.2_b", "0"])
def test_good_labels(label):
    assert validate_label(label) == label


def test_resuming_a_label_with_another_model_is_refused(tmp_path, capsys, fakes):
    out_dir, _ = two_labelled_runs(tmp_path, capsys)
    argv = eval_args(tmp_path, "--systems", "pr2", "--model", "outputs/grpo", "--label", "sft")
    code, out = run_cli(argv, capsys)
    assert code == 2
    assert "model='outputs/sft' there but 'outputs/grpo' now" in out.err and "--label" in out.err
    # A label of its own puts the third generator beside the others.
    argv = eval_args(tmp_path, "--systems", "pr2", "--model", "outputs/grpo", "--label", "grpo")
    code, out = run_cli(argv, capsys)
    assert code == 0, out.err
    summary = json.loads((out_dir / "summary.json").read_text())
    assert [s["system"] for s in summary["systems"]] == ["rag", "pr2", "pr2@grpo", "pr2@sft"]
    assert summary["systems"][2]["scores"][MACRO] == 1.0


# ---------------------------------------------------------------------------- mixed output directories
def write_scores(out_dir, name, scores, judge="fake-judge", model="embedded", **setup):
    """A scores file as pr2 eval writes it: one line per question ``u{i}`` with ``scores[i]``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = [
        {
            "qid": f"u{i}",
            "category": CATS[i % 3],
            "system": name,
            "score": score,
            "aspect_scores": [],
            "seconds": 1.0,
            "setup": {"judge": judge, "model": model, "temperature": 0.0, **setup},
        }
        for i, score in enumerate(scores)
        if score is not None
    ]
    scores_path(out_dir, name).write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_rows_on_other_questions_or_judges_are_left_out_with_a_note(tmp_path):
    write_scores(tmp_path, "rag", [0.2, 0.4, 0.6])
    write_scores(tmp_path, "pr2@sft", [0.4, 0.4, 0.6, 1.0], model="outputs/sft")  # one question more
    write_scores(tmp_path, "pr2@short", [0.9, 0.9], model="outputs/short")  # one question fewer
    write_scores(tmp_path, "pr2@lampqa", [0.1, 0.1, 0.1], judge="lampqa:qwen", model="outputs/x")
    comparison = compare_results(tmp_path)
    assert [r.system for r in comparison.runs] == ["rag", "pr2@sft"]
    assert [row["qid"] for row in comparison.runs[1].rows] == ["u0", "u1", "u2"]
    assert comparison.judge == "fake-judge" and comparison.settings == {"temperature": 0.0}
    notes = "\n".join(comparison.notes)
    assert "`pr2@lampqa` left out: judged by lampqa:qwen, this table by fake-judge" in notes
    assert "`pr2@short` left out: scored on 2 of this table's 3 questions" in notes
    assert "score the other 1 (it resumes)" in notes
    assert "`pr2@sft`: 1 of its scored questions are outside this table's set and not counted" in notes

    summary = summarize(comparison.runs, judge="fake-judge", is_proxy=True, run={}, notes=comparison.notes)
    sft = summary.systems[1]
    assert sft.scores[MACRO] == pytest.approx((0.4 + 0.4 + 0.6) / 3) and sft.n == 3
    assert sft.improvement_over_rag[MACRO] == pytest.approx((1.4 / 3) / 0.4 - 1)  # rag: 0.4
    md = render_markdown(summary)
    assert "Notes:" in md and "- `pr2@short` left out" in md


def test_the_given_question_set_wins_over_the_files(tmp_path):
    write_scores(tmp_path, "rag", [0.2, 0.4, 0.6, 0.8])
    write_scores(tmp_path, "pr2", [0.5, 0.5])
    comparison = compare_results(tmp_path, qids=["u0", "u1"])
    assert [r.system for r in comparison.runs] == ["rag", "pr2"]
    assert [len(r.rows) for r in comparison.runs] == [2, 2]


def test_settings_that_differ_between_rows_are_noted(tmp_path):
    write_scores(tmp_path, "rag", [0.5, 0.5, 0.5], temperature=0.0)
    write_scores(tmp_path, "pr2@hot", [0.5, 0.5, 0.5], temperature=0.7)
    comparison = compare_results(tmp_path)
    assert comparison.notes == [
        "`temperature` differs between rows (rag=0.0, pr2@hot=0.7): they do not differ in the generator alone."
    ]
    assert "temperature" not in comparison.settings


def test_a_single_labelled_rag_row_is_the_baseline(tmp_path):
    write_scores(tmp_path, "rag@base", [0.4, 0.4, 0.4])
    write_scores(tmp_path, "pr2@sft", [0.6, 0.6, 0.6])
    comparison = compare_results(tmp_path)
    summary = summarize(comparison.runs, judge="fake-judge", is_proxy=True, run={})
    assert summary.baseline == "rag@base" and summary.model == "embedded"
    assert summary.systems[1].improvement_over_rag[MACRO] == pytest.approx(0.5)
    md = render_markdown(summary)
    assert "| system | A&E | L&PD | S&C | macro | Δ macro vs rag@base |" in md  # one generator: no column
    assert "Relative improvement over `rag@base`" in md
    assert baseline_name(["rag@a", "rag@b", "pr2"]) is None
    assert baseline_name(["rag@a", "rag", "pr2"]) == "rag"


def test_report_only_errors(tmp_path, capsys):
    code, out = run_cli(["--out", str(tmp_path / "nowhere"), "--report-only"], capsys)
    assert code == 2 and "no such directory" in out.err
    code, out = run_cli(["--out", str(tmp_path), "--report-only"], capsys)
    assert code == 2 and "holds no scores_<system>.jsonl results" in out.err
    code, out = run_cli(["--out", str(tmp_path)], capsys)
    assert code == 2 and "--data is required" in out.err and "--report-only" in out.err
