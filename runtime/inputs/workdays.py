"""The official working-day calendar, as the runtime's tools use it.

A thin re-export: the calendar's meaning (which days are working days, how
working days are counted, the covered range and its error) lives in the
bottom layer, ``semantics.calendar``, because formulas count working days in
generated code too, and generated code receives its helpers from there.
``warn``'s checkpoints (``runtime.tools.early_warnings``) read it here.
"""

from __future__ import annotations

from semantics.calendar import (
    CalendarRangeError,
    add_working_days,
    covered_range,
    is_working_day,
    working_days_before,
    working_days_between,
)

__all__ = [
    "CalendarRangeError",
    "add_working_days",
    "covered_range",
    "is_working_day",
    "working_days_before",
    "working_days_between",
]
