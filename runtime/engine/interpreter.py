"""The reference interpreter: evaluates IR directly, with the same helpers.

Slow and obviously right.  It exists so the compiled evaluator has something
to be checked against: the property tests run both on generated programs and
inputs and require the same values and the same faults.
"""

from __future__ import annotations

import decimal
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from compiler import ir
from runtime.engine.groups import alone
from semantics import operations as helpers
from semantics.builtins import AGGREGATES, FUNCTIONS
from semantics.operations import Fault

_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}
_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class Interpreter:
    """Evaluates a program for one subject: input values in, slot values out."""

    def __init__(self, program: ir.Program) -> None:
        self.program = program

    def evaluate(self, inputs: Sequence[object]) -> list[object]:
        """Every stage of one subject; with group functions, the subject alone
        is its group (``runtime.engine.groups.alone``)."""
        values = self.first_stage(inputs)
        if self.program.stages == 1:
            return list(values)
        return list(alone(self.program, self.later_stage, values))

    def first_stage(self, inputs: Sequence[object]) -> tuple[object, ...]:
        """Stage 1 of one subject, every slot (later stages' slots None)."""
        values: list[object] = [None] * len(self.program.slots)
        for field, value in zip(self.program.inputs, inputs, strict=True):
            values[field.slot] = value
        return tuple(self._run(values, 1))

    def later_stage(
        self, stage: int, values: Sequence[object], groups: tuple[object, ...]
    ) -> tuple[object, ...]:
        """Stage ``stage`` of one subject, given its values so far and the
        stage's group values (in ``program.groups``' order)."""
        current = list(values)
        here = [g for g in self.program.groups if g.stage == stage]
        for group, value in zip(here, groups, strict=True):
            current[group.slot] = value
        return tuple(self._run(current, stage))

    def _run(self, values: list[object], stage: int) -> list[object]:
        with decimal.localcontext(helpers.CONTEXT):
            for definition in self.program.definitions:
                if definition.stage != stage:
                    continue
                if definition.guard is not None and not values[definition.guard]:
                    values[definition.slot] = None
                    continue
                try:
                    result = eval_expr(definition.expr, values)
                    if definition.places is not None:
                        assert isinstance(result, Decimal)
                        result = helpers.round_to(result, definition.places, definition.mode)
                except decimal.DecimalException as error:
                    raise Fault(
                        "E0703", self.program.slots[definition.slot].span, type(error).__name__
                    ) from None
                except KeyError as error:
                    raise Fault(
                        "E0704", self.program.slots[definition.slot].span, str(error.args[0])
                    ) from None
                values[definition.slot] = result
        return values


def eval_expr(expr: ir.Expr, values: Sequence[object], items: tuple[object, ...] = ()) -> Any:
    """The value of ``expr`` given every slot's value (evaluated left to right);
    ``items`` are the items the enclosing aggregates' conditions are asked of."""
    match expr:
        case ir.Const(value=value):
            return value
        case ir.Ref(slot=slot):
            return values[slot]
        case ir.Neg(operand=operand):
            return -eval_expr(operand, values, items)
        case ir.Not(operand=operand):
            return not eval_expr(operand, values, items)
        case ir.Arith(op="/", left=left, right=right, span=span):
            dividend = eval_expr(left, values, items)
            return helpers.div(dividend, eval_expr(right, values, items), span)
        case ir.Arith(op=op, left=left, right=right):
            return _ARITH[op](eval_expr(left, values, items), eval_expr(right, values, items))
        case ir.Logic(op="and", left=left, right=right):
            return eval_expr(left, values, items) and eval_expr(right, values, items)
        case ir.Logic(left=left, right=right):
            return eval_expr(left, values, items) or eval_expr(right, values, items)
        case ir.Cmp(op=op, left=left, right=right):
            return _CMP[op](eval_expr(left, values, items), eval_expr(right, values, items))
        case ir.Member(item=item, options=options, negated=negated):
            found = eval_expr(item, values, items)
            listed = [eval_expr(option, values, items) for option in options]
            return (found not in listed) if negated else (found in listed)
        case ir.Cond(branches=branches, otherwise=otherwise):
            for condition, arm in branches:
                if eval_expr(condition, values, items):
                    return eval_expr(arm, values, items)
            return eval_expr(otherwise, values, items)
        case ir.Call():
            return _call(expr, values, items)
        case ir.Aggregate(fn=fn, items=members, spread=spread, span=span, where=where):
            evaluated = [eval_expr(member, values, items) for member in members]
            collection = evaluated[0] if spread else evaluated
            aggregate = AGGREGATES[fn]
            if where is not None:
                present = [member for member in collection if member is not None]
                tests = [eval_expr(where, values, (*items, member)) for member in present]
                if aggregate.condition == "test":
                    collection = tests
                else:
                    collection = [m for m, keep in zip(present, tests, strict=True) if keep]
            if aggregate.site:
                return aggregate.helper(collection, span)
            return aggregate.helper(collection)
        case ir.Lookup(key=key, table=table):
            return helpers.lookup(eval_expr(key, values, items), dict(table))
        case ir.NormalizedSum(scores=scores, points=points, full=full, span=span):
            return helpers.normalized_sum(
                tuple(eval_expr(s, values, items) for s in scores), points, full, span
            )
        case ir.Applicable(inputs=inputs, flags=flags):
            return all(values[slot] is not None for slot in inputs) and all(
                values[flag] for flag in flags
            )
        case ir.Element(depth=depth):
            return items[depth]
        case ir.Group(slot=slot):
            return values[slot]  # filled between stages (runtime.engine.groups)
    raise AssertionError(f"unknown IR node {expr!r}")


def _call(expr: ir.Call, values: Sequence[object], items: tuple[object, ...]) -> Any:
    """A built-in function: its helper from ``semantics.builtins``, with the site if it takes one."""
    function = FUNCTIONS[expr.fn]
    assert function.helper is not None, f"{expr.fn} is evaluated when compiling"
    args = [eval_expr(arg, values, items) for arg in expr.args]
    if function.site:
        return function.helper(*args, expr.span)
    return function.helper(*args)
