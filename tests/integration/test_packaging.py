"""Installing the project adds only ``pr2_agent`` to site-packages; the scripts still run from the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds a wheel and starts four interpreters that import torch (~1 min)

ROOT = Path(__file__).resolve().parents[2]
SITE_PACKAGES = next(p for p in sys.path if p.endswith("site-packages"))
ENTRY_SCRIPTS = ["trainers/grpo_train.py", "trainers/sft_train.py", "trainers/export.py", "trainers/protocol_stats.py"]


def _checkout_copy(dest: Path) -> Path:
    """Copy the tracked files (a build writes build/ and *.egg-info next to pyproject.toml)."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def test_wheel_installs_only_pr2_agent(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the checkout's files")
    src = _checkout_copy(tmp_path / "src")
    # No build isolation: the build backend (setuptools) is already installed, and this machine may be offline.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), "."],
        cwd=src,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("pr2_agent-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        tops = {name.split("/")[0] for name in zf.namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"pr2_agent"}
    with zipfile.ZipFile(wheel) as zf:
        assert "pr2_agent/data/devset/" in {n.rsplit("/", 1)[0] + "/" for n in zf.namelist()}  # package data kept


@pytest.mark.parametrize("script", ENTRY_SCRIPTS)
def test_entry_scripts_run_from_the_checkout_without_an_installed_trainers(script: str, tmp_path: Path) -> None:
    # `python -S` skips site-packages' .pth files (the editable install's finder that maps `trainers`);
    # site-packages itself and a directory holding only pr2_agent stay importable, so `trainers` can
    # only come from the script putting its checkout on the path.
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "pr2_agent").symlink_to(ROOT / "pr2_agent")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(lib), SITE_PACKAGES])}
    done = subprocess.run(
        [sys.executable, "-S", str(ROOT / script), "--help"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage" in done.stdout.lower()
