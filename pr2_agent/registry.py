"""A name -> plug-in table: how methods and tasks are found by the name a config or flag gives."""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from pr2_agent.suggestions import did_you_mean


class Named(Protocol):
    """Anything registered by its ``name``."""

    @property
    def name(self) -> str: ...  # noqa: D102


T = TypeVar("T", bound=Named)


class Registry(Generic[T]):
    """Plug-ins of one kind (``what``: 'method', 'task'), in registration order."""

    def __init__(self, what: str) -> None:
        """Start empty."""
        self.what = what
        self._items: dict[str, T] = {}

    def register(self, item: T) -> T:
        """Make ``item`` available by its name; a second one with the same name is refused."""
        if item.name in self._items:
            raise ValueError(f"a {self.what} named {item.name!r} is already registered; pick another name.")
        self._items[item.name] = item
        return item

    def get(self, name: str) -> T:
        """Return the plug-in ``name``, or explain which names exist."""
        try:
            return self._items[name]
        except KeyError:
            hint = did_you_mean(name, self._items)
            raise ValueError(f"unknown {self.what} {name!r}:{hint} Choose from {', '.join(self._items)}.") from None

    def names(self) -> list[str]:
        """Every registered name, in registration order."""
        return list(self._items)
