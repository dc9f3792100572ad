"""The columnar (batch) backend's compilation: which IR it can run, and how.

The batch engine (``runtime.engine.batch``) evaluates one definition at a
time over every subject of a period, as columns of exact scaled integers
(``docs/backends.md``).  It reads the same IR as the Python code generator;
this module decides, before any data is read, whether a program is within
what the columns compute digit for digit like ``semantics.operations``, and
says why not otherwise, so the runtime runs the Python engine instead of
giving a different number.

What is covered: numbers, truth values, texts, levels and dates as values;
``+ - * /``, comparisons, ``in``, ``and/or/not``, ``if``/``case``, level
tables, normalized sums with exempt scores, applicability, ``min max clamp
abs round safe_div present fallback days_between`` and the aggregates
``sum count avg min max any all`` over listed items (no condition, no list
value).  Everything else (the other date functions, which read the official
calendar, ``median``, ``power``, lists, conditional aggregates) is named by
``unsupported``.
"""

from __future__ import annotations

from dataclasses import dataclass

from compiler import ir
from semantics import builtins
from semantics.types import BOOL, DATE, NUMBER, TEXT

BATCH_FUNCTIONS = frozenset(
    f.name
    for f in (
        builtins.MIN, builtins.MAX, builtins.CLAMP, builtins.ABS, builtins.ROUND,
        builtins.SAFE_DIV, builtins.PRESENT, builtins.FALLBACK, builtins.DAYS_BETWEEN,
    )
)  # fmt: skip
BATCH_AGGREGATES = frozenset(builtins.AGGREGATES) - {builtins.MEDIAN.name}
BATCH_VALUE_KINDS = frozenset({NUMBER.kind, BOOL.kind, TEXT.kind, DATE.kind, "level"})


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """A program the batch engine runs: its definitions in evaluation order,
    each to be computed as one column over the period's subjects."""

    program: ir.Program
    definitions: tuple[ir.Definition, ...]


def _node_problem(node: ir.Expr) -> str | None:
    """Why the batch engine cannot compute ``node`` itself (its children aside)."""
    if node.type.kind not in BATCH_VALUE_KINDS:
        return f"a {node.type.kind} value"
    match node:
        case ir.Call(fn=fn) if fn not in BATCH_FUNCTIONS:
            return f"{fn}()"
        case ir.Aggregate(fn=fn, spread=spread, where=where):
            if fn not in BATCH_AGGREGATES:
                return f"{fn}() over items"
            if spread:
                return f"{fn}() over a list"
            if where is not None:
                return f"{fn}() with a condition"
        case ir.Element():
            return "an aggregate's item"
    return None


def unsupported(program: ir.Program) -> str | None:
    """The first construct of ``program`` the batch engine does not compute,
    with its rule position (None: it computes every definition)."""
    for field in program.inputs:
        if field.type.kind not in BATCH_VALUE_KINDS:
            return f"input {field.name} of type {field.type.kind} ({field.span.location()})"
    for definition in program.definitions:
        for node in ir.walk(definition.expr):
            problem = _node_problem(node)
            if problem is not None:
                return f"{problem} ({node.span.location()})"
    return None


def plan(program: ir.Program) -> ColumnPlan | str:
    """The column plan of ``program``, or why it cannot have one."""
    problem = unsupported(program)
    if problem is not None:
        return problem
    return ColumnPlan(program, program.definitions)
