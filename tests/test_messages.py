"""Every diagnostic code the source raises has a Chinese and an English text,
and every placeholder a text uses is given where the code is raised."""

from __future__ import annotations

import re
import string
from pathlib import Path

from dsl.messages import MESSAGES

SOURCES = sorted(
    [
        *Path("semantics").rglob("*.py"),
        *Path("dsl").rglob("*.py"),
        *Path("compiler").rglob("*.py"),
        *Path("runtime").rglob("*.py"),
    ]
)


def test_every_raised_code_has_both_texts() -> None:
    used: set[str] = set()
    for path in SOURCES:
        used.update(re.findall(r'"(E\d{4}(?:\.[a-z_]+)?)"', path.read_text(encoding="utf-8")))
    missing = sorted(code for code in used if code not in MESSAGES)
    assert missing == []


def test_both_languages_use_the_same_placeholders() -> None:
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    # text.bilingual carries its two texts as two arguments, one per language.
    mismatched = [
        code
        for code, (zh, en) in MESSAGES.items()
        if fields(zh) != fields(en) and code != "text.bilingual"
    ]
    assert mismatched == []
