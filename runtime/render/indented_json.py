"""JSON with two-space indentation, byte for byte as ``json.dumps(value,
ensure_ascii=False, indent=2)`` writes it, but faster, and a piece at a time.

Why: ``json.dumps`` with ``indent=`` runs the pure-Python encoder (the C
encoder serves only compact output), and the results of a large organization
are hundreds of megabytes of indented JSON.  This writer lays out containers
itself and escapes strings with the C escaper ``json`` itself uses, so its
output cannot differ from the standard library's for the values results
hold: ``dict`` with ``str`` keys, ``list``/``tuple``, ``str``, ``int``,
``bool`` and ``None`` (anything else is a ``TypeError``, as floats never
occur in results).  A test compares the two on the bundled results and on
generated values.
"""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring

__all__ = ["encode_string", "indented"]

encode_string: Callable[[str], str] = encode_basestring  # the C escaper when available

_NEWLINES = ["\n" + "  " * level for level in range(64)]


def _newline(level: int) -> str:
    return _NEWLINES[level] if level < len(_NEWLINES) else "\n" + "  " * level


def indented(value: object, level: int = 0) -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes
    it when nested ``level`` containers deep (0: the document itself)."""
    parts: list[str] = []
    _write(value, level, parts.append)
    return "".join(parts)


def _write(value: object, level: int, out: Callable[[str], None]) -> None:
    if isinstance(value, str):
        out(encode_string(value))
    elif value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif isinstance(value, int):
        out(int.__repr__(value))
    elif isinstance(value, list | tuple):
        if not value:
            out("[]")
            return
        inner = _newline(level + 1)
        separator = "," + inner
        out("[" + inner)
        first = True
        for item in value:
            if not first:
                out(separator)
            first = False
            if isinstance(item, str):
                out(encode_string(item))
            else:
                _write(item, level + 1, out)
        out(_newline(level) + "]")
    elif isinstance(value, dict):
        if not value:
            out("{}")
            return
        inner = _newline(level + 1)
        separator = "," + inner
        out("{" + inner)
        first = True
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"keys must be str, not {type(key).__name__}")
            if not first:
                out(separator)
            first = False
            if isinstance(item, str):
                out(encode_string(key) + ": " + encode_string(item))
            else:
                out(encode_string(key) + ": ")
                _write(item, level + 1, out)
        out(_newline(level) + "}")
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
