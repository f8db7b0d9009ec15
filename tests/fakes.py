"""In-memory stand-ins for unit tests of the graph (the real store has its own tests)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FakeHit:
    id: str
    text: str
    score: float


@dataclass
class FakeStore:
    """Per-user lists; search returns the user's items containing any query word, else the first k."""

    profiles: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    calls: list[tuple[str, str, int]] = field(default_factory=list)

    def search(self, user_id: str, query: str, k: int) -> list[FakeHit]:
        self.calls.append((user_id, query, k))
        items = self.profiles.get(user_id, [])
        words = set(query.lower().split())
        hits = [i for i in items if words & set(i[1].lower().split())] or items
        return [FakeHit(i, t, 1.0 - n / 10) for n, (i, t) in enumerate(hits[:k])]
