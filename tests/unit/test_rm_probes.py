"""The hand-written reward-model probes resolve against the bundled sets, and the scoring wiring is right."""

from __future__ import annotations

import json

import pytest

from bench import rm_probes


@pytest.fixture(scope="module")
def probes() -> list[rm_probes.Probe]:
    examples = rm_probes.bundled_test_examples([4, 5, 7])
    return rm_probes.load_probes(rm_probes.PROBES, examples)


def test_every_case_has_every_kind_and_a_real_gold(probes):
    kinds = json.loads(rm_probes.PROBES.read_text())["kinds"]
    by_record: dict[str, set[str]] = {}
    for p in probes:
        by_record.setdefault(p.record_id, set()).add(p.kind)
        assert p.chosen and p.profile_texts
        assert p.rejected.strip().lower() != p.chosen.lower(), (p.record_id, p.kind)
    assert all(kinds_ == set(kinds) for kinds_ in by_record.values())
    assert {p.task for p in probes} == {4, 5, 7}


def test_wrong_specifics_copy_a_past_output_of_this_user_and_other_user_is_not_this_users_style(probes):
    """The rejected kinds are what they say: the wrong-specifics output is one of this user's past outputs."""
    for p in probes:
        if p.kind == "wrong_specifics":
            assert any(p.rejected in text for text in p.profile_texts), p.record_id


def test_a_scorer_that_reads_the_profile_beats_one_that_does_not(probes):
    def style_overlap(ps, outputs):  # shares words with the user's past outputs
        past = [set(" ".join(p.profile_texts).lower().split()) for p in ps]
        return [len(set(o.lower().split()) & words) for words, o in zip(past, outputs, strict=True)]

    def constant(ps, outputs):
        return [0.0] * len(outputs)

    blind = rm_probes.evaluate(probes, constant)
    assert blind["all"]["accuracy"] == 0.5 and blind["all"]["pairs"] == len(probes)
    seeing = rm_probes.evaluate(probes, style_overlap)
    assert seeing["by_kind"]["other_user"]["accuracy"] > 0.5
    assert set(seeing["by_task"]) == {"lamp4", "lamp5", "lamp7"}


def test_an_unknown_record_is_one_clear_error(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"kinds": ["plain"], "cases": [{"task": 4, "id": "nope", "rejected": {"plain": "x"}}]}))
    with pytest.raises(ValueError, match="record nope is not in the bundled LaMP-4 test split"):
        rm_probes.load_probes(path, {})
