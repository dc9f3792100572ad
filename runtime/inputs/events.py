"""Event tables: occurrences of bonus, deduction and veto items.

One row per occurrence (or a ``count`` of them): ``date, subject, item``, and
optionally ``count, reason, evidence``.  The period of an event is the quarter
of its date.  Reasons and evidence travel with the result into the output and
the explanation; the counts become the items' inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compiler import ir
from dsl.diagnostics import Diagnostic, suggest
from runtime.inputs.dates import read_date_cell
from runtime.inputs.periods import Period, period_of
from semantics.calendar import last_day_of_months, last_day_of_years
from semantics.numbers import parse_number

EVENT_COLUMNS = ("date", "subject", "item")


@dataclass(frozen=True, slots=True)
class Event:
    day: date
    subject: str
    item: str
    count: Decimal
    reason: str
    evidence: str
    source: str  # "file:row"
    points: Decimal | None = None  # an item with points from data: each occurrence's points
    # A sanction whose duration each event gives (``lasts: {column, unit}``):
    # the last day this event's sanction holds.
    lasts: date | None = None
    # ... and that cell as written (6 months, 2 years, the last day): what a
    # rule test's ``lasts`` holds (a what-if exported as one writes it back).
    lasts_text: str = ""

    @property
    def amount(self) -> Decimal:
        """What the event adds to its item's input: occurrences, or points from data."""
        return self.count if self.points is None else self.points * self.count

    @property
    def period(self) -> Period:
        return Period(self.day.year, (self.day.month - 1) // 3 + 1)


def is_event_table(columns: dict[str, int]) -> bool:
    return all(column in columns for column in EVENT_COLUMNS)


def read_event_rows(
    program: ir.Program,
    rows: list[tuple[int, list[str]]],
    columns: dict[str, int],
    shown: str,
    subjects: set[str] | None,
    wanted: set[Period] | None,
    others: set[str] | None = None,
) -> tuple[list[Event], list[Diagnostic]]:
    """Every event row checked: date, subject, item (in force on the date), count."""
    items = {i.id: i for i in program.items}
    events: list[Event] = []
    problems: list[Diagnostic] = []

    def cell(cells: list[str], name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    # Each date's text read once, and each day's period worked out once: an
    # event table repeats its dates, and most rows of a large one are of
    # periods not wanted.
    days: dict[str, date] = {}
    taken: dict[date, bool] = {}  # a day -> whether its events are read
    # The date and subject cells taken inline: every row reads them.
    dated, named = columns["date"], columns["subject"]
    for number, cells in rows:
        text = cells[dated].strip() if dated < len(cells) else ""
        day = days.get(text)
        if day is None:
            day, problem = read_date_cell(text, number, "date", f"{shown}:{number} [date]")
            if day is None:
                assert problem is not None
                if others is None or program.kind != "person":  # the section program reports it
                    problems.append(problem)
                continue
            days[text] = day
        take = taken.get(day)
        if take is None:
            take = taken[day] = (
                period_of(day, program.annual) in wanted
                if wanted is not None
                else program.covers(day.year)
            )
        if not take:
            continue
        where = f"{shown}:{number}"
        subject = cells[named].strip() if named < len(cells) else ""
        if others is not None and (subjects is None or subject not in subjects):
            if subject in others or program.kind == "person":
                continue  # the other kind's event, or one the section program reports
        if subjects is not None and subject not in subjects:
            problems.append(
                Diagnostic("E0809", {"row": number, "subject": subject}, None,
                           location=f"{where} [subject]",
                           help=suggest(subject, sorted(subjects), ("E0809.help", {})))
            )  # fmt: skip
            continue
        name = cell(cells, "item")
        item = items.get(name)
        if item is None:
            problems.append(
                Diagnostic("E0815", {"row": number, "item": name}, None,
                           location=f"{where} [item]",
                           help=suggest(name, sorted(items), ("E0815.help", {"items": ", ".join(sorted(items))})))
            )  # fmt: skip
            continue
        if not item.in_force(day):
            problems.append(
                Diagnostic("E0816", {"row": number, "item": name, "date": day}, None,
                           location=f"{where} [date]")
            )  # fmt: skip
            continue
        count_text = cell(cells, "count") or "1"
        parsed = parse_number(count_text, grouped=True)
        count = parsed if parsed is not None else Decimal(0)
        if not (count > 0 and count == count.to_integral_value() and "%" not in count_text):
            problems.append(
                Diagnostic("E0808", {"row": number, "column": "count", "text": count_text,
                                     "kind": "count"}, None, location=f"{where} [count]")
            )  # fmt: skip
            continue
        points, problem = _points(item, cell(cells, "points"), number, where)
        if problem is not None:
            problems.append(problem)
            continue
        lasts: date | None = None
        lasts_text = ""
        if item.sanction is not None and item.sanction.column is not None:
            lasts_text = cell(cells, item.sanction.column)
            lasts, problem = _lasts(item, day, lasts_text, number, where)
            if problem is not None:
                problems.append(problem)
                continue
        events.append(
            Event(day, subject, name, count, cell(cells, "reason"), cell(cells, "evidence"), where,
                  points, lasts, lasts_text)
        )  # fmt: skip
    return events, problems


def _points(
    item: ir.Item, text: str, number: int, where: str
) -> tuple[Decimal | None, Diagnostic | None]:
    """The ``points`` cell: required, above 0 and within the item's cap for an
    item with ``points: from_data``; empty for an item that counts occurrences."""
    located = f"{where} [points]"
    if not item.from_data:
        if text:
            return None, Diagnostic("E0474", {"row": number, "item": item.id}, None,
                                    location=located, help=("E0474.help", {}))  # fmt: skip
        return None, None
    value = parse_number(text, grouped=True) if text else None
    if value is None or value <= 0 or "%" in text:
        return None, Diagnostic("E0472", {"row": number, "item": item.id, "text": text}, None,
                                location=located, help=("E0472.help", {}))  # fmt: skip
    if item.cap is not None and value > item.cap:
        return None, Diagnostic("E0473", {"row": number, "item": item.id, "text": text,
                                          "cap": item.cap}, None, location=located)  # fmt: skip
    return value, None


MOST = {"years": 5, "months": 60}  # the longest duration a cell may give, by unit


def _lasts(
    item: ir.Item, day: date, text: str, number: int, where: str
) -> tuple[date | None, Diagnostic | None]:
    """The last day an event's sanction holds, from its own cell: ``years``
    (to the end of the year ``years - 1`` after the event's, as ``lasts:
    {years: N}``), ``months`` (to the day before the same day ``months``
    later, or that month's last day when it has no such day) or ``until``
    (the date written, not before the event)."""
    assert item.sanction is not None and item.sanction.column is not None
    column, unit = item.sanction.column, item.sanction.unit or "until"
    located = f"{where} [{column}]"
    if not text:
        return None, Diagnostic("E0557", {"row": number, "item": item.id, "column": column},
                                None, location=located,
                                help=("E0557.help", {"unit": (f"E0557.{unit}", {})}))  # fmt: skip
    if unit == "until":
        until, problem = read_date_cell(text, number, column, located)
        if until is None:
            return None, problem
    else:
        value = parse_number(text)
        most = MOST[unit]
        if value is None or value != value.to_integral_value() or not 1 <= value <= most:
            args = {"row": number, "column": column, "text": text, "most": most,
                    "unit": (f"E0558.{unit}", {})}  # fmt: skip
            return None, Diagnostic("E0558", args, None, location=located)
        until = _end(day, unit, int(value))
    if until < day:
        args = {"row": number, "column": column, "until": until, "date": day}
        return None, Diagnostic("E0559", args, None, location=located)
    return until, None


def _end(day: date, unit: str, n: int) -> date:
    if unit == "years":
        return last_day_of_years(day.year, n)
    return last_day_of_months(day, n)
