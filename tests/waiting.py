"""Waiting on a child process by its progress, not by the wall clock.

On a loaded machine (load average 10 on two cores) a server start or a subprocess can take many
times its usual wall-clock time while working normally; a fixed timeout then fails the test, not the
code. These helpers fail when the child has *stopped making progress*: it exited, or its CPU time
(the process and its reaped children, from ``/proc``) has not grown for ``stall`` seconds. A child
that is scheduled at all keeps accumulating CPU time, however slowly; a hung one does not. A hard
``cap`` still bounds the whole wait. Without ``/proc`` (not Linux) the stall check is skipped and
only the cap applies.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

STALL_S = 300.0
"""No CPU progress for this long means the child hangs (a busy one is still scheduled now and then)."""
CAP_S = 1800.0
"""Hard bound on one wait, however busy the machine."""


def cpu_seconds(pid: int) -> float | None:
    """CPU time of ``pid`` and its reaped children (user + system), or None without ``/proc``."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until(
    ready: Callable[[], bool],
    proc: subprocess.Popen[Any],
    *,
    what: str,
    stall: float = STALL_S,
    cap: float = CAP_S,
    poll: float = 0.25,
) -> None:
    """Poll ``ready()`` until it is true while ``proc`` runs and makes progress.

    Raises:
        RuntimeError: ``proc`` exited first.
        TimeoutError: ``proc`` used no CPU for ``stall`` seconds, or ``cap`` seconds passed.
    """
    start = last_progress = time.monotonic()
    last_cpu = cpu_seconds(proc.pid)
    while not ready():
        now = time.monotonic()
        if proc.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with code {proc.returncode} before it was ready")
        cpu = cpu_seconds(proc.pid)
        if cpu is not None and (last_cpu is None or cpu > last_cpu):
            last_cpu, last_progress = cpu, now
        if cpu is not None and now - last_progress > stall:
            raise TimeoutError(f"{what}: no CPU progress for {stall:.0f} s (after {now - start:.0f} s); it hangs")
        if now - start > cap:
            raise TimeoutError(f"{what}: not ready after the hard cap of {cap:.0f} s")
        time.sleep(poll)


def run_with_progress(
    cmd: Sequence[str], *, what: str | None = None, stall: float = STALL_S, cap: float = CAP_S, **popen: Any
) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run(cmd, capture_output=True, ...)`` that times out on a stall or the cap, not a fixed time.

    Raises:
        TimeoutError: The child used no CPU for ``stall`` seconds or ran past ``cap`` (it is killed).
    """
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen) as proc:
        try:
            # communicate() drains the pipes (a full pipe would block the child); a helper thread polls progress.
            failure: list[BaseException] = []

            def watch() -> None:
                try:
                    wait_until(lambda: proc.poll() is not None, proc, what=what or cmd[0], stall=stall, cap=cap)
                except TimeoutError as err:
                    failure.append(err)
                    proc.kill()

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            out, err = proc.communicate()
            watcher.join()
        except BaseException:
            proc.kill()
            raise
        if failure:
            raise failure[0]
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
