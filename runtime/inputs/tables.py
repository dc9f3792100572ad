"""Reading data files as tables of text cells: CSV files, XLSX workbooks and Parquet files.

The reader itself is ``dsl.tablefiles`` (the rule set's roster tables are
read by it too, below this layer; its docstring says how cells, encodings,
workbooks and forms are read); this module opens data files by path, reads
each file once inside ``read_once()``, and keeps the names the runtime
imports.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from dsl.tablefiles import (
    DATA_SUFFIXES,
    FORM_HEADS,
    FORM_INSTRUCTIONS,
    Deciding,
    EncodingProblem,
    LeftOut,
    Table,
    TableError,
    csv_lines,
    decode_csv,
    problem_text,
    read_table_bytes,
)
from runtime.inputs.plainrows import kept_rows

__all__ = [
    "DATA_SUFFIXES",
    "FORM_HEADS",
    "FORM_INSTRUCTIONS",
    "Deciding",
    "EncodingProblem",
    "LeftOut",
    "Table",
    "TableError",
    "csv_lines",
    "data_files",
    "decode_csv",
    "keep_read",
    "made_once",
    "read_once",
    "read_tables",
    "remade",
    "slim_read",
    "slim_tables",
]


T = TypeVar("T")


def data_files(location: Path) -> list[Path]:
    if location.is_dir():
        return sorted(p for p in location.iterdir() if p.suffix.lower() in DATA_SUFFIXES)
    return [location]


# Inside ``read_once()``: the tables read so far, by path, modification time
# and size (and the ``LeftOut`` filter's key, for tables read with one).
_Key = tuple[str, int, int] | tuple[str, int, int, Hashable]
_READ: ContextVar[dict[_Key, list[Table]] | None] = ContextVar("tables_read", default=None)
# Inside ``read_once(leave_out=True)``: readers may leave rows out (``read_tables``).
_LEAVING_OUT: ContextVar[bool] = ContextVar("tables_leaving_out", default=False)


@contextmanager
def read_once(leave_out: bool = False) -> Iterator[None]:
    """Within this block each data file is read and parsed once, however many
    readers ask for it (an evaluation reads the folder for sections, for
    people and for supervision items): the same tables, never modified.
    Nested blocks share the outermost one's (a dry-run reads the folder once
    for every period and both rule sets).  ``leave_out``: a reader may have
    a file's tables without the rows it skips (``read_tables``); the
    outermost block decides (a dry-run reads every period's rows once and
    drops them as it is done with them, ``slim_read``)."""
    if _READ.get() is not None:
        yield
        return
    token, made, slimmed = _READ.set({}), _MADE.set({}), _SLIMMED.set(set())
    leaving = _LEAVING_OUT.set(leave_out)
    try:
        yield
    finally:
        _READ.reset(token)
        _MADE.reset(made)
        _SLIMMED.reset(slimmed)
        _LEAVING_OUT.reset(leaving)


# Inside ``read_once()``: what was made from the tables read (``made_once``), by key.
_MADE: ContextVar[dict[Hashable, object] | None] = ContextVar("made_from_tables", default=None)


def made_once(key: Hashable, make: Callable[[], T]) -> T:
    """``make()``, made once per ``key`` inside ``read_once()`` (every time
    outside it): what a reader makes of the tables, when it is the same for
    every caller (a dry-run evaluates each period twice; the supervision
    items are the same every time).  What ``make`` returns must never be
    modified."""
    made = _MADE.get()
    if made is None:
        return make()
    if key not in made:
        made[key] = make()
    return made[key]  # type: ignore[return-value]


def remade(change: Callable[[Hashable, object], object]) -> None:
    """Inside ``read_once()``: keep ``change(key, made)`` instead of what
    ``made_once`` made for each key (``change`` returns ``made`` itself to
    keep it: a dry-run drops the supervision items due in the periods it
    has done with).  What ``change`` returns must be what ``make`` would
    have made for every caller still to come."""
    made = _MADE.get()
    if made is None:
        return
    for key, value in list(made.items()):
        made[key] = change(key, value)


def read_tables(path: Path, whole: bool = False, left_out: LeftOut | None = None) -> list[Table]:
    """A data file's tables (read once inside ``read_once()``); ``whole``:
    never the slimmed tables ``slim_tables`` left (the file read again).
    ``left_out``: inside ``read_once(leave_out=True)``, the tables may lack
    rows the reader skips without a word (``dsl.tablefiles.LeftOut``: a CSV
    file's rows of periods not evaluated, never split into cells), kept
    under the filter for every reader asking with the same one; elsewhere,
    or when the whole tables were read already, the whole tables."""
    read = _READ.get()
    if read is None:
        return _read_tables(path)
    key = _key(path)
    if key is None:
        return _read_tables(path)  # reports it
    if whole and key in (_SLIMMED.get() or ()):
        return _read_tables(path)  # a rare second reader of the rows set aside
    if left_out is not None and _LEAVING_OUT.get() and key not in read:
        filtered = (*key, left_out.key)
        if filtered not in read:
            read[filtered] = _read_tables(path, left_out)
        return read[filtered]
    if key not in read:
        read[key] = _read_tables(path)
    return read[key]


# Inside ``read_once()``: the files whose kept tables were slimmed (``slim_tables``).
_SLIMMED: ContextVar[set[_Key] | None] = ContextVar("tables_slimmed", default=None)


def slim_tables(path: Path, slim: Callable[[Table], Table]) -> None:
    """Inside ``read_once()``: keep ``slim(table)`` of each of a file's tables
    read so far instead of the whole table, once a reader has made what it
    needs of the rows (the supervision items of a supervision table: the
    other readers look at its header only, and a dry-run would otherwise
    hold the raw rows through every period).  ``read_tables(path,
    whole=True)`` still gives the whole tables."""
    read, slimmed = _READ.get(), _SLIMMED.get()
    key = _key(path)
    if read is None or slimmed is None or key is None or key not in read:
        return
    read[key] = [slim(table) for table in read[key]]
    slimmed.add(key)


def slim_read(slim: Callable[[Table], Table]) -> None:
    """Inside ``read_once()``: keep ``slim(table)`` of every table read so far
    instead of the whole table (a dry-run drops the rows of the periods it has
    evaluated and of those it never will: held through every period, they
    were most of its memory).  ``slim`` returns its argument unchanged when
    it leaves a table whole; ``read_tables(path, whole=True)`` still gives
    the whole tables of a file it changed."""
    read, slimmed = _READ.get(), _SLIMMED.get()
    if read is None or slimmed is None:
        return
    for key, tables in read.items():
        kept = [slim(table) for table in tables]
        if any(new is not old for new, old in zip(kept, tables, strict=True)):
            read[key] = kept
            slimmed.add(key)


def keep_read(path: Path, tables: list[Table]) -> None:
    """Inside ``read_once()``: keep ``tables`` as the file's tables read,
    slimmed (as ``slim_tables`` leaves them), from a reader that made what
    it needs of the rows as it read them (the supervision items of a large
    supervision table, ``runtime.inputs.supervision``); the other readers
    get these tables, ``read_tables(path, whole=True)`` reads the file
    again.  Nothing is kept outside the block or when the file was read."""
    read, slimmed = _READ.get(), _SLIMMED.get()
    key = _key(path)
    if read is None or slimmed is None or key is None or key in read:
        return
    read[key] = tables
    slimmed.add(key)


def _key(path: Path) -> tuple[str, int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (str(path), status.st_mtime_ns, status.st_size)


def _read_tables(path: Path, left_out: LeftOut | None = None) -> list[Table]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        problem = problem_text(error) if path.suffix.lower() == ".xlsx" else str(error)
        raise TableError(problem) from None
    if left_out is not None and path.suffix.lower() == ".csv":
        # A large plain file's rows kept, split by column; else the careful way.
        table = kept_rows(raw, str(path), left_out)
        if table is not None:
            return [table]
    return read_table_bytes(raw, str(path), left_out=left_out)
