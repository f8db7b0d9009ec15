"""Loading and validating profile items: every malformed input gets a precise, actionable error."""

from __future__ import annotations

import json

import pytest

from pr2_agent.store import MAX_ITEM_CHARS, ProfileDataError, ProfileItem, load_profile_items, validate_items


def write(tmp_path, payload, name="profile.json"):
    path = tmp_path / name
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    return path


def test_load_valid_file_keeps_order_and_metadata(tmp_path):
    path = write(
        tmp_path,
        [
            {"id": "p2", "text": "I moved to Lisbon.", "metadata": {"year": 2021, "verified": True}},
            {"id": "p1", "text": "I am allergic to peanuts."},
        ],
    )
    items = load_profile_items(path)
    assert items == [
        ProfileItem("p2", "I moved to Lisbon.", {"year": 2021, "verified": True}),
        ProfileItem("p1", "I am allergic to peanuts."),
    ]


def test_empty_list_is_an_empty_profile(tmp_path):
    assert load_profile_items(write(tmp_path, [])) == []


@pytest.mark.parametrize(
    ("payload", "index", "field", "fragment"),
    [
        ([{"text": "x"}], 0, "id", "missing required field 'id'"),
        ([{"id": "a"}], 0, "text", "missing required field 'text'"),
        ([{"id": 7, "text": "x"}], 0, "id", "must be a string, got a number"),
        ([{"id": "a", "text": ["x"]}], 0, "text", "must be a string, got a list"),
        ([{"id": "a", "text": "ok"}, {"id": "b", "text": ""}], 1, "text", "'text' is empty"),
        ([{"id": "a", "text": "   \n"}], 0, "text", "'text' is empty"),
        ([{"id": " ", "text": "x"}], 0, "id", "'id' is empty"),
        ([{"id": "a", "text": "x"}, {"id": "a", "text": "y"}], 1, "id", "already used by item 0"),
        (["just text"], 0, None, "expected an object"),
        ([{"id": "a", "text": "x", "txt": "y"}], 0, "txt", "unknown field(s) ['txt']"),
        ([{"id": "a", "text": "x", "metadata": [1]}], 0, "metadata", "metadata must be an object"),
        (
            [{"id": "a", "text": "x", "metadata": {"n": {"deep": 1}}}],
            0,
            "metadata.n",
            "string, number or boolean",
        ),
        ([{"id": "a", "text": "x", "metadata": {"user_id": "u2"}}], 0, "metadata.user_id", "reserved"),
        (
            [{"id": "a", "text": "x", "metadata": {"chroma:document": "z"}}],
            0,
            "metadata.chroma:document",
            "reserved",
        ),
    ],
)
def test_malformed_items_name_file_index_and_field(tmp_path, payload, index, field, fragment):
    path = write(tmp_path, payload)
    with pytest.raises(ProfileDataError) as info:
        load_profile_items(path)
    err = info.value
    message = str(err)
    assert str(path) in message
    assert f"item {index}" in message
    assert fragment in message
    assert (err.source, err.index, err.field) == (str(path), index, field)


def test_item_over_the_size_limit(tmp_path):
    path = write(tmp_path, [{"id": "big", "text": "a" * (MAX_ITEM_CHARS + 1)}])
    with pytest.raises(ProfileDataError, match="over the limit of 20,000.*Split it"):
        load_profile_items(path)
    assert load_profile_items(write(tmp_path, [{"id": "ok", "text": "a" * MAX_ITEM_CHARS}], "ok.json"))
    with pytest.raises(ProfileDataError, match="over the limit of 10"):
        load_profile_items(write(tmp_path, [{"id": "s", "text": "a" * 11}], "small.json"), max_chars=10)


def test_non_finite_metadata_is_rejected(tmp_path):
    path = write(tmp_path, '[{"id": "a", "text": "x", "metadata": {"w": NaN}}]')
    with pytest.raises(ProfileDataError, match="not a finite number"):
        load_profile_items(path)


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ('{"id": "a", "text": "x"}', "expected a JSON list"),
        ('[{"id": "a", "text": "x"},]', "not valid JSON"),
        ("", "not valid JSON"),
    ],
)
def test_file_level_problems(tmp_path, payload, fragment):
    path = write(tmp_path, payload)
    with pytest.raises(ProfileDataError, match=fragment) as info:
        load_profile_items(path)
    assert str(path) in str(info.value)
    assert info.value.index is None


def test_missing_file(tmp_path):
    with pytest.raises(ProfileDataError, match="file not found"):
        load_profile_items(tmp_path / "nope.json")


def test_validate_items_rejects_non_items():
    with pytest.raises(ProfileDataError, match="item 1 is a dict, not a ProfileItem"):
        validate_items([ProfileItem("a", "x"), {"id": "b", "text": "y"}])  # type: ignore[list-item]
    with pytest.raises(ProfileDataError, match="expected a list of ProfileItem"):
        validate_items("not a list")  # type: ignore[arg-type]


def test_validate_items_checks_runtime_types_of_dataclass_fields():
    with pytest.raises(ProfileDataError, match="'text' must be a string"):
        validate_items([ProfileItem("a", None)])  # type: ignore[arg-type]
    with pytest.raises(ProfileDataError, match="metadata must be a dict"):
        validate_items([ProfileItem("a", "x", metadata=[("k", 1)])])  # type: ignore[arg-type]
