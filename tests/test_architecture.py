"""Imports flow one way: dsl -> compiler -> runtime.  ``dsl`` knows text and
YAML only; ``compiler`` knows meaning and types but no data or evaluation;
``runtime`` reads the IR and generated code, never the syntax tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FORBIDDEN = {
    "dsl": {"compiler", "runtime"},
    "compiler": {"runtime"},
    "runtime": {"dsl.ast", "dsl.expressions", "dsl.pretty"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package: str) -> None:
    offenders = []
    for path in sorted(Path(package).glob("*.py")):
        for name in _imports(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[package]):
                offenders.append(f"{path}: {name}")
    assert offenders == []


def test_nothing_evaluates_rule_text() -> None:
    """exec/eval appear only where generated code (built from checked IR) is loaded."""
    uses = []
    for path in sorted(
        [*Path("dsl").glob("*.py"), *Path("compiler").glob("*.py"), *Path("runtime").glob("*.py")]
    ):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in ("eval", "exec", "compile", "__import__"):
                    uses.append(f"{path}:{node.func.id}")
    assert uses == ["runtime/compiled.py:compile", "runtime/compiled.py:exec"]
