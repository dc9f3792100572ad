"""Reading data files as tables of text cells: CSV files and XLSX workbooks.

The reader itself is ``dsl.tablefiles`` (the rule set's roster tables are
read by it too, below this layer; its docstring says how cells, encodings,
workbooks and forms are read); this module opens data files by path, reads
each file once inside ``read_once()``, and keeps the names the runtime
imports.
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
