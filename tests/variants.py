"""Crafted variants of the bundled rules: a copy in a temporary folder with
some texts replaced, so a test shows what one edit of the rules does."""

from __future__ import annotations

import shutil
from pathlib import Path


def variant(root: Path, edit: dict[str, tuple[str, str]], name: str = "rules") -> Path:
    """``rules/yongzhou`` copied to ``root/name``; in each named file the first
    occurrence of ``old`` (which must be there) replaced with ``new``."""
    folder = root / name
    shutil.copytree("rules/yongzhou", folder)
    for file, (old, new) in edit.items():
        path = folder / file
        text = path.read_text(encoding="utf-8")
        assert old in text, (file, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder
