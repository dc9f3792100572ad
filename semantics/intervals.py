"""Interval arithmetic over plain values: the bounds every operation keeps.

``None`` as a bound means unbounded.  The built-in functions' interval rules
(``semantics.builtins``) and the verifier's analysis of whole programs
(``compiler.intervals``) are written with these.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal


@dataclass(frozen=True, slots=True)
class Interval:
    low: Decimal | None  # None: no lower bound
    high: Decimal | None  # None: no upper bound

    def __str__(self) -> str:
        low = "-∞" if self.low is None else _text(self.low)
        high = "∞" if self.high is None else _text(self.high)
        return f"[{low}, {high}]"

    def contains(self, value: Decimal) -> bool:
        return (self.low is None or self.low <= value) and (self.high is None or value <= self.high)


UNBOUNDED = Interval(None, None)


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def point(value: Decimal) -> Interval:
    return Interval(value, value)


def hull(*intervals: Interval) -> Interval:
    lows = [i.low for i in intervals]
    highs = [i.high for i in intervals]
    return Interval(
        None if any(v is None for v in lows) else min(v for v in lows if v is not None),
        None if any(v is None for v in highs) else max(v for v in highs if v is not None),
    )


def add(a: Interval, b: Interval) -> Interval:
    low = None if a.low is None or b.low is None else a.low + b.low
    high = None if a.high is None or b.high is None else a.high + b.high
    return Interval(low, high)


def neg(a: Interval) -> Interval:
    return Interval(None if a.high is None else -a.high, None if a.low is None else -a.low)


def mul(a: Interval, b: Interval) -> Interval:
    if a.low is None or a.high is None or b.low is None or b.high is None:
        # Unbounded sides: exact only when both are known non-negative.
        if a.low is not None and b.low is not None and a.low >= 0 and b.low >= 0:
            high = None if a.high is None or b.high is None else a.high * b.high
            return Interval(a.low * b.low, high)
        return UNBOUNDED
    products = [a.low * b.low, a.low * b.high, a.high * b.low, a.high * b.high]
    return Interval(min(products), max(products))


def div(a: Interval, b: Interval) -> Interval:
    """Quotient bounds; a divisor interval reaching 0 gives no bound."""
    if b.low is not None and b.low > 0:
        inverse = Interval(Decimal(0) if b.high is None else 1 / b.high, 1 / b.low)
    elif b.high is not None and b.high < 0:
        inverse = Interval(1 / b.high, Decimal(0) if b.low is None else 1 / b.low)
    elif a.low is not None and a.low >= 0 and b.low is not None and b.low >= 0:
        # Non-negative by non-negative: a zero divisor faults (or, in safe_div,
        # gives the default), any other quotient is non-negative.
        return Interval(Decimal(0), None)
    else:
        return UNBOUNDED
    return mul(a, inverse)


def minimum(*intervals: Interval) -> Interval:
    lows = [i.low for i in intervals]
    highs = [i.high for i in intervals if i.high is not None]
    return Interval(
        None if any(v is None for v in lows) else min(v for v in lows if v is not None),
        min(highs) if highs else None,
    )


def maximum(*intervals: Interval) -> Interval:
    lows = [i.low for i in intervals if i.low is not None]
    highs = [i.high for i in intervals]
    return Interval(
        max(lows) if lows else None,
        None if any(v is None for v in highs) else max(v for v in highs if v is not None),
    )


def intersect(a: Interval, b: Interval) -> Interval:
    low = b.low if a.low is None else a.low if b.low is None else max(a.low, b.low)
    high = b.high if a.high is None else a.high if b.high is None else min(a.high, b.high)
    return Interval(low, high)


def round_places(a: Interval, places: int) -> Interval:
    """Rounding to ``places`` moves a value by at most one unit of the last place."""
    quantum = Decimal(1).scaleb(-places)
    low = None if a.low is None else a.low.quantize(quantum, rounding=ROUND_FLOOR)
    high = None if a.high is None else a.high.quantize(quantum, rounding=ROUND_CEILING)
    return Interval(low, high)
