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


def test_rollout_bench_smoke(tmp_path):
    out = tmp_path / "rollouts.json"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "rollout_bench.py"), "--smoke", "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    result = json.loads(out.read_text())
    assert set(result["ratio_rollouts_over_generate"]) == {"kv_cache", "no_cache"}
    # The embedded model's rollouts sample the same tokens whether or not states are kept across turns.
    assert result["identical_trajectories"] == "1/1"
    assert result["kv_cache_reused_tokens"] > 0
