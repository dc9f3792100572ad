"""Source files and spans.

A span is a half-open character range inside one source file.  Line and column
are computed only when a span is shown, from the file's line table: spans stay
cheap to create and to carry through every stage (AST, IR, generated code).

Columns count characters, not bytes, so a Chinese identifier is one column per
character; display width (two cells per CJK character) matters only when
drawing carets and is handled by the renderer.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The text of one rule file, with a table of line starts."""

    path: str
    text: str
    line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0]
        for index, char in enumerate(self.text):
            if char == "\n":
                starts.append(index + 1)
        object.__setattr__(self, "line_starts", tuple(starts))

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line_index = bisect.bisect_right(self.line_starts, offset) - 1
        return line_index + 1, offset - self.line_starts[line_index] + 1

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    @property
    def line_count(self) -> int:
        return len(self.line_starts)


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``start`` (inclusive) to ``end`` (exclusive) of ``file``."""

    file: SourceFile
    start: int
    end: int

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def line(self) -> int:
        return self.file.line_col(self.start)[0]

    @property
    def column(self) -> int:
        return self.file.line_col(self.start)[1]

    @property
    def end_line_col(self) -> tuple[int, int]:
        return self.file.line_col(self.end)

    @property
    def text(self) -> str:
        return self.file.text[self.start : self.end]

    def location(self) -> str:
        """``path:line:col``, the form every message and editor understands."""
        line, col = self.file.line_col(self.start)
        return f"{self.file.path}:{line}:{col}"

    def to(self, other: Span) -> Span:
        """The span covering ``self`` through ``other`` (same file)."""
        return Span(self.file, min(self.start, other.start), max(self.end, other.end))

    def __repr__(self) -> str:
        return f"Span({self.location()}+{self.end - self.start})"


class OffsetMap:
    """Maps character offsets inside a YAML scalar's value to offsets in its file.

    A formula written inside a YAML string (plain, quoted or a ``|`` block) has
    its own offsets; an error in it must point at the right column of the right
    file line.  The value's characters appear in the raw source in order (block
    indentation, quotes, escapes and folding only add characters), so a greedy
    in-order alignment maps every value character to the source character it
    came from.
    """

    __slots__ = ("_offsets", "file")

    def __init__(self, file: SourceFile, value: str, raw_start: int, raw_end: int) -> None:
        self.file = file
        raw = file.text
        offsets: list[int] = []
        position = raw_start
        for char in value:
            found = raw.find(char, position, raw_end)
            if found < 0 and char in "\n ":
                # Folding turned a line break into a space or the reverse.
                found = _first_of(raw, "\n ", position, raw_end)
            if found < 0:
                found = position
            offsets.append(found)
            position = found + 1
        offsets.append(min(position, raw_end))
        self._offsets = offsets

    def span(self, start: int, end: int) -> Span:
        """The file span of value characters ``start`` to ``end``."""
        last = len(self._offsets) - 1
        start = max(0, min(start, last))
        end = max(start, min(end, last))
        file_start = self._offsets[start]
        file_end = self._offsets[end - 1] + 1 if end > start else file_start
        return Span(self.file, file_start, max(file_start, file_end))


def _first_of(text: str, chars: str, start: int, end: int) -> int:
    hits = [i for i in (text.find(c, start, end) for c in chars) if i >= 0]
    return min(hits) if hits else -1
