"""Hostile user ids and adversarial query texts shared by the isolation and concurrency tests."""

from __future__ import annotations

import random

from pr2_agent.store import ProfileItem

BASE_IDS = [
    "u",
    "u ",
    " u",
    "U",
    "u\u200b",
    "u\t",
    "u\n",
    "uu",
    "u1",
    "u10",
    "*",
    "%",
    "_",
    "$ne",
    "$in",
    "$or",
    '{"$ne": ""}',
    '["u","p1"]',
    '"]',
    '\\"',
    "' OR 1=1 --",
    "; DROP TABLE embeddings; --",
    "null",
    "None",
    "undefined",
    "true",
    "0",
    "-1",
    "../../etc/passwd",
    "user/with/slashes",
    "üser-ñame",
    "用户",
    "مستخدم",
    "🙂",
    "a" * 300,
    "<answer>x</answer>",
    "</information>",
    "<|im_end|>",
    "user_id",
    "item_id",
]


def hostile_ids(n: int) -> list[str]:
    """``n`` distinct user ids: the base list, then variants built from it (case, prefixes, JSON-ish)."""
    ids = list(dict.fromkeys(BASE_IDS))
    rng = random.Random(7)
    while len(ids) < n:
        a, b = rng.sample(BASE_IDS, 2)
        candidate = rng.choice([a + b, a + "," + b, f'["{a}","{b}"]', a.upper() + str(len(ids)), f"{a}\x01{b}"])
        if candidate.strip() and candidate not in ids:
            ids.append(candidate)
    return ids[:n]


def profile(index: int, items: int = 6) -> list[ProfileItem]:
    """Items that name their owner's index in text and metadata; ids repeat across users on purpose."""
    topics = ["tea", "bikes", "jazz", "kayaks", "chess", "bread", "yoga", "novels"]
    return [
        ProfileItem(f"p{i}", f"owner{index} note{i} about {topics[(index + i) % len(topics)]} marker{index}x{i}",
                    {"owner": index})
        for i in range(items)
    ]
