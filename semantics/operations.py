"""The semantics of the rule language's operations, written once.

Both the generated Python code and the reference interpreter call these
functions (or, for ``+ - * < ==`` on Decimals, the plain operators, whose
meaning is the same under ``CONTEXT``), so the two backends cannot disagree
on division by zero, rounding, empty aggregates or exempt values.

A fault raises ``Fault`` with a *site*: the generated code passes a small
integer indexing its table of spans, the interpreter passes the span itself;
``runtime.engine.subjects`` turns either into a located diagnostic.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from semantics import calendar
from semantics.rounding import round_to as round_to

# Exact arithmetic: 34 significant digits (decimal128) for quotients; sums and
# products of scores never come near it.  Any inexact-beyond-precision
# operation on huge values, overflow or invalid operation is a fault, never a
# silent NaN or infinity.
CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

ZERO = Decimal(0)


class Fault(Exception):
    """A rule could not be evaluated for this subject (division by zero, ...)."""

    def __init__(self, code: str, site: object, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.site = site
        self.detail = detail


def div(a: Decimal, b: Decimal, site: object) -> Decimal:
    if not b:
        raise Fault("E0701", site)
    return a / b


def safe_div(a: Decimal, b: Decimal, otherwise: Decimal) -> Decimal:
    return otherwise if not b else a / b


def round_call(value: Decimal, places: Decimal, mode: str) -> Decimal:
    """The built-in ``round(x, places, mode)``: places arrive as the rule's number."""
    return round_to(value, int(places), mode)


def zero_divisor(site: object) -> Decimal:
    """The fault of an inlined division whose divisor is zero."""
    raise Fault("E0701", site)


def clamp(value: Decimal, low: Decimal, high: Decimal, site: object) -> Decimal:
    if low > high:
        raise Fault("E0702", site, f"clamp: {low} > {high}")
    if value < low:
        return low
    if value > high:
        return high
    return value


# ``min``/``max`` of two or more numbers are the builtins (the one-argument
# form over a collection is an aggregate); named here so both backends share them.
minimum = min
maximum = max


def absolute(value: Decimal) -> Decimal:
    return abs(value)


def median(*values: Decimal) -> Decimal:
    """The middle value; with an even number of values, the mean of the two middle ones."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


# A whole exponent larger than this is a fault: a rule never needs it, and the
# result would only overflow or lose every digit.
MAX_EXPONENT = 1000


def power(base: Decimal, exponent: Decimal, site: object) -> Decimal:
    """``power(x, n)``: a whole ``n`` multiplies exactly (to the context's 34
    significant digits, as a quotient is); a fractional ``n`` (a root, an
    average growth rate) is computed by ``decimal`` at the same precision.
    A negative base with a fractional exponent has no real value (E0702);
    zero to a negative exponent divides by zero (E0701)."""
    if exponent == exponent.to_integral_value():
        whole = int(exponent)
        if abs(whole) > MAX_EXPONENT:
            raise Fault("E0702", site, f"power: exponent {exponent} beyond {MAX_EXPONENT}")
        if not base and whole < 0:
            raise Fault("E0701", site)
        if whole == 0:
            return Decimal(1)
        return base**whole
    if base < 0:
        raise Fault("E0702", site, f"power: {base} to the fractional power {exponent}")
    if not base:
        if exponent < 0:
            raise Fault("E0701", site)
        return ZERO
    return base**exponent


def present(value: object) -> bool:
    """``present(x)``: whether a value that may be absent (an exempt input's
    empty cell, an unscored indicator's score or let) is there."""
    return value is not None


def fallback(value: object, otherwise: object) -> object:
    """``fallback(x, y)``: ``x`` when it is present, else ``y`` (both evaluated)."""
    return otherwise if value is None else value


def lookup(key: str, table: Mapping[str, Decimal]) -> Decimal:
    """A level table entry.  Tables are complete by construction (E0507) and
    data is checked against the enumeration (E0806), so a missing key means a
    caller passed a value outside the enumeration: both backends report that
    KeyError as E0704 at the definition being computed."""
    return table[key]


def _present(items: Iterable[object]) -> list[object]:
    return [item for item in items if item is not None]


def agg_sum(items: Iterable[Decimal | None]) -> Decimal:
    total = ZERO
    for item in items:
        if item is not None:
            total += item
    return total


def agg_count(items: Iterable[object]) -> Decimal:
    return Decimal(len(_present(items)))


def agg_avg(items: Iterable[Decimal | None], site: object) -> Decimal:
    present = [i for i in items if i is not None]
    if not present:
        raise Fault("E0702", site, "avg of nothing")
    return agg_sum(present) / len(present)


def agg_min(items: Iterable[Decimal | None], site: object) -> Decimal:
    present = [i for i in items if i is not None]
    if not present:
        raise Fault("E0702", site, "min of nothing")
    return min(present)


def agg_max(items: Iterable[Decimal | None], site: object) -> Decimal:
    present = [i for i in items if i is not None]
    if not present:
        raise Fault("E0702", site, "max of nothing")
    return max(present)


def agg_median(items: Iterable[Decimal | None], site: object) -> Decimal:
    present = [i for i in items if i is not None]
    if not present:
        raise Fault("E0702", site, "median of nothing")
    return median(*present)


def agg_any(items: Iterable[bool | None]) -> bool:
    return any(item for item in items if item is not None)


def agg_all(items: Iterable[bool | None]) -> bool:
    return all(item for item in items if item is not None)


def rescale(total: Decimal, applicable: Decimal, full: Decimal, site: object) -> Decimal:
    """``total`` of the ``applicable`` points, scaled to ``full`` marks."""
    if not applicable:
        raise Fault("E0702", site, "every indicator is exempt")
    return total * full / applicable


def normalized_sum(
    scores: tuple[Decimal | None, ...], points: tuple[Decimal, ...], full: Decimal, site: object
) -> Decimal:
    """Sum of scores; when some are exempt (None), scaled by full / applicable points.

    This is the one definition of the normalized sum.  The reference
    interpreter calls it; the code generator inlines a specialisation of it
    (``compiler.codegen._Emitter.normalized_sum_parts``): the plain sum when
    every score that may be exempt is applicable, else the present scores'
    sum and points passed to ``rescale``, both summed from 0 left to right as
    here.  The property tests (tests/test_properties.py) require the two
    backends to agree on generated rule sets with exempt indicators.
    """
    total = ZERO
    applicable = ZERO
    exempt = False
    for score, point in zip(scores, points, strict=True):
        if score is None:
            exempt = True
            continue
        total += score
        applicable += point
    if not exempt:
        return total
    return rescale(total, applicable, full, site)


# -- dates -----------------------------------------------------------------------
# Date arithmetic is written as calls (``days_between``, ``add_days``, ...),
# never as ``+``/``-`` on dates (E0480), so "days" always means calendar days
# and "working days" always says so.  Counting conventions: semantics.calendar.


def _whole_days(n: Decimal, site: object) -> int:
    days = calendar.whole_days(n)
    if days is None:
        raise Fault("E0842", site, str(n))
    return days


def _in_calendar(error: calendar.CalendarRangeError, site: object) -> Fault:
    return Fault(
        "E0840",
        site,
        f"{error.day.isoformat()} ({error.first.isoformat()} – {error.last.isoformat()})",
    )


def days_between(start: date, end: date) -> Decimal:
    """Calendar days from ``start`` to ``end``: 1 from a day to the next, negative backwards."""
    return Decimal((end - start).days)


def add_days(day: date, n: Decimal, site: object) -> date:
    """``day`` moved ``n`` calendar days (back when negative); ``n`` must be whole."""
    days = _whole_days(n, site)
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise Fault("E0842", site, str(n)) from None


def working_days_between(start: date, end: date, site: object) -> Decimal:
    """Working days from ``start`` to ``end`` (semantics.calendar: end counted, start not)."""
    try:
        return Decimal(calendar.working_days_between(start, end))
    except calendar.CalendarRangeError as error:
        raise _in_calendar(error, site) from None


def add_working_days(day: date, n: Decimal, site: object) -> date:
    """The day ``n`` working days after ``day`` (before when negative): a deadline."""
    days = _whole_days(n, site)
    try:
        return calendar.add_working_days(day, days)
    except calendar.CalendarRangeError as error:
        raise _in_calendar(error, site) from None


def is_working_day(day: date, site: object) -> bool:
    """Whether ``day`` is an official working day (make-up working days included)."""
    try:
        return calendar.is_working_day(day)
    except calendar.CalendarRangeError as error:
        raise _in_calendar(error, site) from None


# -- Group functions (docs/language.md §9.8): one subject's value against its
# -- group's.  Each takes the values of every member of one pool, in order
# -- (None where a member's value is absent), and gives each member's result
# -- (a rank, a share) or one result for every member (the best, the average);
# -- absent values are left out of every aggregate and get no rank or share.


def group_rank_from_top(values: Sequence[Decimal | None], site: object) -> list[Decimal | None]:
    """Competition ranks (1, 2, 2, 4), the largest value first."""
    return _group_ranks(values, descending=True)


def group_rank_from_bottom(values: Sequence[Decimal | None], site: object) -> list[Decimal | None]:
    """Competition ranks (1, 2, 2, 4), the smallest value first."""
    return _group_ranks(values, descending=False)


def _group_ranks(values: Sequence[Decimal | None], descending: bool) -> list[Decimal | None]:
    """``semantics.ordering.competition_ranks`` of the present values, by one
    sort keyed on the values themselves (a test ties the two together)."""
    present = [n for n, value in enumerate(values) if value is not None]
    present.sort(key=values.__getitem__, reverse=descending)  # type: ignore[arg-type]
    ranks: list[Decimal | None] = [None] * len(values)
    previous: Decimal | None = None
    place = ZERO
    for position, n in enumerate(present, 1):
        if values[n] != previous:
            previous, place = values[n], Decimal(position)
        ranks[n] = place
    return ranks


def group_best(values: Sequence[Decimal | None], site: object) -> Decimal | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def group_worst(values: Sequence[Decimal | None], site: object) -> Decimal | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def group_average(values: Sequence[Decimal | None], site: object) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, ZERO) / len(present) if present else None


def group_median(values: Sequence[Decimal | None], site: object) -> Decimal | None:
    present = [v for v in values if v is not None]
    return median(*present) if present else None


def group_sum(values: Sequence[Decimal | None], site: object) -> Decimal | None:
    return agg_sum(values)


def group_count(values: Sequence[Decimal | None], site: object) -> Decimal | None:
    """How many members have the value (``group_count()``: every member)."""
    return agg_count(values)


def group_share(values: Sequence[Decimal | None], site: object) -> list[Decimal | None]:
    """Each present value over the group's sum; a sum of 0 divides by zero (E0701)."""
    total = agg_sum(values)
    if not total and any(v is not None for v in values):
        raise Fault("E0701", site)
    return [None if v is None else v / total for v in values]
