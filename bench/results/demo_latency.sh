#!/usr/bin/env bash
# The demo's answer latency, transformers (before) vs the default path (after: llama.cpp), one run, same machine.
cd /work/wt-perf17
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONPATH=/work/wt-perf17
for serving in transformers auto; do
  echo "=== PR2_SERVING=$serving"
  start=$(date +%s.%N)
  PR2_SERVING=$serving /work/main/.venv/bin/python examples/quickstart.py --store /tmp/perf17-demo-store 2>&1 | grep -E "served by|^answer|sampled tokens"
  echo "script wall: $(echo "$(date +%s.%N) - $start" | bc) s"
done
