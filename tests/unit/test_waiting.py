"""tests/waiting.py: a slow child passes, a hung one fails on its stall, an exited one at once."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.waiting import cpu_seconds, run_with_progress, wait_until

BUSY = "import time\nt = time.time()\nwhile time.time() - t < 1.5: pass\nprint('done')"


def test_a_busy_child_longer_than_the_stall_window_completes() -> None:
    done = run_with_progress([sys.executable, "-c", BUSY], text=True, stall=1.0)
    assert done.returncode == 0 and done.stdout.strip() == "done"


@pytest.mark.skipif(cpu_seconds(1) is None, reason="needs /proc")
def test_a_child_that_makes_no_progress_fails_on_the_stall_not_the_cap() -> None:
    with pytest.raises(TimeoutError, match="no CPU progress"):
        run_with_progress(["sleep", "30"], stall=1.0, cap=60)


def test_the_hard_cap_bounds_a_busy_child() -> None:
    with pytest.raises(TimeoutError, match="hard cap"):
        run_with_progress([sys.executable, "-c", BUSY.replace("1.5", "30")], stall=60, cap=1.0)


def test_an_exited_process_is_reported_at_once() -> None:
    proc = subprocess.Popen(["true"])
    with pytest.raises(RuntimeError, match="exited with code 0 before it was ready"):
        wait_until(lambda: False, proc, what="server")
