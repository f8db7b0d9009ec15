"""kill -9 of GRPO training, then resume from its last checkpoint: every step runs exactly once.

The trainer's entry point in a subprocess (tiny random model, the bundled LaMP-2 train split, hash
embeddings), killed with SIGKILL once ``checkpoint-2`` is on disk, then rerun with
``--resume_from_checkpoint``: TRL restores the weights, optimizer, scheduler and step counter, so the
logged steps are 1..4 once each and the resumed run starts at step 3.
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

from tests.waiting import run_with_progress

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MAX_STEPS = 4
KILL_AFTER = 2


def _argv(tiny_model: Path, out_dir: Path, store: Path) -> list[str]:
    return [
        sys.executable, str(ROOT / "trainers" / "grpo_train.py"),
        "--model_name_or_path", str(tiny_model),
        "--task", "lamp2",
        "--train_file", "lamp:2:train",
        "--max_train_samples", "8",
        "--context",
        json.dumps({"store_path": str(store), "embedding": "hash", "max_searches": 1, "max_new_tokens": 6}),
        "--reward_funcs", "lamp_metric", "structure",
        "--advantage", "grpo",
        "--num_baseline", "0",
        "--output_dir", str(out_dir),
        "--use_cpu", "true", "--bf16", "false",
        "--per_device_train_batch_size", "4",
        "--num_generations", "2",
        "--max_completion_length", "120",
        "--max_steps", str(MAX_STEPS),
        "--save_strategy", "steps", "--save_steps", "1",
        "--logging_steps", "1",
        "--report_to", "none",
        "--gradient_checkpointing", "false",
        "--disable_tqdm", "true",
        "--seed", "0",
    ]  # fmt: skip


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def test_grpo_training_killed_after_a_checkpoint_resumes_without_redoing_steps(tmp_path: Path) -> None:
    from tests.tiny_model import build_tiny_model
    from trainers.grpo_train import SUMMARY_FILENAME

    tiny = build_tiny_model(tmp_path / "tiny")
    out_dir, store = tmp_path / "run", tmp_path / "store"
    argv = _argv(tiny, out_dir, store)
    checkpoint = out_dir / f"checkpoint-{KILL_AFTER}"

    log = tmp_path / "killed.log"  # a file, not a pipe: a full pipe would stall the child before its checkpoint
    with log.open("w") as sink:
        proc = subprocess.Popen(argv, cwd=ROOT, env=_env(), stdout=sink, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 1800  # a hard cap only: a loaded machine is slow, not stuck
    while not (checkpoint / "trainer_state.json").is_file():
        if proc.poll() is not None:
            pytest.fail(f"training ended before {checkpoint.name} was written: {log.read_text()[-2000:]}")
        assert time.monotonic() < deadline, f"no {checkpoint.name} within 30 min"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (out_dir / SUMMARY_FILENAME).exists()  # it really died mid-run

    before = {c.name: (c / "trainer_state.json").stat().st_mtime_ns for c in out_dir.glob("checkpoint-*")}
    done = run_with_progress([*argv, "--resume_from_checkpoint", str(checkpoint)], cwd=ROOT, env=_env(), text=True)
    assert done.returncode == 0, done.stderr[-3000:]

    final = json.loads((out_dir / f"checkpoint-{MAX_STEPS}" / "trainer_state.json").read_text())
    assert final["global_step"] == MAX_STEPS
    logged = [e["step"] for e in final["log_history"] if "loss" in e]
    assert logged == list(range(1, MAX_STEPS + 1)), logged  # each step once: none lost, none redone
    # Resumed, not restarted: the checkpoints written before the kill were not written again.
    assert {n: (out_dir / n / "trainer_state.json").stat().st_mtime_ns for n in before} == before
    resumed = json.loads((checkpoint / "trainer_state.json").read_text())
    assert [e["step"] for e in resumed["log_history"] if "loss" in e] == list(range(1, KILL_AFTER + 1))
    assert (out_dir / "config.json").is_file()  # the final model was saved
