"""Reading data files as tables of text cells: CSV files and XLSX workbooks.

The reader itself is ``dsl.tablefiles`` (the rule set's roster tables are
read by it too, below this layer); this module opens data files by path and
keeps the names the runtime imports.

Every table is a header row and numbered rows of cell text; each sheet of a
workbook is a table of its own, shown as ``file.xlsx (sheet 名称)`` in every
message.  Cells become text here and are read by their input's kind later,
the same way for both formats.  A number Excel stores is taken as the
shortest decimal that round-trips it (what Excel displays, ``0.1`` not
``0.1000000000000000055…``), so no binary float reaches a score.

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

A form ``jixiao template`` writes is a workbook like any other, with two
conventions the reader knows: its instructions sheet, named
``FORM_INSTRUCTIONS`` (a reserved name), is not a table and is skipped; and
in a workbook that has it, the fixed columns may be headed as the form heads
them in Chinese (``FORM_HEADS``: 编号, 名称 or 姓名, 考核期间), read as
``subject``, ``name`` and ``period``.  Only forms get these names, so a data
file with a column an office happens to call 名称 reads as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from dsl.tablefiles import (
    DATA_SUFFIXES,
    FORM_HEADS,
    FORM_INSTRUCTIONS,
    EncodingProblem,
    Table,
    TableError,
    decode_csv,
    problem_text,
    read_table_bytes,
)

__all__ = [
    "DATA_SUFFIXES",
    "FORM_HEADS",
    "FORM_INSTRUCTIONS",
    "EncodingProblem",
    "Table",
    "TableError",
    "data_files",
    "decode_csv",
    "read_once",
    "read_tables",
]


def data_files(location: Path) -> list[Path]:
    if location.is_dir():
        return sorted(p for p in location.iterdir() if p.suffix.lower() in DATA_SUFFIXES)
    return [location]


# Inside ``read_once()``: the tables read so far, by path, modification time and size.
_READ: ContextVar[dict[tuple[str, int, int], list[Table]] | None] = ContextVar(
    "tables_read", default=None
)


@contextmanager
def read_once() -> Iterator[None]:
    """Within this block each data file is read and parsed once, however many
    readers ask for it (an evaluation reads the folder for sections, for
    people and for supervision items): the same tables, never modified.
    Nested blocks share the outermost one's (a dry-run reads the folder once
    for every period and both rule sets)."""
    if _READ.get() is not None:
        yield
        return
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def read_tables(path: Path) -> list[Table]:
    read = _READ.get()
    if read is None:
        return _read_tables(path)
    try:
        status = path.stat()
    except OSError:
        return _read_tables(path)  # reports it
    key = (str(path), status.st_mtime_ns, status.st_size)
    if key not in read:
        read[key] = _read_tables(path)
    return read[key]


def _read_tables(path: Path) -> list[Table]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        problem = problem_text(error) if path.suffix.lower() == ".xlsx" else str(error)
        raise TableError(problem) from None
    return read_table_bytes(raw, str(path))
