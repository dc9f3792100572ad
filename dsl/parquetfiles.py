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
``cell_text``, passed in, so this module imports nothing of it.)  Reading is a column at a time:
pyarrow decodes and formats whole columns (integers, booleans, decimals)
in native code, and only the kinds whose text must match Python's
(floats, dates and times) go through Python values.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from io import BytesIO
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
    the text of a typed Python value (floats, dates, times)."""
    import pyarrow as pa  # only when a Parquet file is read
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(BytesIO(raw))
    except (pa.ArrowException, OSError, ValueError) as error:
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ParquetProblem(
            f"not a readable Parquet file ({type(error).__name__}{': ' + text if text else ''})"
        ) from None
    header = [str(name).strip() for name in table.column_names]
    columns = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        columns.append(_column_texts(str(name), column, cell_text))
    if not columns:
        return header, []
    # Equal cells share one string (as in the CSV reader): periods, levels
    # and small counts repeat on every row.
    shared: dict[str, str] = {}
    same = shared.setdefault
    numbered: Rows = []
    keep = numbered.append
    for number, cells in enumerate(zip(*columns, strict=True), start=2):
        if "".join(cells).strip():
            keep((number, list(map(same, cells, cells))))
    return header, numbered


def _column_texts(name: str, column: Any, cell_text: Callable[[Any], str]) -> list[str]:
    """One column's cells as text (see the module's docstring)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.types as t

    kind = column.type
    if t.is_dictionary(kind):  # categorical columns (pandas, some writers): their values
        kind = kind.value_type
        column = column.cast(kind)
    if t.is_null(kind):
        return [""] * len(column)
    if t.is_string(kind) or t.is_large_string(kind) or t.is_string_view(kind):
        return [cell.strip() for cell in pc.fill_null(column, "").to_pylist()]
    if t.is_integer(kind) or t.is_boolean(kind) or t.is_decimal(kind):
        # Arrow's text of these is Python's: digits, true/false, and a
        # decimal's digits with exactly its scale (12.50; Parquet's scale is
        # never negative, so there is no exponent).
        return list(pc.fill_null(column.cast(pa.string()), "").to_pylist())
    if t.is_float16(kind) or t.is_float32(kind):
        return _via_python(column, _short_float(kind))
    if t.is_floating(kind) or t.is_date(kind) or t.is_timestamp(kind) or t.is_time(kind):
        return _via_python(column, cell_text)
    raise ParquetProblem(
        f"column {name}: values of type {kind} are not table cells", name, str(kind)
    )


def _via_python(column: Any, text: Callable[[Any], str]) -> list[str]:
    # Timestamps in nanoseconds that a Python datetime cannot hold exactly
    # would need pandas; they are read at microseconds (an office's dates
    # and times have none finer).
    import pyarrow as pa
    import pyarrow.types as t

    if t.is_timestamp(column.type) and column.type.unit == "ns":
        column = column.cast(pa.timestamp("us", column.type.tz), safe=False)
    if t.is_time64(column.type) and column.type.unit == "ns":
        column = column.cast(pa.time64("us"), safe=False)
    texts: list[str] = []
    add = texts.append
    for value in column.to_pylist():
        add("" if value is None else text(value))
    return texts


def _short_float(kind: Any) -> Callable[[Any], str]:
    """A 16- or 32-bit float as the shortest decimal of its own width (a
    ``float32`` 0.1 is ``0.1``, not the double ``0.10000000149011612``)."""
    import numpy

    width = numpy.float16 if str(kind) == "halffloat" else numpy.float32

    def text(value: Any) -> str:
        return str(Decimal(str(width(value))))

    return text
