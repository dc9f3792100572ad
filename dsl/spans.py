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

    def where(self, offset: int) -> str:
        """``path:line:col`` of a character offset."""
        line, col = self.line_col(offset)
        return f"{self.path}:{line}:{col}"


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
        """``path:line:col``, the form every message and editor understands
        (a table's cell: ``path:row [column]``, see ``TableFile``)."""
        return self.file.where(self.start)

    def to(self, other: Span) -> Span:
        """The span covering ``self`` through ``other`` (same file)."""
        return Span(self.file, min(self.start, other.start), max(self.end, other.end))

    def __repr__(self) -> str:
        return f"Span({self.location()}+{self.end - self.start})"


@dataclass(frozen=True, slots=True)
class TableFile(SourceFile):
    """A table of the rule set (a roster sheet read from CSV or XLSX) as text.

    Line N is the table's row N (line 1 the header; rows the reader skipped
    are empty lines), its cells separated by tabs, a tab, line break or
    backslash inside a cell written ``\\t``, ``\\n``, ``\\\\``.  A cell is
    then a span like any other: messages point at it (``path:row [column]``,
    the way data files are located), show its row with carets under it, and
    the rules digest, which hashes every rule file's text, covers every cell
    of the table unambiguously.
    """

    def __post_init__(self) -> None:
        # Line starts found by str.find: a table of 200,000 rows is read in
        # milliseconds, not by a Python loop over its characters.
        starts = [0]
        text = self.text
        found = text.find("\n")
        while found >= 0:
            starts.append(found + 1)
            found = text.find("\n", found + 1)
        object.__setattr__(self, "line_starts", tuple(starts))

    def where(self, offset: int) -> str:
        """``path:row [column]``: the row and the header of the cell at ``offset``."""
        line, col = self.line_col(offset)
        column = self.line_text(line)[: col - 1].count("\t")
        heads = self.line_text(1).split("\t")
        head = heads[column] if column < len(heads) and heads[column] else _letters(column)
        return f"{self.path}:{line} [{head}]"


def escape_cell(text: str) -> str:
    """A cell's text as a ``TableFile`` line holds it (no tab or line break)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def _letters(column: int) -> str:
    """A 0-based column index as a spreadsheet's letters (0 -> A, 26 -> AA)."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


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
