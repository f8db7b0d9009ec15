"""Reading a ``match_score`` out of a judge model's reply.

LaMP-QA's evaluator asks for "only a valid json object in ```json``` block"; models also answer
with a bare object, prose around the block, the score nested one level down, a reply cut off by
the token limit, or a score on another scale. A reply with no readable number under a
``match_score`` key is a parse failure, which the protocol judge retries at a higher temperature.
"""

from __future__ import annotations

import json
import math
import re
from collections import deque

from pr2_agent.judges.base import MAX_MATCH_SCORE

_FENCED = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_DECODER = json.JSONDecoder()
_LOOSE_PAIR = re.compile(r'"match_score"\s*:\s*"?\s*(-?\d+(?:\.\d+)?)')
_MAX_DEPTH = 4


def parse_match_score(text: str) -> int | None:
    """Return the ``match_score`` in a judge reply as an int in {0, 1, 2}, or None if unreadable.

    The first fenced block that decodes to a JSON object with ``match_score`` (at any depth) wins;
    otherwise the first such bare object anywhere in the text; otherwise a ``"match_score": N``
    pair in JSON that does not decode (cut off by the token limit; PR2's training judge has the
    same regex fallback). Numbers are rounded to the nearest integer (halves up) and
    clamped into [0, 2] (a reply of ``3`` says "fully covered" on a scale the model invented;
    retrying would not make it more informative). Booleans, NaN and non-numeric values are
    unreadable.

    Example:
        >>> parse_match_score('```json\\n{"match_score": 2}\\n```')
        2
        >>> parse_match_score('Sure! {"match_score": "1"}')
        1
        >>> parse_match_score("The response covers it well.") is None
        True
    """
    candidates = [m.group(1) for m in _FENCED.finditer(text)] + [text]
    for candidate in candidates:
        for obj in _json_objects(candidate):
            score = _find_score(obj)
            if score is not None:
                return score
    loose = _LOOSE_PAIR.search(text)
    return _to_score(loose.group(1)) if loose else None


def _json_objects(text: str) -> list[dict[str, object]]:
    """Every JSON object that starts at some ``{`` in ``text`` (left to right)."""
    found: list[dict[str, object]] = []
    pos = text.find("{")
    while pos >= 0:
        try:
            obj, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError:
            pos = text.find("{", pos + 1)
            continue
        if isinstance(obj, dict):
            found.append(obj)
        pos = text.find("{", end)
    return found


def _find_score(obj: object) -> int | None:
    """The first readable ``match_score`` in ``obj``, breadth-first (the top level wins)."""
    queue: deque[tuple[object, int]] = deque([(obj, 0)])
    while queue:
        node, depth = queue.popleft()
        if isinstance(node, dict):
            if "match_score" in node:
                score = _to_score(node["match_score"])
                if score is not None:
                    return score
            children: list[object] = list(node.values())
        elif isinstance(node, list):
            children = list(node)
        else:
            continue
        if depth < _MAX_DEPTH:
            queue.extend((child, depth + 1) for child in children)
    return None


def _to_score(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    # Half rounds up (1.5 -> 2), unlike Python's round-half-to-even.
    return int(min(max(math.floor(value + 0.5), 0), MAX_MATCH_SCORE))
