"""The LaMP-style set generator (tools/lampset/): byte-identical regeneration, format, and a personal signal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pr2_agent.data.lamp import load_lamp
from pr2_agent.tasks import get_task
from pr2_agent.tasks.lamp import LAMP_SPLITS, outputs_path
from tools.lampset.generator import SPLITS, LampsetConfig, make_split, write_lampset

ROOT = Path(__file__).resolve().parents[2]
TASKS = range(1, 8)


def test_the_generator_reproduces_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    """Editing the generator without regenerating the bundled sets is caught here."""
    written = write_lampset(tmp_path, LampsetConfig())
    assert len(written) == 7 * 3 * 2
    for path in written:
        bundled = ROOT / "pr2_agent" / "data" / "lamp" / path.relative_to(tmp_path)
        assert path.read_bytes() == bundled.read_bytes(), (
            f"{bundled} is stale: run python tools/lampset/make_lampset.py"
        )


def test_the_bundled_sets_are_small_enough_to_ship() -> None:
    total = sum(p.stat().st_size for p in (ROOT / "pr2_agent" / "data" / "lamp").rglob("*.json"))
    assert total < 700_000


def test_make_lampset_runs_as_a_file_from_anywhere(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    args = ["--out", str(tmp_path / "out"), "--seed", "3", "--train", "4", "--dev", "2", "--test", "3"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "lampset" / "make_lampset.py"), *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.startswith("wrote 42 files")
    questions = json.loads((tmp_path / "out" / "LaMP_6" / "test_questions.json").read_text())
    assert len(questions) == 3 and questions == make_split(6, "test", 3, 3)[0]
    bad = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "lampset" / "make_lampset.py"), "--test", "0", "--out", str(tmp_path)],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert bad.returncode == 2 and "--test must be >= 1 user" in bad.stderr


def test_seed_changes_the_set() -> None:
    assert make_split(2, "dev", 5, 1) != make_split(2, "dev", 5, 2)
    assert make_split(2, "dev", 5, 1) == make_split(2, "dev", 5, 1)


@pytest.mark.parametrize("task", TASKS)
def test_files_are_lamps_format_and_users_differ_between_splits(task: int) -> None:
    ids: dict[str, set[str]] = {}
    for split in LAMP_SPLITS:
        questions = get_task(f"lamp{task}").bundled(split)
        records = load_lamp(questions, outputs_path(questions))  # the task comes from the outputs file
        assert records and all(r.task == task and r.output for r in records)
        ids[split] = {r.id for r in records}
    assert not (ids["train"] & ids["dev"]) and not (ids["train"] & ids["test"]) and not (ids["dev"] & ids["test"])
    assert tuple(ids) == SPLITS


def _profile_guess(task: int, record) -> str:  # type: ignore[no-untyped-def]
    """What a reader of the profile can infer (the habit), applied to the input."""
    items = [i.fields for i in record.profile]
    if task == 1:
        own_words = {w for i in items for w in (i["title"] + " " + i["abstract"]).lower().split()}
        refs = record.input.split('[1]: "')[1].split('" [2]: "')
        second = refs[1].rstrip('"')
        overlap = [len(own_words & set(r.lower().split()) - set(record.input.split("title")[1].lower().split()[:4]))
                   for r in (refs[0], second)]  # fmt: skip
        return "[1]" if overlap[0] >= overlap[1] else "[2]"
    if task == 2:
        return Counter(i["tag"] for i in items).most_common(1)[0][0]
    if task == 3:
        return Counter(i["score"] for i in items).most_common(1)[0][0]
    return ""


@pytest.mark.parametrize("task", [1, 2, 3])
def test_the_gold_follows_the_profile_not_the_input(task: int) -> None:
    """The profile's habit predicts the gold far better than any one answer to the input alone."""
    records = []
    for split in LAMP_SPLITS:
        questions = get_task(f"lamp{task}").bundled(split)
        records += load_lamp(questions, outputs_path(questions))
    golds = [r.output for r in records]
    constant = Counter(golds).most_common(1)[0][1] / len(golds)  # best input-blind answer
    if task == 3:  # ratings: the profile's usual score is within one of the gold
        hits = sum(abs(int(_profile_guess(3, r)) - int(str(r.output))) <= 1 for r in records) / len(records)
        assert hits >= 0.9 and constant < 0.45
        return
    hits = sum(_profile_guess(task, r) == r.output for r in records) / len(records)
    assert hits >= 0.8 and constant <= 0.6  # LaMP-1: [1]/[2] by a coin; LaMP-2: many favourite tags


@pytest.mark.parametrize(("task", "margin"), [(4, 0.1), (5, 0.25), (6, 0.25), (7, 0.25)])
def test_generation_golds_share_the_users_frame(task: int, margin: float) -> None:
    """Every profile title (or tweet) shares the gold's fixed frame words: the style lives in the profile.

    LaMP-5..7 have 18 frames / voices each, so another user's profile rarely shows the right one and the
    user's own profile wins by a wide margin (measured on the bundled test split: 0.59 vs 0.27, 0.71 vs
    0.29, 0.70 vs 0.32 best-item ROUGE-1).
    """
    from pr2_agent.data.lamp_metrics import rouge1_f1

    field = {4: "title", 5: "title", 6: "title", 7: "text"}[task]
    questions = get_task(f"lamp{task}").bundled("test")
    records = load_lamp(questions, outputs_path(questions))
    own = [max(rouge1_f1(str(r.output), i.fields[field]) for i in r.profile) for r in records]
    others = records[1:] + records[:1]  # each gold against the next user's profile
    pairs = zip(records, others, strict=True)
    other = [max(rouge1_f1(str(r.output), i.fields[field]) for i in s.profile) for r, s in pairs]
    assert sum(own) / len(own) > sum(other) / len(other) + margin


def test_style_families_are_many_and_distinct() -> None:
    """>= 15 frames / voices per family: with 5, any profile taught the format and often the frame itself."""
    from tools.lampset.generator import SUBJECT_FRAMES, TITLE_FRAMES, VOICE_FRAMES

    for family in (TITLE_FRAMES, SUBJECT_FRAMES, list(VOICE_FRAMES.values())):
        assert len(family) >= 15 and len(set(family)) == len(family)


@pytest.mark.parametrize("task", [5, 6, 7])
def test_the_input_alone_does_not_reveal_the_frame(task: int) -> None:
    """The users of a split spread over many frames, and copying the input scores far below the gold's frame."""
    from pr2_agent.data.lamp_metrics import rouge1_f1

    records = []
    for split in LAMP_SPLITS:
        questions = get_task(f"lamp{task}").bundled(split)
        records += load_lamp(questions, outputs_path(questions))
    field = "text" if task == 7 else "title"
    # The gold's frame = its words shared with the user's own profile items; count distinct frames.
    frames = {frozenset.intersection(*(frozenset(i.fields[field].lower().split()) for i in r.profile)) for r in records}
    assert len(frames) >= 15
    copied = [rouge1_f1(str(r.output), r.input.split(": ", 1)[1]) for r in records]
    assert sum(copied) / len(copied) < 0.6
