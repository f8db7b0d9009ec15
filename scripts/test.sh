#!/usr/bin/env bash
# One command from a fresh clone to the full test suite (unit + integration, offline, CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
VENV="${PR2_VENV:-.venv}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 LANGGRAPH_CLI_NO_ANALYTICS=1 LANGSMITH_TRACING=false
"$VENV/bin/ruff" check pr2_agent trainers graphs tests examples bench scripts tools
"$VENV/bin/mypy"
"$VENV/bin/python" -m pytest -q --durations=15 "$@"
