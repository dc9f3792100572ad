"""Checkpoints and their due dates: the one place a due date is computed.

``warn``, ``status`` and the JSON ``checkpoints`` of ``evaluate`` all call
``checkpoints`` here, so a rule set's reading of its assessment window cannot
differ between them.

A checkpoint (考评节点) is a day from ``ir.Indicator.checkpoint_days`` (a
month, quarter, half-year or year end, by cadence).  Its assessment is due
``due_days`` days later (the indicator's ``due_days``, else the manifest's
``assessment_days``):

- by default in calendar days: 2016-09-30 plus 5 is 2016-10-05, a National
  Day holiday;
- with ``working_days: true``, in official working days (make-up working days
  count, the checkpoint itself does not): 5 working days after 2016-09-30 are
  8, 9, 10, 11 and 12 October, so 2016-10-12;
- with ``move_off_holidays: true``, the calendar-day due date moves to the
  next official working day when it falls on a holiday or a weekend: 2016-10-05
  moves to Saturday 2016-10-08, a make-up working day.

The official calendar is ``runtime.inputs.workdays`` (chinesecalendar); a due
date it cannot place is a located error E0823 at the indicator, never a
guess from weekdays.  Rules without either key never consult the calendar.
"""

from __future__ import annotations

from datetime import date, timedelta

from compiler import ir
from dsl.diagnostics import Diagnostic, UserError
from runtime.inputs.workdays import CalendarRangeError, is_working_day

__all__ = ["checkpoints", "due_date"]


def due_date(indicator: ir.Indicator, checkpoint: date) -> date:
    """The day ``checkpoint``'s assessment is due (see the module's rules).

    Raises ``UserError`` (E0823, at the indicator) when the calendar data does
    not cover a day the rule needs."""
    if not (indicator.working_days or indicator.move_off_holidays):
        return checkpoint + timedelta(days=indicator.due_days)
    try:
        if indicator.working_days:
            day, counted = checkpoint, 0
            while counted < indicator.due_days:
                day += timedelta(days=1)
                if is_working_day(day):
                    counted += 1
            return day
        day = checkpoint + timedelta(days=indicator.due_days)
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    except CalendarRangeError as error:
        args = {
            "indicator": indicator.id,
            "checkpoint": checkpoint,
            "first": error.first,
            "last": error.last,
        }
        raise UserError(
            [Diagnostic("E0823", args, indicator.span, help=("E0823.help", {}))]
        ) from None


def checkpoints(indicator: ir.Indicator, start: date, end: date) -> list[tuple[date, date]]:
    """(checkpoint, due date) of each checkpoint of ``indicator`` from
    ``start`` to ``end`` (both included)."""
    return [(day, due_date(indicator, day)) for day in indicator.checkpoint_days(start, end)]
