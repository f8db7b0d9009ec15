#!/usr/bin/env bash
# One command from a fresh clone to a personalized answer on the embedded model (offline, CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/bootstrap.sh
VENV="${PR2_VENV:-.venv}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
"$VENV/bin/python" examples/quickstart.py "$@"
echo "==> demo finished in $(( $(date +%s) - start )) s"
