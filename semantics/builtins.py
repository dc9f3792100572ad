"""The built-in functions and aggregates of the rule language: THE table.

Each entry says everything any part of the system needs to know about one
built-in: its name, how many arguments it takes and of which types, its
result type, the runtime helper that computes it (a function of
``semantics.operations``), the name under which generated code receives that
helper (``semantics.prelude``), whether the helper takes a fault site, and
its interval rule (how the verifier bounds its result).

Readers: ``compiler.lower`` (names, arity and types), ``compiler.codegen``
(the helper to call), ``runtime.engine.interpreter`` (the helper to call),
``compiler.intervals`` (the interval rule) and ``semantics.prelude``.

To add a built-in: write its helper in ``semantics.operations`` and add one
entry here.  Nothing else needs to change; the code generator may later
inline a specialisation of it for speed (as it does for ``round``, ``clamp``
with constant bounds and ``safe_div`` on plain operands), but the generic
call through the prelude is always correct.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from semantics import intervals as iv
from semantics import operations as op
from semantics.intervals import Interval
from semantics.types import BOOL, NUMBER, TEXT, Type
from semantics.types import DATE as DATE_TYPE

Shape = Literal["fixed", "variadic", "rounding", "constant", "absence"]
"""How a call is checked: ``fixed`` takes exactly ``params``; ``variadic``
takes one or more of ``params[0]`` (with one argument, an aggregate of the
same name is meant); ``rounding`` takes a value, constant places and an
optional mode; ``constant`` is evaluated when compiling (``date("...")``);
``absence`` takes a name that may be absent first (``present(x)``,
``fallback(x, y)``: ``params`` is empty, the types follow the name)."""

ELEMENT = "项"
"""The name of the item an aggregate's condition is asked of (``count(c, 项 >= 90%)``)."""

Condition = Literal["filter", "test"]
"""What a condition does in an aggregate's second argument (``count(c, 项 >= 90%)``):
``filter`` keeps the items for which it holds, ``test`` asks it of every
present item (``all(c, 项 >= 60)``: the items may then be of any type)."""

CallRule = Callable[[Sequence[Interval], Sequence[object]], Interval]
"""Interval rule of a function: argument intervals, argument constants (None
where an argument is not a constant) -> the result's interval."""

AggregateRule = Callable[[Sequence[Interval] | None], Interval]
"""Interval rule of an aggregate: the items' intervals, or None for a list
value of unknown length -> the result's interval."""


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    shape: Shape
    params: tuple[Type, ...]
    result: Type
    helper: Callable[..., Any] | None  # None: evaluated when compiling
    prelude: str  # the helper's name in generated code ("" when none)
    site: bool  # the helper takes a fault site as its last argument
    interval: CallRule


@dataclass(frozen=True, slots=True)
class Aggregate:
    name: str
    element: Type | None  # the items' type; None: any type (they are only counted)
    result: Type
    helper: Callable[..., Any]
    prelude: str
    site: bool
    interval: AggregateRule
    condition: Condition = "filter"


def _abs_rule(values: Sequence[Interval], _: Sequence[object]) -> Interval:
    a = values[0]
    if a.low is not None and a.low >= 0:
        return a
    if a.high is not None and a.high <= 0:
        return iv.neg(a)
    top = None if a.low is None or a.high is None else max(-a.low, a.high)
    return Interval(Decimal(0), top)


def _round_rule(values: Sequence[Interval], constants: Sequence[object]) -> Interval:
    places = constants[1]
    assert isinstance(places, Decimal)
    return iv.round_places(values[0], int(places))


def _median_rule(values: Sequence[Interval], _: Sequence[object]) -> Interval:
    """The median grows with each argument: it lies between the medians of the bounds."""
    lows, highs = [v.low for v in values], [v.high for v in values]
    low = None if any(v is None for v in lows) else op.median(*(v for v in lows if v is not None))
    high = (
        None if any(v is None for v in highs) else op.median(*(v for v in highs if v is not None))
    )
    return Interval(low, high)


def _power_rule(values: Sequence[Interval], constants: Sequence[object]) -> Interval:
    """A constant exponent on a non-negative base is monotone; anything else is unbounded."""
    base, exponent = values[0], constants[1]
    if not isinstance(exponent, Decimal) or base.low is None or base.low < 0:
        return iv.UNBOUNDED
    if abs(exponent) > op.MAX_EXPONENT:
        return iv.UNBOUNDED
    try:
        if exponent == 0:
            return iv.point(Decimal(1))
        if exponent > 0:
            high = None if base.high is None else base.high**exponent
            return Interval(base.low**exponent, high)
        if base.low == 0:
            return Interval(Decimal(0), None)
        low = Decimal(0) if base.high is None else base.high**exponent
        return Interval(low, base.low**exponent)
    except ArithmeticError:
        return iv.UNBOUNDED


def _fallback_rule(values: Sequence[Interval], _: Sequence[object]) -> Interval:
    return iv.hull(values[0], values[1])


def _unbounded_rule(values: Sequence[Interval], _: Sequence[object]) -> Interval:
    return iv.UNBOUNDED  # a count of days between dates: dates carry no interval


# A date argument's interval is its offset in days from the period's first day
# (``compiler.intervals.date_offset``): period_start [0, 0], period_end the
# period's length, a date input unbounded.
def _days_between_rule(values: Sequence[Interval], _: Sequence[object]) -> Interval:
    return iv.add(values[1], iv.neg(values[0]))  # end - start


def _working_days_rule(values: Sequence[Interval], _: Sequence[object]) -> Interval:
    # Working days lie between 0 and the calendar days, with their sign.
    return iv.hull(iv.point(Decimal(0)), iv.add(values[1], iv.neg(values[0])))


def _no_rule(values: Sequence[Interval], _: Sequence[object]) -> Interval:
    return iv.UNBOUNDED  # never asked: the value is a constant, not a number, or both


# fmt: off
MIN = Function(name="min", shape="variadic", params=(NUMBER,), result=NUMBER,
               helper=op.minimum, prelude="_min", site=False,
               interval=lambda v, _: iv.minimum(*v))
MAX = Function(name="max", shape="variadic", params=(NUMBER,), result=NUMBER,
               helper=op.maximum, prelude="_max", site=False,
               interval=lambda v, _: iv.maximum(*v))
CLAMP = Function(name="clamp", shape="fixed", params=(NUMBER, NUMBER, NUMBER), result=NUMBER,
                 helper=op.clamp, prelude="_clamp", site=True,
                 interval=lambda v, _: iv.minimum(iv.maximum(v[0], v[1]), v[2]))
ABS = Function(name="abs", shape="fixed", params=(NUMBER,), result=NUMBER,
               helper=op.absolute, prelude="_abs", site=False,
               interval=_abs_rule)
# params: the value and the places; the mode, a constant, is checked against
# semantics.rounding by the lowering.
ROUND = Function(name="round", shape="rounding", params=(NUMBER, NUMBER), result=NUMBER,
                 helper=op.round_call, prelude="_round", site=False,
                 interval=_round_rule)
SAFE_DIV = Function(name="safe_div", shape="fixed", params=(NUMBER, NUMBER, NUMBER), result=NUMBER,
                    helper=op.safe_div, prelude="_safe_div", site=False,
                    interval=lambda v, _: iv.hull(iv.div(v[0], v[1]), v[2]))
MEDIAN = Function(name="median", shape="variadic", params=(NUMBER,), result=NUMBER,
                  helper=op.median, prelude="_median", site=False,
                  interval=_median_rule)
POWER = Function(name="power", shape="fixed", params=(NUMBER, NUMBER), result=NUMBER,
                 helper=op.power, prelude="_power", site=True,
                 interval=_power_rule)
# The absence functions: the first argument is a name that may be absent; the
# lowering checks it and types the call (present: yes/no; fallback: the name's type).
PRESENT = Function(name="present", shape="absence", params=(), result=BOOL,
                   helper=op.present, prelude="_present", site=False,
                   interval=_no_rule)
FALLBACK = Function(name="fallback", shape="absence", params=(), result=NUMBER,
                    helper=op.fallback, prelude="_fallback", site=False,
                    interval=_fallback_rule)
# Dates (docs/language.md §9.7): calendar days and official working days.
# Counting walks from the first date to the second, the first not counted
# (semantics.calendar).  A date the working-day calendar does not cover is
# the fault E0840, a fractional number of days E0842.
DAYS_BETWEEN = Function(name="days_between", shape="fixed", params=(DATE_TYPE, DATE_TYPE),
                        result=NUMBER, helper=op.days_between, prelude="_days_between",
                        site=False, interval=_days_between_rule)
ADD_DAYS = Function(name="add_days", shape="fixed", params=(DATE_TYPE, NUMBER),
                    result=DATE_TYPE, helper=op.add_days, prelude="_add_days",
                    site=True, interval=_no_rule)
WORKING_DAYS_BETWEEN = Function(name="working_days_between", shape="fixed",
                                params=(DATE_TYPE, DATE_TYPE), result=NUMBER,
                                helper=op.working_days_between,
                                prelude="_working_days_between", site=True,
                                interval=_working_days_rule)
ADD_WORKING_DAYS = Function(name="add_working_days", shape="fixed", params=(DATE_TYPE, NUMBER),
                            result=DATE_TYPE, helper=op.add_working_days,
                            prelude="_add_working_days", site=True, interval=_no_rule)
IS_WORKING_DAY = Function(name="is_working_day", shape="fixed", params=(DATE_TYPE,),
                          result=BOOL, helper=op.is_working_day, prelude="_is_working_day",
                          site=True, interval=_no_rule)
DATE = Function(name="date", shape="constant", params=(TEXT,), result=DATE_TYPE,
                helper=None, prelude="", site=False,
                interval=_no_rule)
# fmt: on

FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        MIN, MAX, MEDIAN, CLAMP, ABS, ROUND, SAFE_DIV, POWER, PRESENT, FALLBACK,
        DAYS_BETWEEN, ADD_DAYS, WORKING_DAYS_BETWEEN, ADD_WORKING_DAYS, IS_WORKING_DAY,
        DATE,
    )
}  # fmt: skip


def _sum_rule(values: Sequence[Interval] | None) -> Interval:
    if values is None:
        return iv.UNBOUNDED
    # Absent (exempt) items add nothing: each contributes its hull with 0.
    total = iv.point(Decimal(0))
    for member in values:
        total = iv.add(total, iv.hull(member, iv.point(Decimal(0))))
    return total


def _count_rule(values: Sequence[Interval] | None) -> Interval:
    return Interval(Decimal(0), None if values is None else Decimal(len(values)))


def _present_rule(values: Sequence[Interval] | None) -> Interval:
    """avg, min, max of the present items lie within the items' hull."""
    return iv.UNBOUNDED if values is None else iv.hull(*values)


SUM = Aggregate("sum", NUMBER, NUMBER, op.agg_sum, "_sum", False, _sum_rule)

AGGREGATES: dict[str, Aggregate] = {
    a.name: a
    for a in (
        SUM,
        Aggregate("avg", NUMBER, NUMBER, op.agg_avg, "_avg", True, _present_rule),
        Aggregate("count", None, NUMBER, op.agg_count, "_count", False, _count_rule),
        Aggregate("min", NUMBER, NUMBER, op.agg_min, "_amin", True, _present_rule),
        Aggregate("max", NUMBER, NUMBER, op.agg_max, "_amax", True, _present_rule),
        Aggregate("median", NUMBER, NUMBER, op.agg_median, "_amedian", True, _present_rule),
        Aggregate("any", BOOL, BOOL, op.agg_any, "_any", False, _present_rule, "test"),
        Aggregate("all", BOOL, BOOL, op.agg_all, "_all", False, _present_rule, "test"),
    )
}

GroupHelper = Callable[[Sequence[Decimal | None], object], "list[Decimal | None] | Decimal | None"]
"""A group function's helper: the values of every member of one pool (None
where absent), and the fault site -> each member's result (a list: a rank,
a share), or one result for every member (the best, the average; None: none)."""

GroupRule = Callable[[Interval, Interval], Interval]
"""Interval rule of a group function: the value's interval and the interval of
the number of members of a pool (from the organization) -> the result's."""


@dataclass(frozen=True, slots=True)
class GroupFunction:
    """A function of the subject's group (docs/language.md §9.8): its value is
    computed between evaluation stages from every member's value of the
    argument (``runtime.engine.groups``), never by the per-subject code."""

    name: str
    arity: tuple[int, ...]  # how many arguments it takes: (1,), or (0, 1) for a count
    result: Type
    helper: GroupHelper
    interval: GroupRule
    rank: bool  # the result is the subject's rank (explain says "rank 3 of 17")


def _rank_rule(_: Interval, count: Interval) -> Interval:
    return Interval(Decimal(1), count.high)


def _within_rule(value: Interval, _: Interval) -> Interval:
    return value  # the best, worst, average or median of values within bounds


def _group_sum_rule(value: Interval, count: Interval) -> Interval:
    """Up to ``count`` values, each within ``value``, or none (absent ones add 0)."""
    most = count.high
    low = Decimal(0) if value.low is not None and value.low >= 0 else None
    high = Decimal(0) if value.high is not None and value.high <= 0 else None
    if most is not None:
        if value.low is not None:
            low = min(Decimal(0), value.low * most)
        if value.high is not None:
            high = max(Decimal(0), value.high * most)
    return Interval(low, high)


def _group_count_rule(_: Interval, count: Interval) -> Interval:
    return Interval(Decimal(0), count.high)


def _share_rule(value: Interval, _: Interval) -> Interval:
    """A share of non-negative values lies in [0, 1]; with negative values, anywhere."""
    if value.low is not None and value.low >= 0:
        return Interval(Decimal(0), Decimal(1))
    return iv.UNBOUNDED


# fmt: off
GROUP_FUNCTIONS: dict[str, GroupFunction] = {
    g.name: g
    for g in (
        GroupFunction("rank_in_group", (1,), NUMBER, op.group_rank_from_top, _rank_rule, True),
        GroupFunction("rank_from_bottom", (1,), NUMBER, op.group_rank_from_bottom, _rank_rule,
                      True),
        GroupFunction("group_max", (1,), NUMBER, op.group_best, _within_rule, False),
        GroupFunction("group_min", (1,), NUMBER, op.group_worst, _within_rule, False),
        GroupFunction("group_average", (1,), NUMBER, op.group_average, _within_rule, False),
        GroupFunction("group_median", (1,), NUMBER, op.group_median, _within_rule, False),
        GroupFunction("group_sum", (1,), NUMBER, op.group_sum, _group_sum_rule, False),
        GroupFunction("group_count", (0, 1), NUMBER, op.group_count, _group_count_rule, False),
        GroupFunction("share_of_group", (1,), NUMBER, op.group_share, _share_rule, False),
    )
}
# fmt: on
GROUP_MAX = GROUP_FUNCTIONS["group_max"]  # x / group_max(x) is a ratio to the best

NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(
        [
            *(f.name for f in FUNCTIONS.values() if f.shape != "constant"),
            *AGGREGATES,
            *GROUP_FUNCTIONS,
            *(f.name for f in FUNCTIONS.values() if f.shape == "constant"),
        ]
    )
)
"""Every name a formula may call, in the order messages list them: functions
computed at run time, aggregates, group functions, then those evaluated when
compiling."""
