"""Profile items: the unit a user's history is stored as, how they are loaded and validated.

A profile file is a JSON list of objects::

    [{"id": "p1", "text": "I am allergic to peanuts."},
     {"id": "p2", "text": "I moved to Lisbon in 2021.", "metadata": {"year": 2021}}]

Validation is all-or-nothing and happens before the store writes anything.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from pr2_agent.store.errors import ProfileDataError

MetadataValue = str | int | float | bool
"""Scalar types Chroma can filter on; lists and nested objects are not accepted."""

MAX_ITEM_CHARS = 20_000
"""Default cap on one item's text. Embedders truncate long inputs (MiniLM reads ~256 word pieces), so a
huge item would be stored in full but searched by its beginning only."""

RESERVED_METADATA_KEYS = frozenset({"user_id", "item_id"})
"""Keys the store writes itself on every record; an item may not set them."""

_RESERVED_PREFIX = "chroma:"
_ITEM_FIELDS = frozenset({"id", "text", "metadata"})


@dataclass(frozen=True)
class ProfileItem:
    """One piece of a user's history (a past post, a stated preference, a review...)."""

    id: str
    """Identifier unique within one user's profile; re-ingesting the same id replaces the item."""
    text: str
    """The content that is embedded and searched."""
    metadata: dict[str, MetadataValue] = field(default_factory=dict)
    """Optional scalar attributes kept alongside the text and returned with hits."""


@dataclass(slots=True)
class ProfileHit:
    """One search result from a single user's profile.

    A plain slotted record rather than a frozen dataclass: every search builds k of them, and a frozen
    dataclass's ``__init__`` (``object.__setattr__`` per field) was a third of the per-call cost of a search
    over a 100-item profile (bench/retrieval_bench.py).
    """

    id: str
    """The item id as ingested."""
    text: str
    """The item text."""
    score: float
    """Higher is more relevant: cosine similarity for dense search, the BM25 score for bm25."""
    metadata: dict[str, MetadataValue] = field(default_factory=dict)
    """The item's own metadata (without the store's bookkeeping keys)."""


def load_profile_items(path: str | Path, *, max_chars: int = MAX_ITEM_CHARS) -> list[ProfileItem]:
    """Read and validate a JSON list of ``{id, text, metadata?}`` objects.

    Args:
        path: The JSON file.
        max_chars: Reject items whose text is longer than this.

    Returns:
        The items, in file order.

    Raises:
        ProfileDataError: The file is missing, not JSON, not a list, or any item is malformed; the message
            names the file, the item index and the field.
    """
    source = str(path)
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProfileDataError(
            f"{source}: file not found. Pass the path of a JSON list of {{id, text}} objects.", source=source
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileDataError(
            f"{source}: cannot read the file ({exc}). Check permissions and that it is UTF-8 text.",
            source=source,
        ) from exc
    except json.JSONDecodeError as exc:
        raise ProfileDataError(
            f"{source}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}). "
            'Expected a JSON list like [{"id": "p1", "text": "..."}].',
            source=source,
        ) from exc
    if not isinstance(raw, list):
        raise ProfileDataError(
            f"{source}: expected a JSON list of {{id, text}} objects at the top level, got "
            f'{_json_type(raw)}. Wrap the items in [...], e.g. [{{"id": "p1", "text": "..."}}].',
            source=source,
        )
    items = [_item_from_json(entry, index, source) for index, entry in enumerate(raw)]
    validate_items(items, max_chars=max_chars, source=source)
    return items


def validate_items(
    items: Sequence[ProfileItem], *, max_chars: int = MAX_ITEM_CHARS, source: str = "items"
) -> None:
    """Check a batch of items as a whole before anything is written.

    Args:
        items: The items to check.
        max_chars: Maximum text length of one item.
        source: Where the items came from, used in error messages (a file path, ``"upsert(items)"``).

    Raises:
        ProfileDataError: On the first problem: wrong type, empty or non-string id/text, text over
            ``max_chars``, invalid metadata, or an id used twice.
    """
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise ProfileDataError(
            f"{source}: expected a list of ProfileItem, got {type(items).__name__}.", source=source
        )
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, ProfileItem):
            raise ProfileDataError(
                f"{source}: item {index} is a {type(item).__name__}, not a ProfileItem. "
                "Build items with ProfileItem(id=..., text=...) or load them with load_profile_items().",
                source=source,
                index=index,
            )
        _check_string(item.id, index, "id", source)
        _check_string(item.text, index, "text", source)
        if len(item.text) > max_chars:
            _fail(
                source,
                index,
                "text",
                f"text is {len(item.text):,} characters, over the limit of {max_chars:,}. "
                "Split it into several smaller items (embedders only read the beginning of long texts) "
                "or raise max_chars",
            )
        _check_metadata(item.metadata, index, source)
        if item.id in first_seen:
            _fail(
                source,
                index,
                "id",
                f"id {item.id!r} is already used by item {first_seen[item.id]}. "
                "Ids must be unique within a profile; rename one of them or merge the two items",
            )
        first_seen[item.id] = index


def _item_from_json(entry: Any, index: int, source: str) -> ProfileItem:
    """Turn one decoded JSON entry into a ProfileItem, rejecting structural problems."""
    if not isinstance(entry, dict):
        expected = 'an object like {"id": ..., "text": ...}'
        _fail(source, index, None, f"expected {expected}, got {_json_type(entry)}")
    unknown = sorted(set(entry) - _ITEM_FIELDS)
    if unknown:
        # A typo such as "txt" or "meta" would otherwise silently drop data.
        _fail(
            source,
            index,
            unknown[0],
            f"unknown field(s) {unknown}; allowed fields are id, text, metadata. "
            "Move extra attributes under 'metadata'",
        )
    for name in ("id", "text"):
        if name not in entry:
            _fail(source, index, name, f"missing required field '{name}'")
    metadata = entry.get("metadata", {})
    if not isinstance(metadata, dict):
        _fail(source, index, "metadata", f"metadata must be an object, got {_json_type(metadata)}")
    return ProfileItem(id=entry["id"], text=entry["text"], metadata=metadata)


def _check_string(value: object, index: int, name: str, source: str) -> None:
    if not isinstance(value, str):
        _fail(source, index, name, f"'{name}' must be a string, got {_json_type(value)} {value!r}")
    if not value.strip():
        _fail(source, index, name, f"'{name}' is empty; give every item a non-blank {name}")


def _check_metadata(metadata: object, index: int, source: str) -> None:
    if not isinstance(metadata, Mapping):
        _fail(source, index, "metadata", f"metadata must be a dict, got {type(metadata).__name__}")
    for key, value in metadata.items():
        where = f"metadata.{key}"
        if not isinstance(key, str) or not key:
            _fail(source, index, "metadata", f"metadata keys must be non-empty strings, got {key!r}")
        if key in RESERVED_METADATA_KEYS or key.startswith(_RESERVED_PREFIX):
            _fail(
                source,
                index,
                where,
                f"metadata key {key!r} is reserved by the store (it records the owner and item id); "
                "rename the key",
            )
        if not isinstance(value, str | int | float | bool):
            _fail(
                source,
                index,
                where,
                f"metadata values must be a string, number or boolean, got {_json_type(value)}; "
                "flatten nested values or encode them as a string",
            )
        if isinstance(value, float) and not math.isfinite(value):
            _fail(source, index, where, f"metadata value {value} is not a finite number")


def _fail(source: str, index: int, field_name: str | None, problem: str) -> NoReturn:
    where = f"item {index}" + (f", field '{field_name}'" if field_name else "")
    raise ProfileDataError(f"{source}: {where}: {problem}.", source=source, index=index, field=field_name)


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__
