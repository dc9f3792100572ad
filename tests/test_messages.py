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


# -- words of reports and tables ------------------------------------------------
# Runtime modules look their zh/en texts up in the catalogue: ``text(key)``,
# ``render_message(key)`` and ``texts(prefix)``; a key built with an f-string
# names a group (its part before the first brace).
_LOOKUPS = re.compile(r'\b(text|texts|render_message)\(\s*(f?)"([^"]+)"')


def test_every_word_looked_up_in_runtime_is_in_the_catalogue() -> None:
    missing = []
    for path in sorted(Path("runtime").rglob("*.py")):
        for function, fstring, key in _LOOKUPS.findall(path.read_text(encoding="utf-8")):
            if function == "texts":
                found = any(code.startswith(key + ".") for code in MESSAGES)
            elif fstring and "{" in key:
                found = any(code.startswith(key.split("{", 1)[0]) for code in MESSAGES)
            else:
                found = key in MESSAGES
            if not found:
                missing.append(f"{path}: {key}")
    assert missing == []


def test_runtime_keeps_no_word_tables_of_its_own() -> None:
    """Every zh/en text is in dsl/messages.py, none in a table of a runtime module."""
    chinese_by_language = re.compile(
        r'"zh":\s*[{"(]'  # a table keyed by language
        r'|"[^"]*[\u4e00-\u9fff][^"]*",?\s*(\)\s*)?if (lang == "zh"|zh\b)'  # a Chinese text chosen inline
    )
    tables = [
        str(path)
        for path in sorted(Path("runtime").rglob("*.py"))
        if chinese_by_language.search(path.read_text(encoding="utf-8"))
    ]
    assert tables == []


def test_words_cover_every_value_they_name() -> None:
    """The word groups keyed by a value of the rules cover every value."""
    from typing import get_args, get_type_hints

    from compiler import ir
    from dsl.schema import Cadence, Link

    def values(cls: type, field: str) -> set[str]:
        return {v for v in get_args(get_type_hints(cls)[field]) if isinstance(v, str)}

    groups = {
        "warn.method": values(ir.Indicator, "method"),
        "warn.cadence": set(get_args(Cadence)),
        "table.veto": values(ir.Item, "veto"),
        "explain.veto": values(ir.Item, "veto"),
        "explain.rollup": values(ir.Rollup, "method"),
        "table.status": {"not_applicable", "exempt", "no_data"},
        "warn.subjects": {"section", "person"},
        "subjects": {"section", "person"},
        "table.kind": {"section", "person"},
        "table.effect": set(get_args(get_args(get_type_hints(Link)["effect"])[0])),
        "diff.thing": {"indicator", "item", "grade", "link", "setting", "property"},
    }
    missing = sorted(
        f"{group}.{value}"
        for group, names in groups.items()
        for value in names
        if f"{group}.{value}" not in MESSAGES
    )
    assert missing == []
