"""Plain-text tables aligned for CJK terminals, shared by the text outputs
(warnings, issued warnings, ledgers): wide characters take two cells."""

from __future__ import annotations

from collections.abc import Sequence

from dsl.diagnostics import display_width, pad


def aligned(heads: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    """The header, a rule and the rows, each column as wide as its widest cell."""
    widths = [
        max([display_width(h)] + [display_width(row[i]) for row in rows])
        for i, h in enumerate(heads)
    ]

    def line(cells: Sequence[str]) -> str:
        return indent + "  ".join(pad(c, widths[i], False) for i, c in enumerate(cells)).rstrip()

    return [line(heads), indent + "  ".join("-" * w for w in widths), *map(line, rows)]
