"""The counterexamples ``verify`` found, kept so the next run tries them first.

Hypothesis writes no example database when a seed is fixed (a fixed seed and
its database exclude each other), and ``verify`` needs the fixed seed for
repeatable runs.  So failures are kept here instead: per rule scheme, kind of
subject and property, the quarter and every subject's inputs by name.  The
next run evaluates the kept case before searching: a property that still
fails on it fails at once, with the same counterexample even after the rules
were edited (as long as its inputs still exist); one that now holds on it is
searched afresh and its entry dropped.  The file is plain JSON, safe to
delete.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

STORE = ".jixiao/counterexamples.json"

Row = dict[str, object]  # input name -> value
Saved = tuple[int, list[tuple[str, Row]]]  # quarter, (subject, inputs) per subject


def _encode(value: object) -> object:
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, tuple):
        return {"l": [_encode(v) for v in value]}
    return value  # bool, str, None


def _decode(value: object) -> object:
    if isinstance(value, dict) and "d" in value:
        return Decimal(str(value["d"]))
    if isinstance(value, dict) and "l" in value and isinstance(value["l"], list):
        return tuple(_decode(v) for v in value["l"])
    return value


def _read(path: str) -> dict[str, object]:
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none kept yet, or a damaged file: start again
    return found if isinstance(found, dict) else {}


def load(path: str | None, key: str) -> Saved | None:
    if path is None:
        return None
    entry = _read(path).get(key)
    if not isinstance(entry, dict):
        return None
    quarter, subjects = entry.get("quarter"), entry.get("subjects")
    if not isinstance(quarter, int) or not isinstance(subjects, list):
        return None
    rows: list[tuple[str, Row]] = []
    for item in subjects:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict)):
            return None
        rows.append((str(item[0]), {str(k): _decode(v) for k, v in item[1].items()}))
    return quarter, rows


def save(path: str | None, key: str, quarter: int, rows: Sequence[tuple[str, Row]]) -> None:
    if path is None:
        return
    kept = _read(path)
    kept[key] = {
        "quarter": quarter,
        "subjects": [[s, {k: _encode(v) for k, v in r.items()}] for s, r in rows],
    }
    _write(path, kept)


def drop(path: str | None, key: str) -> None:
    if path is None:
        return
    kept = _read(path)
    if kept.pop(key, None) is not None:
        _write(path, kept)


def _write(path: str, kept: dict[str, object]) -> None:
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(kept, ensure_ascii=False, indent=1, sort_keys=True)
        Path(path).write_text(text + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only checkout: the seed alone still replays the search
