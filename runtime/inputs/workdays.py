"""Working days of the Chinese official calendar (法定节假日与调休).

The calendar comes from the maintained ``chinesecalendar`` package (import name
``chinese_calendar``): a day is a working day when it is a weekday that is not
a public holiday, or a weekend day declared a make-up working day (调休上班,
such as Saturday 2016-10-08 after the National Day holiday).

Conventions:

- The covered range is the package's own: every day of the years from the
  first to the last year its holiday table has entries for (1 January of the
  first to 31 December of the last).  It is read from the package, never
  written here, so upgrading the package extends it.
- A date outside that range is an error (``CalendarRangeError``), never a guess
  from weekdays: later years' holidays are only known once the State Council
  publishes them and the package records them.
- "``n`` working days before ``D``" does not count ``D`` itself, whether or not
  ``D`` is a working day: three working days before Wednesday 2016-10-05 (a
  National Day holiday) is Wednesday 2016-09-28.
"""

from __future__ import annotations

import datetime
import functools
from datetime import date, timedelta

import chinese_calendar  # type: ignore[import-untyped]

__all__ = [
    "CalendarRangeError",
    "covered_range",
    "is_working_day",
    "working_days_before",
]


class CalendarRangeError(ValueError):
    """A date the official calendar data does not cover.

    ``day`` is the date asked about (or reached while counting back), ``first``
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


def is_working_day(day: date) -> bool:
    """Whether ``day`` is an official working day (make-up working days included).

    Raises ``CalendarRangeError`` when ``day`` is outside the covered range.
    """
    return bool(chinese_calendar.is_workday(_checked(day)))


def working_days_before(day: date, n: int) -> date:
    """The ``n``-th working day before ``day``, not counting ``day`` itself.

    ``working_days_before(date(2016, 10, 10), 3)`` is 2016-09-30: 10 October is
    not counted; 9 and 8 October are make-up working days, then 30 September.
    ``n`` must be at least 1.  Raises ``CalendarRangeError`` when ``day`` or a
    day counted back over is outside the covered range.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    current = _checked(day)
    found = 0
    while found < n:
        current -= timedelta(days=1)
        if is_working_day(current):
            found += 1
    return current
