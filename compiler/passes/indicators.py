"""The indicators pass: a score slot per indicator, its lets, its scoring rule.

Scoring shorthands (level tables, per-occurrence deductions, machine values)
become IR directly here, since their parts are names, not formulas.
"""

from __future__ import annotations

from decimal import Decimal

from compiler import ir
from compiler.lower import Binding, ConstBinding, Scope, SlotBinding
from compiler.organization import check_applies_to
from compiler.passes.state import RESERVED, Pending, State, bind_global
from dsl import ast
from dsl.diagnostics import suggest
from semantics.builtins import MAX, MIN
from semantics.types import BOOL, ERROR, NUMBER


def declare_indicators(state: State) -> None:
    """Reads the indicators, ``state.inputs`` and ``state.organization``; adds
    ``state.indicators``, a score slot (a global name) per indicator, its lets
    (local names), its context flag when it may not be in force or apply, and
    pending definitions for the lets and the score."""
    state.indicators = _declare_indicators(state, state.ruleset)


def _declare_indicators(state: State, ruleset: ast.RuleSet) -> list[ir.Indicator]:
    indicators: list[ir.Indicator] = []
    for decl in ruleset.indicators:
        ident = decl.id.name
        score = state.slot(ident, "score", NUMBER, decl.id.span, owner=ident)
        bind_global(state, ident, SlotBinding(score, NUMBER), decl.id.span, "indicator")
        local: dict[str, Binding] = {"points": ConstBinding(decl.points.value)}
        lets: list[int] = []
        scope = Scope(local)
        for let in decl.lets:
            name = let.name.name
            if name in local or name in RESERVED:
                state.error("E0410", {"name": name}, let.name.span)
                continue
            slot = state.slot(f"{ident}.{name}", "let", ERROR, let.name.span, owner=ident)
            local[name] = SlotBinding(slot, ERROR)
            # Every formula may read it as ``id.name`` (ordered like any name).
            state.global_names[f"{ident}.{name}"] = (SlotBinding(slot, ERROR), let.name.span)
            lets.append(slot)
            state.pending.append(Pending(slot, let.expr, scope))
        scope.names.update(local)
        expr = _score_expr(state, decl, scope)
        state.pending.append(
            Pending(
                score, expr, scope, decl.round_places, decl.rounding or ruleset.manifest.rounding
            )
        )
        method = type(decl.method).__name__.removesuffix("Method").lower()
        applies_to = check_applies_to(decl, state.organization, state.diagnostics, state.kind)
        start, end = decl.effective_from, decl.effective_until
        if start is not None and end is not None and start.value > end.value:
            state.error("E0415", {"start": start.value, "end": end.value}, start.span.to(end.span))
        context = None
        # Half-year and annual indicators are scored only at their checkpoints
        # (``ir.Indicator.scored_in``): between them the flag is false.
        between = decl.cadence in ("half_year", "annual")
        if state.every_context or applies_to is not None or start or end or between:
            context = state.slot(f"{ident}.in_force", "input", BOOL, decl.id.span, owner=ident)
            state.contexts.append(
                ir.InputField(
                    context,
                    f"{ident}.in_force",
                    "context",
                    BOOL,
                    None,
                    None,
                    "error",
                    None,
                    decl.id.span,
                )
            )
        indicators.append(
            ir.Indicator(
                id=ident,
                name=decl.name,
                category=decl.category,
                points=decl.points.value,
                assessor=decl.assessor,
                cadence=decl.cadence,
                due_days=decl.due_days
                if decl.due_days is not None
                else ruleset.manifest.assessment_days,
                working_days=decl.working_days
                if decl.working_days is not None
                else ruleset.manifest.working_days,
                move_off_holidays=decl.move_off_holidays
                if decl.move_off_holidays is not None
                else ruleset.manifest.move_off_holidays,
                score=score,
                applicable=None,
                lets=tuple(lets),
                method=method,  # type: ignore[arg-type]
                span=decl.span,
                applies_to=applies_to,
                effective_from=start.value if start else None,
                effective_until=end.value if end else None,
                context=context,
            )
        )
    return indicators


def _score_expr(state: State, decl: ast.IndicatorDecl, scope: Scope) -> ast.Expr | ir.Expr | None:
    """The score formula; shorthands become IR directly (their parts are names)."""
    method = decl.method
    points = ir.Const(decl.points.value, NUMBER, decl.points.span)
    if isinstance(method, ast.FormulaMethod):
        return method.expr
    if isinstance(method, ast.MachineMethod):
        return ast.Name(method.field.name, method.field.span)
    if isinstance(method, ast.DeductMethod):
        count = _input_ref(state, decl, method.count)
        if count is None:
            return None
        amount: ir.Expr = ir.Arith(
            "*", ir.Const(method.per.value, NUMBER, method.per.span), count, NUMBER, method.span
        )
        if method.cap is not None:
            amount = ir.Call(
                MIN.name,
                (amount, ir.Const(method.cap.value, NUMBER, method.cap.span)),
                NUMBER,
                method.span,
            )
        zero = ir.Const(Decimal(0), NUMBER, method.span)
        return ir.Call(
            MAX.name,
            (zero, ir.Arith("-", points, amount, NUMBER, method.span)),
            NUMBER,
            method.span,
        )
    assert isinstance(method, ast.LevelsMethod)
    key = _level_input(state, decl, method)
    if key is None:
        return None
    enum = key.type
    table = []
    for ident, share in method.table:
        if ident.name not in enum.members:
            state.error(
                "E0505",
                {"value": ident.name, "enum": enum.enum},
                ident.span,
                help=suggest(
                    ident.name,
                    list(enum.members),
                    ("E0404.help", {"members": "、".join(enum.members)}),
                ),
            )
        table.append((ident.name, share.value))
    for member in enum.members:
        if member not in dict(table):
            state.error("E0507", {"enum": enum.enum, "level": member}, method.span)
    lookup = ir.Lookup(key, tuple(table), NUMBER, method.span)
    return ir.Arith("*", points, lookup, NUMBER, method.span)


def _input_ref(state: State, decl: ast.IndicatorDecl, name: ast.Ident) -> ir.Ref | None:
    field_ = state.inputs.get(name.name)
    if field_ is None:
        state.error(
            "E0401",
            {"name": name.name},
            name.span,
            help=suggest(name.name, list(state.inputs), ("E0401.input", {})),
        )
        return None
    if field_.type.kind not in ("number", "error"):
        state.error(
            "E0504",
            {"what": name.name, "expected": NUMBER.describe(), "found": field_.type.describe()},
            name.span,
        )
        return None
    return ir.Ref(field_.slot, field_.type, name.span)


def _level_input(state: State, decl: ast.IndicatorDecl, method: ast.LevelsMethod) -> ir.Ref | None:
    if method.level_input is not None:
        field_ = state.inputs.get(method.level_input.name)
        if field_ is None:
            state.error(
                "E0401",
                {"name": method.level_input.name},
                method.level_input.span,
                help=suggest(method.level_input.name, list(state.inputs)),
            )
            return None
        candidates = [field_]
        where = method.level_input.span
    else:
        names = {d.name.name for d in decl.inputs}
        candidates = [f for n, f in state.inputs.items() if n in names and f.type.kind == "level"]
        where = method.span
    if len(candidates) != 1 or candidates[0].type.kind != "level":
        state.error("E0508", {}, where, help=("E0508.help", {}))
        return None
    field_ = candidates[0]
    return ir.Ref(field_.slot, field_.type, where)
