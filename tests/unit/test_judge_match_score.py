"""Reading match_score out of judge replies."""

from __future__ import annotations

import pytest

from pr2_agent.judges import parse_match_score


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('```json\n{"match_score": 2}\n```', 2),
        ('```JSON\n{"match_score": 0}```', 0),
        ('```\n{"match_score": 1}\n```', 1),
        ('{"match_score": 1}', 1),
        ('Here is my verdict:\n```json\n{"match_score": 2}\n```\nThe response covers it.', 2),
        ('Sure! {"match_score": "1"} hope that helps', 1),
        ('{"match_score": 1.0}', 1),
        # Halves round up; other scales are clamped into 0..2.
        ('{"match_score": 1.5}', 2),
        ('{"match_score": 0.5}', 1),
        ('{"match_score": 5}', 2),
        ('{"match_score": -3}', 0),
        # Nested one level down (small models wrap the object).
        ('```json\n{"response": {"match_score": 2, "reason": "x"}}\n```', 2),
        ('{"verdict": [{"match_score": 1}]}', 1),
        # The top level wins over a nested key.
        ('{"details": {"match_score": 0}, "match_score": 2}', 2),
        # A fenced block that is not a verdict does not hide a later valid one.
        ('```json\n{"id": 3}\n```\n```json\n{"match_score": 1}\n```', 1),
        # Cut off by the token limit: the pair is still readable.
        ('```json\n{\n  "match_score": 2,\n  "reason": "The response talks ab', 2),
    ],
)
def test_readable_replies(reply, expected):
    assert parse_match_score(reply) == expected


@pytest.mark.parametrize(
    "reply",
    [
        "",
        "The response covers the aspect very well.",
        "score: 2",
        '{"score": 2}',
        '{"match_score": "high"}',
        '{"match_score": true}',
        '{"match_score": null}',
        '{"match_score": NaN}',
        '{"match_score": [2]}',
        "```json\n```",
        "{{{{",
    ],
)
def test_unreadable_replies(reply):
    assert parse_match_score(reply) is None
