"""The lowering pass: every pending definition becomes typed IR.

Definitions are lowered each after the definitions it reads, so the types of
lets and values are known where they are used.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from compiler import ir
from compiler.lower import CollectionBinding, Lowerer, SlotBinding
from compiler.passes.state import Pending, State
from dsl import ast
from dsl.spans import Span
from semantics.types import BOOL, ERROR, NUMBER


def lower_definitions(state: State) -> None:
    """Reads ``state.pending``; sets ``state.definitions`` (in declaration
    order) and ``state.reads`` (the slots each definition reads, with the span
    of each reference), and records the types of lets and values."""
    state.definitions, state.reads = _lower_all(state)


def _lower_all(state: State) -> tuple[list[ir.Definition], dict[int, list[tuple[int, Span]]]]:
    """Lower pending definitions, each after the definitions it reads, so the
    types of lets and values are known where they are used.  Iterative (a
    chain of thousands of values must not hit the recursion limit); a cycle
    stops the descent here and is reported by the ordering pass."""
    lowerer = Lowerer(
        state.diagnostics,
        lambda slot: state.slots[slot].type,
        state.rounding,
        _section_names(state) if state.kind == "person" else None,
    )
    lowerer.group_slot = lambda fn, of, span: _group_slot(state, fn, of, span)
    by_slot = {p.slot: p for p in state.pending}
    done: dict[int, ir.Definition] = {}
    reads: dict[int, list[tuple[int, Span]]] = {}

    def dependencies(pending: Pending) -> list[Pending]:
        slots: list[int] = []
        if isinstance(pending.expr, ast.Expr):
            assert pending.scope is not None
            for name in _names_in(pending.expr):
                binding = pending.scope.lookup(name)
                if isinstance(binding, SlotBinding):
                    slots.append(binding.slot)
                elif isinstance(binding, CollectionBinding):
                    slots.extend(item.slot for item in binding.items)
        elif pending.expr is not None:
            slots.extend(ref.slot for ref in _refs_in(pending.expr))
        return [by_slot[slot] for slot in slots if slot in by_slot]

    marks: dict[int, int] = {}  # 1: on the path, 2: lowered
    for root in state.pending:
        if root.slot in marks:
            continue
        marks[root.slot] = 1
        path = [(root, iter(dependencies(root)))]
        while path:
            current, remaining = path[-1]
            following = next(remaining, None)
            if following is None:
                path.pop()
                marks[current.slot] = 2
                done[current.slot], reads[current.slot] = _lower_one(state, lowerer, current)
            elif following.slot not in marks:
                marks[following.slot] = 1
                path.append((following, iter(dependencies(following))))
    return [done[p.slot] for p in state.pending], reads


def _group_slot(state: State, fn: str, of: int | None, span: Span) -> int:
    """The slot of ``fn`` over the value in slot ``of`` (one per pair), named
    as written: ``rank_in_group(完成率)``."""
    key = (fn, of)
    if key not in state.groups:
        shown = "" if of is None else state.slots[of].name
        state.groups[key] = state.slot(f"{fn}({shown})", "group", NUMBER, span)
    return state.groups[key]


def _section_names(state: State) -> dict[str, str]:
    """What the sections declare and person formulas cannot see: name -> kind."""
    source = state.source
    names: dict[str, str] = {}
    for decl in source.inputs:
        names[decl.name.name] = "input"
    for value in source.values:
        names[value.name.name] = "value"
    for collection in source.collections:
        names[collection.name.name] = "collection"
    for indicator in source.indicators:
        if indicator.subjects != "person":
            names[indicator.id.name] = "indicator"
            for decl in indicator.inputs:
                names.setdefault(decl.name.name, "input")
    return names


def _lower_one(
    state: State, lowerer: Lowerer, pending: Pending
) -> tuple[ir.Definition, list[tuple[int, Span]]]:
    """One definition as typed IR, with the slots it reads; its type recorded."""
    if isinstance(pending.expr, ast.Expr):
        assert pending.scope is not None
        expr, refs = lowerer.lower_formula(pending.expr, pending.scope)
    elif pending.expr is None:
        expr, refs = ir.Const(Decimal(0), ERROR, state.slots[pending.slot].span), []
    else:
        expr = pending.expr
        refs = [(r.slot, r.span) for r in _refs_in(expr)]
    slot = state.slots[pending.slot]
    if slot.kind == "condition" and expr.type not in (BOOL, ERROR):
        state.error(
            "E0504",
            {
                "what": ("what.condition", {}),
                "expected": BOOL.describe(),
                "found": expr.type.describe(),
            },
            expr.span,
        )
    if slot.kind in ("score", "total") and expr.type not in (NUMBER, ERROR):
        what: tuple[str, dict[str, object]] = (
            ("what.score", {}) if slot.kind == "score" else ("what.total", {})
        )
        state.error(
            "E0504",
            {"what": what, "expected": NUMBER.describe(), "found": expr.type.describe()},
            expr.span,
        )
    if slot.kind in ("let", "value"):
        state.slots[pending.slot] = dataclasses.replace(slot, type=expr.type)
    definition = ir.Definition(pending.slot, expr, pending.places, pending.mode, pending.guard)
    return definition, refs


def _names_in(expr: ast.Expr) -> list[str]:
    found: list[str] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            found.append(node.name)
        stack.extend(ast.children(node))
    return found


def _refs_in(expr: ir.Expr) -> list[ir.Ref]:
    found: list[ir.Ref] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Ref):
            found.append(node)
        stack.extend(ir.children(node))
    return found
