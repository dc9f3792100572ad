"""Reading period data: wide CSV tables, one row per subject and period.

Every cell is read by the kind its input declares (numbers as Decimal,
percentages such as ``85%``, whole counts, levels of an enumeration, dates,
yes/no), checked against the declared range, and an empty cell means what the
rule says (an error, "exempt", or a default).  Every problem names the data
file, row and column; all of them are collected before anything is reported,
so one run shows the whole list of what to fix.

Month rows: the inputs of monthly indicators may come one row per month
(period ``2016-07`` or ``2016年7月``), in the same tables as quarter rows or
in tables of their own.  They are read first, then each quarter row takes the
three months combined as the input's ``monthly`` says (sum, average, last,
min, max).  An input given both in the quarter row and per month is an error
naming both rows (E0824); a missing month is an error naming the month,
subject and input (E0825) unless the input has a default, which then stands
in for that month; a month row's cell for an input that is not monthly is
E0826, and months that combine to a value outside the input's range E0827.
"""

from __future__ import annotations

import dataclasses
import decimal
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import compress, repeat
from pathlib import Path
from typing import TypeVar

from compiler import ir
from dsl.diagnostics import Diagnostic, HelpLine, did_you_mean, suggest
from dsl.tablefiles import ColumnProblem
from runtime.inputs.dates import read_date_cell
from runtime.inputs.events import EVENT_COLUMNS, Event, is_event_table, read_event_rows
from runtime.inputs.periods import Period, PeriodError, month_label, parse_month, period_of
from runtime.inputs.supervision import (
    SupervisionItem,
    counted_items,
    is_supervision_table,
    read_supervision,
    read_supervision_table,
)
from runtime.inputs.tables import (
    Deciding,
    EncodingProblem,
    LeftOut,
    Table,
    TableError,
    data_files,
    read_tables,
)
from semantics.calendar import parse_date
from semantics.numbers import parse_number
from semantics.operations import CONTEXT

T = TypeVar("T")
RUNTIME_KINDS = ir.RUNTIME_INPUT_KINDS  # inputs the runtime sets, never a data column
PERIOD_COLUMN = "period"
SUBJECT_COLUMN = "subject"
NAME_COLUMN = "name"
_TRUE = {"true", "yes", "1", "是", "真", "有"}
# Shared by every row (a row per subject and period, millions at 100,000
# people): an item's count before its events are added, a supervision
# count, and a row that leaves nothing unscored.  Each made per row was
# most of a row's memory (a Decimal is 104 bytes, an empty frozenset 216).
_ZERO = Decimal(0)
_COUNTS: dict[int, Decimal] = {}
_NONE_UNSCORED: frozenset[str] = frozenset()
_FALSE = {"false", "no", "0", "否", "假", "无"}
# How ``_TableReader._cell`` came by a cell's value.
_READ, _ABSENT, _UNSCORED = object(), object(), object()
_MISSING = object()  # not in a dictionary of values (None is a value)
# Rows worked out at once by ``_TableReader.rows_by_column``.
_SLICE = 8192
_CAREFUL = object()  # a row or cell to be read by ``_TableReader.row``
_COUNTED = object()  # a cell whose value is its row's supervision count


@dataclass(frozen=True, slots=True)
class Row:
    """One subject's inputs for one period, with where they came from."""

    period: str
    subject: str
    name: str
    values: tuple[object, ...]  # in program.inputs order
    source: str  # "file:row"
    events: tuple[Event, ...] = ()  # occurrences of items in the period
    # Supervision items due in the period, when inputs are counted from them.
    supervision: tuple[SupervisionItem, ...] = ()
    unscored: frozenset[str] = frozenset()  # indicators left unscored for lack of data


def with_events(row: Row, values: tuple[object, ...], events: tuple[Event, ...]) -> Row:
    """``dataclasses.replace(row, values=values, events=events)`` at about 60%
    of its cost (a row per subject with events: tens of thousands at 100,000
    people); tests/test_data_rows.py checks it keeps every other field."""
    return Row(row.period, row.subject, row.name, values, row.source, events,
               row.supervision, row.unscored)  # fmt: skip


@dataclass
class Dataset:
    rows: list[Row] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # errors: nothing is evaluated
    warnings: list[Diagnostic] = field(default_factory=list)  # e.g. a column that was ignored

    def periods(self) -> list[str]:
        return sorted({row.period for row in self.rows})


# An input read from a column: the input, its column's index in the table
# (None: the table has no such column), its cells read before, and whether
# each cell is checked against a count all the same (``row``).
_Column = tuple[ir.InputField, int | None, dict[str, object], bool]


def _where(path: str, row: int, column: str | None = None) -> str:
    return f"{path}:{row}" + (f" [{column}]" if column else "")


def load_data(
    program: ir.Program,
    location: str,
    wanted: list[Period] | None = None,
    absent_unscores: bool = False,
    collected: frozenset[str] | None = None,
    edit: Callable[[list[Table]], list[Table]] | None = None,
    read: Callable[[Path], list[Table]] = read_tables,
    supervision: Callable[
        [str, dict[str, str]], tuple[list[SupervisionItem], list[Diagnostic]]
    ] = read_supervision,
) -> Dataset:
    """Read every ``.csv`` table of a data folder (or one file).

    Only rows of the ``wanted`` periods are read and checked (all periods of
    the rule set's year when None); rows of other periods are left alone, so
    one data folder can hold several years.  ``edit``: applied to each
    file's tables as read (a what-if: one subject's rows, changed);
    ``read`` and ``supervision`` read a file's tables and the supervision
    items (the workbench remembers what they read).
    """
    dataset = Dataset()
    path = Path(location)
    if not path.exists():
        dataset.diagnostics.append(Diagnostic("E0801", {"path": location}, None, location=location))
        return dataset
    files = data_files(path)
    reader = _TableReader(program, dataset, wanted, absent_unscores, collected)
    reader.read = read
    if any(f.source is not None for f in program.inputs) and program.organization is not None:
        sections = {s.id: s.name for s in program.organization.sections}
        items, problems = supervision(location, sections)
        dataset.diagnostics.extend(problems)
        if items or problems:
            reader.supervision = items
    opened = [reader.open(file) for file in files]
    if edit is not None:
        opened = [edit(tables) for tables in opened]
    for tables in opened:  # month rows first: quarter rows take their months
        for table in tables:
            reader.collect_months(table)
    for tables in opened:
        for table in tables:
            reader.read_table(table)
    reader.months_without_quarter()
    reader.attach_events()
    return dataset


def load_tables(program: ir.Program, tables: list[Table], wanted: list[Period]) -> Dataset:
    """Read tables built in memory (rule tests) exactly as data files are read:
    the same conversions, ranges, defaults and located problems."""
    dataset = Dataset()
    reader = _TableReader(program, dataset, wanted)
    reader.supervision = _supervision_tables(program, tables, dataset)
    for table in tables:
        reader.collect_months(table)
    for table in tables:
        reader.read_table(table)
    reader.months_without_quarter()
    reader.attach_events()
    return dataset


def _supervision_tables(
    program: ir.Program, tables: list[Table], dataset: Dataset
) -> list[SupervisionItem] | None:
    """The supervision items of in-memory tables (a submission holding the
    office's supervision table), when something is counted from them; None
    when no table is a supervision table (the cells are read instead)."""
    found = [t for t in tables if is_supervision_table([n for n in t.header if n])]
    if not found or program.organization is None:
        return None
    if not any(f.source is not None for f in program.inputs):
        return None
    sections = {s.id: s.name for s in program.organization.sections}
    items: list[SupervisionItem] = []
    seen: dict[str, str] = {}
    for table in found:
        read, problems = read_supervision_table(table, sections, seen)
        items.extend(read)
        dataset.diagnostics.extend(problems)
    return items


class _TableReader:
    """Reads wide tables: one row per subject and period, one column per input."""

    def __init__(
        self,
        program: ir.Program,
        dataset: Dataset,
        wanted: list[Period] | None,
        absent_unscores: bool = False,
        collected: frozenset[str] | None = None,
    ) -> None:
        # Dry-runs: a required cell that is empty leaves the indicators needing it
        # unscored for that subject and period (the data was never collected);
        # so does an empty cell of an indicator not among ``collected`` (the
        # indicators whose data was collected then), whatever its default.
        self.absent_unscores = absent_unscores
        self.collected = collected
        self.program = program
        self.dataset = dataset
        self.wanted = set(wanted) if wanted is not None else None
        # What ``open`` leaves out of a CSV file read as data (``_left_out``).
        self.left_out = _left_out(frozenset(wanted), program.annual) if wanted is not None else None
        self.seen: dict[tuple[str, str], str] = {}
        # A data file that could not be read: rows it held are missing, so
        # problems about their absence (events without a row) would only
        # bury the one message that says why.
        self.unreadable = False
        self.events: list[Event] = []
        # Supervision items when the data has a supervision table and inputs
        # are counted from it (``from: supervision.…``); None: read the cells.
        self.supervision: list[SupervisionItem] | None = None
        # ``supervision`` grouped by period and subject, each period's on first
        # use (see ``mine``): the list grouped, then period -> subject -> items.
        self._by_period: (
            tuple[list[SupervisionItem], dict[Period, dict[str, tuple[SupervisionItem, ...]]]]
            | None
        ) = None
        # Month rows: (quarter, subject) -> input slot -> month -> (value, "file:row").
        self.months: dict[tuple[str, str], dict[int, dict[int, tuple[object, str]]]] = {}
        self.month_seen: dict[tuple[str, str], str] = {}
        # A blank cell's value by input slot, when it reads without a problem
        # (what it stands for still depends on the row: see ``row``).
        self._blank: dict[int, object] = {}
        # Rows not kept for a problem already reported: their events are not
        # "events without a row" (E0814), which would only repeat it.
        self.rejected: set[tuple[str, str]] = set()
        self.organization = program.organization
        self.context_owner = {i.context: i.id for i in program.indicators if i.context is not None}
        # Subjects this program assesses (sections or people), and the others,
        # whose tables and events belong to the other program.
        org = self.organization
        self.sections = {s.id: s for s in org.sections} if org else {}
        self.people = {p.id: p for p in org.people} if org else {}
        mine: dict[str, ir.Section | ir.Person] | None = None
        if org is not None:
            mine = dict(self.people) if program.kind == "person" else dict(self.sections)
        self.subjects = mine
        self.others = set(self.sections if program.kind == "person" else self.people)
        self.read: Callable[[Path], list[Table]] = read_tables
        # ``owns``' answers: (id of a table's rows, subject column) -> (the rows, answer).
        self._owned: dict[tuple[int, int], tuple[list[tuple[int, list[str]]], bool]] = {}
        # ``_month_rows``' answers by table: (the table, its columns, its month rows).
        self._months_of: dict[int, tuple[Table, dict[str, int], list[tuple[int, list[str]]]]] = {}
        # A period cell's text -> its period, "month" (a month row) or "bad".
        self._period_of: dict[str, Period | str] = {}
        # A period -> its label (``row``: one string shared by the period's rows).
        self._labels: dict[Period, str] = {}
        # (period, section, post) -> the indicators in force and applying (``row``).
        self._active: dict[tuple[Period, object], set[str]] = {}
        # A section's id -> what of it ``applies_to`` can name (``_applying_of``).
        self._section_named: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._named = {t for i in program.indicators for t in (i.applies_to or ())}
        # The inputs read from columns and those the runtime sets, in program
        # order (``row`` walks them for every row).
        self._columned = [f for f in program.inputs if f.kind not in RUNTIME_KINDS]
        self._runtime = [f for f in program.inputs if f.kind in RUNTIME_KINDS]
        # ``row``: each columned input with its column index in the table
        # being read and its ``_known`` cells.
        self._at: tuple[dict[str, int], list[_Column]] | None = None
        # Cells read without a problem, by input slot and the cell's text as
        # written (not stripped): a large table repeats its values (one
        # Decimal made and kept per spelling).  ``row`` takes a cell it has
        # read before from here before any other check, except for an input
        # counted from the supervision table (checked against the count per
        # row); a blank cell is never here (what it means depends on the
        # indicators in force: ``_blank``).
        self._known: dict[int, dict[str, object]] = {}
        self._slots = [f.slot for f in program.inputs]
        self._runtime_slots = [f.slot for f in self._runtime]
        # An input's position among the columned inputs and then the runtime's.
        self._columned_at = {f.slot: n for n, f in enumerate([*self._columned, *self._runtime])}
        # Read the rows of a table a column at a time (``rows_by_column``).
        self.by_column = True

    def owns(self, numbered: list[tuple[int, list[str]]], columns: dict[str, int]) -> bool:
        """Whether a wide table holds this program's subjects: it names one of
        them, or (naming no known subject at all) this is the section program,
        which then reports the unknown subjects once.  Asked up to three times
        per table, answered once (the rows are kept alive with the answer)."""
        key = (id(numbered), columns[SUBJECT_COLUMN])
        known = self._owned.get(key)
        if known is None or known[0] is not numbered:
            known = self._owned[key] = (numbered, self._owns(numbered, columns))
        return known[1]

    def _owns(self, numbered: list[tuple[int, list[str]]], columns: dict[str, int]) -> bool:
        index = columns[SUBJECT_COLUMN]
        texts = {cells[index] for _, cells in numbered if index < len(cells)}
        named = {text.strip() for text in texts}  # each distinct spelling stripped once
        if self.subjects is None or not named.isdisjoint(self.subjects):
            return True
        return named.isdisjoint(self.others) and self.program.kind == "section"

    def problem(self, code: str, args: dict[str, object], where: str, **extra: object) -> None:
        self.dataset.diagnostics.append(Diagnostic(code, args, None, location=where, **extra))  # type: ignore[arg-type]

    def open(self, file: Path) -> list[Table]:
        """The tables of one data file; none (the problem reported) when it
        cannot be read."""
        try:
            if self.read is read_tables and self.left_out is not None:
                return read_tables(file, left_out=self.left_out)
            return self.read(file)
        except EncodingProblem as error:
            self.unreadable = True
            if self.program.kind == "section":  # both programs read every file: report once
                args = {"path": str(file), "line": error.line, "byte": f"0x{error.byte:02X}"}
                self.problem("E0909", args, _where(str(file), error.line), help=("E0909.help", {}))
            return []
        except ColumnProblem as error:  # a Parquet column that is not cells
            self.unreadable = True
            if self.program.kind == "section":  # both programs read every file: report once
                args = {"path": str(file), "column": error.column, "kind": error.kind}
                where = _where(str(file), 1, error.column)
                self.problem("E0961", args, where, help=("E0961.help", {}))
            return []
        except TableError as error:
            self.unreadable = True
            if self.program.kind == "section":  # both programs read every file: report once
                self.problem("E0902", {"path": str(file), "problem": str(error)}, str(file))
            return []

    def _month_rows(self, table: Table) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
        """A wide table's columns and its rows whose period is a month; none
        for tables this program does not read (events, the other kind of
        subject, unreadable ones: ``read_table`` reports those)."""
        known = self._months_of.get(id(table))
        if known is None or known[0] is not table:  # asked twice per table: worked out once
            known = self._months_of[id(table)] = (table, *self._find_month_rows(table))
        return known[1], known[2]

    def _find_month_rows(self, table: Table) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
        header = table.header
        named = [name for name in header if name]
        if not table.rows or table.uncached or len(set(named)) != len(named):
            return {}, []
        columns = {name: index for index, name in enumerate(header) if name}
        if is_event_table(columns) or PERIOD_COLUMN not in columns:
            return {}, []
        if SUBJECT_COLUMN not in columns or not self.owns(table.rows, columns):
            return {}, []
        index = columns[PERIOD_COLUMN]
        months: list[tuple[int, list[str]]] = []
        is_month: dict[str, bool] = {}  # a period cell's text -> a month row's
        for text in {cells[index] for _, cells in table.rows if index < len(cells)}:
            # A month number outside 1-12 is reported by read_table, as any
            # period that is not one.
            try:
                is_month[text] = parse_month(text) is not None
            except PeriodError:
                is_month[text] = False
        if not any(is_month.values()):
            return columns, months  # each distinct text once: no month row
        for number, cells in table.rows:
            if index >= len(cells):
                continue
            text = cells[index]
            month = is_month.get(text)
            if month is None:
                # A month number outside 1-12 is reported by read_table, as
                # any period that is not one.
                try:
                    month = is_month[text] = parse_month(text) is not None
                except PeriodError:
                    month = is_month[text] = False
            if month:
                months.append((number, cells + [""] * (len(header) - len(cells))))
        return columns, months

    def collect_months(self, table: Table) -> None:
        """First pass: the month rows of a wide table, each cell read and
        checked, kept for the quarter rows (``_combined``)."""
        columns, rows = self._month_rows(table)
        shown = table.shown
        for number, cells in rows:
            found = parse_month(cells[columns[PERIOD_COLUMN]])
            assert found is not None
            year, month = found
            if self.program.annual:  # an annual rule set's rows are years
                text = cells[columns[PERIOD_COLUMN]].strip()
                where = _where(shown, number, PERIOD_COLUMN)
                self.problem("E0533", {"row": number, "text": text}, where, help=("E0533.help", {}))
                continue
            quarter = Period(year, (month + 2) // 3)
            if self.wanted is not None and quarter not in self.wanted:
                continue
            if self.wanted is None and not self.program.covers(year):
                continue
            subject = cells[columns[SUBJECT_COLUMN]].strip()
            if self.subjects is not None and subject not in self.subjects:
                self.unknown_subject(shown, number, subject)
                continue
            key = (month_label(year, month), subject)
            if key in self.month_seen:
                where = _where(shown, number, SUBJECT_COLUMN)
                args = {"row": number, "subject": subject, "first": self.month_seen[key]}
                self.problem("E0805", args, where)
                continue
            self.month_seen[key] = f"{shown}:{number}"
            held = self.months.setdefault((str(quarter), subject), {})
            for input_field in self.program.inputs:
                index = columns.get(input_field.name)
                if input_field.kind in RUNTIME_KINDS or index is None:
                    continue
                raw = cells[index].strip()
                if raw == "":
                    continue  # a missing month: see _combined
                if input_field.monthly is None:
                    where = _where(shown, number, input_field.name)
                    args = {"row": number, "column": input_field.name, "period": key[0]}
                    self.problem("E0826", args, where, help=("E0826.help", {}))
                    continue
                value, problem = read_cell(input_field, raw, shown, number)
                if problem is not None:
                    self.dataset.diagnostics.append(problem)
                    continue
                held.setdefault(input_field.slot, {})[month] = (value, f"{shown}:{number}")

    def _combined(
        self, input_field: ir.InputField, period: Period, subject: str
    ) -> tuple[object, bool]:
        """The quarter's value of ``input_field`` from its month rows, and
        whether it could be made (each problem reported)."""
        months = self.months[(str(period), subject)][input_field.slot]
        first_where = min(where for _, where in months.values())
        column = input_field.name
        ok = True
        values: list[object] = []
        for month in range(3 * period.quarter - 2, 3 * period.quarter + 1):
            if month in months:
                values.append(months[month][0])
            elif input_field.missing == "default":
                values.append(input_field.default)
            else:
                label = month_label(period.year, month)
                missing: dict[str, object] = {"month": label, "subject": subject, "column": column}
                where = f"{first_where} [{column}]"
                self.problem("E0825", missing, where, help=("E0825.help", {}))
                ok = False
        if not ok:
            return None, False
        method = input_field.monthly
        if method == "last" or input_field.type.kind != "number":
            return values[-1], True
        numbers = [v for v in values if isinstance(v, Decimal)]
        with decimal.localcontext(CONTEXT):
            if method == "sum":
                value = sum(numbers, Decimal(0))
            elif method == "average":
                value = sum(numbers, Decimal(0)) / len(numbers)
            elif method == "min":
                value = min(numbers)
            else:
                value = max(numbers)
        low = input_field.minimum
        if low is None and input_field.kind == "count":
            low = Decimal(0)
        high = input_field.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            outside: dict[str, object] = {
                "subject": subject, "column": column, "period": str(period),
                "method": method, "value": value,
                "low": low if low is not None else "-∞", "high": high if high is not None else "∞",
            }  # fmt: skip
            self.problem("E0827", outside, f"{first_where} [{column}]")
            return None, False
        return value, True

    def read_table(self, table: Table) -> None:
        shown, header, numbered = table.shown, table.header, table.rows
        if not numbered:
            return  # a header alone holds nothing for anyone
        if not self.readable(table):
            return
        columns = {name: index for index, name in enumerate(header) if name}
        if is_supervision_table(columns):
            return  # supervision items: read by runtime.inputs.supervision
        if is_event_table(columns):
            subjects = set(self.subjects) if self.subjects is not None else None
            events, problems = read_event_rows(
                self.program, numbered, columns, shown, subjects, self.wanted, self.others
            )
            self.events.extend(events)
            self.dataset.diagnostics.extend(problems)
            return
        if SUBJECT_COLUMN in columns and numbered and not self.owns(numbered, columns):
            return  # a table of the other kind of subject (sections vs. people)
        if PERIOD_COLUMN in columns and SUBJECT_COLUMN in columns and self._all_months(table):
            self.known_columns(shown, columns)  # its rows were read by collect_months
            return
        missing = [c for c in (PERIOD_COLUMN, SUBJECT_COLUMN) if c not in columns]
        missing += [
            f.name
            for f in self.program.inputs
            if f.kind not in RUNTIME_KINDS
            and f.name not in columns
            and f.missing == "error"
            and f.needed_by is None  # else checked per row: needed only when in force
            and (f.source is None or self.supervision is None)  # counted, not a column
            and not (f.monthly and self._given_monthly(f.slot))  # else checked per row
        ]
        if missing and table.form:
            # One assessing section's form holds its own columns only: it is a
            # submission, not a data folder's table; say so once, not per column.
            args: dict[str, object] = {"columns": "、".join(missing)}
            self.problem("E0943", args, _where(shown, 1), help=("E0943.help", {}))
            return
        for column in missing:
            self.problem("E0804", {"column": column}, _where(shown, 1))
        if missing:
            return
        if not self.known_columns(shown, columns):
            return
        start = len(self.dataset.diagnostics)
        if self.by_column and not self.months:
            # A slice at a time: what is made per row while a slice is worked
            # out stays small beside the rows kept.  Slices read in order
            # are the table read at once (``rows_by_column``).
            for first in range(0, len(numbered), _SLICE):
                self.rows_by_column(shown, numbered[first : first + _SLICE], columns, len(header))
        else:
            self.rows(shown, numbered, columns, len(header))
        if table.form:
            found = self.dataset.diagnostics
            found[start:] = [in_form(d, columns) for d in found[start:]]

    def rows(
        self, shown: str, numbered: list[tuple[int, list[str]]], columns: dict[str, int], width: int
    ) -> None:
        """A wide table's rows read one at a time (``row``)."""
        at = columns[PERIOD_COLUMN]
        skipped: set[str] = set()  # period cells known to be of a period not wanted
        for number, cells in numbered:
            # A row of a period not wanted, its period already read on an
            # earlier row, is left alone here (``row`` would return at once).
            if at < len(cells):
                text = cells[at]
                if text in skipped:
                    continue
                if self._unwanted(text):
                    skipped.add(text)  # a period once unwanted stays so
                    continue
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            self.row(shown, number, cells, columns)

    def rows_by_column(
        self, shown: str, numbered: list[tuple[int, list[str]]], columns: dict[str, int], width: int
    ) -> None:
        """``rows``, worked out a column at a time: each distinct period text
        once, each subject once, each column's cells read before taken by
        one lookup per cell and the others (blanks, texts new to the input)
        read by ``_cell`` once per text and indicators in force.  A row that
        is anything but plain (a period that is not wanted or not one, an
        unknown subject, a cell with a problem, a blank that leaves
        indicators unscored, a cell that is not its supervision count) is
        read by ``row`` in its turn, and so is every row of a table with one
        (``_in_turn``), so the rows, the problems and their order are those
        of ``rows``.  The caller takes ``rows`` whenever some subject has
        month rows (``collect_months``)."""

        def column(index: int) -> list[str]:
            return [cells[index] if index < len(cells) else "" for _, cells in numbered]

        # Each row's period (None: left alone, as ``row`` leaves it without a
        # word; _CAREFUL: read by ``row``) and subject (None: read by ``row``).
        period_texts = column(columns[PERIOD_COLUMN])
        periods = {text: self._wanted_period(text) for text in set(period_texts)}
        when = list(map(periods.__getitem__, period_texts))
        subject_texts = column(columns[SUBJECT_COLUMN])
        if self.subjects is not None:
            get = self.subjects.get
            found: list[ir.Section | ir.Person | None] = [
                get(text.strip()) for text in subject_texts
            ]
            ids = [held.id if held is not None else "" for held in found]
            names = [held.name if held is not None else "" for held in found]
        else:
            found = [None] * len(numbered)
            ids = [text.strip() for text in subject_texts]
            names = (
                [text.strip() for text in column(columns[NAME_COLUMN])]
                if NAME_COLUMN in columns
                else ids
            )
        scopes = self._scopes(when, found)
        del found, subject_texts
        careful = [scope is None and w is not None for scope, w in zip(scopes, when, strict=True)]
        # Each columned input's values by row (_CAREFUL: read by ``row``;
        # _COUNTED: the row's supervision count, checked against the text).
        read: list[list[object]] = []
        counted: list[tuple[int, ir.InputField, list[str], dict[str, object]]] = []
        for input_field, index, known, checked in self._columns_of(columns):
            texts = column(index) if index is not None else [""] * len(numbered)
            values = [_MISSING] * len(texts) if checked else [known.get(t, _MISSING) for t in texts]
            made: dict[tuple[str, int], object] = {}
            for at in [at for at, value in enumerate(values) if value is _MISSING]:
                scope = scopes[at]
                if scope is None:
                    continue
                same = (texts[at], id(scope))
                value = made.get(same, _MISSING)
                if value is _MISSING:
                    value, problem, how = self._cell(
                        input_field, texts[at], known, scope, shown, numbered[at][0]
                    )
                    if problem is not None or how is _UNSCORED:
                        value = _CAREFUL
                    elif checked and how is _READ:
                        value = _COUNTED
                    made[same] = value
                values[at] = value
                if value is _CAREFUL:
                    careful[at] = True
            if checked:
                counted.append((len(read), input_field, texts, known))
            read.append(values)
        supervised: list[tuple[SupervisionItem, ...]] = (
            [
                self.mine(i, w) if isinstance(w, Period) else ()
                for i, w in zip(ids, when, strict=True)
            ]
            if self.supervision
            else [()] * len(numbered)
        )
        # Each row's values: its columned inputs' (one tuple per row, made as
        # it is used) and the runtime's, in program order.
        by_row: Iterable[tuple[object, ...]] = (
            zip(*read, strict=True) if read else repeat((), len(numbered))
        )
        if counted:
            by_row = list(by_row)
            for at, cells_read in enumerate(by_row):
                if scopes[at] is not None and not careful[at]:
                    checked_values = self._counted(cells_read, counted, at, supervised[at])
                    if checked_values is None:
                        careful[at] = True
                    else:
                        by_row[at] = checked_values
        ordered = self._with_runtime(by_row, when, scopes, supervised)
        del read, by_row, counted
        label_of = {
            text: self._label(w) if isinstance(w, Period) else "" for text, w in periods.items()
        }
        labels = list(map(label_of.__getitem__, period_texts))
        keys = list(zip(labels, ids, strict=True))
        taken = [w is not None for w in when]  # the rows not left alone
        every = all(taken)
        distinct = keys if every else _taken(keys, taken)
        seen = self.seen
        if not any(careful) and seen.keys().isdisjoint(distinct):
            sources = [f"{shown}:{number}" for number, _ in numbered]
            if not every:  # the rows left alone left out
                sources = _taken(sources, taken)
            before = len(seen)
            seen.update(zip(distinct, sources, strict=True))
            if len(seen) == before + len(distinct):  # no subject twice
                if not every:
                    labels, ids, names = (
                        _taken(labels, taken),
                        _taken(ids, taken),
                        _taken(names, taken),
                    )
                    ordered, supervised = _taken(ordered, taken), _taken(supervised, taken)
                new_rows = map(Row, labels, ids, names, ordered, sources, repeat(()), supervised,
                               repeat(_NONE_UNSCORED))  # fmt: skip
                self.dataset.rows.extend(new_rows)
                return
            for key in distinct:  # all new before: the row reader reports the repeat
                seen.pop(key, None)
        self._in_turn(shown, numbered, columns, width, careful, when, keys, names, ordered,
                      supervised)  # fmt: skip

    def _in_turn(
        self,
        shown: str,
        numbered: list[tuple[int, list[str]]],
        columns: dict[str, int],
        width: int,
        careful: list[bool],
        when: list[object],
        keys: list[tuple[str, str]],
        names: list[str],
        values: list[tuple[object, ...]],
        supervised: list[tuple[SupervisionItem, ...]],
    ) -> None:
        """``rows_by_column``'s rows one at a time in order: each plain one
        made from its values, each other one (and each repeating a subject
        and period) read by ``row``."""
        seen, append = self.seen, self.dataset.rows.append
        for at, (number, cells) in enumerate(numbered):
            if when[at] is None:
                continue  # left alone, as ``row`` leaves it
            if careful[at] or keys[at] in seen:
                self.row(shown, number, cells + [""] * (width - len(cells)), columns)
                continue
            label, subject = keys[at]
            source = seen[keys[at]] = f"{shown}:{number}"
            append(
                Row(
                    label,
                    subject,
                    names[at],
                    values[at],
                    source,
                    (),
                    supervised[at],
                    _NONE_UNSCORED,
                )
            )

    def _wanted_period(self, text: str) -> object:
        """A period cell's text as ``rows_by_column`` takes its row: the
        period, None (a row ``row`` leaves alone without a word: a month
        row, a period not wanted) or _CAREFUL (``row`` reports it)."""
        period = self._period(text.strip())
        if period == "month":
            return None
        if not isinstance(period, Period) or period.annual != self.program.annual:
            return _CAREFUL
        if self.wanted is not None and period not in self.wanted:
            return None
        if self.wanted is None and not self.program.covers(period.year):
            return None
        return period

    def _label(self, period: Period) -> str:
        label = self._labels.get(period)
        if label is None:  # one string per period shared by its rows
            label = self._labels[period] = str(period)
        return label

    def _scopes(
        self, when: list[object], found: list[ir.Section | ir.Person | None]
    ) -> list[set[str] | None]:
        """Each row's indicators in force (``_in_force``), None for a row of
        no period wanted or of an unknown subject, looked up by section and
        post first (the people of one post share them)."""
        known = self.subjects is not None
        by_period: dict[int, dict[object, set[str]]] = {}  # id(period) -> (section, post) -> set
        made: list[set[str] | None] = []
        keep = made.append
        for period, held in zip(when, found, strict=True):
            if not isinstance(period, Period) or (known and held is None):
                keep(None)
                continue
            if isinstance(held, ir.Person):
                section: ir.Section | None = self.sections.get(held.section)
                post = held.post
            else:
                section, post = held, None
            scopes = by_period.get(id(period))
            if scopes is None:
                scopes = by_period[id(period)] = {}
            ident = section.id if section is not None else None
            scope = scopes.get((ident, post))
            if scope is None:
                scope = scopes[(ident, post)] = self._in_force(period, section, post)
            keep(scope)
        return made

    def _with_runtime(
        self,
        by_row: Iterable[tuple[object, ...]],
        when: list[object],
        scopes: list[set[str] | None],
        supervised: list[tuple[SupervisionItem, ...]],
    ) -> list[tuple[object, ...]]:
        """Each plain row's values in ``program.inputs`` order: its columned
        inputs' (``by_row``) and those the runtime sets (``_runtime_values``,
        the same for the rows of one scope and section's items)."""
        order = [self._columned_at[slot] for slot in self._slots]
        depends = any(f.kind == "events" and f.source is not None for f in self._runtime)
        runtime: dict[tuple[int, int], tuple[object, ...]] = {}
        made: list[tuple[object, ...]] = []
        keep = made.append
        plain = order == list(range(len(order)))
        for values, period, scope, items in zip(by_row, when, scopes, supervised, strict=True):
            if scope is None:
                keep(())
                continue
            same = (id(scope), id(items) if depends else 0)
            extra = runtime.get(same)
            if extra is None:
                assert isinstance(period, Period)
                extra = runtime[same] = tuple(self._runtime_values(period, scope, (), items))
            both = values + extra
            keep(both if plain else tuple(map(both.__getitem__, order)))
        return made

    def _counted(
        self,
        values: tuple[object, ...],
        counted: list[tuple[int, ir.InputField, list[str], dict[str, object]]],
        at: int,
        supervised: tuple[SupervisionItem, ...],
    ) -> tuple[object, ...] | None:
        """A plain row's values with each input counted from the supervision
        table set to its count (``row``'s check); None when a cell that is
        not blank reads as another number."""
        changed = list(values)
        for index, input_field, texts, known in counted:
            if changed[index] is not _COUNTED:
                continue
            number = supervision_count(input_field.source or "", supervised)
            if texts[at].strip() != "" and known.get(texts[at], _MISSING) != number:
                return None
            changed[index] = number
        return tuple(changed)

    def _unwanted(self, text: str) -> bool:
        """Whether a row whose period cell holds ``text`` is of a quarter or
        year (of this rule set's kind) that is not wanted, known from a row
        read before; ``row`` reads it otherwise."""
        period = self._period_of.get(text.strip())
        return (
            isinstance(period, Period)
            and period.annual == self.program.annual
            and self.wanted is not None
            and period not in self.wanted
        )

    def _all_months(self, table: Table) -> bool:
        """Whether every row of a wide table is a month row (a table of
        monthly inputs only: no quarter columns are required of it)."""
        _, months = self._month_rows(table)
        return len(months) == len(table.rows)

    def _given_monthly(self, slot: int) -> bool:
        return any(slot in held for held in self.months.values())

    def readable(self, table: Table) -> bool:
        """Report what makes a table unreadable as a whole: formulas without a
        saved value and repeated column names.  Both are checked by the
        section program only (both programs read every table), once."""
        report = self.program.kind == "section"
        ok = True
        for number, column in table.uncached:
            name = table.header[column] if column < len(table.header) else str(column + 1)
            ok = False
            if report:
                where = _where(table.shown, number, name)
                args = {"row": number, "column": name}
                self.problem("E0820", args, where, help=("E0820.help", {}))
        first: dict[str, int] = {}
        for index, name in enumerate(table.header):
            if not name:
                continue
            if name in first:
                ok = False
                if report:
                    where = _where(table.shown, 1, name)
                    args = {"column": name, "first": first[name] + 1, "again": index + 1}
                    self.problem("E0821", args, where, help=("E0821.help", {}))
            else:
                first[name] = index
        return ok

    def known_columns(self, shown: str, columns: dict[str, int]) -> bool:
        """Every column of a wide table names an input (or period, subject,
        name).  A column that looks like a misspelt input the table lacks is
        an error (the input would silently be missing or take its default);
        any other extra column is ignored with a warning that says so."""
        inputs = [f.name for f in self.program.inputs if f.kind not in RUNTIME_KINDS]
        known = {PERIOD_COLUMN, SUBJECT_COLUMN, NAME_COLUMN, *inputs}
        absent = [name for name in inputs if name not in columns]
        ok = True
        for column in columns:
            if column in known:
                continue
            where = _where(shown, 1, column)
            guess = did_you_mean(column, absent)
            if guess is not None:
                didyoumean: HelpLine = ("E0401.didyoumean", {"suggestion": guess})
                self.problem("E0822", {"column": column}, where, help=didyoumean)
                ok = False
            else:
                self.dataset.warnings.append(
                    Diagnostic("W0801", {"column": column}, None, "warning", location=where)
                )
        return ok

    def row(self, shown: str, number: int, cells: list[str], columns: dict[str, int]) -> None:
        period_text = cells[columns[PERIOD_COLUMN]].strip()
        subject = cells[columns[SUBJECT_COLUMN]].strip()
        name = cells[columns[NAME_COLUMN]].strip() if NAME_COLUMN in columns else subject
        period = self._period(period_text)
        if period == "month":
            return  # a month row: read by collect_months
        if period == "bad":
            where = _where(shown, number, PERIOD_COLUMN)
            self.problem("E0810", {"row": number, "text": period_text}, where)
            return
        assert isinstance(period, Period)
        if period.annual != self.program.annual:
            # A quarter's row in an annual rule set's data, or a year's in a
            # quarterly one's: neither is a roll-up of the other.
            code = "E0533" if self.program.annual else "E0534"
            where = _where(shown, number, PERIOD_COLUMN)
            self.problem(
                code, {"row": number, "text": period_text}, where, help=(code + ".help", {})
            )
            return
        if self.wanted is not None and period not in self.wanted:
            return
        if self.wanted is None and not self.program.covers(period.year):
            return
        section, post = None, None
        if self.subjects is not None:
            found = self.subjects.get(subject)
            if found is None:
                self.unknown_subject(shown, number, subject)
                return
            # The organization's own string, not the cell's equal copy: every
            # later lookup by id (pools, groups, results) then compares one
            # object, and a period's rows hold no second copy of the ids.
            subject = found.id
            name = found.name
            # applies_to names sections, their tags or (people) posts: a person's
            # section is their section's, and their post their own.
            section = self.sections.get(found.section) if isinstance(found, ir.Person) else found
            post = found.post if isinstance(found, ir.Person) else None
        label = self._labels.get(period)
        if label is None:  # one string per period shared by its rows
            label = self._labels[period] = str(period)
        key = (label, subject)
        if key in self.seen:
            where = _where(shown, number, SUBJECT_COLUMN)
            args = {"row": number, "subject": subject, "first": self.seen[key]}
            self.problem("E0805", args, where)
            return
        source = self.seen[key] = f"{shown}:{number}"  # also the row's
        active = self._in_force(period, section, post)
        values: dict[int, object] = {}
        unscored: set[str] = set()
        ok = True
        held = self.months.get(key, {})
        supervised: tuple[SupervisionItem, ...] | None = None  # ``mine``, made once per row
        for input_field, index, known, checked in self._columns_of(columns):
            text = cells[index] if index is not None else ""
            before = known.get(text, known)
            if before is not known and not checked and input_field.slot not in held:
                values[input_field.slot] = before  # a cell read before: see ``_known``
                continue
            raw = text.strip()
            needed_by = input_field.needed_by
            if input_field.slot in held:
                if raw != "":
                    months = sorted({w for _, w in held[input_field.slot].values()})
                    mixed: dict[str, object] = {
                        "row": number, "subject": subject, "column": input_field.name,
                        "months": ", ".join(months),
                    }  # fmt: skip
                    where = _where(shown, number, input_field.name)
                    self.problem("E0824", mixed, where, help=("E0824.help", {}))
                    ok = False
                elif needed_by is not None and not active.intersection(needed_by):
                    values[input_field.slot] = None  # only indicators not scored read it
                else:
                    values[input_field.slot], fine = self._combined(input_field, period, subject)
                    ok = ok and fine
                continue
            value, problem, how = self._cell(input_field, text, known, active, shown, number)
            if how is _UNSCORED:
                assert needed_by is not None
                unscored.update(needed_by)
            if problem is not None:
                self.dataset.diagnostics.append(problem)
                ok = False
            elif how is _READ and checked:
                if supervised is None:
                    supervised = self.mine(subject, period)
                count = supervision_count(input_field.source or "", supervised)
                if raw != "" and value != count:
                    args = {"row": number, "column": input_field.name, "count": count, "value": raw}
                    self.problem("E0935", args, _where(shown, number, input_field.name))
                    ok = False
                value = count
            values[input_field.slot] = value
        if supervised is None:
            supervised = self.mine(subject, period)
        values.update(
            zip(
                self._runtime_slots,
                self._runtime_values(period, active, unscored, supervised),
                strict=True,
            )
        )
        if not ok:
            self.rejected.add(key)
        if ok:
            ordered = tuple(map(values.__getitem__, self._slots))
            row = Row(label, subject, name, ordered, source, supervision=supervised,
                      unscored=frozenset(unscored) if unscored else _NONE_UNSCORED)  # fmt: skip
            self.dataset.rows.append(row)

    def _runtime_values(
        self,
        period: Period,
        active: set[str],
        unscored: Collection[str],
        supervised: tuple[SupervisionItem, ...],
    ) -> list[object]:
        """The values of the inputs the runtime sets (``_runtime``), in order."""
        values: list[object] = []
        for input_field in self._runtime:
            if input_field.kind == "context":
                owner = self.context_owner[input_field.slot]
                values.append(owner in active and owner not in unscored)
            elif input_field.kind == "events" and input_field.source is not None:
                # An item counted from the supervision table (event rows for
                # it are refused in attach_events); without one, from events.
                values.append(supervision_count(input_field.source, supervised))
            elif input_field.kind == "events":
                values.append(_ZERO)  # counted from event tables later
            elif input_field.kind == "period_start":
                values.append(period.start)
            elif input_field.kind == "period_end":
                values.append(period.end)
            else:  # section_total: the section's result, set per period
                values.append(None)
        return values

    def _period(self, text: str) -> Period | str:
        """A period cell's stripped text as its period, "month" (a month row)
        or "bad"; each text parsed once, not once per row."""
        period = self._period_of.get(text)
        if period is None:
            try:
                period = "month" if parse_month(text) else Period.of_label(text)
            except PeriodError:
                period = "bad"
            self._period_of[text] = period
        return period

    def _in_force(self, period: Period, section: ir.Section | None, post: str | None) -> set[str]:
        """The indicators in force and applying: the same for every subject
        of one section and post in a period, worked out once for them (one
        set object per period and what ``applies_to`` can name)."""
        scope = (period, self._applying_of(section, post))
        active = self._active.get(scope)
        if active is None:
            active = self._active[scope] = {
                i.id
                for i in self.program.indicators
                if i.scored_in(period.end) and (section is None or i.applies(section, post))
            }
        return active

    def _applying_of(
        self, section: ir.Section | None, post: str | None
    ) -> tuple[str, tuple[str, ...], str | None] | None:
        """What of a section and post ``applies_to`` can name: the id, the
        tags and the post only where some indicator names them, so that the
        sections of a large organization share one set of indicators (the
        section's part worked out once per section, the post's looked up)."""
        if section is None:
            return None
        named = self._named
        part = self._section_named.get(section.id)
        if part is None:
            ident = section.id
            part = self._section_named[ident] = (
                ident if ident in named else "",
                tuple(t for t in section.tags if t in named),
            )
        return (*part, post if post in named else None)

    def _columns_of(self, columns: dict[str, int]) -> list[_Column]:
        """Each columned input with its column index in the table being read,
        its ``_known`` cells and whether its cells are checked against a
        supervision count; worked out once per table."""
        if self._at is None or self._at[0] is not columns:
            by_slot = self._known
            counted = self.supervision is not None  # inputs with a source: checked per row
            self._at = (columns, [
                (f, columns.get(f.name), by_slot.setdefault(f.slot, {}),
                 counted and f.source is not None)
                for f in self._columned
            ])  # fmt: skip
        return self._at[1]

    def _cell(
        self,
        input_field: ir.InputField,
        text: str,
        known: dict[str, object],
        active: set[str],
        shown: str,
        number: int,
    ) -> tuple[object, Diagnostic | None, object]:
        """A cell of an input not held per month, in a row where ``active``
        indicators are in force: its value, its problem, and how it came
        (``_READ``; ``_ABSENT``: a blank that no indicator in force reads;
        ``_UNSCORED``: a blank that leaves the input's indicators unscored)."""
        raw = text.strip()
        needed_by = input_field.needed_by
        if raw == "" and needed_by is not None:
            if not active.intersection(needed_by):
                return None, None, _ABSENT  # only indicators not in force or applicable read it
            if self.absent_unscores and (
                input_field.missing == "error"
                or (self.collected is not None and not self.collected.intersection(needed_by))
            ):
                # A dry-run on data that was never collected: a required cell is
                # empty, or the indicators reading the field did not exist when
                # the data was collected (no default stands in for their data).
                return None, None, _UNSCORED
        # The value a cell of this text always reads as, read once.
        if raw == "":
            value = self._blank.get(input_field.slot, _MISSING)
            if value is _MISSING:
                value, problem = read_cell(input_field, raw, shown, number)
                if problem is None:
                    self._blank[input_field.slot] = value
                return value, problem, _READ
            return value, None, _READ
        value = known.get(text, _MISSING)
        if value is _MISSING:
            value, problem = read_cell(input_field, raw, shown, number)
            if problem is None:
                known[text] = value
            return value, problem, _READ
        return value, None, _READ

    def mine(self, subject: str, period: Period) -> tuple[SupervisionItem, ...]:
        """A section's supervision items due in ``period`` (none without a table)."""
        items = self.supervision
        if not items:
            return ()  # no table (the people's program): nothing to group, per row
        if self._by_period is None or self._by_period[0] is not items:
            self._by_period = (items, {})
        due = self._by_period[1].get(period)
        if due is None:
            # One pass over the items per period, not one over a section's items
            # of every period per row; each subject's items in the table's order.
            start, end = period.start, period.end
            grouped: dict[str, list[SupervisionItem]] = {}
            for item in items:
                if start <= item.due <= end:
                    grouped.setdefault(item.subject, []).append(item)
            due = self._by_period[1][period] = {s: tuple(held) for s, held in grouped.items()}
        return due.get(subject, ())

    def months_without_quarter(self) -> None:
        """Month rows of a subject and quarter that has no quarter row: the
        months would be read for nothing (E0828, at the first month row)."""
        for (period, subject), held in sorted(self.months.items()):
            if (period, subject) in self.seen or not held:
                continue
            first = min(where for months in held.values() for _, where in months.values())
            args: dict[str, object] = {"subject": subject, "period": period}
            self.problem("E0828", args, first, help=("E0828.help", {}))

    def attach_events(self) -> None:
        """Count each item's occurrences into the rows of their subject and period."""
        if not self.events:
            return
        tabled = {f.name.removesuffix(".count") for f in self.program.inputs
                  if f.kind == "events" and f.source is not None}  # fmt: skip
        by_key: dict[tuple[str, str], list[Event]] = {}
        labels: dict[date, str] = {}
        for event in self.events:
            if event.item in tabled and self.supervision is not None:
                number = event.source.rsplit(":", 1)[-1]
                self.problem("E0936", {"row": number, "item": event.item},
                             f"{event.source} [item]", help=("E0936.help", {}))  # fmt: skip
                continue
            label = labels.get(event.day)
            if label is None:  # each day's period label worked out once
                label = labels[event.day] = str(period_of(event.day, self.program.annual))
            by_key.setdefault((label, event.subject), []).append(event)
        count_slots = {i.id: i.count for i in self.program.items}
        position = {f.slot: n for n, f in enumerate(self.program.inputs)}
        pop = by_key.pop
        for index, row in enumerate(self.dataset.rows):
            events = pop((row.period, row.subject), None)
            if not events:
                continue
            values = list(row.values)
            for event in events:
                at = position[count_slots[event.item]]
                values[at] = values[at] + event.amount  # type: ignore[operator]
            self.dataset.rows[index] = with_events(row, tuple(values), tuple(events))
        if self.unreadable:
            return  # the rows may be in the file that could not be read
        for (period, subject), events in sorted(by_key.items()):
            if (period, subject) in self.rejected:
                continue
            self.problem("E0814", {"subject": subject, "period": period}, events[0].source)

    def unknown_subject(self, shown: str, number: int, subject: str) -> None:
        assert self.subjects is not None
        by_name = {s.name: s.id for s in self.subjects.values()}
        by_id = by_name.get(subject)
        fallback: HelpLine = ("E0809.help", {})
        self.problem(
            "E0809",
            {"row": number, "subject": subject},
            _where(shown, number, SUBJECT_COLUMN),
            help=("E0401.didyoumean", {"suggestion": by_id})
            if by_id
            else suggest(subject, sorted(self.subjects), fallback),
        )


def _taken(made: list[T], taken: list[bool]) -> list[T]:
    return list(compress(made, taken))


def _left_out(wanted: frozenset[Period], annual: bool) -> LeftOut:
    """The rows ``read_table`` skips without a word: rows of a wide table of
    a quarter (or, for annual rules, a year) not ``wanted``, and rows of an
    event table dated in one (``read_event_rows`` skips those once their date
    reads).  Left out as the file is read (``dsl.tablefiles.LeftOut``), their
    cells never split, unless something else could change: a supervision
    table is read whole, and so is a table with repeated column names, a
    month row (a quarter row takes its months), a period cell that is not a
    period or is of the other kind, a date that does not read (each reported
    at its row), or a wide table whose other rows name fewer subjects."""

    def deciding(header: list[str]) -> Deciding | None:
        named = [name for name in header if name]
        if len(set(named)) != len(named):
            return None
        at = {name: index for index, name in enumerate(header) if name}
        if is_supervision_table(at):
            return None
        if is_event_table(at):
            return Deciding(at[EVENT_COLUMNS[0]], None, dated)
        if PERIOD_COLUMN not in at or SUBJECT_COLUMN not in at:
            return None
        return Deciding(at[PERIOD_COLUMN], at[SUBJECT_COLUMN], of_period)

    def of_period(text: str) -> bool | None:
        return period_not_wanted(text, wanted, annual)

    def dated(text: str) -> bool | None:
        return event_not_wanted(text, wanted, annual)

    return LeftOut(("periods not wanted", wanted, annual), deciding)


def period_not_wanted(text: str, wanted: Collection[Period], annual: bool) -> bool | None:
    """Whether a wide-table row whose period cell is ``text`` is of a period
    not ``wanted``, which every reader skips without a word; None when a
    reader could make something else of the table (a month row, which its
    quarter takes; a period that does not read, or of the other kind, which
    is reported): then it is read whole.  Shared by the reading that leaves
    rows out and the dry-run that drops them once a period is compared."""
    text = text.strip()
    try:
        if parse_month(text) is not None:
            return None
        period = Period.of_label(text)
    except PeriodError:
        return None
    if period.annual != annual:
        return None
    return period not in wanted


def event_not_wanted(text: str, wanted: Collection[Period], annual: bool) -> bool | None:
    """Whether an event dated ``text`` falls in a period not ``wanted`` (the
    event reader skips it); None when the date does not read (reported)."""
    day = parse_date(text.strip())
    return None if day is None else period_of(day, annual) not in wanted


def in_form(diagnostic: Diagnostic, columns: dict[str, int]) -> Diagnostic:
    """A cell's problem in a form (``jixiao template``) with help for the
    person filling it in: the cell to correct, as Excel names it (``D5``),
    after the problem's own help; an empty required cell is to be filled,
    not declared optional in the rules."""
    row, column = diagnostic.args.get("row"), diagnostic.args.get("column")
    if not isinstance(row, int) or not isinstance(column, str) or column not in columns:
        return diagnostic
    index, letters = columns[column] + 1, ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    cell = f"{letters}{row}"
    if diagnostic.code == "E0803":
        help_line: HelpLine = ("form.help.fill", {"cell": cell})
    elif diagnostic.help is not None:
        help_line = ("form.help.cell_and", {"cell": cell, "help": diagnostic.help})
    else:
        help_line = ("form.help.cell", {"cell": cell})
    return dataclasses.replace(diagnostic, help=help_line)


def supervision_count(source: str, items: tuple[SupervisionItem, ...]) -> Decimal:
    """``supervision.due``, ``.on_time``, ``.overdue`` or ``.uncorrected`` over
    one section's items due in one period."""
    count = len(counted_items(source, items))
    found = _COUNTS.get(count)
    if found is None:
        found = _COUNTS[count] = Decimal(count)
    return found


def read_cell(
    input_field: ir.InputField, raw: str, path: str, row: int
) -> tuple[object, Diagnostic | None]:
    """One cell as the value its input declares, or the located problem."""
    where = _where(path, row, input_field.name)
    args: dict[str, object] = {"row": row, "column": input_field.name, "text": raw}
    if raw == "":
        if input_field.missing == "default":
            return input_field.default, None
        if input_field.missing == "exempt":
            return None, None
        return None, Diagnostic("E0803", args, None, location=where, help=("E0803.help", {}))
    kind = input_field.kind
    if input_field.type.kind == "number":
        value = parse_number(raw, grouped=True)
        if value is None:
            return None, Diagnostic("E0802", args, None, location=where, help=("E0802.help", {}))
        if kind in ("integer", "count") and value != value.to_integral_value():
            return None, Diagnostic("E0808", {**args, "kind": kind}, None, location=where)
        low = (
            input_field.minimum
            if input_field.minimum is not None
            else (Decimal(0) if kind == "count" else None)
        )
        high = input_field.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            return None, Diagnostic(
                "E0807",
                {
                    **args,
                    "low": low if low is not None else "-∞",
                    "high": high if high is not None else "∞",
                },
                None,
                location=where,
            )
        return value, None
    if input_field.type.kind == "level":
        if raw not in input_field.type.members:
            return None, Diagnostic(
                "E0806",
                {
                    **args,
                    "enum": input_field.type.enum,
                    "members": "、".join(input_field.type.members),
                },
                None,
                location=where,
            )
        return raw, None
    if input_field.type.kind == "bool":
        lowered = raw.lower()
        if lowered in _TRUE:
            return True, None
        if lowered in _FALSE:
            return False, None
        return None, Diagnostic("E0808", {**args, "kind": "bool"}, None, location=where)
    if input_field.type.kind == "date":
        return read_date_cell(raw, row, input_field.name, where)
    if input_field.type.kind == "list":
        # Items separated by ";", each read like a number cell (85%, 1,200).
        values: list[object] = []
        for part in (p.strip() for p in raw.split(";")):
            if not part:
                continue
            kind = input_field.kind.removeprefix("list(").removesuffix(")")
            item = ir.InputField(
                input_field.slot, input_field.name, kind, input_field.type.elem or input_field.type,
                input_field.minimum, input_field.maximum, "error", None, input_field.span,
            )  # fmt: skip
            element, problem = read_cell(item, part, path, row)
            if problem is not None:
                return None, problem
            values.append(element)
        return tuple(values), None
    return raw, None
