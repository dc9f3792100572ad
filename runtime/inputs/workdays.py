"""The official working-day calendar, as the runtime's tools use it.

A thin re-export: the calendar's meaning (which days are working days, how
working days are counted, the covered range and its error) lives in the
bottom layer, ``semantics.calendar``, because formulas count working days in
generated code too, and generated code receives its helpers from there.
``warn``'s checkpoints (``runtime.tools.early_warnings``) read it here.
"""

from __future__ import annotations

from semantics.calendar import CalendarRangeError as CalendarRangeError
from semantics.calendar import add_working_days as add_working_days
from semantics.calendar import covered_range as covered_range
from semantics.calendar import is_working_day as is_working_day
from semantics.calendar import working_days_before as working_days_before
from semantics.calendar import working_days_between as working_days_between
