"""A Parquet file's bytes as a table of text cells, the way ``tablefiles`` reads CSV and XLSX.

Government data platforms (Hive and Spark warehouses) export Parquet, with
typed columns.  Every check downstream (period data, supervision and event
tables, the organization's tables) reads text cells with located errors, so
a Parquet file is turned into the same ``Table`` a CSV file gives: the
column names are the header, and each record's cells are the text the XLSX
reader (``tablefiles._text``) gives for the same typed value, so the same
content gives the same results whatever the format:

- integers as their digits; ``DECIMAL(p, s)`` as its exact text with its
  scale (``12.50``), never through a binary float;
- floating-point numbers as the shortest decimal that round-trips them
  (``0.1``; a 32-bit float the shortest for 32 bits), as Excel numbers are;
- booleans ``true``/``false``; dates ``2016-03-31``; a timestamp at
  midnight as its day, any other as ISO text; times as ``08:30:00``;
- text trimmed, as workbook cells are; null as an empty cell.

Row numbers are those of the CSV the same records would make: row 1 is the
header, the record at 1-based position N is row N + 1.  A record whose
cells are all empty is skipped (its number is not reused), as an empty CSV
line is.

A column of a kind that is not a cell (a list, struct or map, binary
bytes, a duration) is a ``ParquetProblem`` naming it, reported at the file's
header; a file that is not Parquet (or is damaged) is a ``ParquetProblem``
without a column, never an exception of the Parquet library.
(``tablefiles.read_table_bytes`` calls this module and turns these into its
``ColumnProblem`` and ``TableError``; the cell text of typed values is its
``cell_text``, passed in, so this module imports nothing of it.)  Reading is a column at a time,
in batches of records: pyarrow decodes a batch's column and
dictionary-encodes it, and only its distinct values are made text in
Python (by the same ``cell_text`` the workbook reader uses, so the texts
cannot drift apart).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from decimal import Decimal
from io import BytesIO
from itertools import compress
from typing import Any

Rows = list[tuple[int, list[str]]]


class ParquetProblem(Exception):
    """A file that is not Parquet (``column`` None), or a column of a type
    that is not a cell (``column`` its name, ``kind`` its type)."""

    def __init__(self, problem: str, column: str | None = None, kind: str = "") -> None:
        super().__init__(problem)
        self.column = column
        self.kind = kind


def read_parquet(raw: bytes, cell_text: Callable[[Any], str]) -> tuple[list[str], Rows]:
    """The header and numbered rows of a Parquet file's bytes; ``cell_text``
    the text of a typed Python value (numbers, booleans, dates, times)."""
    import pyarrow as pa  # only when a Parquet file is read
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(BytesIO(raw))
        schema = file.schema_arrow
    except (pa.ArrowException, OSError, ValueError) as error:
        raise _not_parquet(error) from None
    header = [str(name).strip() for name in schema.names]
    texts = [_text_of(str(field.name), field.type, cell_text) for field in schema]
    if not header:
        return header, []
    # The cyclic garbage collector is off while the rows are made: they are
    # lists of strings (no cycles), and a million new lists set it off again
    # and again over the whole heap, more than half of the reading time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return header, _rows(file, texts)
    except (pa.ArrowException, OSError, ValueError) as error:  # a damaged page
        raise _not_parquet(error) from None
    finally:
        if collecting:
            gc.enable()


def _not_parquet(error: Exception) -> ParquetProblem:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return ParquetProblem(
        f"not a readable Parquet file ({type(error).__name__}{': ' + text if text else ''})"
    )


# Records read and made rows at once: the decoded columns of one batch and
# their texts are held next to the rows made so far, never the whole file's
# (which doubled the peak memory of reading a large table).
_BATCH = 1 << 16


def _rows(file: Any, texts: list[Callable[[Any], str] | None]) -> Rows:
    # Equal cells share one string across columns and batches (as in the
    # CSV reader): periods, levels and small counts repeat on every row.
    shared: dict[str, str] = {}
    rows: Rows = []
    number = 2
    for batch in file.iter_batches(batch_size=_BATCH):
        columns: list[list[str]] = []
        filled = None  # whether each record has a cell that is not empty
        for column, text in zip(batch.columns, texts, strict=True):
            cells, nonempty = _column_texts(column, text, shared)
            columns.append(cells)
            filled = nonempty if filled is None else filled | nonempty
        assert filled is not None
        size = batch.num_rows
        made = zip(range(number, number + size), map(list, zip(*columns, strict=True)), strict=True)
        rows.extend(made if filled.all() else compress(made, filled.tolist()))  # empty ones skipped
        number += size
    return rows


def _column_texts(
    column: Any, text: Callable[[Any], str] | None, shared: dict[str, str]
) -> tuple[list[str], Any]:
    """One column's cells as text (see the module's docstring), and which
    of them are not empty (a numpy array of booleans).  Each distinct value
    is made text once: the column is dictionary-encoded by pyarrow and only
    its dictionary goes through Python; the cells are then picked from the
    dictionary's texts by numpy (a column of a million cells holding a few
    hundred values costs a few hundred Python calls)."""
    import numpy
    import pyarrow as pa
    import pyarrow.types as t

    kind = column.type
    if t.is_dictionary(kind):  # categorical columns (pandas, some writers): their values
        kind = kind.value_type
        column = column.cast(kind)
    if text is None:  # a column of nulls only
        return [""] * len(column), numpy.zeros(len(column), dtype=bool)
    if t.is_timestamp(kind) and kind.unit == "ns":  # a Python datetime holds microseconds
        column = column.cast(pa.timestamp("us", kind.tz), safe=False)
    if t.is_time64(kind) and kind.unit == "ns":
        column = column.cast(pa.time64("us"), safe=False)
    encoded = column.dictionary_encode()
    values = encoded.dictionary.to_pylist()
    same = shared.setdefault  # a subject's id and name repeat in every period's batch
    cells = [same(cell, cell) for cell in map(text, values)]
    cells.append("")  # null
    picked = numpy.array(cells, dtype=object)
    nonempty = numpy.array([cell != "" for cell in cells], dtype=bool)
    indices = encoded.indices.fill_null(len(cells) - 1).to_numpy()
    return picked[indices].tolist(), nonempty[indices]


def _text_of(name: str, kind: Any, cell_text: Callable[[Any], str]) -> Callable[[Any], str] | None:
    """How a column's Python values become text (None: a column of nulls
    only); ``ParquetProblem`` for a kind that is not cells."""
    import pyarrow.types as t

    if t.is_dictionary(kind):
        kind = kind.value_type
    if t.is_null(kind):
        return None
    if t.is_string(kind) or t.is_large_string(kind) or t.is_string_view(kind):
        return str.strip
    if t.is_decimal(kind):
        # Its exact digits with the column's scale (12.50; 0.00, never 0E-2).
        return _decimal_text
    if t.is_float16(kind) or t.is_float32(kind):
        return _short_float(kind)
    if (
        t.is_integer(kind)
        or t.is_boolean(kind)
        or t.is_floating(kind)
        or t.is_date(kind)
        or t.is_timestamp(kind)
        or t.is_time(kind)
    ):
        return cell_text
    raise ParquetProblem(
        f"column {name}: values of type {kind} are not table cells", name, str(kind)
    )


def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


def _short_float(kind: Any) -> Callable[[Any], str]:
    """A 16- or 32-bit float as the shortest decimal of its own width (a
    ``float32`` 0.1 is ``0.1``, not the double ``0.10000000149011612``)."""
    import numpy

    width = numpy.float16 if str(kind) == "halffloat" else numpy.float32

    def text(value: Any) -> str:
        return str(Decimal(str(width(value))))

    return text
