#!/usr/bin/env bash
# Set up (or update) the project virtualenv and the embedded model. Idempotent: a second run is fast.
#   scripts/bootstrap.sh            runtime + training extras, embedded model
#   scripts/bootstrap.sh --test     also dev tools, the langgraph dev server and llama.cpp's OpenAI server
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1
VENV="${PR2_VENV:-.venv}"
PY="${PYTHON:-python3}"
CACHE="${PR2_HOME:-$HOME/.cache/pr2}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PIP_DISABLE_PIP_VERSION_CHECK=1

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q -U pip
fi
PIP="$VENV/bin/pip"

extras="train,serve"
[ $WITH_TEST = 1 ] && extras="train,serve,dev"
stamp="$VENV/.pr2-installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)-$extras"
if [ ! -f "$stamp" ]; then
  # torch first: the CPU wheel. Anything that pulls torch later then finds it satisfied
  # instead of downloading a multi-GB CUDA build.
  echo "==> installing torch (CPU) and dependencies"
  "$PIP" install -q "torch==2.13.0"
  "$PIP" install -q -c constraints.txt -e ".[$extras]"
  rm -f "$VENV"/.pr2-installed-*
  touch "$stamp"
fi

if [ $WITH_TEST = 1 ] && ! "$VENV/bin/python" -c "import llama_cpp.server" 2>/dev/null; then
  # llama.cpp's OpenAI-compatible server ships only as source: build it once (about 5-7 min on
  # 2 cores) into a wheel cache, portable across CPUs (GGML_NATIVE=OFF).
  mkdir -p "$CACHE/wheels"
  if ! ls "$CACHE"/wheels/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1; then
    echo "==> building llama-cpp-python (once)"
    CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 \
      "$PIP" wheel -q --no-deps "llama-cpp-python==0.3.36" -w "$CACHE/wheels"
  fi
  "$PIP" install -q -c constraints.txt --find-links "$CACHE/wheels" "llama-cpp-python[server]==0.3.36"
elif [ $WITH_TEST = 0 ] && ls "$CACHE"/wheels/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 \
    && ! "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null; then
  # Built before (by --test): installing it costs seconds and serves the embedded model faster
  # (bench/results/demo_latency.json); building it would cost minutes, so without a wheel we don't.
  echo "==> installing the cached llama-cpp-python wheel"
  "$PIP" install -q -c constraints.txt --find-links "$CACHE/wheels" "llama-cpp-python==0.3.36"
fi

echo "==> embedded model"
"$VENV/bin/pr2" setup
