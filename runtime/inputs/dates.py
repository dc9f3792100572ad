"""A data cell read as a date, or the located reason it is not one.

Every date a data folder holds (event tables, the supervision table, ``date``
inputs of wide tables, XLSX date cells, which ``dsl.tablefiles`` writes as
ISO text) is read here, with the one spelling ``semantics.calendar.parse_date``
defines for rule files and data alike: 2016-03-05, 2016/3/5, 2016-3-5,
2016.3.5 and 2016年3月5日.  What it refuses is said precisely, because each
refusal has its own fix: the year last or in two digits (E0550, ambiguous),
a day that does not exist (E0551, e.g. 2016-02-30), a bare number (E0552, a
date cell whose date format was lost shows Excel's day number) and anything
else (E0841).  Nothing is guessed: 3/5/2016 is refused, not read either way.
"""

from __future__ import annotations

from datetime import date

from dsl.diagnostics import Diagnostic
from semantics.calendar import date_problem, days_in_month, excel_day, parse_date, parts_of


def read_date_cell(
    text: str, row: int | str, column: str, location: str
) -> tuple[date | None, Diagnostic | None]:
    """The day ``text`` (a cell of ``column`` on ``row``) names, or None and
    a diagnostic at ``location`` (``file:row [column]``) saying what to write."""
    day = parse_date(text)
    if day is not None:
        return day, None
    args: dict[str, object] = {"row": row, "column": column, "text": text.strip()}
    problem = date_problem(text)
    if problem == "ambiguous":
        return None, Diagnostic("E0550", args, None, location=location, help=("E0550.help", {}))
    if problem == "impossible":
        parts = parts_of(text)
        assert parts is not None  # an accepted spelling, by date_problem
        year, month, _ = parts
        days = days_in_month(year, month)
        why = (
            ("E0551.month", {"month": month})
            if days is None
            else ("E0551.days", {"month": f"{year}-{month:02d}", "days": days})
        )
        return None, Diagnostic(
            "E0551", {**args, "why": why}, None, location=location, help=("E0551.help", {})
        )
    if problem == "number":
        excel = excel_day(text)
        hint = (
            ("E0552.help_day", {"day": excel.isoformat(), "text": text.strip()})
            if excel is not None
            else ("E0552.help", {})
        )
        return None, Diagnostic("E0552", args, None, location=location, help=hint)
    return None, Diagnostic("E0841", args, None, location=location, help=("E0841.help", {}))
