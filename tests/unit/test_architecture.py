"""The shape the README promises, checked on the source: imports run one way and never in a circle.

* the library (``pr2_agent``) never imports ``trainers``, ``graphs``, ``bench``, ``scripts`` or ``tools``;
* no library module imports an entry point (``pr2_agent.cli``, ``pr2_agent.evaluation.cli``), except the
  top-level ``pr2`` command registering its subcommands;
* no module under ``trainers/`` imports an entry-point script (or the CLI);
* the package has no import cycle, counting imports inside functions too (a lazy import still couples).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = {"trainers.grpo_train", "trainers.sft_train", "trainers.export", "trainers.protocol_stats"}
ENTRY_POINTS = {"pr2_agent.cli", "pr2_agent.evaluation.cli"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of the file (absolute names).

    ``from package import module`` counts as importing the module, not the package's ``__init__``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # imports for type checkers only never run
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    found: set[str] = set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = {f"{base}.{alias.name}" for alias in node.names} if base else set()
            modules = {m for m in submodules if is_module(m)}
            found.update(modules)
            if len(modules) < len(node.names):
                found.add(base)
    return found


def graph_of(top: str) -> dict[str, set[str]]:
    modules = {module_name(p): p for p in (ROOT / top).rglob("*.py")}
    return {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}


def test_the_library_never_imports_trainers_scripts_or_entry_points():
    offenders = []
    for name, path in ((module_name(p), p) for p in (ROOT / "pr2_agent").rglob("*.py")):
        for imported in imports_of(path):
            top = imported.split(".")[0]
            if top in {"trainers", "graphs", "bench", "scripts", "tools", "tests"}:
                offenders.append(f"{name} imports {imported}")
            if imported in ENTRY_POINTS and name != "pr2_agent.cli":
                offenders.append(f"{name} imports the entry point {imported}")
    assert offenders == []


def test_trainers_import_no_script_or_cli():
    offenders = [
        f"{name} imports {imported}"
        for name, path in ((module_name(p), p) for p in (ROOT / "trainers").rglob("*.py"))
        for imported in imports_of(path)
        if (imported in SCRIPTS and imported != name) or imported in ENTRY_POINTS
    ]
    assert offenders == []


@pytest.mark.parametrize("top", ["pr2_agent", "trainers"])
def test_no_import_cycles(top):
    graph = graph_of(top)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []
