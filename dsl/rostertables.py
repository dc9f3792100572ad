"""The organization read from tables: an HR system's export as the AST the YAML builds.

A roster of thousands of people does not belong in a YAML rule file (the file
limits stop at about 8,000 people, E0104) and does not come as YAML: HR
systems export tables, one row per person (工号, 姓名, 科室, 岗位) and one
row per section (科室编号, 科室名称, 考核组, 负责人, 联络员).  The
organization block names them::

    organization:
      groups: [{id: 机关科室}]
      tables: {sections: org/sections.csv, people: org/people.xlsx}

Each part (groups, sections, people, posts) comes from a table or is written
inline, never both (E0883); parts not in a table stay inline.  A path is
relative to the rule set's folder and never leaves it (E0880); a workbook
path may name its sheet (``org/roster.xlsx#人员``), else its first sheet is
read.  Paths are read through the rule set's source, so rules read from a
git revision read their tables from the same revision.

Every row becomes the same declaration the YAML builds (``ast.SectionDecl``,
``ast.PersonDecl``, ...) with a span on each cell: the table is a
``TableFile`` (line N = row N), so the compiler's checks of the organization
(duplicate ids, unknown sections, groups and people, a head who is not a
member, unknown posts) point at the cell with no change, and the table joins
the rule set's files, so the rules digest covers it.  What only a table can
get wrong is checked here: a missing or repeated column (E0884, E0885), an
empty required cell (E0886), an id that is not a name (E0208, as in YAML).
All problems are collected; reading is one pass over the rows.

A roster of 100,000 people usually has none of those problems: sections and
people are then checked a column at a time and made in one pass, their
names' spans found in the table's text only when asked (``_CellIdent``).
On any problem the part is made row by row, which reports each problem at
its cell in the order of the rows (``_PartReader.row_by_row``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Protocol

from dsl import ast, schema
from dsl.collector import collector_paused
from dsl.diagnostics import Diagnostic, Label
from dsl.expressions import KEYWORDS
from dsl.spans import Span, TableFile, escape_cell
from dsl.tablefiles import (
    ColumnProblem,
    EncodingProblem,
    Table,
    TableError,
    TooManyRecords,
    read_table_bytes,
)

# A table may hold this many rows and bytes: a national roster (about
# 800,000 staff) fits, a runaway export does not exhaust memory.
MAX_ROWS = 1_000_000
MAX_BYTES = 256 * 1024 * 1024
TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")

# Tags of a section and duties of a post share a cell: tags are separated by
# 、 , ， ; ； or spaces, duties by line breaks (Alt+Enter in Excel) or ； ;.
_TAG_SEPARATORS = re.compile(r"[、,，;；\s]+")
_DUTY_SEPARATORS = re.compile(r"[\n\r;；]+")
# Names (``schema.NAME_PATTERN`` without its anchors, and the final line
# break its ``$`` lets through) separated by NUL: a column of names checked
# in one match (``_PartReader.all_names``).
_NAME_BODY = schema.NAME_PATTERN.removeprefix("^").removesuffix("$")
_NAMES = re.compile(f"(?:{_NAME_BODY})\n?(?:\0(?:{_NAME_BODY})\n?)*")


class TableSource(Protocol):
    """Where the rule set's files are (``dsl.ruleset.RuleSource`` is one)."""

    def read_bytes(self, name: str) -> bytes: ...
    def display(self, name: str) -> str: ...


@dataclass(frozen=True)
class Column:
    """One column of a part's table: the field it fills and the heads it may have."""

    field: str
    heads: tuple[str, ...]  # Chinese first; the first is the one messages name
    required: bool = False


# The columns of each part.  Heads are matched after trimming, English ones
# without regard to case.  Other columns (an HR export has many) are ignored.
COLUMNS: dict[str, tuple[Column, ...]] = {
    "groups": (
        Column("id", ("考核组", "考核组编号", "编号", "id", "group"), required=True),
        Column("name", ("考核组名称", "名称", "name")),
    ),
    "sections": (
        Column("id", ("科室编号", "编号", "id"), required=True),
        Column("name", ("科室名称", "科室", "名称", "name"), required=True),
        Column("group", ("考核组", "分组", "group"), required=True),
        Column("tags", ("标签", "tags")),
        Column("head", ("负责人", "主要负责人", "head")),
        Column("liaison", ("联络员", "绩效联络员", "liaison")),
    ),
    "people": (
        Column("id", ("工号", "人员编号", "编号", "id"), required=True),
        Column("name", ("姓名", "name"), required=True),
        Column("section", ("科室", "科室编号", "所在科室", "section"), required=True),
        Column("post", ("岗位", "post")),
    ),
    "posts": (
        Column("id", ("岗位", "岗位编号", "编号", "id"), required=True),
        Column("name", ("岗位名称", "名称", "name")),
        Column("duties", ("岗位职责", "职责", "duties")),
    ),
}
PARTS = tuple(COLUMNS)
# Problems of one row: the other rows are still read.
_ROW_PROBLEMS = frozenset({"E0886", "E0208"})
# The last table of each part read without a problem, by what it was read
# from (``_PartReader.key``), with its files and declarations.  A dry-run
# compiles the baseline and the candidate from the same folder: reading a
# national roster twice was a seventh of it.  The declarations are immutable
# and shared; a table with a problem is read again, so each compilation
# reports it.  One entry per part bounds what is kept.
_LAST_READ: dict[str, tuple[Hashable, tuple[TableFile, ...], tuple[Any, ...]]] = {}


def with_tables(
    decl: ast.OrganizationDecl, source: TableSource, diagnostics: list[Diagnostic]
) -> tuple[ast.OrganizationDecl | None, tuple[TableFile, ...]]:
    """``decl`` with the parts its ``tables`` name read from them, and the
    tables as files (for messages and the rules digest).

    None when a table could not be read at all (no file, no sheet, a missing
    column): the organization without it would make every reference to it
    an error of its own (each section's head unknown when the people are
    missing), thousands of messages hiding the one that matters."""
    tables = decl.tables
    if tables is None:
        return decl, ()
    complete = True
    files: list[TableFile] = []
    parts: dict[str, Any] = {}
    for part in PARTS:  # sections before people: people may name a section by its name
        written: ast.Ident | None = getattr(tables, part)
        if written is None:
            continue
        inline: tuple[Any, ...] = getattr(decl, part)
        if inline:
            labels = (Label(inline[0].id.span, "E0883.label"),)
            diagnostics.append(
                Diagnostic("E0883", {"part": part, "path": written.name}, written.span,
                           labels=labels, help=("E0883.help", {}))
            )  # fmt: skip
            continue
        sections = parts.get("sections", decl.sections)
        reader = _PartReader(part, source, diagnostics, _section_names(sections))
        with collector_paused():  # a row's cells, spans and declaration: no cycles
            parts[part] = reader.read(written)
        files.extend(reader.files)
        complete = complete and not reader.failed
    if not complete:
        return None, tuple(files)
    return dataclasses.replace(decl, **parts), tuple(files)


def _section_names(sections: Sequence[ast.SectionDecl]) -> dict[str, str | None]:
    """Section name -> its id (None when two sections share the name)."""
    names: dict[str, str | None] = {}
    for section in sections:
        name = section.name
        names[name] = None if name in names else section.id.name
    for section in sections:  # an id is read as the id it is
        names.pop(section.id.name, None)
    return names


class _PartReader:
    """One part's table read into declarations, its problems collected."""

    def __init__(
        self,
        part: str,
        source: TableSource,
        diagnostics: list[Diagnostic],
        section_names: dict[str, str | None],
    ) -> None:
        self.part = part
        self.source = source
        self.diagnostics = diagnostics
        self.section_names = section_names
        self.files: list[TableFile] = []
        self.failed = False  # the table could not be read (file, sheet, columns)
        # Names already found valid: a section's or post's name repeats on
        # every row of its people, and is checked once.
        self.names: set[str] = set()

    def key(self, shown: str, sheet: str, raw: bytes) -> Hashable:
        """What the declarations read from ``raw`` depend on: the bytes,
        where they are shown (every span names it), the sheet, the row
        limit and, for people, the section names they may use."""
        names = tuple(self.section_names.items()) if self.part == "people" else ()
        return (shown, sheet, hashlib.sha256(raw).digest(), MAX_ROWS, names)

    def is_name(self, text: str) -> bool:
        """``text`` may be an id (E0208 otherwise), remembered when it may."""
        if schema.is_name(text) and text not in KEYWORDS:
            self.names.add(text)
            return True
        return False

    def error(self, code: str, args: dict[str, object], span: Span | None, **extra: Any) -> None:
        self.diagnostics.append(Diagnostic(code, args, span, **extra))
        if code not in _ROW_PROBLEMS:
            self.failed = True

    def read(self, written: ast.Ident) -> tuple[Any, ...]:
        found = self.raw(written)
        if found is None:
            return ()
        shown, sheet, raw = found
        key = self.key(shown, sheet, raw)
        last = _LAST_READ.get(self.part)
        if last is not None and last[0] == key:
            self.files.extend(last[1])
            return last[2]
        table = self.table(raw, shown, sheet, written)
        if table is None:
            return ()
        before = len(self.diagnostics)
        declarations = self.declarations(table)
        if len(self.diagnostics) == before and not self.failed:
            _LAST_READ[self.part] = (key, tuple(self.files), declarations)
        return declarations

    # -- the file and its sheet ----------------------------------------------------

    def raw(self, written: ast.Ident) -> tuple[str, str, bytes] | None:
        """The file ``written`` names as shown, the sheet it names and its
        bytes, or None with the problem reported."""
        path, _, sheet = written.name.partition("#")
        path = path.strip().replace("\\", "/")
        pure = PurePosixPath(path)
        if not path or pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", path):
            self.error("E0880", {"path": written.name}, written.span, help=("E0880.help", {}))
            return None
        if pure.suffix.lower() not in TABLE_SUFFIXES:
            self.error("E0881", {"path": written.name}, written.span, help=("E0881.help", {}))
            return None
        shown = self.source.display(path)
        try:
            raw = self.source.read_bytes(path)
        except OSError as error:
            self.error("E0882", {"path": shown, "problem": error.strerror or str(error)},
                       written.span)  # fmt: skip
            return None
        if len(raw) > MAX_BYTES:
            args = {"path": shown, "amount": len(raw), "limit": MAX_BYTES}
            self.error("E0888", {**args, "what": ("E0888.bytes", {})}, written.span)
            return None
        return shown, sheet.strip(), raw

    def table(self, raw: bytes, shown: str, sheet: str, written: ast.Ident) -> Table | None:
        """The sheet of the file's bytes, or None with the problem reported."""
        try:
            # A Parquet file's records are counted from its footer, before
            # a few kilobytes of it become millions of rows in memory.
            tables = read_table_bytes(raw, shown, max_records=MAX_ROWS)
        except TooManyRecords as over:  # located as E0888 of a CSV: the first row over
            args = {"path": shown, "amount": over.records, "limit": MAX_ROWS}
            self.error("E0888", {**args, "what": ("E0888.rows", {})}, None,
                       location=f"{shown}:{MAX_ROWS + 2}")  # fmt: skip
            return None
        except EncodingProblem as problem:
            self.error("E0882", {"path": f"{shown}:{problem.line}", "problem": str(problem)},
                       written.span)  # fmt: skip
            return None
        except ColumnProblem as problem:  # a Parquet column that is not cells
            args = {"path": shown, "column": problem.column, "kind": problem.kind}
            self.error("E0961", args, None, location=f"{shown}:1 [{problem.column}]",
                       help=("E0961.help", {}))  # fmt: skip
            return None
        except TableError as problem:
            self.error("E0882", {"path": shown, "problem": str(problem)}, written.span)
            return None
        return self.sheet(tables, sheet, written, shown)

    def sheet(
        self, tables: list[Table], sheet: str, written: ast.Ident, shown: str
    ) -> Table | None:
        if not sheet:
            if not tables:
                self.error("E0887", {"path": shown, "sheet": "", "sheets": ""}, written.span)
                return None
            return tables[0]
        for table in tables:
            if table.shown.endswith(f" (sheet {sheet})") and table.shown != shown:
                return table
        names = [t.shown.removeprefix(f"{shown} (sheet ").removesuffix(")") for t in tables]
        sheets = "、".join(n for n in names if n != shown)
        self.error("E0887", {"path": shown, "sheet": sheet, "sheets": sheets}, written.span)
        return None

    # -- rows to declarations -------------------------------------------------------

    def declarations(self, table: Table) -> tuple[Any, ...]:
        file, rows = _as_file(table)
        self.files.append(file)
        columns = self.columns(table, file)
        if columns is None:
            return ()
        if len(table.rows) > MAX_ROWS:
            args = {"path": table.shown, "amount": len(table.rows), "limit": MAX_ROWS}
            self.error("E0888", {**args, "what": ("E0888.rows", {})}, None,
                       location=f"{table.shown}:{table.rows[MAX_ROWS][0]}")  # fmt: skip
            return ()
        at_once = _AT_ONCE.get(self.part)
        if at_once is not None:
            made = at_once(self, _Columns(file, rows, columns))
            if made is not None:
                return made
        return self.row_by_row(file, rows, columns)

    def row_by_row(
        self, file: TableFile, rows: list[tuple[int, list[str]]], columns: dict[str, int]
    ) -> tuple[Any, ...]:
        """The declarations made one row at a time, each problem reported at
        its cell in the order of the rows."""
        make = _MAKERS[self.part]
        found = []
        for number, cells in rows:
            made = make(_Row(self, file, number, cells, columns))
            if made is not None:
                found.append(made)
        return tuple(found)

    def all_names(self, texts: Sequence[str], required: bool) -> bool:
        """Every text of a column may be an id (each distinct one checked
        once), and none is empty where one is ``required``."""
        distinct = set(texts)
        if "" in distinct:
            if required:
                return False
            distinct.discard("")
        if not distinct:
            return True
        # One match over the distinct texts joined by NUL, which no name
        # holds (a text holding it is not a name).
        joined = "\0".join(distinct)
        if distinct & KEYWORDS or joined.count("\0") != len(distinct) - 1:
            return False
        return _NAMES.fullmatch(joined) is not None

    def columns(self, table: Table, file: TableFile) -> dict[str, int] | None:
        """Field -> column index; None when a required column is missing."""
        index: dict[str, int] = {}
        wanted = {head.lower(): column for column in COLUMNS[self.part] for head in column.heads}
        complete = True
        for position, head in enumerate(table.header):
            column = wanted.get(head.strip().lower())
            if column is None:
                continue
            if column.field in index:
                first = table.header[index[column.field]]
                self.error("E0885", {"column": head, "first": first}, None,
                           location=f"{table.shown}:1 [{head}]", help=("E0885.help", {}))  # fmt: skip
                complete = False
                continue
            index[column.field] = position
        for column in COLUMNS[self.part]:
            if column.required and column.field not in index:
                heads = "、".join(column.heads)
                self.error("E0884", {"column": column.heads[0], "heads": heads}, None,
                           location=f"{table.shown}:1", help=("E0884.help", {"heads": heads}))  # fmt: skip
                complete = False
        return index if complete else None


def _as_file(table: Table) -> tuple[TableFile, list[tuple[int, list[str]]]]:
    """The table as text (line N = row N, cells separated by tabs) and its
    data rows: each row's number and cells, as many as the header has at
    least (a workbook leaves trailing empty cells out, and an empty required
    cell is shown at its column).  A cell's span is found in the text when
    asked (``_cell_span``)."""
    head = "\t".join(escape_cell(h) for h in table.header)
    plain = _plain_text(table)
    if plain is not None:
        return TableFile(table.shown, f"{head}\n{plain}" if table.rows else head), table.rows
    lines = [head]
    rows: list[tuple[int, list[str]]] = []
    width = len(table.header)
    line = 1
    for number, cells in table.rows:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        if number - line > 1:  # rows the reader skipped (empty) stay as empty lines
            lines.extend([""] * (number - line - 1))
        line = number
        text = "\t".join(cells)
        # Most rows hold nothing to escape: the row is its cells joined.
        if "\\" in text or "\n" in text or "\r" in text or text.count("\t") != len(cells) - 1:
            text = "\t".join([escape_cell(cell) for cell in cells])
        rows.append((number, cells))
        lines.append(text)
    return TableFile(table.shown, "\n".join(lines)), rows


def _plain_text(table: Table) -> str | None:
    """The data rows' lines at once, when they are their cells joined as
    they are: rows 2, 3, ... with none skipped, none shorter than the
    header, no cell to escape.  None otherwise (``_as_file`` goes row by row)."""
    numbers = [number for number, _ in table.rows]
    rows = [cells for _, cells in table.rows]
    shortest = max(len(table.header), 1)  # a row of no cells is written row by row
    if numbers != list(range(2, len(rows) + 2)) or min(map(len, rows), default=1) < shortest:
        return None
    text = "\n".join(map("\t".join, rows))
    tabs = sum(map(len, rows)) - len(rows)
    if (
        "\\" in text
        or "\r" in text
        or text.count("\n") != len(rows) - 1
        or text.count("\t") != tabs
    ):
        return None
    return text


def _cell_span(file: TableFile, number: int, position: int) -> Span:
    """The span of the cell at ``position`` of row ``number``: between the
    tabs around it on the row's line (a cell holds no tab of its own, it is
    escaped); a cell past the row's last one is just after the row's end."""
    text = file.text
    start = file.line_starts[number - 1]
    end = file.line_starts[number] - 1 if number < len(file.line_starts) else len(text)
    for _ in range(position):
        tab = text.find("\t", start, end)
        if tab < 0:
            return Span(file, end, end)
        start = tab + 1
    tab = text.find("\t", start, end)
    return Span(file, start, end if tab < 0 else tab)


class _Column:
    """One column of a table's file, where its cells' spans are found."""

    __slots__ = ("file", "position")

    def __init__(self, file: TableFile, position: int) -> None:
        self.file = file
        self.position = position

    def span(self, number: int) -> Span:
        return _cell_span(self.file, number, self.position)


class _CellIdent(ast.Ident):
    """A name read from a table's cell, its span found when asked.

    A roster of 100,000 people holds 300,000 names; their spans are read
    for a message or for where a subject is declared, mostly never: a
    Span and its offsets per cell made a third of reading the roster.  It
    is the ``Ident`` it stands for: equal to it, hashed and shown as it."""

    __slots__ = ("_column", "_number")
    _column: _Column
    _number: int

    def __init__(self, name: str, column: _Column, number: int) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "_column", column)
        object.__setattr__(self, "_number", number)

    @property
    def span(self) -> Span:
        column = self._column
        return _cell_span(column.file, self._number, column.position)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ast.Ident):
            return NotImplemented
        return (self.name, self.span) == (other.name, other.span)

    def __hash__(self) -> int:
        return hash((self.name, self.span))

    def __repr__(self) -> str:
        return f"Ident(name={self.name!r}, span={self.span!r})"

    def __reduce__(self) -> tuple[type[ast.Ident], tuple[str, Span]]:
        return ast.Ident, (self.name, self.span)  # copied and pickled as the Ident


class _Columns:
    """A table's cells a column at a time: what a whole part is checked and
    made from when no cell has a problem (``_AT_ONCE``)."""

    def __init__(
        self, file: TableFile, rows: list[tuple[int, list[str]]], columns: dict[str, int]
    ) -> None:
        self.file = file
        self.numbers = [number for number, _ in rows]
        self.rows = [cells for _, cells in rows]
        self.columns = columns

    def texts(self, field: str) -> list[str]:
        """The field's cells, trimmed (all empty without its column)."""
        position = self.columns.get(field)
        if position is None:
            return [""] * len(self.rows)
        return [row[position].strip() for row in self.rows]

    def column(self, field: str) -> _Column:
        """Where the field's cells are (the field has its column)."""
        return _Column(self.file, self.columns[field])


class _Row:
    """One data row: its cells by field, each with its span."""

    __slots__ = ("cells", "columns", "file", "number", "reader")

    def __init__(
        self,
        reader: _PartReader,
        file: TableFile,
        number: int,
        cells: list[str],
        columns: dict[str, int],
    ) -> None:
        self.reader = reader
        self.file = file
        self.number = number
        self.cells = cells
        self.columns = columns

    def span(self, position: int) -> Span:
        return _cell_span(self.file, self.number, position)

    def text(self, field: str) -> str:
        position = self.columns.get(field)
        if position is None or position >= len(self.cells):
            return ""
        return self.cells[position].strip()

    def required(self, field: str) -> str | None:
        """The cell's text; None (E0886) when it is empty."""
        text = self.text(field)
        if not text:
            self.empty(field)
            return None
        return text

    def empty(self, field: str) -> None:
        head = _head(self.reader.part, field)
        self.reader.error("E0886", {"column": head}, self.span(self.columns[field]),
                          help=("E0886.help", {}))  # fmt: skip

    def ident(self, field: str, required: bool = False, check: bool = True) -> ast.Ident | None:
        """The cell as a name (E0208 unless ``check`` is off; E0886 if required and empty)."""
        position = self.columns.get(field)
        cells = self.cells
        text = cells[position].strip() if position is not None and position < len(cells) else ""
        if not text:
            if required:
                self.empty(field)
            return None
        assert position is not None
        span = self.span(position)
        if check and text not in self.reader.names and not self.reader.is_name(text):
            self.reader.error("E0208", {"name": text}, span, help=("E0208.help", {}))
        return ast.Ident(text, span)

    def idents(self, field: str) -> tuple[ast.Ident, ...]:
        """Several names in one cell (a section's tags), each with the cell's span."""
        text = self.text(field)
        if not text:
            return ()
        span = self.span(self.columns[field])
        found = []
        for name in _TAG_SEPARATORS.split(text):
            if name:
                if name not in self.reader.names and not self.reader.is_name(name):
                    self.reader.error("E0208", {"name": name}, span, help=("E0208.help", {}))
                found.append(ast.Ident(name, span))
        return tuple(found)


def _head(part: str, field: str) -> str:
    return next(c.heads[0] for c in COLUMNS[part] if c.field == field)


def _group(row: _Row) -> ast.GroupDecl | None:
    ident = row.ident("id", required=True)
    if ident is None:
        return None
    return ast.GroupDecl(ident, row.text("name") or ident.name)


def _section(row: _Row) -> ast.SectionDecl | None:
    ident = row.ident("id", required=True)
    name = row.required("name")
    group = row.ident("group", required=True)
    if ident is None or name is None or group is None:
        return None
    head, liaison = row.ident("head"), row.ident("liaison")
    return ast.SectionDecl(ident, name, group, row.idents("tags"), head, liaison)


def _person(row: _Row) -> ast.PersonDecl | None:
    ident = row.ident("id", required=True)
    name = row.required("name")
    written = row.text("section")
    # An HR export names the section as people know it: a section's name
    # (unique among the sections) is read as its id.
    by_name = row.reader.section_names.get(written)
    section = row.ident("section", required=True, check=by_name is None)
    if ident is None or name is None or section is None:
        return None
    if by_name is not None:
        section = ast.Ident(by_name, section.span)
    return ast.PersonDecl(ident, name, section, row.ident("post", check=False))


def _post(row: _Row) -> ast.PostDecl | None:
    ident = row.ident("id", required=True)
    if ident is None:
        return None
    duties = tuple(d.strip() for d in _DUTY_SEPARATORS.split(row.text("duties")) if d.strip())
    return ast.PostDecl(ident, row.text("name") or None, duties)


_MAKERS: dict[str, Callable[[_Row], Any]] = {
    "groups": _group,
    "sections": _section,
    "people": _person,
    "posts": _post,
}


# -- a whole part at once ------------------------------------------------------------
#
# A roster of 100,000 people has no problem in the common case: its columns
# are checked at once (each distinct text once) and its declarations made
# in one pass, with no row object and no call per cell.  On any problem the
# part is made row by row (``_PartReader.row_by_row``), which reports every
# problem at its cell in the order of the rows: the same declarations, and
# the problems as they always were.


def _sections_at_once(reader: _PartReader, table: _Columns) -> tuple[ast.SectionDecl, ...] | None:
    ids, names, groups = table.texts("id"), table.texts("name"), table.texts("group")
    heads, liaisons, tags = table.texts("head"), table.texts("liaison"), table.texts("tags")
    split = {text: [n for n in _TAG_SEPARATORS.split(text) if n] for text in set(tags)}
    if not (
        "" not in names
        and reader.all_names(ids, required=True)
        and reader.all_names(groups, required=True)
        and reader.all_names(heads, required=False)
        and reader.all_names(liaisons, required=False)
        and reader.all_names([n for found in split.values() for n in found], required=False)
    ):
        return None
    cell = _CellIdent
    at_id, at_group = table.column("id"), table.column("group")
    at_head, at_liaison, at_tags = (
        _Column(table.file, table.columns.get(field, -1)) for field in ("head", "liaison", "tags")
    )  # a column not in the table has only empty cells, never located
    return tuple(
        ast.SectionDecl(
            cell(i, at_id, number),
            name,
            cell(g, at_group, number),
            tuple([cell(tag, at_tags, number) for tag in split[tags_cell]]) if tags_cell else (),
            cell(h, at_head, number) if h else None,
            cell(li, at_liaison, number) if li else None,
        )
        for number, i, name, g, tags_cell, h, li in zip(
            table.numbers, ids, names, groups, tags, heads, liaisons, strict=True
        )
    )


def _people_at_once(reader: _PartReader, table: _Columns) -> tuple[ast.PersonDecl, ...] | None:
    ids, names, written, posts = (table.texts(f) for f in ("id", "name", "section", "post"))
    by_name = reader.section_names
    distinct = set(written)
    if not (
        "" not in names
        and "" not in distinct
        and reader.all_names(ids, required=True)
        # A section's name (unique among the sections) is read as its id.
        and reader.all_names([t for t in distinct if by_name.get(t) is None], required=True)
    ):
        return None
    sections = {t: t if (named := by_name.get(t)) is None else named for t in distinct}
    cell = _CellIdent
    at_id, at_section = table.column("id"), table.column("section")
    at_post = _Column(table.file, table.columns.get("post", -1))  # as ``at_tags`` above
    return tuple(
        ast.PersonDecl(
            cell(i, at_id, number),
            name,
            cell(sections[s], at_section, number),
            cell(post, at_post, number) if post else None,
        )
        for number, i, name, s, post in zip(table.numbers, ids, names, written, posts, strict=True)
    )


_AT_ONCE: dict[str, Callable[[_PartReader, _Columns], tuple[Any, ...] | None]] = {
    "sections": _sections_at_once,
    "people": _people_at_once,
}
