"""Imports flow one way, down the layers and rooms, and never in a circle.

``semantics`` (the meaning of the language's operations) imports nothing of
ours; ``dsl`` knows text and YAML; ``compiler`` knows meaning and types but no
data or evaluation; ``runtime`` reads the IR and generated code, never the
syntax tree.  Inside ``runtime`` the rooms are ordered too: inputs, then the
engine, then the tools, then the renderers, then the front doors (CLI,
pytest plugin).  Every import counts, including those inside functions and
under ``TYPE_CHECKING``: a cycle hidden there is still a cycle to a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGES = ("semantics", "dsl", "compiler", "runtime")

# Layers, bottom first: a module may import only from its own layer or below.
LAYERS = (
    ("semantics",),
    ("dsl",),
    ("compiler",),
    ("runtime.inputs",),
    ("runtime.engine",),
    ("runtime.store",),
    ("runtime.tools",),
    ("runtime.render",),
    ("runtime.cli", "runtime.web", "runtime.pytest_plugin", "runtime.__main__", "runtime"),
)

# The runtime reads the IR, never the syntax tree or the formula parser.
RUNTIME_NEVER = ("dsl.ast", "dsl.expressions", "dsl.pretty")


def _module_name(path: Path) -> str:
    parts = list(path.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted(Path(package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Our modules imported anywhere in ``path`` (``from a import b`` names
    ``a.b`` when that is a module of ours, else ``a``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def _layer(module: str) -> int:
    best, rank = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), index
    assert rank >= 0, f"{module} is in no layer: add it to LAYERS"
    return rank


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        _layer(module)


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_flow_down(package: str) -> None:
    offenders = []
    for module, path in MODULES.items():
        if module.split(".")[0] != package:
            continue
        for name in sorted(_imports(path)):
            if _layer(name) > _layer(module):
                offenders.append(f"{path}: {name}")
            if package == "runtime" and any(
                name == bad or name.startswith(bad + ".") for bad in RUNTIME_NEVER
            ):
                offenders.append(f"{path}: {name}")
    assert offenders == []


def test_semantics_imports_nothing_of_ours() -> None:
    offenders = [
        f"{path}: {name}"
        for module, path in MODULES.items()
        if module.startswith("semantics")
        for name in _imports(path)
        if not name.startswith("semantics")
    ]
    assert offenders == []


def test_no_import_cycles() -> None:
    graph = {
        module: {name for name in _imports(path) if name in MODULES and name != module}
        for module, path in MODULES.items()
    }
    # A package's __init__ importing nothing, a module importing its package
    # is not a cycle worth reporting; every other back edge is.
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_nothing_evaluates_rule_text() -> None:
    """exec/eval appear only where generated code (built from checked IR) is loaded."""
    uses = []
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in ("eval", "exec", "compile", "__import__"):
                    uses.append(f"{path.as_posix()}:{node.func.id}")
    assert uses == ["runtime/engine/compiled.py:compile", "runtime/engine/compiled.py:exec"]
