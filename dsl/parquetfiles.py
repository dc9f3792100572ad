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
- floating-point numbers as the shortest decimal that round-trips them, in
  positional notation (``0.1``, ``2000000``, ``0.0000001``; a 32-bit float
  the shortest for 32 bits), as Excel numbers are;
- booleans ``true``/``false``; dates ``2016-03-31``; a timestamp at
  midnight as its day, any other as ISO text with the fraction of a second
  it has (``2016-03-31T08:30:05.500000``: six digits, nine when it has
  nanoseconds, none cut); times as ``08:30:00``;
- a timestamp that is an instant (with a time zone, or INT96, which Hive
  and Spark write as UTC) as the local time in China (UTC+8,
  ``LOCAL_OFFSET``): the day a Spark session in Asia/Shanghai wrote is
  that day again, never the day before at 16:00;
- a day outside the years 1-9999 a Python date holds (a sentinel such as
  year 10183) keeps its true year (``10183-09-21``): a cell like any other,
  which a date column refuses at its row and column;
- text trimmed, as workbook cells are; bytes that are not UTF-8 read as
  GB18030 (GBK), as a CSV file is; null as an empty cell.

Row numbers are those of the CSV the same records would make: row 1 is the
header, the record at 1-based position N is row N + 1.  A record whose
cells are all empty is skipped (its number is not reused), as an empty CSV
line is.

A column of a kind that is not a cell (a list, struct or map, binary
bytes, a duration) is a ``ParquetProblem`` naming it, reported at the file's
header; a file that is not Parquet (or is damaged, or does not fit in
memory) is a ``ParquetProblem`` without a column, never an exception of the
Parquet library or of a conversion; a file declaring more records than the
caller reads (the organization's tables) is ``OverLimit``, from its footer,
before a few kilobytes of run-length encoded records become gigabytes.
(``tablefiles.read_table_bytes`` calls this module and turns these into its
``ColumnProblem``, ``TooManyRecords`` and ``TableError``; the cell text of
typed values is its ``cell_text``, passed in, so this module imports
nothing of it.)  Reading is a column at a time, in batches of records:
pyarrow decodes a batch's column and dictionary-encodes it, and only its
distinct values are made text in Python (by the same ``cell_text`` the
workbook reader uses, so the texts cannot drift apart).
"""

from __future__ import annotations

import datetime
import gc
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from itertools import compress
from typing import Any, Protocol

Rows = list[tuple[int, list[str]]]


class Deciding(Protocol):
    """How rows are left out as they are read (``tablefiles.Deciding``):
    the column whose cell decides, the column naming each row's subject
    when the rows kept must name every subject (None: they need not), and
    what a deciding cell's text says (True: leave the row out; False: keep
    it; None: read the table whole)."""

    @property
    def column(self) -> int: ...
    @property
    def named(self) -> int | None: ...
    @property
    def rows(self) -> Callable[[str], bool | None]: ...


# The organization's local time: China Standard Time, UTC+08:00 (the time of
# Asia/Shanghai, which has kept no daylight saving since 1991).  A timestamp
# that is an instant (with a time zone, or Hive's and Spark's INT96, which
# hold UTC) is read as the local time it is; language.md §13.1.
LOCAL_OFFSET = datetime.timedelta(hours=8)


class ParquetProblem(Exception):
    """A file that is not Parquet (``column`` None), or a column of a type
    that is not a cell (``column`` its name, ``kind`` its type)."""

    def __init__(self, problem: str, column: str | None = None, kind: str = "") -> None:
        super().__init__(problem)
        self.column = column
        self.kind = kind


class OverLimit(Exception):
    """A file declaring more records than the caller reads (``records``, ``limit``):
    refused from its footer, before a run-length encoded column of a few
    kilobytes is decoded into millions of rows."""

    def __init__(self, records: int, limit: int) -> None:
        super().__init__(f"{records} records, more than {limit}")
        self.records = records
        self.limit = limit


def _damaged() -> tuple[type[BaseException], ...]:
    """What reading damaged bytes raises: the Parquet library's errors, and
    the conversions of values no writer makes (a day count past any
    calendar, a length past the buffer)."""
    import pyarrow as pa

    return (pa.ArrowException, OSError, ValueError, ArithmeticError, LookupError)


def read_parquet(
    raw: bytes,
    cell_text: Callable[[Any], str],
    max_records: int | None = None,
    deciding: Callable[[list[str]], Deciding | None] | None = None,
) -> tuple[list[str], Rows]:
    """The header and numbered rows of a Parquet file's bytes; ``cell_text``
    the text of a typed Python value (numbers, booleans, dates, times).
    A file declaring more than ``max_records`` records is ``OverLimit``
    before any of them is read.  ``deciding``: the rows it leaves out are
    never made (``_rows_left_out``), unless the table is to be read whole."""
    import pyarrow.parquet as pq  # only when a Parquet file is read

    damaged = _damaged()
    try:
        # INT96 timestamps (Hive, Spark) in microseconds: as nanoseconds a
        # sentinel such as 9999-12-31 wraps around to another day, silently.
        file = pq.ParquetFile(BytesIO(raw), coerce_int96_timestamp_unit="us")
        schema = file.schema_arrow
        records = file.metadata.num_rows
        leaves = file.metadata.schema
        int96 = {
            str(leaves.column(i).path)
            for i in range(file.metadata.num_columns)
            if leaves.column(i).physical_type == "INT96"
        }
    except damaged as error:
        raise _not_parquet(error) from None
    if max_records is not None and records > max_records:
        raise OverLimit(records, max_records)
    header = [str(name).strip() for name in schema.names]
    readers = [
        _reader_of(name, field.type, cell_text, str(field.name) in int96)
        for name, field in zip(header, schema, strict=True)
    ]
    if not header:
        return header, []
    # The cyclic garbage collector is off while the rows are made: they are
    # lists of strings (no cycles), and a million new lists set it off again
    # and again over the whole heap, more than half of the reading time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        found = deciding(header) if deciding is not None else None
        if found is not None:
            try:
                kept = _rows_left_out(file, header, readers, found)
            except ParquetProblem:
                kept = None  # read whole, which reports it at its row
            if kept is not None:
                return header, kept
        return header, _rows(file, header, readers)
    except damaged as error:  # a damaged page, or a value no writer makes
        raise _not_parquet(error) from None
    except MemoryError:  # a small file of very many records (run-length encoded)
        raise ParquetProblem(
            f"its {records} records do not fit in memory (split the file, "
            "or leave out the columns that are not read)"
        ) from None
    finally:
        if collecting:
            gc.enable()


def _not_parquet(error: BaseException) -> ParquetProblem:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return ParquetProblem(
        f"not a readable Parquet file ({type(error).__name__}{': ' + text if text else ''})"
    )


# Records read and made rows at once: the decoded columns of one batch and
# their texts are held next to the rows made so far, never the whole file's
# (which doubled the peak memory of reading a large table).
_BATCH = 1 << 16


@dataclass(frozen=True, slots=True)
class _Reader:
    """How one column's cells become text: ``prepare`` turns the Arrow
    column into one whose distinct Python values ``text`` turns into cell
    text (dates and timestamps become their integer ticks, so that no value
    has to fit a Python ``datetime``)."""

    prepare: Callable[[Any], Any]
    text: Callable[[Any], str]
    strings: bool = False  # text: bytes that are not UTF-8 are read as GB18030


def _rows(file: Any, header: list[str], readers: list[_Reader | None]) -> Rows:
    # Equal cells share one string across columns and batches (as in the
    # CSV reader): periods, levels and small counts repeat on every row.
    shared: dict[str, str] = {}
    rows: Rows = []
    number = 2
    batches = file.iter_batches(batch_size=_BATCH)
    try:
        for batch in batches:
            columns: list[list[str]] = []
            filled = None  # whether each record has a cell that is not empty
            for column, name, reader in zip(batch.columns, header, readers, strict=True):
                cells, nonempty = _column_texts(column, reader, shared, (name, number))
                columns.append(cells)
                filled = nonempty if filled is None else filled | nonempty
            assert filled is not None
            size = batch.num_rows
            made = zip(
                range(number, number + size), map(list, zip(*columns, strict=True)), strict=True
            )
            rows.extend(
                made if filled.all() else compress(made, filled.tolist())
            )  # empties skipped
            number += size
    except MemoryError:
        # The rows made so far go now: the exception's frames would keep them
        # (and the reader's buffers) until the problem has been reported.
        rows.clear()
        raise
    finally:
        batches.close()
    return rows


def _rows_left_out(
    file: Any, header: list[str], readers: list[_Reader | None], deciding: Deciding
) -> Rows | None:
    """``_rows`` without the rows ``deciding`` leaves out: each batch's
    deciding cells are decided once per distinct text, and only the records
    kept are made rows.  None (read the table whole) when a deciding cell
    says so, no row is kept, or the rows kept name fewer subjects than all
    rows do (where ``deciding.named`` says it matters: compared as values,
    whose texts are then among the texts kept), as ``tablefiles`` reads a
    CSV file."""
    import numpy
    import pyarrow as pa
    import pyarrow.compute as pc

    shared: dict[str, str] = {}
    rows: Rows = []
    left: list[Any] = []  # the subject values of the rows left out
    kept_named: list[Any] = []  # and of the rows kept
    decided: dict[str, int] = {}  # a deciding cell's text -> 1 leave out, 0 keep, -1 read whole
    at, who = deciding.column, deciding.named
    number = 2
    batches = file.iter_batches(batch_size=_BATCH)
    try:
        for batch in batches:
            size = batch.num_rows
            texts, indices = _distinct_texts(
                batch.columns[at], readers[at], shared, (header[at], number)
            )
            verdicts = numpy.array([_verdict(text, decided, deciding.rows) for text in texts])
            per_record = verdicts[indices]
            if (per_record < 0).any():
                return None
            numbers = numpy.arange(number, number + size)
            number += size
            out = per_record > 0
            if out.any():
                if who is not None:
                    left.append(_values(batch.columns[who]).filter(pa.array(out)))
                kept = ~out
                if not kept.any():
                    continue
                batch = batch.filter(pa.array(kept))
                numbers = numbers[kept]
            if who is not None:
                kept_named.append(_values(batch.columns[who]))
            columns: list[list[str]] = []
            filled = None
            for column, name, reader in zip(batch.columns, header, readers, strict=True):
                # A problem's row would be counted among the rows kept: none is
                # reported from here (read_parquet reads the table whole).
                cells, nonempty = _column_texts(column, reader, shared, (name, 0))
                columns.append(cells)
                filled = nonempty if filled is None else filled | nonempty
            assert filled is not None
            made = zip(numbers.tolist(), map(list, zip(*columns, strict=True)), strict=True)
            rows.extend(made if filled.all() else compress(made, filled.tolist()))
    finally:
        batches.close()
    if not rows:
        return None
    if left:
        named = pa.chunked_array(kept_named).unique()
        if not pc.all(pc.is_in(pa.chunked_array(left).unique(), value_set=named)).as_py():
            return None
    return rows


def _verdict(text: str, decided: dict[str, int], decide: Callable[[str], bool | None]) -> int:
    """``decide(text)`` as 1 (leave out), 0 (keep) or -1 (read whole), once per text."""
    verdict = decided.get(text)
    if verdict is None:
        leave = decide(text)
        verdict = decided[text] = -1 if leave is None else int(leave)
    return verdict


def _column_texts(
    column: Any, reader: _Reader | None, shared: dict[str, str], where: tuple[str, int]
) -> tuple[list[str], Any]:
    """One column's cells as text (see the module's docstring), and which
    of them are not empty (a numpy array of booleans).  Each distinct value
    is made text once: the column is dictionary-encoded by pyarrow and only
    its dictionary goes through Python; the cells are then picked from the
    dictionary's texts by numpy (a column of a million cells holding a few
    hundred values costs a few hundred Python calls).  ``where``: the
    column's name and the row number of the batch's first record."""
    import numpy

    cells, indices = _distinct_texts(column, reader, shared, where)
    picked = numpy.array(cells, dtype=object)
    nonempty = numpy.array([cell != "" for cell in cells], dtype=bool)
    return picked[indices].tolist(), nonempty[indices]


def _distinct_texts(
    column: Any, reader: _Reader | None, shared: dict[str, str], where: tuple[str, int]
) -> tuple[list[str], Any]:
    """A column's distinct cells as text, the empty cell of a null last, and
    each record's index among them (a numpy array): ``_column_texts``."""
    import numpy

    column = _values(column)
    if reader is None:  # a column of nulls only
        return [""], numpy.zeros(len(column), dtype=numpy.int64)
    encoded = reader.prepare(column).dictionary_encode()
    try:
        values = encoded.dictionary.to_pylist()
    except UnicodeDecodeError:
        if not reader.strings:
            raise
        values = _gb18030(encoded, where)
    same = shared.setdefault  # a subject's id and name repeat in every period's batch
    cells = [same(cell, cell) for cell in map(reader.text, values)]
    cells.append("")  # null
    return cells, encoded.indices.fill_null(len(cells) - 1).to_numpy()


def _values(column: Any) -> Any:
    """A categorical column (pandas, some writers) as its values."""
    import pyarrow.types as t

    return column.cast(column.type.value_type) if t.is_dictionary(column.type) else column


def _gb18030(encoded: Any, where: tuple[str, int]) -> list[str | None]:
    """A text column's values holding bytes that are not UTF-8, read as
    GB18030 (GBK), as a CSV file that is not UTF-8 is: older Hive tables
    hold GBK text in columns declared as strings.  A value in neither is a
    ``ParquetProblem`` naming its column and the row it is first met at."""
    import numpy
    import pyarrow as pa

    values: list[str | None] = []
    for index, raw in enumerate(encoded.dictionary.cast(pa.large_binary()).to_pylist()):
        try:
            values.append(None if raw is None else raw.decode("gb18030"))
        except UnicodeDecodeError as error:
            name, first = where
            at = int(numpy.flatnonzero(encoded.indices.fill_null(-1).to_numpy() == index)[0])
            byte = raw[error.start]
            raise ParquetProblem(
                f"row {first + at} [{name}]: byte 0x{byte:02X} is neither UTF-8 nor GB18030 (GBK)"
            ) from None
    return values


def _reader_of(
    name: str, kind: Any, cell_text: Callable[[Any], str], int96: bool
) -> _Reader | None:
    """How a column's cells become text (None: a column of nulls only);
    ``ParquetProblem`` for a kind that is not cells."""
    import pyarrow as pa
    import pyarrow.types as t

    def unchanged(column: Any) -> Any:
        return column

    def ticks(column: Any) -> Any:  # days, or units of time since the epoch or midnight
        return column.cast(pa.int32() if column.type.bit_width == 32 else pa.int64())

    if t.is_dictionary(kind):
        kind = kind.value_type
    if t.is_null(kind):
        return None
    if t.is_string(kind) or t.is_large_string(kind) or t.is_string_view(kind):
        return _Reader(unchanged, str.strip, strings=True)
    if t.is_decimal(kind):
        # Its exact digits with the column's scale (12.50; 0.00, never 0E-2).
        # decimal32 and decimal64 have no dictionary kernel: as decimal128.
        if kind.bit_width < 128:
            wide = pa.decimal128(kind.precision, kind.scale)
            return _Reader(lambda column: column.cast(wide), _decimal_text)
        return _Reader(unchanged, _decimal_text)
    if t.is_float16(kind) or t.is_float32(kind):
        return _Reader(unchanged, _short_float(kind))
    if t.is_integer(kind) or t.is_boolean(kind) or t.is_floating(kind):
        return _Reader(unchanged, cell_text)
    if t.is_date32(kind):
        return _Reader(ticks, lambda days: _dated(days, cell_text))
    if t.is_date64(kind):  # milliseconds of whole days
        return _Reader(ticks, lambda ms: _dated(ms // 86_400_000, cell_text))
    if t.is_timestamp(kind):
        # An instant (a time zone, or INT96, which holds UTC) as the local time.
        local = kind.tz is not None or int96
        return _Reader(ticks, _moment_text(_PER_SECOND[kind.unit], local, cell_text))
    if t.is_time(kind):
        return _Reader(ticks, _time_text(_PER_SECOND[kind.unit], cell_text))
    raise ParquetProblem(
        f"column {name}: values of type {kind} are not table cells", name, str(kind)
    )


_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_EPOCH = datetime.date(1970, 1, 1).toordinal()
_CYCLE = 146_097  # days in 400 Gregorian years, after which the calendar repeats


def _dated(days: int, text: Callable[[datetime.date], str]) -> str:
    """A day counted from 1970-01-01 as ``text`` writes it (ISO for a cell).
    A day outside the years 1–9999 a Python date holds (a sentinel such as
    year 10183 in a warehouse export) is written with its true year all the
    same, ``10183-09-21``, a cell that a date column refuses at its row and
    column (any other column reads it as text)."""
    ordinal = days + _EPOCH
    if 1 <= ordinal <= datetime.date.max.toordinal():
        return text(datetime.date.fromordinal(ordinal))
    cycles, within = divmod(ordinal - 1, _CYCLE)  # the same day of a year in 1–400
    shown = text(datetime.date.fromordinal(within + 1))
    year = int(shown[:4]) + 400 * cycles
    return (f"{year:04d}" if year >= 0 else f"-{-year:04d}") + shown[4:]


def _moment_text(
    per_second: int, local: bool, cell_text: Callable[[Any], str]
) -> Callable[[int], str]:
    """A timestamp's ticks as text: at midnight its day, else ISO
    ``2016-03-31T08:30:05`` with the fraction of a second it has
    (``.500000``; nine digits when it has nanoseconds, none of them cut).
    ``local``: the ticks are a UTC instant, shown as the local time."""
    shift = int(LOCAL_OFFSET.total_seconds()) * per_second if local else 0

    def text(ticks: int) -> str:
        seconds, part = divmod(ticks + shift, per_second)
        days, second = divmod(seconds, 86_400)
        micro, nano = divmod(part * 1_000_000_000 // per_second, 1_000)
        clock = datetime.timedelta(seconds=second, microseconds=micro)

        def shown(day: datetime.date) -> str:
            moment = datetime.datetime.combine(day, datetime.time()) + clock
            if nano:  # beyond what a Python datetime holds
                return f"{moment.isoformat(timespec='microseconds')}{nano:03d}"
            return cell_text(moment)

        return _dated(days, shown)

    return text


def _time_text(per_second: int, cell_text: Callable[[Any], str]) -> Callable[[int], str]:
    """A time of day's ticks as text, ``08:30:00`` (``.000000001`` kept)."""

    def text(ticks: int) -> str:
        seconds, part = divmod(ticks, per_second)
        micro, nano = divmod(part * 1_000_000_000 // per_second, 1_000)
        hour, rest = divmod(seconds, 3_600)
        clock = datetime.time(hour, rest // 60, rest % 60, micro)  # ValueError: damaged
        if nano:
            return f"{clock.isoformat(timespec='microseconds')}{nano:03d}"
        return cell_text(clock)

    return text


def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


def _short_float(kind: Any) -> Callable[[Any], str]:
    """A 16- or 32-bit float as the shortest decimal of its own width (a
    ``float32`` 0.1 is ``0.1``, not the double ``0.10000000149011612``),
    in positional notation as every number cell is (``2000000``, never
    ``2E+6``)."""
    import numpy

    width = numpy.float16 if str(kind) == "halffloat" else numpy.float32

    def text(value: Any) -> str:
        return format(Decimal(str(width(value))), "f")

    return text
