#!/usr/bin/env bash
# pr2 eval on both backends, one run: wall time and the recorded backend.
cd /work/wt-perf17
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONPATH=/work/wt-perf17
for serving in auto transformers; do
  rm -rf runs/eval-$serving runs/eval-store-$serving
  start=$(date +%s.%N)
  PR2_SERVING=$serving /work/main/.venv/bin/python -m pr2_agent.cli eval --data devset:test --limit 4 --systems pr2 \
    --model embedded --no-progress --store runs/eval-store-$serving --out runs/eval-$serving > runs/eval-$serving.log 2>&1
  echo "PR2_SERVING=$serving rc=$? wall $(echo "$(date +%s.%N) - $start" | bc) s"
  grep -o '"serving": "[a-z]*"\|"wall_s": [0-9.]*\|"model_load_s": [0-9.]*' runs/eval-$serving/summary.json
done
