"""Tables of text cells from the bytes of CSV files, XLSX workbooks and Parquet files.

Data files (``runtime.inputs``) and the rule set's own tables (the roster,
``dsl.rostertables``) are read by this one reader, so it sits in ``dsl``:
the rule set's tables may come from a git revision, where there is no path
to open, only bytes (``read_table_bytes``).

Every table is a header row and numbered rows of cell text; each sheet of a
workbook is a table of its own, shown as ``file.xlsx (sheet 名称)`` in every
message.  Cells become text here and are read by their input's kind later,
the same way for both formats.  A number Excel stores is taken as the
shortest decimal that round-trips it (what Excel displays, ``0.1`` not
``0.1000000000000000055…``), written in digits (``10000000000000000`` and
``0.0000001``, never ``1E+16``, which the number reader refuses), so no
binary float reaches a score.

Whatever a file holds, reading it ends in tables or in a ``TableError``
naming what is wrong, never in an exception of the CSV module or the
workbook library: a workbook that is not a zip, malformed XML inside it, a
CSV cell over the field limit.  A sheet's declared dimensions are not
trusted (a single cell at XFD1048576 would otherwise make a million padded
rows).  A formula cell whose result was never saved (a workbook written by a
program, not by Excel or WPS) is listed in ``Table.uncached`` so the reader
reports it at its cell instead of reading it as empty.

A CSV is read as offices save it: UTF-8 (with or without the BOM Excel
writes) or GB18030, the superset of GBK that WPS and Excel on Chinese
Windows use by default.  UTF-8 is tried first and strictly, because a GBK
file almost never decodes as UTF-8 while UTF-8 text often decodes as
(wrong) GB18030; a file in neither is one ``EncodingProblem`` naming the
line of the first byte that fits neither.

A Parquet file (``.parquet``, what Hive and Spark warehouses export) is one
table, read by ``dsl.parquetfiles``: each typed value becomes the text
``_text`` gives a workbook cell of that value, rows are numbered as the
CSV's lines, and a column that is not cells (a list, a struct) is a
``ColumnProblem`` naming it.  A caller with a row limit (the organization's
tables) passes it as ``max_records``: a Parquet file declaring more is
``TooManyRecords`` from its footer, before a few kilobytes of it are
decoded into millions of rows.

A form ``jixiao template`` writes is a workbook like any other, with two
conventions the reader knows: its instructions sheet, named
``FORM_INSTRUCTIONS`` (a reserved name), is not a table and is skipped; and
in a workbook that has it, the fixed columns may be headed as the form heads
them in Chinese (``FORM_HEADS``: 编号, 名称 or 姓名, 考核期间), read as
``subject``, ``name`` and ``period``.  Only forms get these names, so a data
file with a column an office happens to call 名称 reads as before.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import re
import warnings
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

DATA_SUFFIXES = (".csv", ".xlsx", ".parquet")
FORM_INSTRUCTIONS = "填报说明"  # a form's instructions sheet: never read as a table
FORM_HEADS = {"编号": "subject", "名称": "name", "姓名": "name", "考核期间": "period"}


@dataclass(frozen=True, slots=True)
class Table:
    shown: str  # "file.csv" or "file.xlsx (sheet 科室)"
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the file or sheet, cells)
    uncached: tuple[tuple[int, int], ...] = ()  # (row, column index) of formulas without a value
    form: bool = False  # a data sheet of a form (``jixiao template``)


@dataclass(frozen=True, slots=True)
class Deciding:
    """How the rows of one table are left out (``LeftOut``): the column whose
    cell decides; the column naming each row's subject when the rows kept
    must name every subject the table names (None: they need not); and what
    a deciding cell's text says: True (leave the row out), False (keep it)
    or None (read the table whole: what the caller makes of it might change)."""

    column: int
    named: int | None
    rows: Callable[[str], bool | None]


@dataclass(frozen=True, slots=True)
class LeftOut:
    """Rows a caller skips without a word, left out of a CSV table as it is
    read, their cells never split (``read_table_bytes``): at 100,000 people
    the period data holds eight quarters' rows, an evaluation reads one, and
    splitting the others was most of the reading time.  ``deciding(header)``
    says how a table's rows are left out (None: read every row); ``key``
    names the filter (tables read with it are kept under it)."""

    key: Hashable
    deciding: Callable[[list[str]], Deciding | None]


class TableError(Exception):
    """A data file that cannot be read at all."""


class EncodingProblem(TableError):
    """A CSV file that is neither UTF-8 nor GB18030 (GBK): where, and which byte."""

    def __init__(self, line: int, byte: int) -> None:
        super().__init__(f"line {line}: byte 0x{byte:02x} is neither UTF-8 nor GB18030 (GBK)")
        self.line = line
        self.byte = byte


class ColumnProblem(TableError):
    """A column whose values are not cells (a Parquet list, struct, map,
    binary or duration column): which column, and its type as the file
    declares it."""

    def __init__(self, column: str, kind: str) -> None:
        super().__init__(f"column {column}: values of type {kind} are not table cells")
        self.column = column
        self.kind = kind


class TooManyRecords(TableError):
    """A Parquet file declaring more records (``records``) than the caller
    reads (``limit``), refused before they are decoded."""

    def __init__(self, records: int, limit: int) -> None:
        super().__init__(f"{records} records, more than {limit}")
        self.records = records
        self.limit = limit


def read_table_bytes(
    raw: bytes, shown: str, max_records: int | None = None, left_out: LeftOut | None = None
) -> list[Table]:
    """The tables of a file's bytes (``shown``: its name in messages; a name
    ending in ``.xlsx`` is a workbook, ``.parquet`` a Parquet file
    (``dsl.parquetfiles``), any other CSV).  A Parquet file whose footer
    declares more than ``max_records`` records is ``TooManyRecords``, before
    they are decoded (a file of a few kilobytes can declare millions of
    records); the rows of other formats are as many as their bytes allow,
    and the caller counts them.  ``left_out``: a CSV or Parquet table
    without the rows it leaves out, when that is all that differs
    (``_csv_leaving_out``, ``parquetfiles._rows_left_out``)."""
    if shown.lower().endswith(".xlsx"):
        return _xlsx(raw, shown)
    if shown.lower().endswith(".parquet"):
        return [_parquet(raw, shown, max_records, left_out)]
    # Decoded and split a chunk at a time (``csv_lines``): the whole text and a
    # list of all its lines next to the rows made from them were most of the
    # peak memory of a large table.  The result is the one decoding the whole
    # file would give: UTF-8 (BOM or not) when all of it is, else GB18030.
    for encoding in ("utf-8", "gb18030"):
        try:
            if left_out is not None:
                table = _csv_leaving_out(raw, encoding, shown, left_out)
                if table is not None:
                    return [table]
            return [_csv_table(csv_lines(raw, encoding), shown)]
        except UnicodeDecodeError:
            continue
        except TableError:
            if _decodes(raw, encoding):
                raise  # a CSV problem of the text the file is
            continue  # found before the byte that makes it not this encoding
    decode_csv(raw)  # raises the EncodingProblem that says where
    raise AssertionError("unreachable: decode_csv found no problem")  # pragma: no cover


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError:
        return False
    return True


# About this many bytes of a CSV file are decoded and split into lines at once.
_CHUNK = 1 << 20


def csv_lines(raw: bytes, encoding: str) -> Iterator[str]:
    """``decode(raw).splitlines(keepends=True)``, a chunk at a time
    (``_csv_chunks``)."""
    for text in _csv_chunks(raw, encoding):
        yield from text.splitlines(keepends=True)


def _csv_chunks(raw: bytes, encoding: str) -> Iterator[str]:
    """``decode(raw)`` in pieces of about ``_CHUNK`` bytes.  Chunks end just
    after a ``\n`` byte, which is a line feed in UTF-8 and GB18030 alike
    (never part of a multi-byte character), so each chunk decodes on its
    own and a line never spans two chunks (``\r\n`` stays whole)."""
    start, size = 0, len(raw)
    if encoding == "utf-8" and raw.startswith(codecs.BOM_UTF8):
        start = len(codecs.BOM_UTF8)  # what decoding as utf-8-sig drops
    while start < size:
        end = raw.find(b"\n", start + _CHUNK)
        end = size if end < 0 else end + 1
        yield raw[start:end].decode(encoding)
        start = end


# A character after which the csv module's records of a text may differ from
# its lines split at commas: a quote, or a line break other than ``\n`` and
# ``\r\n`` (``str.splitlines`` ends a line at these too).
_ODD = re.compile('["\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]')


def _plain_lines(text: str) -> list[str] | None:
    """A chunk's lines, without their line ends, when each is a record of the
    csv module whose cells are the line split at commas; None when that
    might not be so (``_ODD``, a lone ``\r``, or a line longer than the csv
    module's field limit, which it reports)."""
    if _ODD.search(text) is not None:
        return None
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()  # the chunk ends with its last line's \n
    limit = csv.field_size_limit()
    if len(text) > limit and max(map(len, lines)) > limit:
        return None
    return lines


def _csv_leaving_out(raw: bytes, encoding: str, shown: str, left_out: LeftOut) -> Table | None:
    """``_csv_table``'s table without the rows ``left_out`` leaves out, read
    from each line's first cells (the other cells never split); None (read
    it whole) when the text is not plain (``_plain_lines``), the header has
    no deciding column, a row is short of it or its cell says so, no row is
    left, or the rows kept name fewer subjects than all rows do where that
    matters (``Deciding.named``: which subjects a table names decides whose
    table it is)."""
    header: list[str] | None = None
    numbered: list[tuple[int, list[str]]] = []
    keep = numbered.append
    shared: dict[str, str] = {}  # equal cells share one string, as in ``_csv_table``
    same = shared.setdefault
    decided: dict[str, bool | None] = {}  # a deciding cell's text -> ``Deciding.rows`` of it
    named: set[str] = set()  # the subject cells of the rows left out
    number, at, who = 1, 0, 0
    decide: Callable[[str], bool | None] = _keep_every_row
    for text in _csv_chunks(raw, encoding):
        lines = _plain_lines(text)
        if lines is None:
            return None
        if header is None:
            first = lines.pop(0)
            header = [cell.strip() for cell in first.split(",")] if first else []
            found = left_out.deciding(header)
            if found is None:
                return None
            at, decide = found.column, found.rows
            # No subjects to compare: the deciding cells stand in for them.
            who = at if found.named is None else found.named
        reach = max(at, who) + 1
        start = number + 1
        for number, line in enumerate(lines, start=start):
            head = line.split(",", reach)
            if len(head) >= reach:
                cell = head[at]
                leave = decided[cell] if cell in decided else decided.setdefault(cell, decide(cell))
                if leave:
                    # The shared string, which the subject's kept row will hold
                    # too: a copy per row left out would stay in the memory
                    # the kept rows are made in.
                    named.add(same(head[who], head[who]))
                    continue
                if leave is False:
                    cells = line.split(",")
                    if "".join(cells).strip():
                        keep((number, list(map(same, cells, cells))))
                    continue
            if line.replace(",", "").strip():
                return None  # short of the deciding cells, or a cell that says to read it whole
    if header is None or not numbered:
        return None
    if named and who != at:
        kept = {cells[who].strip() for _, cells in numbered}
        if not {text.strip() for text in named} <= kept:
            return None
    return Table(shown, header, numbered)


def _keep_every_row(text: str) -> bool | None:
    return False


def _csv_table(lines: Iterator[str], shown: str) -> Table:
    # Line ends kept: a quoted cell may hold line breaks (a post's duties),
    # which the csv module keeps only when it sees them.
    rows = csv.reader(lines)
    line = 1
    numbered: list[tuple[int, list[str]]] = []
    header: list[str] = []
    try:
        header = [cell.strip() for cell in next(rows, [])]
        # Equal cells share one string: a large table repeats its periods,
        # levels, dates and small counts on every row (a quarter of the memory).
        shared: dict[str, str] = {}
        same = shared.setdefault
        keep = numbered.append
        for line, cells in enumerate(rows, start=2):
            # A row is kept when some cell holds more than blanks (one join, not a
            # strip per cell: a table of a million rows spends seconds here).
            if "".join(cells).strip():
                keep((line, list(map(same, cells, cells))))
    except csv.Error as error:
        raise TableError(f"row {line + 1 if numbered or header else line}: {error}") from None
    return Table(shown, header, numbered)


def decode_csv(raw: bytes) -> str:
    """The text of a CSV file saved as UTF-8 (BOM or not) or GB18030/GBK."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError as gb:
            # The file is in whichever encoding read further; the byte where
            # that one stopped is the one to show (a UTF-8 file with one bad
            # byte stops GB18030 early, somewhere in its Chinese text).
            bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
            at = max(utf8.start + bom, gb.start)
            raise EncodingProblem(raw.count(b"\n", 0, at) + 1, raw[at]) from None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Positional, as the number is written in a cell: 1e16 and 1e-7 are
        # 10000000000000000 and 0.0000001, never 1E+16 (not a number to the
        # data's readers) and 1E-7.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _parquet(
    raw: bytes, shown: str, max_records: int | None, left_out: LeftOut | None = None
) -> Table:
    """A Parquet file's table: its cells the text ``_text`` gives a
    workbook's cell of the same typed value; ``left_out``: without the rows
    it leaves out, when that is all that differs (as a CSV file's)."""
    from dsl.parquetfiles import OverLimit, ParquetProblem, read_parquet  # pyarrow only for Parquet

    deciding = left_out.deciding if left_out is not None else None
    try:
        header, rows = read_parquet(raw, _text, max_records, deciding)
    except OverLimit as over:
        raise TooManyRecords(over.records, over.limit) from None
    except ParquetProblem as problem:
        if problem.column is not None:
            raise ColumnProblem(problem.column, problem.kind) from None
        raise TableError(str(problem)) from None
    return Table(shown, header, rows)


def _xlsx(raw: bytes, path: str) -> list[Table]:
    """Every sheet of a workbook.  Formulas are read as written first; only a
    workbook that has some is read a second time for the values Excel or WPS
    saved with them."""
    read = _read_workbook(raw, data_only=False)
    form = any(title == FORM_INSTRUCTIONS for title, _, _, _ in read)
    formulas = _form_sheets(read)
    if not any(uncached for _, _, _, uncached in formulas):
        return [
            Table(f"{path} (sheet {title})", header, rows, form=form)
            for title, header, rows, _ in formulas
        ]
    saved = _form_sheets(_read_workbook(raw, data_only=True))
    tables = []
    for (title, _, _, with_formula), (_, header, rows, _) in zip(formulas, saved, strict=True):
        by_number = {1: header, **dict(rows)}
        missing = tuple(
            (number, column)
            for number, column in with_formula
            if not _at(by_number.get(number, []), column)
        )
        tables.append(Table(f"{path} (sheet {title})", header, rows, missing, form))
    return tables


def _form_sheets(sheets: list[Sheet]) -> list[Sheet]:
    """A form's sheets as tables: its instructions sheet left out and its
    Chinese heads of the fixed columns read as their names (a head the table
    already has under its own name is left as it is).  Other workbooks as read."""
    if not any(title == FORM_INSTRUCTIONS for title, _, _, _ in sheets):
        return sheets
    found: list[Sheet] = []
    for title, header, rows, formulas in sheets:
        if title == FORM_INSTRUCTIONS:
            continue
        named = [FORM_HEADS.get(head, head) for head in header]
        renamed = [
            name if name == head or name not in header else head
            for head, name in zip(header, named, strict=True)
        ]
        found.append((title, renamed, rows, formulas))
    return found


def _at(cells: list[str], column: int) -> str:
    return cells[column] if column < len(cells) else ""


Sheet = tuple[str, list[str], list[tuple[int, list[str]]], list[tuple[int, int]]]


def _read_workbook(raw: bytes, data_only: bool) -> list[Sheet]:
    """(title, header, numbered rows, formula cells) of every sheet."""
    with warnings.catch_warnings():
        # The library warns about parts of the file it skips (invalid
        # relationships, unknown extensions): what it reads is checked anyway,
        # and a Python warning on the terminal tells an office nothing.
        warnings.simplefilter("ignore")
        return _read_sheets(raw, data_only)


def _read_sheets(raw: bytes, data_only: bool) -> list[Sheet]:
    import openpyxl  # only when a workbook is read

    # Any exception the workbook library raises here comes from the file's
    # bytes (not a zip, malformed XML, impossible values): a data problem to
    # report at the file, never a traceback.
    try:
        workbook = openpyxl.load_workbook(BytesIO(raw), read_only=True, data_only=data_only)
    except Exception as error:  # see above
        raise TableError(problem_text(error)) from None
    sheets: list[Sheet] = []
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # declared dimensions are not trusted
            rows = sheet.iter_rows()
            formulas: list[tuple[int, int]] = []
            header = _texts(next(rows, ()), 1, formulas)
            numbered = []
            for number, values in enumerate(rows, start=2):
                cells = _texts(values, number, formulas)
                if any(cells):
                    numbered.append((number, cells))
            sheets.append((sheet.title, header, numbered, formulas))
    except Exception as error:  # malformed XML met while reading rows
        raise TableError(problem_text(error)) from None
    finally:
        workbook.close()
    return sheets


def _texts(cells: tuple[object, ...], number: int, formulas: list[tuple[int, int]]) -> list[str]:
    texts = []
    for column, cell in enumerate(cells):
        value = getattr(cell, "value", None)
        if getattr(cell, "data_type", None) == "f":
            formulas.append((number, column))
            texts.append("")
        else:
            texts.append(_text(value))
    while texts and not texts[-1]:
        texts.pop()  # trailing empty cells, however far the sheet claims to reach
    return texts


def problem_text(error: Exception) -> str:
    """What a workbook library's exception says about a file, as a TableError's text."""
    text = str(error).strip()
    return f"not a readable .xlsx workbook ({type(error).__name__}{': ' + text if text else ''})"
