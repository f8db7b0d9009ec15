"""The bundled development set: synthetic LaMP-QA-format users whose answers need their profile.

300 users (200 train / 50 dev / 50 test, split by user) in 20 everyday domains, in exactly LaMP-QA's
record layout, plus a ``pr2_meta`` field per record: per aspect the evidence item ids, the fact phrase an
ideal answer would use and a facet-level search query (for SFT demonstrations; evaluation uses only the
LaMP-QA fields), and the role of every profile item. Only the generated files ship with the package;
the generator and its persona catalog live in a source checkout (``tools/devset/``, run
``python tools/devset/make_devset.py``), which documents how the users are built.
"""

from __future__ import annotations

from pathlib import Path

from pr2_agent.data.lampqa import LaMPQARecord, load_lampqa

DEVSET_SPLITS: tuple[str, ...] = ("train", "dev", "test")
BUNDLED_DIR = Path(__file__).resolve().parent / "devset"


def devset_path(split: str) -> Path:
    """Path of a bundled split file."""
    if split not in DEVSET_SPLITS:
        raise ValueError(f"unknown development-set split {split!r}; use one of {DEVSET_SPLITS}")
    return BUNDLED_DIR / f"{split}.json"


def load_devset(split: str) -> list[LaMPQARecord]:
    """Load a bundled split (``train``, ``dev`` or ``test``) as LaMP-QA records.

    Raises:
        FileNotFoundError: the bundled file is missing (regenerate with ``tools/devset/make_devset.py``).
    """
    path = devset_path(split)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing; regenerate it from a source checkout with `python tools/devset/make_devset.py`"
        )
    return load_lampqa(path)
