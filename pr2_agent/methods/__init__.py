"""Methods as plug-ins: each brings its graph, reward terms and advantage.

Adding a method is one module defining a :class:`~pr2_agent.methods.base.Method` plus one
``register_method`` line here (and its graph in ``langgraph.json``).
"""

from __future__ import annotations

from pr2_agent.methods.base import Method
from pr2_agent.methods.pr2 import PR2
from pr2_agent.methods.prlm import PRLM
from pr2_agent.methods.tagpr import TAGPR
from pr2_agent.registry import Registry

METHODS: Registry[Method] = Registry("method")
register_method = METHODS.register
get_method = METHODS.get
method_names = METHODS.names

register_method(PR2)
register_method(PRLM)
register_method(TAGPR)

__all__ = ["METHODS", "Method", "get_method", "method_names", "register_method"]
