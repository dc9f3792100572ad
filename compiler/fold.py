"""Simplification of the IR before code generation: work done once, not per subject.

``fold_program`` returns an ordinary ``ir.Program`` that computes exactly
what the input program computes, for every input (the same values, the same
text of every Decimal, the same faults), with:

* constant sub-expressions folded: ``points * 80%`` becomes ``4.0``, computed
  once here under ``semantics.operations.CONTEXT``, exactly as the generated
  code would compute it for every subject (an operation that would fault is
  left to run time, where its fault is reported);
* level tables pre-multiplied by a constant factor: ``10 * 表[评价]`` becomes a
  lookup in a table of ``10 * share`` (Decimal multiplication is commutative,
  exactly, so ``表[评价] * 10`` folds too);
* ``max(0, e)`` and ``min(c, e)`` left out where ``e`` is proven beyond
  the constant whatever the inputs (``5 - min(0.5 * x, 3)`` is never below 2);
* tests that cannot fail left out: in ``case when x >= 95% then … when 85% <=
  x < 95% then …``, the second arm is reached only when ``x >= 95%`` was
  false, so ``x < 95%`` holds there and is not asked again.

What is folded is written once here and shared: the Python code generator
reads the folded program (``compiler.codegen.generate``); the reference
interpreter reads the program as lowered, so the property tests comparing the
two backends check this pass as well.  Rounding of constant branches and
inlined ``min``/``max``/``clamp`` are the code generator's (they need local
names, which the IR does not have).
"""

from __future__ import annotations

import dataclasses
import decimal
import operator
from collections.abc import Callable
from decimal import Decimal

from compiler import intervals, ir
from semantics.builtins import MAX, MIN
from semantics.operations import CONTEXT

# Comparison of a slot with a constant: the operator that holds when ``op`` fails.
_COMPLEMENT = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
# ``c op x`` written the other way round: ``x flipped c``.
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def fold_program(program: ir.Program) -> ir.Program:
    """``program`` with every definition's expression folded."""
    definitions = tuple(dataclasses.replace(d, expr=fold(d.expr)) for d in program.definitions)
    return dataclasses.replace(program, definitions=definitions)


def fold(node: ir.Expr) -> ir.Expr:
    """``node`` simplified bottom-up (a node nothing simplifies is returned as is)."""
    match node:
        case ir.Arith(op=op, left=left, right=right):
            a, b = fold(left), fold(right)
            constant = _arith(op, a, b)
            if constant is not None:
                return ir.Const(constant, node.type, node.span)
            if op == "*":
                table = _scaled_table(a, b) or _scaled_table(b, a)
                if table is not None:
                    return table
            if a is left and b is right:
                return node
            return dataclasses.replace(node, left=a, right=b)
        case ir.Neg(operand=operand):
            inner = fold(operand)
            if isinstance(inner, ir.Const) and isinstance(inner.value, Decimal):
                value = exactly(operator.neg, inner.value)
                if value is not None:
                    return ir.Const(value, node.type, node.span)
            return node if inner is operand else dataclasses.replace(node, operand=inner)
        case ir.Cond():
            return _cond(node)
        case ir.Logic():
            return _logic(node, ())
        case _:
            return _children_folded(node)


def _children_folded(node: ir.Expr) -> ir.Expr:
    """``node`` with its sub-expressions folded, for nodes folded no further."""
    match node:
        case ir.Not(operand=operand):
            inner = fold(operand)
            return node if inner is operand else dataclasses.replace(node, operand=inner)
        case ir.Cmp(left=left, right=right):
            a, b = fold(left), fold(right)
            if a is left and b is right:
                return node
            return dataclasses.replace(node, left=a, right=b)
        case ir.Member(item=item, options=options):
            folded = tuple(fold(o) for o in options)
            key = fold(item)
            if key is item and _same(folded, options):
                return node
            return dataclasses.replace(node, item=key, options=folded)
        case ir.Call(args=args):
            folded = tuple(fold(a) for a in args)
            call = node if _same(folded, args) else dataclasses.replace(node, args=folded)
            return _decided(call) or call
        case ir.Aggregate(items=items, where=where):
            folded = tuple(fold(i) for i in items)
            test = fold(where) if where is not None else None
            if _same(folded, items) and test is where:
                return node
            return dataclasses.replace(node, items=folded, where=test)
        case ir.Lookup(key=key):
            inner = fold(key)
            return node if inner is key else dataclasses.replace(node, key=inner)
    return node


def _same(a: tuple[ir.Expr, ...], b: tuple[ir.Expr, ...]) -> bool:
    """The very same nodes (compared by identity: folding builds new nodes only
    where something changed, and deep equality would walk whole trees)."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def exactly(operation: Callable[..., object], *operands: object) -> Decimal | None:
    """``operation(*operands)`` under the evaluation context, as generated code
    computes it for every subject, or None when it faults (the operation is
    then left to run time, where its fault is reported)."""
    try:
        with decimal.localcontext(CONTEXT):
            value = operation(*operands)
    except (decimal.DecimalException, ArithmeticError):
        return None
    assert isinstance(value, Decimal)
    return value


def _arith(op: str, left: ir.Expr, right: ir.Expr) -> Decimal | None:
    """The value of ``left op right`` when both are Decimal constants.

    A division is folded only when the divisor is not zero (a zero divisor
    is a fault with its own message, raised at run time as before)."""
    if not (isinstance(left, ir.Const) and isinstance(right, ir.Const)):
        return None
    a, b = left.value, right.value
    if not (isinstance(a, Decimal) and isinstance(b, Decimal)):
        return None
    if op == "/" and not b:
        return None
    operations = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
    return exactly(operations[op], a, b)


def _scaled_table(lookup: ir.Expr, factor: ir.Expr) -> ir.Lookup | None:
    """``factor * 表[key]`` as one lookup in the table of ``factor * share``."""
    if not (isinstance(lookup, ir.Lookup) and isinstance(factor, ir.Const)):
        return None
    k = factor.value
    if not isinstance(k, Decimal):
        return None
    scaled = []
    for level, share in lookup.table:
        # ``k * share`` as the generated code would compute ``k * 表[key]``:
        # multiplication is commutative, value and exponent alike.
        value = exactly(operator.mul, k, share)
        if value is None:
            return None
        scaled.append((level, value))
    return dataclasses.replace(lookup, table=tuple(scaled))


def _decided(call: ir.Call) -> ir.Expr | None:
    """``max(c, e)``/``min(c, e)`` (either order) with a constant ``c`` that
    ``e`` always exceeds (or never reaches), whatever the inputs: ``e`` itself.

    ``e``'s bounds are proven without the inputs' declared ranges (every slot
    unbounded: the evaluator may be handed any value), as in ``5 - min(0.5 *
    x, 3)``, never below 2.  Ties keep the first operand, as ``max`` does: a
    bound equal to ``c`` decides only when ``e`` comes first."""
    if call.fn not in (MAX.name, MIN.name) or len(call.args) != 2:
        return None
    first, second = call.args
    if isinstance(first, ir.Const) and not isinstance(second, ir.Const):
        constant, other, tie = first.value, second, False
    elif isinstance(second, ir.Const) and not isinstance(first, ir.Const):
        constant, other, tie = second.value, first, True
    else:
        return None
    if not isinstance(constant, Decimal):
        return None
    with decimal.localcontext(CONTEXT):
        bounds = intervals.evaluate(other, {})
    if bounds is None:
        return None
    if call.fn == MAX.name and bounds.low is not None:
        decided = bounds.low > constant or (tie and bounds.low == constant)
    elif call.fn == MIN.name and bounds.high is not None:
        decided = bounds.high < constant or (tie and bounds.high == constant)
    else:
        return None
    return other if decided else None


Fact = tuple[int, str, Decimal]  # slot, operator, constant: ``v<slot> op constant`` holds


def _fact(condition: ir.Expr) -> Fact | None:
    """A comparison of a number slot with a Decimal constant, as (slot, op, constant)."""
    if not isinstance(condition, ir.Cmp) or condition.left.type.kind != "number":
        return None
    match condition:
        case ir.Cmp(op=op, left=ir.Ref(slot=slot), right=ir.Const(value=Decimal() as c)):
            return (slot, op, c)
        case ir.Cmp(op=op, left=ir.Const(value=Decimal() as c), right=ir.Ref(slot=slot)):
            return (slot, _FLIPPED[op], c)
    return None


def _implied(fact: Fact, known: tuple[Fact, ...]) -> bool:
    """Whether ``fact`` follows from the ``known`` facts (numbers are ordered:
    a slot's value is a finite Decimal, never NaN; the IR's types say so and
    a NaN comparison would have faulted before)."""
    slot, op, c = fact
    for k_slot, k_op, k in known:
        if k_slot != slot:
            continue
        if k_op == op and k == c:
            return True
        # x < k (or x <= k) implies x < c and x <= c for a larger c; the same
        # for x > k and smaller c.
        if k_op in ("<", "<=") and op in ("<", "<="):
            if k < c or (k == c and (op == "<=" or k_op == "<")):
                return True
        if k_op in (">", ">=") and op in (">", ">="):
            if k > c or (k == c and (op == ">=" or k_op == ">")):
                return True
    return False


def _cond(node: ir.Cond) -> ir.Expr:
    """A ``case``/``if`` with its parts folded, each branch's condition without
    the comparisons that the failed conditions before it make true."""
    known: tuple[Fact, ...] = ()  # what holds once the branches so far have failed
    branches: list[tuple[ir.Expr, ir.Expr]] = []
    for condition, arm in node.branches:
        test = fold(condition)
        if isinstance(test, ir.Logic | ir.Cmp):
            test = _logic(test, known) if isinstance(test, ir.Logic) else test
            fact = _fact(test)
            if fact is not None and _implied(fact, known):
                # Holds whenever this branch is reached: it is the answer.
                return _rebuilt(node, branches, fold(arm))
        branches.append((test, fold(arm)))
        fact = _fact(test)
        if fact is not None:
            slot, op, c = fact
            known = (*known, (slot, _COMPLEMENT[op], c))
    otherwise = fold(node.otherwise)
    return _rebuilt(node, branches, otherwise)


def _rebuilt(node: ir.Cond, branches: list[tuple[ir.Expr, ir.Expr]], otherwise: ir.Expr) -> ir.Expr:
    if not branches:
        return otherwise
    unchanged = len(branches) == len(node.branches) and all(
        c is c0 and a is a0 for (c, a), (c0, a0) in zip(branches, node.branches, strict=True)
    )
    if unchanged and otherwise is node.otherwise:
        return node
    return dataclasses.replace(node, branches=tuple(branches), otherwise=otherwise)


def _logic(node: ir.Logic, known: tuple[Fact, ...]) -> ir.Expr:
    """An ``and``/``or`` chain folded operand by operand (iteratively: chains of
    thousands of comparisons are fine); in an ``and`` chain, an operand that
    ``known`` makes true is left out (``true and x`` is ``x``)."""
    operands: list[ir.Expr] = []
    pending: list[ir.Expr] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ir.Logic) and current.op == node.op:
            pending.extend((current.right, current.left))
        else:
            operands.append(fold(current))
    if node.op == "and" and known:
        kept = [o for o in operands if not ((f := _fact(o)) is not None and _implied(f, known))]
        if kept:
            operands = kept
        else:
            operands = operands[-1:]  # every operand holds: keep one (a true bool)
    result = operands[0]
    for operand in operands[1:]:
        result = ir.Logic(node.op, result, operand, node.type, node.span)
    return result
