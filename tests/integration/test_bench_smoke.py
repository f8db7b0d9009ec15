"""The benchmark scripts run end to end in their seconds-long smoke mode (their numbers are measured by hand)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pr2_agent.policy.llamacpp import llama_cpp_available

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not llama_cpp_available(), reason="llama-cpp-python is not installed (bootstrap.sh --test)")
def test_serving_bench_smoke(tmp_path):
    out = tmp_path / "serving.json"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "serving_bench.py"), "--smoke", "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    result = json.loads(out.read_text())
    assert set(result["tokens_per_s"]) == {"transformers", "llamacpp"}
    assert result["ratio_transformers_over_llamacpp"] > 0 and result["trajectory_s"]["llamacpp"] > 0
