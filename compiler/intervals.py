"""Interval analysis: proven bounds of every numeric value of a program.

Each input gets the range its declaration allows (``min``/``max``, counts
from 0, level tables their shares); every IR node maps intervals to an
interval soundly: whatever the inputs within their ranges, evaluation never
leaves the bounds computed here (a property test checks this by sampling).
``None`` as a bound means unbounded.  Conditions on a value compared with a
constant narrow that value inside the branch (``if r >= 100% then … else …``
knows ``r < 100%`` in the else branch), which keeps bands and caps tight.

The verifier reads these bounds; nothing here evaluates anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext

from compiler import ir


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


def _add(a: Interval, b: Interval) -> Interval:
    low = None if a.low is None or b.low is None else a.low + b.low
    high = None if a.high is None or b.high is None else a.high + b.high
    return Interval(low, high)


def _neg(a: Interval) -> Interval:
    return Interval(None if a.high is None else -a.high, None if a.low is None else -a.low)


def _mul(a: Interval, b: Interval) -> Interval:
    if a.low is None or a.high is None or b.low is None or b.high is None:
        # Unbounded sides: exact only when both are known non-negative.
        if a.low is not None and b.low is not None and a.low >= 0 and b.low >= 0:
            high = None if a.high is None or b.high is None else a.high * b.high
            return Interval(a.low * b.low, high)
        return UNBOUNDED
    products = [a.low * b.low, a.low * b.high, a.high * b.low, a.high * b.high]
    return Interval(min(products), max(products))


def _div(a: Interval, b: Interval) -> Interval:
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
    return _mul(a, inverse)


def _min(*intervals: Interval) -> Interval:
    lows = [i.low for i in intervals]
    highs = [i.high for i in intervals if i.high is not None]
    return Interval(
        None if any(v is None for v in lows) else min(v for v in lows if v is not None),
        min(highs) if highs else None,
    )


def _max(*intervals: Interval) -> Interval:
    lows = [i.low for i in intervals if i.low is not None]
    highs = [i.high for i in intervals]
    return Interval(
        max(lows) if lows else None,
        None if any(v is None for v in highs) else max(v for v in highs if v is not None),
    )


def _intersect(a: Interval, b: Interval) -> Interval:
    low = b.low if a.low is None else a.low if b.low is None else max(a.low, b.low)
    high = b.high if a.high is None else a.high if b.high is None else min(a.high, b.high)
    return Interval(low, high)


def _round(a: Interval, places: int) -> Interval:
    """Rounding to ``places`` moves a value by at most one unit of the last place."""
    quantum = Decimal(1).scaleb(-places)
    low = None if a.low is None else a.low.quantize(quantum, rounding=ROUND_FLOOR)
    high = None if a.high is None else a.high.quantize(quantum, rounding=ROUND_CEILING)
    return Interval(low, high)


Env = Mapping[int, Interval]


def narrow(condition: ir.Expr, env: Env, holds: bool) -> dict[int, Interval]:
    """What a condition (or its negation) says about a slot compared with a constant."""
    narrowed: dict[int, Interval] = {}
    match condition:
        case ir.Logic(op="and", left=left, right=right) if holds:
            narrowed.update(narrow(left, env, True))
            for slot, interval in narrow(right, env, True).items():
                narrowed[slot] = _intersect(narrowed.get(slot, interval), interval)
        case ir.Logic(op="or", left=left, right=right) if not holds:
            narrowed.update(narrow(left, env, False))
            for slot, interval in narrow(right, env, False).items():
                narrowed[slot] = _intersect(narrowed.get(slot, interval), interval)
        case ir.Cmp(op=op, left=ir.Ref(slot=slot), right=ir.Const(value=Decimal() as c)):
            narrowed[slot] = _compare(op, c, holds)
        case ir.Cmp(op=op, left=ir.Const(value=Decimal() as c), right=ir.Ref(slot=slot)):
            flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}[op]
            narrowed[slot] = _compare(flipped, c, holds)
    return {
        slot: _intersect(env.get(slot, UNBOUNDED), interval) for slot, interval in narrowed.items()
    }


def _compare(op: str, c: Decimal, holds: bool) -> Interval:
    """Values of x for which ``x op c`` is ``holds`` (closed hull)."""
    if not holds:
        op = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}[op]
    if op in ("<", "<="):
        return Interval(None, c)
    if op in (">", ">="):
        return Interval(c, None)
    if op == "==":
        return point(c)
    return UNBOUNDED


def evaluate(expr: ir.Expr, env: Env) -> Interval | None:
    """The interval of a numeric expression (None for yes/no, text and dates)."""
    if expr.type.kind not in ("number", "error"):
        return None
    match expr:
        case ir.Const(value=Decimal() as value):
            return point(value)
        case ir.Ref(slot=slot):
            return env.get(slot, UNBOUNDED)
        case ir.Neg(operand=operand):
            inner = evaluate(operand, env)
            return UNBOUNDED if inner is None else _neg(inner)
        case ir.Arith(op=op, left=left, right=right):
            a, b = evaluate(left, env) or UNBOUNDED, evaluate(right, env) or UNBOUNDED
            if op == "+":
                return _add(a, b)
            if op == "-":
                return _add(a, _neg(b))
            if op == "*":
                return _mul(a, b)
            return _div(a, b)
        case ir.Cond(branches=branches, otherwise=otherwise):
            results = []
            scope = dict(env)
            for condition, arm in branches:
                inside = {**scope, **narrow(condition, scope, True)}
                results.append(evaluate(arm, inside) or UNBOUNDED)
                scope = {**scope, **narrow(condition, scope, False)}
            results.append(evaluate(otherwise, scope) or UNBOUNDED)
            return hull(*results)
        case ir.Call(fn=fn, args=args):
            values = [evaluate(a, env) or UNBOUNDED for a in args]
            if fn == "min":
                return _min(*values)
            if fn == "max":
                return _max(*values)
            if fn == "clamp":
                return _min(_max(values[0], values[1]), values[2])
            if fn == "abs":
                a = values[0]
                if a.low is not None and a.low >= 0:
                    return a
                if a.high is not None and a.high <= 0:
                    return _neg(a)
                top = None if a.low is None or a.high is None else max(-a.low, a.high)
                return Interval(Decimal(0), top)
            if fn == "round":
                places = args[1]
                assert isinstance(places, ir.Const) and isinstance(places.value, Decimal)
                return _round(values[0], int(places.value))
            if fn == "safe_div":
                return hull(_div(values[0], values[1]), values[2])
        case ir.Aggregate(fn=fn, items=items, spread=spread):
            if spread:
                return UNBOUNDED if fn != "count" else Interval(Decimal(0), None)
            values = [evaluate(i, env) or UNBOUNDED for i in items]
            if fn == "count":
                return Interval(Decimal(0), Decimal(len(values)))
            if fn == "sum":
                # Absent (exempt) items add nothing: each contributes its hull with 0.
                total = point(Decimal(0))
                for member in values:
                    total = _add(total, hull(member, point(Decimal(0))))
                return total
            return hull(*values)  # avg, min, max of present items
        case ir.Lookup(table=table):
            shares = [share for _, share in table]
            return Interval(min(shares), max(shares))
        case ir.NormalizedSum(scores=scores, points=points, full=full):
            ratios = []
            for score, weight in zip(scores, points, strict=True):
                interval = evaluate(score, env) or UNBOUNDED
                if not weight:
                    return UNBOUNDED
                ratios.append(_mul(interval, point(1 / weight)))
            # A weighted average of the applicable scores' ratios, times full marks.
            return _mul(hull(*ratios), point(full))
    return UNBOUNDED


def input_interval(field: ir.InputField) -> Interval | None:
    if field.type.kind != "number":
        return None
    low = field.minimum
    if low is None and field.kind == "count":
        low = Decimal(0)
    return Interval(low, field.maximum)


def bounds(program: ir.Program, section_total: Interval | None = None) -> dict[int, Interval]:
    """Proven bounds of every numeric slot, given the inputs' declared ranges."""
    env: dict[int, Interval] = {}
    for field in program.inputs:
        interval = input_interval(field)
        if field.kind == "section_total":
            interval = section_total or UNBOUNDED
        if interval is not None:
            env[field.slot] = interval
    with localcontext() as context:
        context.prec = 34
        for definition in program.definitions:
            interval = evaluate(definition.expr, env)
            if interval is None:
                continue
            if definition.places is not None:
                interval = _round(interval, definition.places)
            env[definition.slot] = interval
    return env
