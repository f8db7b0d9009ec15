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


def test_retrieval_bench_smoke(tmp_path):
    """bench/retrieval_bench.py --smoke: two small layouts, every figure present and the search exact."""
    out = tmp_path / "retrieval.json"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "retrieval_bench.py"), "--smoke", "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    result = json.loads(out.read_text())
    assert [(r["users"], r["items_per_user"]) for r in result["layouts"]] == [(20, 50), (10, 5)]
    for row in result["layouts"]:
        assert row["ratio_store_over_bruteforce"] > 0 and len(row["ratio_spread"]) == 2
        assert row["recall_at_k"] == 1.0 and row["foreign_hits"] == 0 and row["min_k_violations"] == 0
        assert row["exact_text_rank1"].split("/")[0] == row["exact_text_rank1"].split("/")[1]
        assert row["ingest_items_per_s_precomputed"] > 0
