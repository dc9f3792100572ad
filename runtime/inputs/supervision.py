"""Supervision items (督办事项): the matters supervision letters assign to sections.

The source joins supervision with assessment (督考合一): the office issues
supervision letters (督办函), each assigning matters to sections with a due
date; a matter is closed on some date, and a problem found by supervision is
corrected (整改到位) or not.  The bulletin counts letters, items due, items
closed on time, items overdue and items corrected, so the table is data the
office keeps, one row per item, read here with every bad cell located (file,
row, column) like every other data table:

``id, letter, issued, subject, matter, due, closed, corrected, evidence``

``closed`` empty means still open; ``corrected`` says what became of a
problem the supervision found: yes (是) corrected (整改到位), no (否) not
corrected — what an item ``from: supervision.uncorrected`` counts (督查发现问题
未按期整改) — and empty when the matter raised no problem.  A table is a supervision table when it has the columns ``letter``,
``issued`` and ``due``; the period data reader leaves such tables alone.

A large table (a province's: a million rows) is checked a column at a time
when every row is right (``_by_column``); a table with any problem, or any
row the two ways of reading could split differently, is read row by row, so
the problems and their order are those of the rows read one by one.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from dsl.diagnostics import Diagnostic, suggest
from dsl.frozen import made_by_column
from runtime.inputs import plaincsv
from runtime.inputs.dates import read_date_cell
from runtime.inputs.tables import (
    EncodingProblem,
    Table,
    TableError,
    csv_lines,
    data_files,
    keep_read,
    made_once,
    read_tables,
    remade,
    slim_tables,
)
from semantics.calendar import parse_date

SUPERVISION_COLUMNS = ("id", "letter", "issued", "subject", "matter", "due")
_MARKERS = ("letter", "issued", "due")
_YES = {"yes", "true", "1", "是", "y"}
_NO = {"no", "false", "0", "否", "n", ""}
_UNCORRECTED = _NO - {""}  # a problem found and not corrected


@dataclass(frozen=True, slots=True)
class SupervisionItem:
    """One matter of one supervision letter, assigned to one section."""

    id: str
    letter: str  # the letter's document number, e.g. 永地税督〔2016〕1号
    issued: date
    subject: str
    matter: str
    due: date
    closed: date | None  # None: still open
    corrected: bool  # a problem found by supervision, corrected (整改到位)
    evidence: str
    # Where it is: the table as messages show it, shared by its items (a
    # "file:row" string per item was a tenth of a large evaluation's memory).
    shown: str
    row: int
    # A problem found by supervision and not corrected (`corrected` says no):
    # what ``from: supervision.uncorrected`` items count.
    uncorrected: bool = False

    @property
    def source(self) -> str:
        """``file:row``."""
        return f"{self.shown}:{self.row}"

    def closed_on_time(self) -> bool:
        return self.closed is not None and self.closed <= self.due

    def overdue_on(self, day: date) -> bool:
        """Past its due date on ``day`` without having been closed by it."""
        if self.due >= day:
            return False
        return self.closed is None or self.closed > self.due


def counted_items(source: str, items: tuple[SupervisionItem, ...]) -> tuple[SupervisionItem, ...]:
    """The items a ``from: supervision.…`` count counts among one section's
    items due in one period: all (``due``), ``on_time``, ``overdue`` or
    ``uncorrected`` ones."""
    if source == "supervision.on_time":
        return tuple(i for i in items if i.closed_on_time())
    if source == "supervision.overdue":
        return tuple(i for i in items if not i.closed_on_time())
    if source == "supervision.uncorrected":
        return tuple(i for i in items if i.uncorrected)
    return items


# Inside ``due_in()``: the (first day, last day) of the periods asked.
_DUE_IN: ContextVar[tuple[tuple[date, date], ...] | None] = ContextVar("due_in", default=None)


@contextmanager
def due_in(spans: Iterable[tuple[date, date]] | None) -> Iterator[None]:
    """Within this block ``read_supervision`` makes only the items due in one
    of the ``spans`` (each period's first and last day; None: all), and the
    first item of a table: the period data reader asks a section for the
    items due in the period of its row, and rows are read for the periods
    asked only.  Every row is still checked, so the problems are the same.
    A table of a bureau's history (a year of items before the year
    evaluated) no longer makes items nobody reads."""
    token = _DUE_IN.set(None if spans is None else tuple(spans))
    try:
        yield
    finally:
        _DUE_IN.reset(token)


def _due_in(due: date, spans: tuple[tuple[date, date], ...]) -> bool:
    return any(start <= due <= end for start, end in spans)


def is_supervision_table(columns: dict[str, int] | list[str]) -> bool:
    return all(marker in columns for marker in _MARKERS)


def read_supervision(
    location: str, sections: dict[str, str]
) -> tuple[list[SupervisionItem], list[Diagnostic]]:
    """Every supervision table of a data folder (or one file), checked.

    ``sections`` maps section ids to names: an item names a section id.
    Tables that are not supervision tables are skipped; a folder without one
    gives no items and no problems."""
    path = Path(location)
    if not path.exists():
        return [], []
    # Read once per ``read_once()`` block (a dry-run asks for every period and
    # both rule sets); copies of the lists, the items themselves are frozen.
    wanted = _DUE_IN.get()
    key = ("supervision", str(path.resolve()), tuple(sections.items()), wanted)
    items, problems = made_once(key, lambda: _read_supervision(path, sections, wanted))
    return list(items), list(problems)


def drop_items_due_before(day: date) -> None:
    """Inside ``read_once()``: the supervision items read so far without
    those due before ``day`` (the first item of each reading kept, so that
    items read never become no items), for a caller that evaluates no
    period before ``day`` any more (a dry-run, period by period: the items
    of the periods done were held to its end).  A period's rows take the
    items due in it only (``runtime.inputs.data``), so nothing read later
    changes."""

    def change(key: object, made: object) -> object:
        if not (isinstance(key, tuple) and key and key[0] == "supervision"):
            return made
        items, problems = cast(tuple[list[SupervisionItem], list[Diagnostic]], made)
        kept = [item for n, item in enumerate(items) if n == 0 or item.due >= day]
        return made if len(kept) == len(items) else (kept, problems)

    remade(change)


def _read_supervision(
    path: Path, sections: dict[str, str], wanted: tuple[tuple[date, date], ...] | None = None
) -> tuple[list[SupervisionItem], list[Diagnostic]]:
    items: list[SupervisionItem] = []
    problems: list[Diagnostic] = []
    seen: dict[str, str] = {}
    # The ids of tables checked by column, put into ``seen`` only when
    # another table is read (a million ids and their rows were 200 MiB).
    owed: list[Callable[[], None]] = []
    for file in data_files(path):
        if _headed_otherwise(file):
            continue  # not read here, as below, without reading it whole first
        raw = _unless_workbook(file)
        if raw is not None and not all(marker.encode() in raw for marker in _MARKERS):
            continue  # not read here: its tables held while this one's rows are read were the peak
        for put in owed:  # another table may repeat their ids
            put()
        owed.clear()
        if raw is not None and file.suffix.lower() != ".parquet":  # CSV
            by_column = _by_column(file, raw, sections, seen, wanted)
            if by_column is not None:
                items.extend(by_column[0])
                owed.append(by_column[1])
                del raw, by_column  # the ids ``owed`` holds are given back at the end
                continue
            streamed = _streamed(file, raw, sections, seen, wanted)
            raw = None
            if streamed is not None:
                items.extend(streamed[0])
                problems.extend(streamed[1])
                continue
        try:
            tables = read_tables(file, whole=True)
        except (EncodingProblem, TableError):
            continue  # the period data reader reports an unreadable file, once
        for table in tables:
            if is_supervision_table([name for name in table.header if name]):
                found, bad = read_supervision_table(table, sections, seen, wanted)
                items.extend(found)
                problems.extend(bad)
        slim_tables(file, _header_only)
    if owed:  # the ids of tables checked by column, dropped
        owed.clear()
        plaincsv.give_back()
    return items, problems


def _headed_otherwise(file: Path) -> bool:
    """A CSV file whose first line shows that its header lacks a marker
    column name: a line without a quote ends the header at the latest (the
    table reader's header is the first record, which a line break other
    than ``\n`` can only end sooner), and an ASCII name is its ASCII bytes
    in UTF-8 and GB18030 alike.  False when the first line does not tell
    (a quote in it, longer than 64 KiB, no line break) or the file cannot
    be opened: then ``_unless_workbook`` reads the whole file (at 100,000
    people the other data files were 66 MB read for their first line)."""
    if file.suffix.lower() != ".csv":
        return False
    try:
        with file.open("rb") as opened:
            first = opened.readline(1 << 16)
    except OSError:
        return False
    if not first.endswith(b"\n") or b'"' in first:
        return False
    return not all(marker.encode() in first for marker in _MARKERS)


def _unless_workbook(file: Path) -> bytes | None:
    """The bytes of a CSV or Parquet file (None for a workbook, or a file
    that cannot be read: reading it as a table says what is wrong).  A file
    whose bytes lack one of the marker column names holds no supervision
    table (a CSV file's header is its first row, and in UTF-8 and GB18030
    alike an ASCII name is its ASCII bytes; a Parquet file's column names
    are plain text in its footer), so it is left to the period data reader
    instead of being read, and kept inside ``read_once()``, before this
    reader's own table (at 100,000 people the other tables held then were
    about 300 MiB)."""
    if file.suffix.lower() == ".xlsx":
        return None
    try:
        return file.read_bytes()
    except OSError:
        return None


# A CSV file of this many bytes or more is checked a column at a time
# (``_by_column``); a smaller one is read row by row in less time than
# importing pyarrow takes.
BY_COLUMN_FROM = 1 << 20


def _by_column(
    file: Path,
    raw: bytes,
    sections: dict[str, str],
    seen: dict[str, str],
    wanted: tuple[tuple[date, date], ...] | None,
) -> tuple[list[SupervisionItem], Callable[[], None]] | None:
    """A large CSV supervision table in which every row is right, checked a
    column at a time (``runtime.inputs.plaincsv``: a million rows in a
    fraction of the seconds they took row by row): its items, made only for
    the rows ``wanted`` asks for (and the first), and what puts every id into
    ``seen`` (called only when another table is read).  Inside
    ``read_once()`` the other readers get the header and the first row, as
    from ``_streamed``.  None, nothing kept and ``seen`` untouched, for any
    other file and for one in which any row has a problem or is not plain
    (a quoted cell, a short row, GB18030, a repeated id, ...): ``_streamed``
    reads it row by row, so the items, the problems and their order are
    those of the rows read one by one; the columns only show that there is
    nothing to report."""
    if len(raw) < BY_COLUMN_FROM or not plaincsv.plain(raw):
        return None
    try:
        records = csv.reader(csv_lines(raw, "utf-8"))
        header = [cell.strip() for cell in next(records, [])]
        first = next(records, None)
    except (UnicodeDecodeError, csv.Error):
        return None
    columns = {name: index for index, name in enumerate(header) if name}
    if (
        first is None
        or len(columns) != len([name for name in header if name])  # a name twice
        or "period" in columns
        or not all(name in columns for name in SUPERVISION_COLUMNS)
    ):
        return None
    shown = str(file)
    try:
        checked = _checked(raw, len(header), columns, sections, seen, wanted, shown)
    except plaincsv.NotPlain:
        checked = None
    finally:
        plaincsv.give_back()
    if checked is None:
        return None
    items, ids = checked

    def put() -> None:
        every = (ident for chunk in ids for ident in chunk.to_pylist())
        for number, ident in enumerate(every, start=2):
            seen[ident] = f"{shown}:{number}"

    keep_read(file, [Table(shown, header, [(2, first)])])
    slim_tables(file, _header_only)
    return items, put


def _checked(
    raw: bytes,
    width: int,
    columns: dict[str, int],
    sections: dict[str, str],
    seen: dict[str, str],
    wanted: tuple[tuple[date, date], ...] | None,
    shown: str,
) -> tuple[list[SupervisionItem], list[Any]] | None:
    """``_by_column``'s checks: what ``_row`` checks of each row, as column
    operations, every distinct date and ``corrected`` text read in Python
    by ``_row``'s own functions.  None at the first problem found; else the
    items of the rows ``wanted`` asks for (and the first), made a block at
    a time, and every row's id (arrays)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def anywhere(mask: Any) -> bool:
        return bool(pc.any(mask).as_py())

    section_ids = pa.array(list(sections), pa.string())
    flags = _YES | _NO
    ordinals: dict[str, int | None] = {"": 0}  # a distinct date text's day (None: not a day)
    spans = [(start.toordinal(), end.toordinal()) for start, end in wanted or ()]
    items: list[SupervisionItem] = []
    days: dict[str, date] = {}
    shared: dict[str, str] = {}
    ids: list[Any] = []
    last: str | None = None  # the id of the row before this block
    ascending = True  # every id after the one before it: none twice
    offset = 0
    for block in plaincsv.columns(raw, width):
        size = len(block[0])
        if not size:
            continue
        cell = {
            name: pc.utf8_trim_whitespace(block[columns[name]])
            if name in columns
            else pa.array([""] * size, pa.string())  # an optional column the table lacks
            for name in _FIELDS
        }
        if any(
            anywhere(pc.equal(cell[name], "")) for name in ("id", "letter", "subject", "matter")
        ):
            return None
        if not pc.all(pc.is_in(cell["subject"], value_set=section_ids)).as_py():
            return None
        day: dict[str, Any] = {}
        for name in ("issued", "due", "closed"):
            texts = pc.unique(cell[name]).to_pylist()
            for text in texts:
                if text not in ordinals:
                    parsed = parse_date(text)
                    ordinals[text] = None if parsed is None else parsed.toordinal()
            known = [ordinals[text] for text in texts]
            if any(n is None or (n == 0 and name != "closed") for n in known):
                return None
            at = pc.index_in(cell[name], value_set=pa.array(texts, pa.string()))
            day[name] = pc.take(pa.array(known, pa.int64()), at)
        issued, due, closed = day["issued"], day["due"], day["closed"]
        if anywhere(pc.less(due, issued)):
            return None
        if anywhere(pc.and_(pc.not_equal(closed, 0), pc.less(closed, issued))):
            return None
        if not all(text.lower() in flags for text in pc.unique(cell["corrected"]).to_pylist()):
            return None
        ident = cell["id"]
        ascending = (
            ascending
            and (last is None or ident[0].as_py() > last)
            and not anywhere(pc.less_equal(ident[1:], ident[:-1]))
        )
        last = ident[-1].as_py()
        ids.append(ident)
        keep = pa.array([wanted is None] * size)
        for start, end in spans:
            keep = pc.or_(keep, pc.and_(pc.greater_equal(due, start), pc.less_equal(due, end)))
        if offset == 0:  # the first item, whatever its due date
            keep = pc.or_(keep, pa.array([True] + [False] * (size - 1)))
        chosen = pc.indices_nonzero(keep)
        cells = [
            pc.take(cell[name], chosen).to_pylist()
            if name == "id"
            else plaincsv.texts(pc.take(cell[name], chosen))
            for name in _FIELDS
        ]
        numbers = pc.add(chosen, offset + 2).to_pylist()
        items.extend(_items(shown, numbers, cells, days, shared))
        offset += size
    if not offset:
        return None
    every = pa.chunked_array(ids, pa.string())
    if not ascending and pc.count_distinct(every).as_py() != offset:
        return None
    if seen and anywhere(pc.is_in(every, value_set=pa.array(list(seen), pa.string()))):
        return None
    return items, ids


def _items(
    shown: str,
    numbers: Iterable[int],
    cells: Sequence[Sequence[str]],
    days: dict[str, date],
    shared: dict[str, str],
) -> list[SupervisionItem]:
    """The items of rows without a problem, from their numbers and their
    stripped cells by column (``_FIELDS`` order), as ``_row`` reads them.
    Equal dates share one object and equal texts one string (a table
    repeats them; the items then hold none of the table's cells)."""
    ids, letters, issued, subjects, matters, due, closed, flags, evidence = cells
    for text in {*issued, *due, *closed}.difference(days, ("",)):
        day = parse_date(text)
        assert day is not None  # rows without a problem
        days[text] = day
    share, on = shared.setdefault, days.__getitem__
    lowered = list(map({flag: flag.lower() for flag in set(flags)}.__getitem__, flags))
    return made_by_column(
        SupervisionItem,
        len(ids),
        [
            ids, map(share, letters, letters), map(on, issued),
            map(share, subjects, subjects), map(share, matters, matters), map(on, due),
            map(days.get, closed), map(_YES.__contains__, lowered),
            map(share, evidence, evidence), repeat(shown), numbers,
            map(_UNCORRECTED.__contains__, lowered),
        ],
    )  # fmt: skip


def _streamed(
    file: Path,
    raw: bytes,
    sections: dict[str, str],
    seen: dict[str, str],
    wanted: tuple[tuple[date, date], ...] | None,
) -> tuple[list[SupervisionItem], list[Diagnostic]] | None:
    """A CSV supervision table's items and problems made row by row as the
    file is decoded and split, the rows never held together (a table of
    1.2 million rows was 300 MiB beside its items, the peak of a
    100,000-person evaluation); inside ``read_once()`` the other readers
    get what they would have got once the items were made: the header and
    the first row (``_header_only``).  The file is tried as UTF-8, then as
    GB18030 (GBK), as the table reader decodes it (``dsl.tablefiles``): a
    byte that is not UTF-8 starts the reading again from the top, with
    nothing of the first try kept.  None, ``seen`` untouched, for any file
    that is not simply that (in neither encoding, a CSV problem, not a
    supervision table, a ``period`` column): it is read as a table instead,
    which reports what is wrong exactly as before.  The rows are those the
    table reader keeps (numbered from 2 by record, rows of blanks left
    out), so items, problems and their order are the same."""
    for encoding in ("utf-8", "gb18030"):
        first: list[tuple[int, list[str]]] = []
        trial = dict(seen)
        try:
            records = csv.reader(csv_lines(raw, encoding))
            header = [cell.strip() for cell in next(records, [])]
            named = [name for name in header if name]
            if not is_supervision_table(named) or "period" in named:
                return None
            rows = _numbered(records, first)
            found = _table_rows(str(file), header, rows, sections, trial, wanted)
            for _ in rows:  # left unread (columns missing): read to the end, as the table is
                pass
        except UnicodeDecodeError:
            continue
        except csv.Error:
            return None
        seen.update(trial)
        keep_read(file, [Table(str(file), header, first)])
        # Tables read before this reader: as the table path leaves them.
        slim_tables(file, _header_only)
        return found
    return None


def _numbered(
    records: Iterator[list[str]], first: list[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    """The records as the table reader numbers and keeps them (from 2, rows
    of blanks left out); the first one kept is also put in ``first``."""
    for line, cells in enumerate(records, start=2):
        if "".join(cells).strip():
            if not first:
                first.append((line, cells))
            yield line, cells


def _header_only(table: Table) -> Table:
    """What the period data reader needs of a supervision table once its
    items are made: the header, the formulas without a value and one row
    (it checks those, then leaves the table to this module).  A table with
    a ``period`` column is kept whole (the data reader looks for month rows
    in any table that has one)."""
    named = [name for name in table.header if name]
    if not is_supervision_table(named) or "period" in named or not table.rows:
        return table
    return dataclasses.replace(table, rows=table.rows[:1])


def read_supervision_table(
    table: Table,
    sections: dict[str, str],
    seen: dict[str, str] | None = None,
    wanted: tuple[tuple[date, date], ...] | None = None,
) -> tuple[list[SupervisionItem], list[Diagnostic]]:
    """One supervision table's rows; ``seen`` (item id -> where) spans tables.
    ``wanted``: every row is checked, but only the items due in one of these
    (first day, last day) spans are made, and the first item whatever its
    due date (a table with items never reads as a table without)."""
    seen = {} if seen is None else seen
    return _table_rows(table.shown, table.header, table.rows, sections, seen, wanted)


def _table_rows(
    shown: str,
    header: list[str],
    rows: Iterable[tuple[int, list[str]]],
    sections: dict[str, str],
    seen: dict[str, str],
    wanted: tuple[tuple[date, date], ...] | None,
) -> tuple[list[SupervisionItem], list[Diagnostic]]:
    """``read_supervision_table`` of a table's header and numbered rows
    (a table's, or a file's as it is read: ``_streamed``)."""
    columns = {name: index for index, name in enumerate(header) if name}
    problems: list[Diagnostic] = []
    missing = [c for c in SUPERVISION_COLUMNS if c not in columns]
    for column in missing:
        problems.append(
            Diagnostic("E0804", {"column": column}, None, location=f"{shown}:1 [{column}]")
        )
    if missing:
        return [], problems
    items: list[SupervisionItem] = []
    # The fast path below reads a row that has no problem; any other row is
    # read again by ``_row``, which reports its problems in their order.
    at = [columns.get(name, -1) for name in _FIELDS]
    need = max(at) + 1
    # An optional column the table lacks reads as the empty cell added at ``need``.
    absent = -1 in at
    get = itemgetter(*(need if i < 0 else i for i in at))
    strip = str.strip
    days: dict[str, date] = {}  # equal dates share one object (a table repeats them)
    # Equal letters, matters, evidence and sections share one string (``_item``).
    shared: dict[str, str] = {}
    flags = _YES | _NO
    append = items.append
    for number, cells in rows:
        if absent or len(cells) < need:
            cells = cells[:need] + [""] * (need + 1 - min(len(cells), need))
        ident, letter, issued_text, subject, matter, due_text, closed_text, flag, evidence = map(
            strip, get(cells)
        )
        lowered = flag.lower()
        issued: date | None
        due: date | None
        closed: date | None
        try:
            issued = days.get(issued_text) or days.setdefault(issued_text, _iso(issued_text))
            due = days.get(due_text) or days.setdefault(due_text, _iso(due_text))
            closed = (
                None
                if not closed_text
                else days.get(closed_text) or days.setdefault(closed_text, _iso(closed_text))
            )
        except ValueError:
            closed = issued = due = None
        if (
            issued is None
            or due is None
            or not (ident and letter and subject and matter)
            or subject not in sections
            or due < issued
            or (closed is not None and closed < issued)
            or lowered not in flags
            or ident in seen
        ):
            # Dates spelled otherwise than YYYY-MM-DD (2016/3/5, 2016年3月5日) are read there too.
            item = _row(shown, number, cells, columns, sections, seen, problems)
            if item is not None and (wanted is None or _due_in(item.due, wanted) or not items):
                append(item)
            continue
        where = f"{shown}:{number}"
        seen[ident] = where
        if wanted is not None and not _due_in(due, wanted) and items:
            continue  # checked, not kept: due in no period asked (``due_in``)
        row = (ident, letter, issued_text, subject, matter, due_text, closed_text, flag, evidence)
        append(_items(shown, (number,), [(cell,) for cell in row], days, shared)[0])
    return items, problems


def _iso(text: str) -> date:
    """A date written YYYY-MM-DD, the only spelling the fast path reads
    (``date.fromisoformat`` alone would also take 20160305 or 2016-W10-6,
    which the checked path refuses); ValueError for any other."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(text)
    return date.fromisoformat(text)


# The columns a row is read from, in the order the fast path unpacks them.
_FIELDS = ("id", "letter", "issued", "subject", "matter", "due", "closed", "corrected", "evidence")


def _row(
    shown: str,
    number: int,
    cells: list[str],
    columns: dict[str, int],
    sections: dict[str, str],
    seen: dict[str, str],
    problems: list[Diagnostic],
) -> SupervisionItem | None:
    """One row checked: its item, or None after adding its problems."""
    where = f"{shown}:{number}"
    before = len(problems)
    width = len(cells)
    # Each cell stripped once (an absent column or a short row reads as empty).
    stripped = {name: cells[i].strip() for name, i in columns.items() if i < width}

    def cell(name: str) -> str:
        return stripped.get(name, "")

    def located(code: str, column: str, **args: object) -> None:
        problems.append(
            Diagnostic(code, {"row": number, "column": column, **args}, None,
                       location=f"{where} [{column}]")
        )  # fmt: skip

    for column in ("id", "letter", "subject", "matter"):
        if not cell(column):
            located("E0830", column)
    days: dict[str, date | None] = {}
    for column in ("issued", "due", "closed"):
        text = cell(column)
        days[column] = None
        if not text:
            if column != "closed":
                located("E0830", column)
            continue
        days[column], problem = read_date_cell(text, number, column, f"{where} [{column}]")
        if problem is not None:
            problems.append(problem)
    subject = cell("subject")
    if subject and subject not in sections:
        problems.append(
            Diagnostic("E0832", {"row": number, "subject": subject}, None,
                       location=f"{where} [subject]",
                       help=suggest(subject, sorted(sections), ("E0809.help", {})))
        )  # fmt: skip
    issued, due, closed = days["issued"], days["due"], days["closed"]
    if issued is not None and due is not None and due < issued:
        located("E0833", "due", date=due, issued=issued)
    if issued is not None and closed is not None and closed < issued:
        located("E0833", "closed", date=closed, issued=issued)
    flag = cell("corrected")
    if flag.lower() not in _YES | _NO:
        located("E0834", "corrected", text=flag)
    ident = cell("id")
    if ident and ident in seen:
        located("E0835", "id", id=ident, first=seen[ident])
    elif ident:
        seen[ident] = where
    if len(problems) > before or issued is None or due is None:
        return None
    return _items(shown, (number,), [(cell(name),) for name in _FIELDS], {}, {})[0]
