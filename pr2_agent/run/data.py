"""Record loading for every entry point: a ``--data`` value becomes the task's examples.

``devset:SPLIT`` names the task's bundled development split, ``lamp:N:SPLIT`` the bundled split of
LaMP task N (for ``--task lampN``); anything else is a file in the task's own format.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from pr2_agent.tasks import Example, Task

logger = logging.getLogger(__name__)

DEVSET_PREFIX = "devset:"
LAMP_PREFIX = "lamp:"


def bundled_split(spec: str, task: Task) -> str | None:
    """The split a bundled-set ``--data`` value names for ``task``, or None for a file path.

    >>> from types import SimpleNamespace as T
    >>> bundled_split("lamp:2:test", T(name="lamp2")), bundled_split("devset:dev", T(name="lampqa"))
    ('test', 'dev')
    """
    if spec.startswith(DEVSET_PREFIX):
        return spec[len(DEVSET_PREFIX) :]
    if spec.startswith(LAMP_PREFIX):
        number, _, split = spec[len(LAMP_PREFIX) :].partition(":")
        if f"lamp{number}" != task.name:
            raise ValueError(
                f"--data {spec} is LaMP-{number}'s bundled set but --task is {task.name}: pass --task lamp{number} "
                "(the form is lamp:N:train|dev|test)."
            )
        return split
    return None


def resolve_data_path(spec: str, task: Task) -> Path:
    """Turn a ``--data`` value into a file path, or say what to pass instead."""
    split = bundled_split(spec, task)
    if split is not None:
        try:
            path = task.bundled(split)
        except FileNotFoundError as err:
            raise FileNotFoundError(f"--data {spec}: {err} Or pass a {task.name} data file.") from None
        if not path.is_file():
            raise FileNotFoundError(
                f"--data {spec}: {path} is missing (the package was installed without its development set); "
                "regenerate it from a source checkout with `python tools/devset/make_devset.py` "
                "(LaMP sets: `python tools/lampset/make_lampset.py`)."
            )
        return path
    path = Path(spec)
    if not path.is_file():
        raise FileNotFoundError(
            f"--data {spec}: no such file. Pass a {task.name} data file (e.g. Society_and_Culture_test.json as "
            "written by LaMP-QA's download script) or devset:test for the bundled set."
        )
    return path


def load_examples(specs: Sequence[str], task: Task) -> list[Example]:
    """Load every ``--data`` value with ``task``, in order."""
    examples: list[Example] = []
    for spec in specs:
        path = resolve_data_path(spec, task)
        try:
            loaded = task.load(path)
        except UnicodeDecodeError as err:
            raise ValueError(f"--data {spec}: {path} is not a UTF-8 text file ({err.reason}).") from None
        except OSError as err:
            raise FileNotFoundError(f"--data {spec}: cannot read {path} ({err.strerror}).") from None
        logger.info("loaded %d %s examples from %s", len(loaded), task.name, path)
        examples.extend(loaded)
    return examples
