"""The items pass: bonus, deduction and veto items and their sums."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from compiler import ir
from compiler.lower import Scope, SlotBinding
from compiler.passes.state import Pending, State
from dsl import ast
from dsl.diagnostics import Label
from semantics.builtins import MIN, SUM
from semantics.types import BOOL, DATE, NUMBER


def declare_items(state: State) -> None:
    """Reads the items, the caps and ``state.scope``; adds ``state.items`` (an
    occurrence count input per item, its points and ``when`` gate as pending
    definitions) and ``state.adjustments``: the slots of the capped bonus and
    deduction sums and of one flag per kind of veto."""
    state.items, state.adjustments = _declare_items(state, state.ruleset, state.scope)


def _declare_items(
    state: State, ruleset: ast.RuleSet, scope: Scope
) -> tuple[list[ir.Item], dict[str, int]]:
    """Bonus, deduction and veto items: a count per item (from event tables),
    the item's points (``per`` each, at most ``cap``, only when ``when`` holds),
    the capped bonus and deduction sums, and one flag per kind of veto."""
    items: list[ir.Item] = []
    seen: dict[str, ast.Ident] = {}
    by_kind: dict[str, list[int]] = {"bonus": [], "deduction": []}
    vetoes: dict[str, list[tuple[int, ir.Ref | None]]] = {}  # kind -> (count, gate)
    zero = Decimal(0)
    for decl in ruleset.items:
        ident = decl.id.name
        if ident in seen:
            state.error(
                "E0206",
                {"kind": ("kind.item", {}), "name": ident},
                decl.id.span,
                labels=(Label(seen[ident].span, "E0206.first"),),
            )
            continue
        seen[ident] = decl.id
        from_data = decl.points == "from_data"
        if from_data and (decl.kind == "veto" or decl.per is not None):
            state.error("E0471", {"id": ident}, decl.id.span, help=("E0471.help", {}))
        elif decl.kind == "veto":
            outcome = decl.grade or decl.at_most or decl.scoring  # a sanction's outcome
            if (decl.veto is None and not outcome) or decl.per is not None or decl.cap is not None:
                # A data-raised or lasting veto without an outcome: name the sanctions' keys.
                hint: tuple[str, dict[str, object]] | None = (
                    ("E0417.sanction", {}) if sanctioned(decl) and not outcome else None
                )
                state.error("E0417", {"id": ident}, decl.id.span, help=hint)
        elif (decl.per is None and not from_data) or decl.veto is not None:
            state.error("E0416", {"id": ident}, decl.id.span)
        start, end = decl.effective_from, decl.effective_until
        if start is not None and end is not None and start.value > end.value:
            state.error("E0415", {"start": start.value, "end": end.value}, start.span.to(end.span))
        count = state.slot(f"{ident}.count", "input", NUMBER, decl.id.span, owner=ident)
        source = decl.source.name if decl.source is not None else None
        if decl.source is not None and (decl.kind == "veto" or state.kind != "section"):
            state.error("E0466", {"id": ident, "source": decl.source.name}, decl.source.span)
            source = None
        field = ir.InputField(
            count, f"{ident}.count", "events", NUMBER, zero, None, "default", zero, decl.id.span
        )
        state.contexts.append(dataclasses.replace(field, source=source))
        points_slot = None
        span = decl.span
        count_ref = ir.Ref(count, NUMBER, decl.id.span)
        raised = None
        if decl.kind == "veto" and sanctioned(decl):
            raised = _raised(state, decl, scope, count)
            if decl.veto is not None:
                vetoes.setdefault(decl.veto, []).append((raised, None))
        elif decl.kind == "veto":
            if decl.veto is not None:
                vetoes.setdefault(decl.veto, []).append((count, _gate(state, decl, scope)))
        elif decl.per is not None or from_data:
            # From data, the events' points are summed into the count input.
            points: ir.Expr = (
                count_ref
                if decl.per is None
                else ir.Arith(
                    "*", count_ref, ir.Const(decl.per.value, NUMBER, decl.per.span), NUMBER, span
                )
            )
            if decl.cap is not None:
                cap = ir.Const(decl.cap.value, NUMBER, decl.cap.span)
                points = ir.Call(MIN.name, (points, cap), NUMBER, span)
            points_slot = state.slot(ident, "item", NUMBER, decl.id.span, owner=ident)
            gate_ref = _gate(state, decl, scope)
            if gate_ref is not None:
                points = ir.Cond(((gate_ref, points),), ir.Const(zero, NUMBER, span), NUMBER, span)
            state.pending.append(Pending(points_slot, points, None))
            by_kind[decl.kind].append(points_slot)
        items.append(
            ir.Item(
                id=ident,
                name=decl.name,
                kind=decl.kind,  # type: ignore[arg-type]  # checked by the schema
                per=decl.per.value if decl.per else Decimal(1) if from_data else None,
                cap=decl.cap.value if decl.cap else None,
                veto=decl.veto,  # type: ignore[arg-type]
                count=count,
                points=points_slot,
                effective_from=start.value if start else None,
                effective_until=end.value if end else None,
                span=span,
                from_data=from_data,
                raised=raised,
            )
        )
    result: dict[str, int] = {}
    caps = {"bonus": ruleset.bonus_cap, "deduction": ruleset.deduction_cap}
    for kind, slots in by_kind.items():
        if not slots:
            continue
        # Located at the cap that bounds the sum, else at the first item summed.
        cap_decl = caps[kind]
        span = cap_decl.span if cap_decl is not None else state.slots[slots[0]].span
        summed: ir.Expr = ir.Aggregate(
            SUM.name, tuple(ir.Ref(s, NUMBER, span) for s in slots), False, NUMBER, span
        )
        if cap_decl is not None:
            summed = ir.Call(
                MIN.name, (summed, ir.Const(cap_decl.value, NUMBER, cap_decl.span)), NUMBER, span
            )
        slot = state.slot(kind, "adjust", NUMBER, span)
        state.pending.append(Pending(slot, summed, None))
        result[kind] = slot
    for kind, counts in vetoes.items():
        span = state.slots[counts[0][0]].span  # the first item that can veto

        flag: ir.Expr = ir.Const(False, BOOL, span)
        for count, gate_ref in counts:
            test: ir.Expr = ir.Cmp(
                ">", ir.Ref(count, NUMBER, span), ir.Const(zero, NUMBER, span), BOOL, span
            )
            if state.slots[count].type == BOOL:  # an item's own raised flag (``_raised``)
                test = ir.Ref(count, BOOL, span)
            if gate_ref is not None:  # an occurrence, and the item's `when` holds
                test = ir.Logic("and", test, gate_ref, BOOL, span)
            flag = test if isinstance(flag, ir.Const) else ir.Logic("or", flag, test, BOOL, span)
        slot = state.slot(f"veto.{kind}", "veto", BOOL, span)
        state.pending.append(Pending(slot, flag, None))
        result[f"veto:{kind}"] = slot
    return items, result


def _gate(state: State, decl: ast.ItemDecl, scope: Scope) -> ir.Ref | None:
    """The item's ``when`` as its own definition, typed and ordered like every
    other formula (it may read base and values): it gates a veto as it gates
    points.  None when the item has no ``when``."""
    if decl.when is None:
        return None
    ident = decl.id.name
    gate = state.slot(f"{ident}.when", "condition", BOOL, decl.id.span, owner=ident)
    state.pending.append(Pending(gate, decl.when, scope))
    return ir.Ref(gate, BOOL, decl.when.span)


def sanctioned(decl: ast.ItemDecl) -> bool:
    """Whether a veto item has its own raised flag: it is raised by data
    (``raised_by``) or has a sanction outcome (``runtime.engine.sanctions``)."""
    return any(
        v is not None
        for v in (decl.raised_by, decl.grade, decl.at_most, decl.scoring, decl.lasts_years,
                  decl.lasts_until, decl.lasts_column, decl.lasts_unit)
    )  # fmt: skip


def _raised(state: State, decl: ast.ItemDecl, scope: Scope, count: int) -> int:
    """The item's raised flag: an occurrence in the events or its ``raised_by``
    formula (a checked condition over the subject's data, ordered like every
    other formula), and its ``when`` gate."""
    ident, span = decl.id.name, decl.id.span
    zero = Decimal(0)
    test: ir.Expr = ir.Cmp(
        ">", ir.Ref(count, NUMBER, span), ir.Const(zero, NUMBER, span), BOOL, span
    )
    if decl.raised_by is not None:
        by = state.slot(f"{ident}.raised_by", "condition", BOOL, decl.raised_by.span, owner=ident)
        state.pending.append(Pending(by, decl.raised_by, scope))
        by_ref: ir.Expr = ir.Ref(by, BOOL, decl.raised_by.span)
        # Events out of force are not counted (runtime.inputs.events); the
        # formula counts only while the item is in force on the period's last day.
        end = scope.lookup("period_end") if decl.effective_from or decl.effective_until else None
        if isinstance(end, SlotBinding):
            for bound, op in ((decl.effective_from, ">="), (decl.effective_until, "<=")):
                if bound is not None:
                    day = ir.Const(bound.value, DATE, bound.span)
                    held = ir.Cmp(op, ir.Ref(end.slot, DATE, bound.span), day, BOOL, bound.span)  # type: ignore[arg-type]
                    by_ref = ir.Logic("and", by_ref, held, BOOL, span)
        test = ir.Logic("or", test, by_ref, BOOL, span)
    gate_ref = _gate(state, decl, scope)
    if gate_ref is not None:
        test = ir.Logic("and", test, gate_ref, BOOL, span)
    raised = state.slot(f"{ident}.raised", "veto", BOOL, span, owner=ident)
    state.pending.append(Pending(raised, test, None))
    return raised
