"""Dates and working days of the Chinese official calendar (法定节假日与调休).

The one place the language's date arithmetic is defined: the generated code
(through the prelude), the reference interpreter and ``warn``'s checkpoints
(``runtime.inputs.workdays``) all count with these functions, so a working
day means the same thing everywhere.

The calendar comes from the maintained ``chinesecalendar`` package (import name
``chinese_calendar``): a day is a working day when it is a weekday that is not
a public holiday, or a weekend day declared a make-up working day (调休上班,
such as Saturday 2016-10-08 after the National Day holiday).

Conventions:

- The covered range is the package's own: every day of the years from the
  first to the last year its holiday table has entries for.  It is read from
  the package, never written here, so upgrading the package extends it.
- A date outside that range is an error (``CalendarRangeError``; in a formula
  the fault E0840), never a guess from weekdays: later years' holidays are
  only known once the State Council publishes them.
- Counting walks from one day to another and counts the working days it
  lands on: the start is not counted, the end is.  Walking back from ``d``
  lands on ``d - 1`` first, so "``n`` working days before ``D``" does not count
  ``D`` itself (three working days before Wednesday 2016-10-05, a National
  Day holiday, is Wednesday 2016-09-28).  Hence
  ``working_days_between(d, add_working_days(d, n)) == n`` for every ``n``.
"""

from __future__ import annotations

import datetime
import functools
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import chinese_calendar  # type: ignore[import-untyped]

# How offices write a date: ISO 2016-07-05, 2016/7/5 (also 2016-7-5,
# 2016.7.5) and 2016年7月5日 (日 or 号, spaces allowed between the parts).
_NUMERIC_DATE = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")
_CHINESE_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]$")


def parse_date(text: str) -> date | None:
    """A date as rule files and data cells write it, or None.

    One spelling for both, like numbers (``semantics.numbers``): a data cell
    reads ``2016/7/5`` as ``date("2016/7/5")`` does.  An impossible day
    (2016-02-30) is None, never rolled over into March.
    """
    stripped = text.strip()
    match = _NUMERIC_DATE.match(stripped)
    parts = (match.group(1), match.group(3), match.group(4)) if match else None
    if parts is None:
        chinese = _CHINESE_DATE.match(stripped)
        parts = (chinese.group(1), chinese.group(2), chinese.group(3)) if chinese else None
    if parts is None:
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


# Spellings refused because they can be read two ways: the year last
# (3/5/2016: 5 March or 3 May?) or in two digits (16-3-5: 2016? 1916?).
_YEAR_LAST = re.compile(r"^\d{1,2}([-/.])\d{1,2}\1\d{2,4}$")
_SHORT_YEAR = re.compile(
    r"^\d{2}([-/.])\d{1,2}\1\d{1,2}$|^\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]$"
)
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's (and WPS's) date numbers

DateProblem = Literal["impossible", "ambiguous", "number", "other"]


def date_problem(text: str) -> DateProblem:
    """Why ``parse_date`` refuses ``text``: ``impossible`` (an accepted
    spelling of a day that does not exist, 2016-02-30), ``ambiguous`` (the
    year last or in two digits), ``number`` (a bare number: a date cell that
    lost its date format shows Excel's day number), else ``other``."""
    stripped = text.strip()
    if _NUMERIC_DATE.match(stripped) or _CHINESE_DATE.match(stripped):
        return "impossible"
    if _YEAR_LAST.match(stripped) or _SHORT_YEAR.match(stripped):
        return "ambiguous"
    if _NUMBER.match(stripped):
        return "number"
    return "other"


def excel_day(text: str) -> date | None:
    """The day a whole number is in Excel's date numbering (42434 is
    2016-03-05), for a help line only, never read as data; None when it is
    not a whole number of a plausible day (1900 to 9999)."""
    stripped = text.strip()
    if not stripped.isdigit() or not 1 <= int(stripped) <= 2958465:
        return None
    return EXCEL_EPOCH + timedelta(days=int(stripped))


def days_in_month(year: int, month: int) -> int | None:
    """The days of a month, None when ``month`` is not 1 to 12."""
    if not 1 <= month <= 12:
        return None
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def parts_of(text: str) -> tuple[int, int, int] | None:
    """Year, month and day as an accepted spelling writes them, whether or
    not the day exists (for saying why 2016-02-30 is refused)."""
    stripped = text.strip()
    match = _NUMERIC_DATE.match(stripped)
    if match:
        return int(match.group(1)), int(match.group(3)), int(match.group(4))
    chinese = _CHINESE_DATE.match(stripped)
    if chinese:
        return int(chinese.group(1)), int(chinese.group(2)), int(chinese.group(3))
    return None


class CalendarRangeError(ValueError):
    """A date the official calendar data does not cover.

    ``day`` is the date asked about (or reached while counting), ``first``
    and ``last`` the first and last dates the installed package covers.
    """

    def __init__(self, day: date, first: date, last: date) -> None:
        super().__init__(
            f"{day.isoformat()} is outside the official calendar data "
            f"({first.isoformat()} to {last.isoformat()}); "
            "working days cannot be computed for it"
        )
        self.day = day
        self.first = first
        self.last = last


@functools.cache
def last_day_of_years(year: int, years: int) -> date:
    """The last day of something that holds ``years`` years counting the year
    ``year`` it starts in (a sanction's ``lasts: {years: N}``): 31 December
    of the year ``years - 1`` after it."""
    return date(year + years - 1, 12, 31)


def last_day_of_months(day: date, months: int) -> date:
    """The last day of something that holds ``months`` months from ``day``:
    the day before the same day ``months`` later, or that month's last day
    when it has no such day (2016-11-15 + 6 → 2017-05-14; 2016-08-31 + 6 →
    2017-02-28)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    days = days_in_month(year, month) or 31
    if day.day > days:
        return date(year, month, days)
    return date(year, month, day.day) - timedelta(days=1)


def covered_range() -> tuple[date, date]:
    """The first and last dates the installed calendar package has data for."""
    years = [day.year for day in chinese_calendar.holidays]
    return date(min(years), 1, 1), date(max(years), 12, 31)


def _checked(day: date) -> date:
    if isinstance(day, datetime.datetime):  # a datetime is a date; use its day
        day = day.date()
    first, last = covered_range()
    if not first <= day <= last:
        raise CalendarRangeError(day, first, last)
    return day


@functools.cache
def _working(day: date) -> bool:
    return bool(chinese_calendar.is_workday(day))


def is_working_day(day: date) -> bool:
    """Whether ``day`` is an official working day (make-up working days included).

    Raises ``CalendarRangeError`` when ``day`` is outside the covered range.
    """
    return _working(_checked(day))


def working_days_between(start: date, end: date) -> int:
    """The working days a walk from ``start`` to ``end`` lands on: ``start``
    not counted, ``end`` counted; negative when ``end`` is before ``start``.

    Forward it counts the working days of (start, end]; backward, minus those
    of [end, start).  Raises ``CalendarRangeError`` when a day counted is
    outside the covered range.
    """
    start, end = _checked(start), _checked(end)
    if end >= start:
        days = (start + timedelta(days=k) for k in range(1, (end - start).days + 1))
        return sum(1 for day in days if _working(day))
    days = (end + timedelta(days=k) for k in range((start - end).days))
    return -sum(1 for day in days if _working(day))


def add_working_days(day: date, n: int) -> date:
    """The day a walk of ``n`` working days from ``day`` ends on (back when
    ``n`` is negative; ``day`` itself when ``n`` is 0).

    ``add_working_days(date(2016, 9, 30), 1)`` is Saturday 2016-10-08, a
    make-up working day after the National Day holiday.  Raises
    ``CalendarRangeError`` when ``day`` or a day walked over is outside the
    covered range.
    """
    current = _checked(day)
    step = timedelta(days=1 if n > 0 else -1)
    found = 0
    while found < abs(n):
        current = _checked(current + step)
        if _working(current):
            found += 1
    return current


def working_days_before(day: date, n: int) -> date:
    """The ``n``-th working day before ``day``, not counting ``day`` itself.

    ``working_days_before(date(2016, 10, 10), 3)`` is 2016-09-30: 10 October is
    not counted; 9 and 8 October are make-up working days, then 30 September.
    ``n`` must be at least 1.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    return add_working_days(day, -n)


def whole_days(n: Decimal) -> int | None:
    """``n`` as a whole number of days, or None when it has a fraction."""
    if not n.is_finite() or n != n.to_integral_value():
        return None
    return int(n)
