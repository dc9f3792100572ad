"""docs/architecture.md matches the tree: it names every module, and every
module it names exists.  A new module without its line on the page fails
here, so the page stays the map a newcomer can trust."""

from __future__ import annotations

import re
from pathlib import Path

PAGE = Path("docs/architecture.md")
PACKAGES = ("semantics", "dsl", "compiler", "runtime")


def _modules() -> set[str]:
    return {
        path.as_posix()
        for package in PACKAGES
        for path in Path(package).rglob("*.py")
        if path.name != "__init__.py"
    }


def _named() -> set[str]:
    text = PAGE.read_text(encoding="utf-8")
    return {
        match for match in re.findall(r"`([a-z_/]+\.py)`", text) if match.split("/")[0] in PACKAGES
    }


def test_every_module_has_its_line() -> None:
    assert sorted(_modules() - _named()) == []


def test_every_named_module_exists() -> None:
    assert sorted(_named() - _modules()) == []
