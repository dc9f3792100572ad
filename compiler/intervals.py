"""Interval analysis: proven bounds of every numeric value of a program.

Each input gets the range its declaration allows (``min``/``max``, counts
from 0, level tables their shares); every IR node maps intervals to an
interval soundly: whatever the inputs within their ranges, evaluation never
leaves the bounds computed here (a property test checks this by sampling).
``None`` as a bound means unbounded.  Conditions on a value compared with a
constant narrow that value inside the branch (``if r >= 100% then … else …``
knows ``r < 100%`` in the else branch), which keeps bands and caps tight.

Interval arithmetic itself is ``semantics.intervals``; a built-in function's
or aggregate's rule is its entry's ``interval`` in ``semantics.builtins``, so
a new built-in brings its own rule.  The verifier reads these bounds; nothing
here evaluates anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, localcontext

from compiler import ir
from semantics.builtins import ADD_DAYS, AGGREGATES, FUNCTIONS, GROUP_FUNCTIONS, GROUP_MAX
from semantics.intervals import UNBOUNDED as UNBOUNDED
from semantics.intervals import Interval as Interval
from semantics.intervals import add, div, hull, intersect, mul, neg, point, round_places
from semantics.types import DATE as DATE_TYPE

Env = Mapping[int, Interval]


def narrow(condition: ir.Expr, env: Env, holds: bool) -> dict[int, Interval]:
    """What a condition (or its negation) says about a slot compared with a constant."""
    narrowed: dict[int, Interval] = {}
    match condition:
        case ir.Logic(op="and", left=left, right=right) if holds:
            narrowed.update(narrow(left, env, True))
            for slot, interval in narrow(right, env, True).items():
                narrowed[slot] = intersect(narrowed.get(slot, interval), interval)
        case ir.Logic(op="or", left=left, right=right) if not holds:
            narrowed.update(narrow(left, env, False))
            for slot, interval in narrow(right, env, False).items():
                narrowed[slot] = intersect(narrowed.get(slot, interval), interval)
        case ir.Cmp(op=op, left=ir.Ref(slot=slot), right=ir.Const(value=Decimal() as c)):
            narrowed[slot] = _compare(op, c, holds)
        case ir.Cmp(op=op, left=ir.Const(value=Decimal() as c), right=ir.Ref(slot=slot)):
            flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}[op]
            narrowed[slot] = _compare(flipped, c, holds)
    return {
        slot: intersect(env.get(slot, UNBOUNDED), interval) for slot, interval in narrowed.items()
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
            return UNBOUNDED if inner is None else neg(inner)
        case ir.Arith(op="/", left=left, right=ir.Group(fn=fn, of=ir.Ref(slot=of))) if (
            fn == GROUP_MAX.name and _ratio_to_best(left, of, env) is not None
        ):
            return _ratio_to_best(left, of, env)
        case ir.Arith(op=op, left=left, right=right):
            a, b = evaluate(left, env) or UNBOUNDED, evaluate(right, env) or UNBOUNDED
            if op == "+":
                return add(a, b)
            if op == "-":
                return add(a, neg(b))
            if op == "*":
                return mul(a, b)
            return div(a, b)
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
            # The function's interval rule, from the table of built-ins; a
            # date argument's interval is its offset from the period's start.
            values = [
                date_offset(a, env) if a.type == DATE_TYPE else evaluate(a, env) or UNBOUNDED
                for a in args
            ]
            constants = [a.value if isinstance(a, ir.Const) else None for a in args]
            return FUNCTIONS[fn].interval(values, constants)
        case ir.Aggregate(fn=fn, items=items, spread=spread):
            # A list value has items of unknown number and bounds.
            listed = None if spread else [evaluate(i, env) or UNBOUNDED for i in items]
            return AGGREGATES[fn].interval(listed)
        case ir.Lookup(table=table):
            shares = [share for _, share in table]
            return Interval(min(shares), max(shares))
        case ir.Group(slot=slot):
            return env.get(slot, UNBOUNDED)  # bounded by ``group_bounds``
        case ir.NormalizedSum(scores=scores, points=points, full=full):
            if not scores:
                return point(Decimal(0))  # no indicator of this kind: the sum of nothing
            ratios = []
            for score, weight in zip(scores, points, strict=True):
                interval = evaluate(score, env) or UNBOUNDED
                if not weight:
                    return UNBOUNDED
                ratios.append(mul(interval, point(1 / weight)))
            # A weighted average of the applicable scores' ratios, times full marks.
            return mul(hull(*ratios), point(full))
    return UNBOUNDED


# Days from a period's first day to its last: a quarter's 89 to 91, a year's
# 364 or 365 (the only periods formulas are evaluated over).
QUARTER_DAYS = Interval(Decimal(89), Decimal(91))
YEAR_DAYS = Interval(Decimal(364), Decimal(365))


def date_offset(expr: ir.Expr, env: Env) -> Interval:
    """Where a date lies, as days from the period's first day: ``period_start``
    is 0 and ``period_end`` the period's length (set by ``bounds``), a date
    moved by ``add_days`` moves with it, a conditional date is the hull of its
    arms; a date input or a constant is unbounded (nothing says it lies in the
    period).  So ``days_between(period_start, period_end)`` is bounded while
    ``days_between(截止日期, 报送日期)`` of two inputs stays unbounded."""
    match expr:
        case ir.Ref(slot=slot):
            return env.get(slot, UNBOUNDED)
        case ir.Call(fn=fn, args=(day, days)) if fn == ADD_DAYS.name:
            return add(date_offset(day, env), evaluate(days, env) or UNBOUNDED)
        case ir.Cond(branches=branches, otherwise=otherwise):
            return hull(
                *(date_offset(arm, env) for _, arm in branches), date_offset(otherwise, env)
            )
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
        if field.kind == "period_start":
            interval = point(Decimal(0))
        if field.kind == "period_end":
            interval = YEAR_DAYS if program.annual else QUARTER_DAYS
        if interval is not None:
            env[field.slot] = interval
    with localcontext() as context:
        context.prec = 34
        pending = list(program.groups)
        for definition in program.definitions:
            if pending and definition.stage > 1:
                pending = _group_bounds(program, pending, env)
            if definition.expr.type == DATE_TYPE:  # a named date: its offset
                env[definition.slot] = date_offset(definition.expr, env)
                continue
            interval = evaluate(definition.expr, env)
            if interval is None:
                continue
            if definition.places is not None:
                interval = round_places(interval, definition.places)
            env[definition.slot] = interval
    return env


def pool_size(program: ir.Program) -> int | None:
    """The most members a pool of the program's subjects can have (a section
    group, or every person), from the organization; None when unknown."""
    organization = program.organization
    if organization is None:
        return None
    if program.kind == "person":
        return len(organization.people)
    sizes: dict[str, int] = {}
    for section in organization.sections:
        sizes[section.group] = sizes.get(section.group, 0) + 1
    return max(sizes.values(), default=0)


def _group_bounds(
    program: ir.Program, pending: list[ir.GroupValue], env: dict[int, Interval]
) -> list[ir.GroupValue]:
    """Bound the group values whose value is bounded by now (each by its
    function's rule in ``semantics.builtins.GROUP_FUNCTIONS``); the rest wait."""
    size = pool_size(program)
    count = Interval(Decimal(0), None if size is None else Decimal(size))
    waiting = []
    for group in pending:
        if group.of is not None and group.of not in env and _defined_later(program, group):
            waiting.append(group)
            continue
        value = UNBOUNDED if group.of is None else env.get(group.of, UNBOUNDED)
        env[group.slot] = GROUP_FUNCTIONS[group.fn].interval(value, count)
    return waiting


def _defined_later(program: ir.Program, group: ir.GroupValue) -> bool:
    return any(d.slot == group.of for d in program.definitions)


def _ratio_to_best(dividend: ir.Expr, of: int, env: Env) -> Interval | None:
    """``x / group_max(x)``, or ``c * x / group_max(x)``, of a value that is
    never negative: the ratio to the best lies in [0, 1] (times ``c``), which
    interval division alone cannot see.  None for any other dividend."""
    value = env.get(of, UNBOUNDED)
    if value.low is None or value.low < 0:
        return None
    match dividend:
        case ir.Ref(slot=slot) if slot == of:
            return Interval(Decimal(0), Decimal(1))
        case (
            ir.Arith(op="*", left=ir.Const(value=Decimal() as c), right=ir.Ref(slot=slot))
            | ir.Arith(op="*", left=ir.Ref(slot=slot), right=ir.Const(value=Decimal() as c))
        ) if slot == of:
            return mul(point(c), Interval(Decimal(0), Decimal(1)))
    return None
