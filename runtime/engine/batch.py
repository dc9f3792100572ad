"""The batch engine: stage 1 for every subject of a period at once, in columns.

Each definition of the program (``compiler.columnar``'s plan) is computed as
one column over the period's subjects.  A number column is exact: a
coefficient and a power of ten per subject, the coefficients in int64 while
every one is below 2**62 (checked from the operands' largest magnitudes
before each operation) and Python integers in numpy object arrays otherwise
(a quotient's 35 digits, products beyond int64), so nothing overflows; each
result is rounded to the language's 34 significant digits as
``semantics.operations`` rounds it.  Inputs are split once per distinct
spelling, outputs made once per distinct value, divisions worked out only on
the rows that use them.  docs/backends.md says why this representation
(measured by bench/batch.py).

The results are the very values the Python engine computes, or nothing: where
the Python engine would fault for a subject (division by zero, a level outside
its table, ...) or round an intermediate to its 34 significant digits, or
read an absent value, ``evaluate`` raises ``Fallback`` with the reason, and
the caller (``runtime.engine.subjects``) evaluates the period on the Python
engine, which locates the fault.  Branches not taken are computed too, on
masked rows: a ``live`` mask says on which subjects a node's value is
actually used, and only faults on live rows count.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from typing import Any, Literal

import numpy as np

from compiler import ir
from compiler.columnar import ColumnPlan, plan
from runtime.engine.subjects import Fallback
from semantics import builtins, operations
from semantics.builtins import AGGREGATES
from semantics.rounding import ROUNDING

Array = Any  # a numpy array (numpy's own types make strict mypy no wiser here)

DIGITS = operations.CONTEXT.prec  # significant digits of every result (34)
LIMIT = 10**DIGITS
_POWERS = 1200  # exponent gaps beyond this fall back (no rule comes near)
POW = np.empty(_POWERS, dtype=object)
POW[:] = [10**k for k in range(_POWERS)]
# The int64 fast path (docs/backends.md): a coefficient column is int64 while
# every coefficient is below SAFE (so a negation, an absolute value or a
# doubled remainder cannot overflow), checked before each operation from the
# operands' largest magnitudes; otherwise it is an object array of Python
# integers.  Results of int64 operations are exact and far below 34 digits,
# so they need no rounding to the precision.
SAFE = 2**62
POW64 = np.array([10**k for k in range(19)], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Column:
    """One value per subject: ``num`` (coefficient ``data`` and exponent
    ``exp`` per subject: ``data * 10**exp``), ``bool`` or ``obj`` (texts,
    levels, dates); ``present`` is None when every value is there."""

    kind: Literal["num", "bool", "obj"]
    data: Array
    exp: Array | None = None
    present: Array | None = None


def _objects(values: Sequence[object]) -> Array:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def parts(value: Decimal) -> tuple[int, int]:
    """``value`` as (coefficient, exponent) with ``value == c * 10**e``, exactly.

    Read from the value's text, which is quicker than ``as_tuple`` for the
    plain spellings data has (``95``, ``-1.25``); others go through ``as_tuple``.
    """
    text = str(value)
    if "E" not in text and "N" not in text and "I" not in text:
        point = text.find(".")
        if point < 0:
            return int(text), 0
        return int(text[:point] + text[point + 1 :]), point + 1 - len(text)
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    coefficient = int("".join(map(str, digits))) if digits else 0
    return (-coefficient if sign else coefficient), exponent


def number_column(values: Sequence[object]) -> tuple[Array, Array, Array | None]:
    """Coefficients, exponents (absent values: 0) and where values are there
    (None: everywhere) of a column of Decimals.

    Each distinct spelling is split once (``parts``): a column holds far fewer
    distinct values than subjects (scores, counts, targets), and the text
    keeps ``1.0`` and ``1.00`` apart, which are equal Decimals with different
    exponents.  Coefficients are int64 when every one fits (the fast path)."""
    # Rows share a Decimal per cell spelling, so the values are told apart by
    # identity first (one object, one text: a sort of the cells' ids, every
    # object alive in ``values`` meanwhile), then each distinct object's text.
    identities = np.fromiter(map(id, values), dtype=np.int64, count=len(values))
    _, first, inverse = np.unique(identities, return_index=True, return_inverse=True)
    texts = [str(values[n]) for n in first.tolist()]  # None is "None"
    distinct = dict.fromkeys(texts)
    split = [(0, 0) if t == "None" else parts(Decimal(t)) for t in distinct]
    index = {t: n for n, t in enumerate(distinct)}
    at = np.array([index[t] for t in texts], dtype=np.int64)[inverse.reshape(-1)]
    coefficients = _small(_objects([c for c, _ in split]))
    exponents = np.array([e for _, e in split], dtype=np.int64)
    present = None if "None" not in index else at != index["None"]
    return coefficients[at], exponents[at], present


def unique(values: Array) -> tuple[Array, Array]:
    """``np.unique(values, return_inverse=True)`` of an int64 column: its
    distinct values, sorted, and each value's place among them.  When they
    lie within a range not much wider than the column (scores, totals and
    counts at a few places do), by marking each value in a table of the
    range (two passes) instead of sorting the column."""
    if len(values):
        low = int(values.min())
        width = int(values.max()) - low + 1
        if width <= max(4 * len(values), 1 << 16):
            shifted = values - low
            seen = np.zeros(width, dtype=bool)
            seen[shifted] = True
            place = np.cumsum(seen, dtype=np.int64) - 1
            return np.flatnonzero(seen) + low, place[shifted]
    distinct, inverse = np.unique(values, return_inverse=True)
    return distinct, inverse.reshape(-1)


def decimals(coefficients: Array, exponents: Array) -> Array:
    """The Decimals of a number column (an object array), each distinct
    (coefficient, exponent) made once: equal results are one object, which
    the stages after (ranks, tables) key and hash once."""
    scaleb, exact = Decimal.scaleb, _EXACT
    if not _is64(coefficients) or not len(coefficients):
        # Python integers: each distinct (coefficient, exponent) made once.
        every = list(zip(coefficients.tolist(), exponents.tolist(), strict=True))
        once = {pair: scaleb(Decimal(pair[0]), pair[1], exact) for pair in dict.fromkeys(every)}
        return _objects(list(map(once.__getitem__, every)))
    low, high = int(exponents.min()), int(exponents.max())
    if low == high:  # one exponent (a rounded column): the distinct coefficients
        distinct, inverse = unique(coefficients)
        made = _objects([scaleb(Decimal(c), low, exact) for c in distinct.tolist()])
        return made[inverse]
    span = high - low + 1
    if _peak(coefficients) < SAFE // span:  # (coefficient, exponent) as one int64 key
        keys = coefficients * span + (exponents - low)
        distinct, inverse = unique(keys)
        whole, rest = divmod(distinct, span)
        pairs = zip(whole.tolist(), rest.tolist(), strict=True)
        made = _objects([scaleb(Decimal(c), e + low, exact) for c, e in pairs])
        return made[inverse]
    return decimals(_big(coefficients), exponents)


# Wide enough that scaleb never rounds: it only sets the exponent.
_EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def decimal_of(coefficient: int, exponent: int) -> Decimal:
    """The Decimal ``coefficient * 10**exponent`` with that exponent (no rounding)."""
    return Decimal(coefficient).scaleb(exponent, _EXACT)


def _kind(type_: object) -> Literal["num", "bool", "obj"]:
    kind = getattr(type_, "kind", "")
    return "num" if kind == "number" else "bool" if kind == "bool" else "obj"


def _bools(array: Array) -> Array:
    return np.asarray(array, dtype=bool)


def _is64(data: Array) -> bool:
    return bool(data.dtype == np.int64)


def _big(data: Array) -> Array:
    """A coefficient column as Python integers (object array)."""
    return data.astype(object) if _is64(data) else data


def _peak(data: Array) -> int:
    """The largest magnitude of an int64 coefficient column (0 when empty)."""
    return int(np.abs(data).max()) if len(data) else 0


def _small(data: Array) -> Array:
    """An object coefficient column as int64 when every coefficient fits
    (results of ``round``, which downstream slots and the output read)."""
    if _is64(data) or not len(data):
        return data
    if max(data.max(), -data.min()) < SAFE:
        return data.astype(np.int64)
    return data


def _pow(k: Array) -> Array:
    """``10**k`` per element (``k`` a non-negative int64 array)."""
    if len(k) and (k.max() >= _POWERS or k.min() < 0):
        raise Fallback("an exponent gap beyond the batch engine's table")
    return POW[k]


_BIT_LENGTH = np.frompyfunc(int.bit_length, 1, 1)


def digits(x: Array) -> Array:
    """The number of decimal digits of each non-negative integer (0 has 1)."""
    if not len(x):
        return np.zeros(0, dtype=np.int64)
    bits = np.asarray(_BIT_LENGTH(x), dtype=np.int64)
    estimate = (bits * 30103) // 100000 + 1
    estimate = estimate - _bools(x < _pow(np.maximum(estimate - 1, 0)))
    estimate = estimate + _bools(x >= _pow(estimate))
    return np.maximum(estimate, 1)


def _round_digits(
    coefficient: Array, exponent: Array, drop: Array, sticky: Array, mode: str
) -> tuple[Array, Array]:
    """Drop ``drop`` low digits of each coefficient, rounding with ``mode`` (a
    ``decimal`` rounding constant, ``semantics.rounding.ROUNDING``'s values);
    ``sticky``: the value was already a little more than the coefficient."""
    negative = _bools(coefficient < 0)
    magnitude = np.abs(coefficient)
    unit = POW64[drop] if _is64(coefficient) else _pow(drop)
    kept = magnitude // unit
    twice = (magnitude - kept * unit) * 2
    more = _bools(twice > 0) | sticky
    if mode == decimal.ROUND_DOWN:
        up = np.zeros(len(kept), dtype=bool)
    elif mode == decimal.ROUND_UP:
        up = more
    elif mode == decimal.ROUND_HALF_UP:
        up = _bools(twice >= unit) & (drop > 0)
    elif mode == decimal.ROUND_HALF_DOWN:
        up = _bools(twice > unit) | (_bools(twice == unit) & sticky)
    elif mode == decimal.ROUND_HALF_EVEN:
        tie = _bools(twice == unit) & (drop > 0)
        up = _bools(twice > unit) | (tie & (sticky | _bools(kept % 2 == 1)))
    elif mode == decimal.ROUND_CEILING:
        up = more & ~negative
    elif mode == decimal.ROUND_FLOOR:
        up = more & negative
    else:  # pragma: no cover - every mode of semantics.rounding is listed above
        raise Fallback(f"rounding mode {mode}")
    step = up.astype(np.int64)
    kept = kept + (step if _is64(kept) else step.astype(object))
    return np.where(negative, -kept, kept), exponent + drop


def to_precision(
    coefficient: Array, exponent: Array, sticky: Array | None = None
) -> tuple[Array, Array]:
    """A result rounded, as the decimal context does, to ``DIGITS`` significant
    digits half-even (exact results within them are left alone)."""
    if _is64(coefficient):  # below 2**62: far within 34 digits
        return coefficient, exponent
    over = _bools(np.abs(coefficient) >= LIMIT)
    if not over.any():
        return coefficient, exponent
    index = np.nonzero(over)[0]
    c, e = coefficient[index], exponent[index]
    drop = digits(np.abs(c)) - DIGITS
    stick = sticky[index] if sticky is not None else np.zeros(len(index), dtype=bool)
    c, e = _round_digits(c, e, drop, stick, decimal.ROUND_HALF_EVEN)
    carry = _bools(np.abs(c) >= LIMIT)  # 999…9 rounded up to 10**34
    c = np.where(carry, c // 10, c)
    e = e + carry
    coefficient, exponent = coefficient.copy(), exponent.copy()
    coefficient[index], exponent[index] = c, e
    return coefficient, exponent


def _aligned(a: Column, b: Column) -> tuple[Array, Array, Array]:
    """Both coefficients at the smaller exponent of each subject."""
    assert a.exp is not None and b.exp is not None
    x, y = a.data, b.data
    if _is64(x) != _is64(y):
        x, y = _big(x), _big(y)
    if np.array_equal(a.exp, b.exp):
        return x, y, a.exp
    exponent = np.minimum(a.exp, b.exp)
    gap_a, gap_b = a.exp - exponent, b.exp - exponent
    if _is64(x):
        top_a, top_b = int(gap_a.max()), int(gap_b.max())
        if max(top_a, top_b) <= 18 and _peak(x) * 10**top_a < SAFE and _peak(y) * 10**top_b < SAFE:
            return x * POW64[gap_a], y * POW64[gap_b], exponent
        x, y = _big(x), _big(y)
    return x * _pow(gap_a), y * _pow(gap_b), exponent


def add(a: Column, b: Column, subtract: bool = False) -> Column:
    x, y, exponent = _aligned(a, b)
    if _is64(x) and _peak(x) + _peak(y) >= SAFE:
        x, y = _big(x), _big(y)
    c, e = to_precision(x - y if subtract else x + y, exponent)
    return Column("num", c, e)


def multiply(a: Column, b: Column) -> Column:
    assert a.exp is not None and b.exp is not None
    x, y = a.data, b.data
    if not (_is64(x) and _is64(y) and _peak(x) * _peak(y) < SAFE):
        x, y = _big(x), _big(y)
    c, e = to_precision(x * y, a.exp + b.exp)
    return Column("num", c, e)


def divide(a: Column, b: Column, zero: Array, live: Array | None = None) -> Column:
    """``a / b`` as the decimal context divides (an exact quotient at the
    exponent nearest the ideal ``ea - eb``, else 34 digits half-even); rows
    whose divisor is zero get 0 (the caller decides what they mean), and so
    do rows outside ``live`` (whose value nothing reads): a division is the
    dearest column operation (Python integers of 35 digits), so it is worked
    out only where it is used."""
    assert a.exp is not None and b.exp is not None
    if live is not None and not live.all():
        rows = np.nonzero(live)[0]
        part = _divide(_rows(a, rows), _rows(b, rows), zero[rows])
        assert part.exp is not None
        data = np.zeros(len(live), dtype=part.data.dtype)
        exponent = np.zeros(len(live), dtype=np.int64)
        data[rows], exponent[rows] = part.data, part.exp
        return Column("num", data, exponent)
    return _divide(a, b, zero)


def _rows(column: Column, rows: Array) -> Column:
    assert column.exp is not None
    return Column("num", column.data[rows], column.exp[rows])


def _divide(a: Column, b: Column, zero: Array) -> Column:
    assert a.exp is not None and b.exp is not None
    divisor = np.abs(np.where(zero, 1, _big(b.data)))
    dividend = np.abs(_big(a.data))
    negative = _bools(a.data < 0) ^ _bools(b.data < 0)
    shift = np.maximum(DIGITS + 1 + digits(divisor) - digits(dividend), 0)
    numerator = dividend * _pow(shift)
    quotient = numerator // divisor
    exact = _bools(numerator - quotient * divisor == 0)
    exponent = a.exp - b.exp - shift
    ideal = a.exp - b.exp
    # An exact quotient loses its trailing zeros down to the ideal exponent:
    # as many as both allow, found bit by bit (fewer than 64 of them in a
    # quotient of 35 digits, other than 0).
    strippable = np.nonzero(exact & (exponent < ideal))[0]
    if len(strippable):
        q, e = quotient[strippable], exponent[strippable]
        room = ideal[strippable] - e
        nothing = _bools(q == 0)  # 0 has every trailing zero: the ideal exponent
        e, room = np.where(nothing, ideal[strippable], e), np.where(nothing, 0, room)
        for k in (32, 16, 8, 4, 2, 1):
            strip = (room >= k) & _bools(q % POW[k] == 0)
            if strip.any():
                q = np.where(strip, q // POW[k], q)
                e, room = e + strip * k, room - strip * k
        quotient, exponent = quotient.copy(), exponent.copy()
        quotient[strippable], exponent[strippable] = q, e
    quotient, exponent = to_precision(quotient, exponent, ~exact)
    quotient = np.where(negative, -quotient, quotient)
    return Column("num", np.where(zero, 0, quotient), np.where(zero, 0, exponent))


def quantize(a: Column, places: int, mode: str) -> Column:
    """``Decimal.quantize`` to ``places`` with ``mode`` (``round_to``)."""
    assert a.exp is not None
    target = -places
    drop = np.maximum(target - a.exp, 0)
    shift = np.maximum(a.exp - target, 0)
    data = a.data
    if _is64(data) and len(data):
        top_shift, top_drop = int(shift.max()), int(drop.max())
        if top_shift <= 18 and top_drop <= 18 and _peak(data) * 10**top_shift < SAFE:
            padded = data * POW64[shift]
        else:
            data = _big(data)
    if not _is64(data):
        padded = data * _pow(shift)
    stick = np.zeros(len(drop), dtype=bool)
    c, _ = _round_digits(padded, a.exp, drop, stick, ROUNDING[mode])
    return Column("num", _small(c), np.full(len(drop), target, dtype=np.int64))


def _both(a: Array | None, b: Array | None) -> Array | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


_COMPARE: dict[str, Callable[[Array, Array], Array]] = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


class _Run:
    """One evaluation of a plan over the rows of a period."""

    def __init__(self, column_plan: ColumnPlan, rows: Sequence[Sequence[object]]) -> None:
        self.plan = column_plan
        self.program = column_plan.program
        self.n = len(rows)
        self.everyone = np.ones(self.n, dtype=bool)
        self.columns: dict[int, Column] = {}
        # The rows by input (the output repeats the inputs' own values).
        self.by_input: list[tuple[object, ...]] = list(zip(*rows, strict=True)) if rows else []
        for position, field in enumerate(self.program.inputs):
            self.columns[field.slot] = self.input_column(self.by_input[position], _kind(field.type))

    def input_column(self, values: Sequence[object], kind: Literal["num", "bool", "obj"]) -> Column:
        if kind == "num":
            data, exponent, mask = number_column(values)
            return Column("num", data, exponent, mask)
        present = np.array([v is not None for v in values], dtype=bool)
        mask = None if present.all() else present
        if kind == "bool":
            return Column("bool", np.array([bool(v) for v in values], dtype=bool), None, mask)
        return Column("obj", _objects(values), None, mask)

    # -- checks ------------------------------------------------------------------

    def need(self, column: Column, live: Array, span: object) -> Column:
        """``column`` read as an operand: an absent value on a live row is the
        Python engine's to report."""
        if column.present is not None and (live & ~column.present).any():
            raise Fallback(f"an absent value is read ({_where(span)})")
        return column

    def fault(self, rows: Array, live: Array, code: str, span: object) -> None:
        if (rows & live).any():
            raise Fallback(f"{code} on some subject ({_where(span)})")

    # -- building columns --------------------------------------------------------

    def constant(self, value: ir.ConstValue) -> Column:
        if isinstance(value, bool):
            return Column("bool", np.full(self.n, value, dtype=bool))
        if isinstance(value, Decimal):
            coefficient, exponent = parts(value)
            if abs(coefficient) < SAFE:
                data = np.full(self.n, coefficient, dtype=np.int64)
            else:
                data = np.empty(self.n, dtype=object)
                data.fill(coefficient)
            return Column("num", data, np.full(self.n, exponent, dtype=np.int64))
        array = np.empty(self.n, dtype=object)
        array.fill(value)
        return Column("obj", array)

    def zero(self) -> Column:
        return self.constant(Decimal(0))

    def select(self, chosen: list[tuple[Array, Column]], kind: str) -> Column:
        """Row by row, the column of the first part whose mask holds (the last: otherwise)."""
        _, last = chosen[-1]
        data, exponent, present = last.data, last.exp, last.present
        for mask, column in reversed(chosen[:-1]):
            data = np.where(mask, column.data, data)
            if kind == "num":
                assert column.exp is not None and exponent is not None
                exponent = np.where(mask, column.exp, exponent)
            if present is not None or column.present is not None:
                mine = column.present if column.present is not None else self.everyone
                other = present if present is not None else self.everyone
                present = np.where(mask, mine, other)
        if kind == "bool":
            return Column("bool", _bools(data), None, present)
        if kind == "obj":
            return Column("obj", np.asarray(data, dtype=object), None, present)
        if not _is64(data):  # a mix of int64 and object columns is Python integers
            data = np.asarray(data, dtype=object)
        return Column("num", data, exponent, present)

    def pick(self, take: Array, a: Column, b: Column) -> Column:
        """``a`` where ``take`` holds, else ``b`` (two number columns)."""
        assert a.exp is not None and b.exp is not None
        return Column("num", np.where(take, a.data, b.data), np.where(take, a.exp, b.exp))

    # -- evaluation --------------------------------------------------------------

    def definition(self, definition: ir.Definition) -> Column:
        live = self.everyone
        if definition.guard is not None:
            guard = self.columns[definition.guard]
            live = _bools(guard.data) & (guard.present if guard.present is not None else live)
        column = self.expr(definition.expr, live)
        if definition.places is not None:
            self.need(column, live, definition.expr.span)
            column = self.rounded(
                column, definition.places, definition.mode, live, definition.expr.span
            )
        if definition.guard is not None:
            column = Column(column.kind, column.data, column.exp, _both(column.present, live))
        return column

    def rounded(self, column: Column, places: int, mode: str, live: Array, span: object) -> Column:
        result = quantize(column, places, mode)
        # Beyond 34 digits quantize is an invalid operation (E0703) for Python.
        if not _is64(result.data):
            self.fault(_bools(np.abs(result.data) >= LIMIT), live, "E0703", span)
        return result

    def expr(self, node: ir.Expr, live: Array) -> Column:
        match node:
            case ir.Const(value=value):
                return self.constant(value)
            case ir.Ref(slot=slot):
                return self.columns[slot]
            case ir.Neg(operand=operand):
                column = self.need(self.expr(operand, live), live, node.span)
                assert column.exp is not None
                c, e = to_precision(-column.data, column.exp)
                return Column("num", c, e)
            case ir.Not(operand=operand):
                column = self.need(self.expr(operand, live), live, node.span)
                return Column("bool", ~_bools(column.data))
            case ir.Arith(op=op, left=left, right=right, span=span):
                a = self.need(self.expr(left, live), live, span)
                b = self.need(self.expr(right, live), live, span)
                if op == "/":
                    zero = _bools(b.data == 0)
                    self.fault(zero, live, "E0701", span)
                    return divide(a, b, zero, live)
                if op == "*":
                    return multiply(a, b)
                return add(a, b, subtract=op == "-")
            case ir.Logic(op=op, left=left, right=right):
                first = _bools(self.need(self.expr(left, live), live, node.span).data)
                rest = live & (first if op == "and" else ~first)
                second = _bools(self.need(self.expr(right, rest), rest, node.span).data)
                data = (first & second) if op == "and" else (first | second)
                return Column("bool", data)
            case ir.Cmp(op=op, left=left, right=right):
                a = self.need(self.expr(left, live), live, node.span)
                b = self.need(self.expr(right, live), live, node.span)
                return Column("bool", self.compare(op, a, b))
            case ir.Member(item=item, options=options, negated=negated):
                found = self.need(self.expr(item, live), live, node.span)
                hit = np.zeros(self.n, dtype=bool)
                for option in options:
                    listed = self.need(self.expr(option, live), live, node.span)
                    hit |= self.compare("==", found, listed)
                return Column("bool", ~hit if negated else hit)
            case ir.Cond(branches=branches, otherwise=otherwise):
                remaining = live
                chosen: list[tuple[Array, Column]] = []
                for condition, arm in branches:
                    test = self.need(self.expr(condition, remaining), remaining, node.span)
                    holds = _bools(test.data)
                    taken = remaining & holds
                    chosen.append((holds, self.expr(arm, taken)))
                    remaining = remaining & ~holds
                chosen.append((remaining, self.expr(otherwise, remaining)))
                return self.select(chosen, _kind(node.type))
            case ir.Call():
                return self.call(node, live)
            case ir.Aggregate():
                return self.aggregate(node, live)
            case ir.Lookup(key=key, table=table):
                keys = self.need(self.expr(key, live), live, node.span).data.tolist()
                entries = {k: parts(v) for k, v in table}
                # Each row's entry by its place in the table (one past: missing, 0).
                place = {k: n for n, k in enumerate(entries)}
                at = np.fromiter(map(place.get, keys, repeat(len(place))), np.int64, self.n)
                self.fault(at == len(place), live, "E0704", node.span)
                looked = [*entries.values(), (0, 0)]
                data = _small(_objects([c for c, _ in looked]))[at]
                return Column("num", data, np.array([e for _, e in looked], dtype=np.int64)[at])
            case ir.NormalizedSum():
                return self.normalized_sum(node, live)
            case ir.Applicable(inputs=inputs, flags=flags):
                result = self.everyone.copy()
                for slot in inputs:
                    present = self.columns[slot].present
                    if present is not None:
                        result = result & present
                for flag in flags:
                    result = result & _bools(self.need(self.columns[flag], live, node.span).data)
                return Column("bool", result)
        raise Fallback(f"{type(node).__name__} ({_where(node.span)})")

    def compare(self, op: str, a: Column, b: Column) -> Array:
        if a.kind == "num":
            x, y, _ = _aligned(a, b)
            return _bools(_COMPARE[op](x, y))
        return _bools(_COMPARE[op](a.data, b.data))

    def call(self, node: ir.Call, live: Array) -> Column:
        span = node.span
        if node.fn == builtins.ROUND.name:
            places, mode = node.args[1], node.args[2]
            assert isinstance(places, ir.Const) and isinstance(mode, ir.Const)
            assert isinstance(places.value, Decimal) and isinstance(mode.value, str)
            value = self.need(self.expr(node.args[0], live), live, span)
            return self.rounded(value, int(places.value), mode.value, live, span)
        if node.fn == builtins.PRESENT.name:  # whether the value is there: reads no absent value
            found = self.expr(node.args[0], live).present
            return Column("bool", self.everyone.copy() if found is None else found.copy())
        if node.fn == builtins.FALLBACK.name:  # the first where it is there, else the second
            first, second = (self.expr(a, live) for a in node.args)
            there = self.everyone if first.present is None else first.present
            return self.select([(there, first), (~there, second)], _kind(node.type))
        args = [self.need(self.expr(a, live), live, span) for a in node.args]
        if node.fn == builtins.DAYS_BETWEEN.name:
            days = [
                (end - start).days for start, end in zip(args[0].data, args[1].data, strict=True)
            ]
            zeros = np.zeros(self.n, dtype=np.int64)
            return Column("num", np.array(days, dtype=np.int64), zeros)
        if node.fn in (builtins.MIN.name, builtins.MAX.name):
            best = args[0]
            for other in args[1:]:  # the first of equal values, as min() and max() keep
                better = self.compare("<" if node.fn == builtins.MIN.name else ">", other, best)
                best = self.pick(better, other, best)
            return best
        if node.fn == builtins.ABS.name:
            value = args[0]
            assert value.exp is not None
            c, e = to_precision(np.abs(value.data), value.exp)
            return Column("num", c, e)
        if node.fn == builtins.CLAMP.name:
            value, low, high = args
            self.fault(self.compare(">", low, high), live, "E0702", span)
            below = self.compare("<", value, low)
            above = self.compare(">", value, high)
            return self.pick(below, low, self.pick(above, high, value))
        if node.fn == builtins.SAFE_DIV.name:
            a, b, otherwise = args
            zero = _bools(b.data == 0)
            return self.pick(zero, otherwise, divide(a, b, zero, live))
        raise Fallback(f"{node.fn}() ({_where(span)})")

    def aggregate(self, node: ir.Aggregate, live: Array) -> Column:
        items = [self.expr(item, live) for item in node.items]
        present = [c.present if c.present is not None else self.everyone for c in items]
        # Which aggregate, by the helper the Python engine calls for it
        # (semantics.operations), so no name is spelled outside its table.
        helper, span = AGGREGATES[node.fn].helper, node.span
        if helper in (operations.agg_any, operations.agg_all):
            wanted = helper is operations.agg_any
            found = np.zeros(self.n, dtype=bool)
            for column, p in zip(items, present, strict=True):
                value = _bools(column.data)
                found = found | (p & (value if wanted else ~value))
            return Column("bool", found if wanted else ~found)
        counts = np.zeros(self.n, dtype=np.int64)
        for p in present:
            counts = counts + p
        count = Column("num", counts, np.zeros(self.n, dtype=np.int64))
        if helper is operations.agg_count:
            return count
        if helper in (operations.agg_sum, operations.agg_avg):
            total = self.zero()  # agg_sum: from 0, adding each present item
            for column, p in zip(items, present, strict=True):
                total = self.pick(p, add(total, column), total)
            if helper is operations.agg_sum:
                return total
            empty = counts == 0
            self.fault(empty, live, "E0702", span)
            return divide(total, count, empty, live)
        smallest = helper is operations.agg_min
        assert smallest or helper is operations.agg_max
        best = self.zero()
        seen = np.zeros(self.n, dtype=bool)
        for column, p in zip(items, present, strict=True):
            better = self.compare("<" if smallest else ">", column, best)
            best = self.pick(p & (~seen | better), column, best)
            seen = seen | p
        self.fault(~seen, live, "E0702", span)
        return best

    def normalized_sum(self, node: ir.NormalizedSum, live: Array) -> Column:
        """As ``compiler.codegen`` specialises ``operations.normalized_sum``:
        the plain sum from 0 where every score is there, else the present
        scores' sum times full marks over their points."""
        scores = [self.columns[s.slot] for s in node.scores]
        present = [c.present if c.present is not None else self.everyone for c in scores]
        zero = self.zero()
        plain = zero
        for column in scores:
            plain = add(plain, column)
        every = self.everyone
        for p in present:
            every = every & p
        if every.all():
            return plain
        rescale = live & ~every
        total = zero
        fixed = sum(
            (q for q, c in zip(node.points, scores, strict=True) if c.present is None), Decimal(0)
        )
        applicable = self.constant(fixed)
        for column, p, points in zip(scores, present, node.points, strict=True):
            total = add(total, self.pick(p, column, zero))
            if column.present is not None:
                applicable = add(applicable, self.pick(p, self.constant(points), zero))
        none = _bools(applicable.data == 0)
        self.fault(none, rescale, "E0702", node.span)
        rescaled = divide(multiply(total, self.constant(node.full)), applicable, none, rescale)
        return self.pick(every, plain, rescaled)


def _where(span: object) -> str:
    location = getattr(span, "location", None)
    return str(location()) if callable(location) else "?"


def _output(column: Column) -> list[object]:
    """A column as the Python engine's values: Decimals, bools, texts, None."""
    if column.kind == "num":
        assert column.exp is not None
        made = decimals(column.data, column.exp)
        if column.present is not None:
            made[~column.present] = None
        return list(made.tolist())
    values: list[object]
    if column.kind == "bool":
        values = [bool(v) for v in column.data.tolist()]
    else:
        values = list(column.data.tolist())
    if column.present is not None:
        values = [v if p else None for v, p in zip(values, column.present.tolist(), strict=True)]
    return values


class BatchEvaluator:
    """Stage 1 of a program for many subjects at once (or the reason it cannot)."""

    def __init__(self, program: ir.Program) -> None:
        self.program = program
        found = plan(program)
        self.plan: ColumnPlan | None = found if isinstance(found, ColumnPlan) else None
        self.reason: str | None = found if isinstance(found, str) else None

    def evaluate(self, rows: Sequence[Sequence[object]]) -> list[tuple[object, ...]]:
        """Every slot of every row (as ``CompiledEvaluator.evaluate_in_context``
        with ``full=True``), or ``Fallback`` with the reason."""
        if self.plan is None:
            raise Fallback(self.reason or "")
        if not rows:
            return []
        run = _Run(self.plan, rows)
        for definition in self.plan.definitions:
            run.columns[definition.slot] = run.definition(definition)
        inputs = {f.slot: position for position, f in enumerate(self.program.inputs)}
        columns: list[Sequence[object]] = []
        for slot in self.program.slots:
            if slot.index in inputs:
                columns.append(run.by_input[inputs[slot.index]])
            elif slot.index in run.columns:
                columns.append(_output(run.columns[slot.index]))
            else:
                raise Fallback(f"slot {slot.name} is neither read nor defined")
        return list(zip(*columns, strict=True))
