"""Shared test setup: keep everything offline and give tests small, explicit resources."""

from __future__ import annotations

import os

# Before any transformers/chromadb import: nothing may reach a hub or phone home.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("LANGGRAPH_CLI_NO_ANALYTICS", "1")
os.environ.setdefault("LANGSMITH_TRACING", "false")
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Every in-process EphemeralClient must share one set of settings (Chroma refuses a second
# ephemeral instance with different ones); make the default match Settings(anonymized_telemetry=False).
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
