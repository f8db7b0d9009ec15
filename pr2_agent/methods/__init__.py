"""Methods as plug-ins: each brings its graph, reward terms and advantage.

Adding a method is one module defining a :class:`~pr2_agent.methods.base.Method` plus one
:func:`register_method` line here (and its graph in ``langgraph.json``).
"""

from __future__ import annotations

from pr2_agent.methods.base import Method
from pr2_agent.methods.pr2 import PR2

_METHODS: dict[str, Method] = {}


def register_method(method: Method) -> Method:
    """Make ``method`` available by its name; a second method with the same name is refused."""
    if method.name in _METHODS:
        raise ValueError(f"a method named {method.name!r} is already registered; pick another name.")
    _METHODS[method.name] = method
    return method


def get_method(name: str) -> Method:
    """Return the registered method ``name``, or explain which names exist."""
    try:
        return _METHODS[name]
    except KeyError:
        raise ValueError(f"unknown method {name!r}: choose from {', '.join(sorted(_METHODS))}.") from None


def method_names() -> list[str]:
    """Every registered method name."""
    return list(_METHODS)


register_method(PR2)

__all__ = ["Method", "get_method", "method_names", "register_method"]
