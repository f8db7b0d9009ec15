"""kill -9 of a running ``pr2 eval`` and a rerun of the same command: no row lost, none duplicated (issue 16).

The killed process is the real CLI in a subprocess. Its generator is an OpenAI-compatible endpoint on
127.0.0.1 (the fault server in its healthy mode), so the run needs no model and the answers are the same in
every run. The kill lands at a chosen row: the driver pauses the results log after that many appends (between
two rows), or in the middle of writing one (a partial last line), then the test sends SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pr2_agent.cli import main
from pr2_agent.policy.resolve import clear_policy_cache
from tests.reliability.fault_server import FaultServer

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = 8
SYSTEMS = ("nopers", "rag")

DRIVER = """
import sys, time
from pathlib import Path
import pr2_agent.evaluation.runner as runner
marker, kill_at, partial = Path({marker!r}), {kill_at}, {partial}
real = runner.ResultsLog.append
appended = []
def paused(self, row):
    if len(appended) + 1 == kill_at and partial:
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write('{{"qid": "' + row["qid"] + '", "ans')   # half a line, as a crash mid-write leaves it
            fh.flush()
        marker.write_text("ready")
        time.sleep(600)
    real(self, row)
    appended.append(row["qid"])
    if len(appended) == kill_at:
        marker.write_text("ready")
        time.sleep(600)
runner.ResultsLog.append = paused
from pr2_agent.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def endpoint():
    server = FaultServer("ok")
    yield server.base_url
    server.close()
    clear_policy_cache()


def eval_argv(base_url: str, out: Path) -> list[str]:
    return ["eval", "--task", "lamp2", "--data", "lamp:2:test", "--systems", ",".join(SYSTEMS), "--limit",
            str(QUESTIONS), "--batch-size", "2", "--model", "served", "--base-url", base_url, "--embedding", "hash",
            "--store", str(out / "store"), "--out", str(out), "--no-progress"]


def kill_eval_at(tmp_path: Path, argv: list[str], kill_at: int, *, partial: bool) -> None:
    marker = tmp_path / "marker"
    code = DRIVER.format(marker=str(marker), kill_at=kill_at, partial=partial)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-c", code, *argv], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"pr2 eval ended before it was killed: {proc.stderr.read().decode() if proc.stderr else ''}")
        assert time.monotonic() < deadline, "pr2 eval never reached its kill point"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def rows(out: Path, system: str) -> list[dict]:
    """The complete lines of a system's scores file (a line cut short by the kill has no newline)."""
    path = out / f"scores_{system}.jsonl"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return [json.loads(line) for line in text.splitlines(keepends=True) if line.endswith("\n")]


def essence(row: dict) -> tuple:
    """What a row says about its question (timings differ between runs)."""
    return row["qid"], row.get("answer"), row.get("score")


@pytest.fixture(scope="module")
def reference(endpoint, tmp_path_factory):
    """The same evaluation run once without interruption."""
    out = tmp_path_factory.mktemp("eval-reference")
    assert main(eval_argv(endpoint, out)) == 0
    return {system: sorted(map(essence, rows(out, system))) for system in SYSTEMS}


# Killed in the second system: the first must be skipped whole, the second completed.
@pytest.mark.parametrize(("kill_at", "partial"), [(QUESTIONS + 3, False), (QUESTIONS + 3, True)],
                         ids=["between-rows", "mid-write"])
def test_killed_eval_resumes_without_lost_or_duplicated_rows(endpoint, reference, tmp_path, capsys, kill_at,
                                                              partial):
    out = tmp_path / "out"
    argv = eval_argv(endpoint, out)
    kill_eval_at(tmp_path, argv, kill_at, partial=partial)
    done = kill_at - 1 if partial else kill_at
    before = {system: rows(out, system) for system in SYSTEMS}
    assert sum(map(len, before.values())) == done
    if partial:
        assert not (out / "scores_rag.jsonl").read_text(encoding="utf-8").endswith("\n")

    assert main(argv) == 0, capsys.readouterr().err
    for system in SYSTEMS:
        after = rows(out, system)
        qids = [r["qid"] for r in after]
        assert len(qids) == QUESTIONS and len(set(qids)) == QUESTIONS, f"{system}: {qids}"
        assert sorted(map(essence, after)) == reference[system], system
        assert after[: len(before[system])] == before[system]  # rows written before the kill are kept, in front
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"]["questions"] == QUESTIONS
