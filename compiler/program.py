"""Building the IR program of a rule set: declare, lower, order.

Passes, each reading the previous one's output and adding diagnostics:

1. ``declare``: every input, value, indicator score, let and collection gets a
   slot; duplicate and clashing names are reported.
2. ``lower``: every formula (and every scoring shorthand: level tables,
   per-occurrence deductions, machine values) becomes a typed IR expression.
3. ``order``: the dependency graph of definitions; every cycle is reported
   with its whole chain; the rest is put in evaluation order.

A program is produced only when no pass found an error.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from compiler import ir
from compiler.graph import order_definitions
from compiler.links import build_links
from compiler.lower import (
    Binding,
    CollectionBinding,
    ConstBinding,
    Lowerer,
    Scope,
    SlotBinding,
)
from compiler.organization import build_organization, check_applies_to
from compiler.properties import build_properties
from dsl import ast
from dsl.diagnostics import Diagnostic, Label, suggest
from dsl.spans import Span
from semantics.types import BOOL, ERROR, NUMBER, NUMERIC_KINDS, SCALAR_KINDS, Type, level, list_of

_LEVEL_TYPE = re.compile(r"^level\(\s*([^\W\d]\w*)\s*\)$")
_LIST_TYPE = re.compile(r"^list\(\s*(\w+)\s*\)$")


@dataclass
class _Pending:
    """A definition waiting to be lowered: its slot, formula and scope."""

    slot: int
    expr: ast.Expr | ir.Expr | None
    scope: Scope | None
    places: int | None = None
    mode: str = "half_up"
    guard: int | None = None


@dataclass
class _State:
    diagnostics: list[Diagnostic]
    slots: list[ir.Slot] = field(default_factory=list)
    inputs: dict[str, ir.InputField] = field(default_factory=dict)
    global_names: dict[str, tuple[Binding, Span]] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pending: list[_Pending] = field(default_factory=list)
    organization: ir.Organization | None = None
    rounding: str = "half_up"  # the manifest's default rounding mode
    # Every indicator gets a context flag (dry-runs: data absent from a past
    # period makes the indicators needing it unscored, not an error).
    every_context: bool = False
    # Context flags (in force, applies to the subject): inputs the runtime sets.
    contexts: list[ir.InputField] = field(default_factory=list)

    def slot(
        self, name: str, kind: ir.SlotKind, type_: Type, span: Span, owner: str | None = None
    ) -> int:
        index = len(self.slots)
        self.slots.append(ir.Slot(index, name, kind, type_, span, owner))
        return index

    def error(self, code: str, args: dict[str, object], span: Span, **extra: object) -> None:
        self.diagnostics.append(Diagnostic(code, args, span, **extra))  # type: ignore[arg-type]


def _in_force_on(day: date, start: ast.DateValue | None, end: ast.DateValue | None) -> bool:
    return (start is None or start.value <= day) and (end is None or day <= end.value)


def _view(ruleset: ast.RuleSet, kind: str, as_of: date | None = None) -> ast.RuleSet:
    """The part of a rule set that assesses one kind of subject.

    Sections: every section indicator and item, the rule set's inputs, values,
    collections, total formula, ranking and grades.  People: person indicators
    and items, and the ranking, grades and full marks of the ``people`` block.

    ``as_of``: the rule set as in force on that date, as if it had always been
    (the indicators and items in force then, without their effective dates), so
    a revision written with effective dates can be diffed and dry-run like two
    versions.
    """
    indicators = tuple(i for i in ruleset.indicators if i.subjects == kind)
    items = tuple(i for i in ruleset.items if i.subjects == kind)
    if as_of is not None:
        indicators = tuple(
            dataclasses.replace(i, effective_from=None, effective_until=None)
            for i in indicators
            if _in_force_on(as_of, i.effective_from, i.effective_until)
        )
        items = tuple(
            dataclasses.replace(i, effective_from=None, effective_until=None)
            for i in items
            if _in_force_on(as_of, i.effective_from, i.effective_until)
        )
    if kind == "section":
        return dataclasses.replace(ruleset, indicators=indicators, items=items)
    people = ruleset.people
    return dataclasses.replace(
        ruleset,
        inputs=(),
        values=(),
        collections=(),
        total=None,
        indicators=indicators,
        items=items,
        ranking=people.ranking if people else None,
        grades=people.grades if people else None,
        manifest=dataclasses.replace(
            ruleset.manifest,
            full_marks=people.full_marks.value if people and people.full_marks else None,
        ),
    )


def build_program(
    ruleset: ast.RuleSet,
    kind: str = "section",
    as_of: date | None = None,
    every_context: bool = False,
) -> tuple[ir.Program | None, list[Diagnostic]]:
    """Check and lower the rules for one kind of subject (as in force on
    ``as_of``, when given) to an IR program, collecting every problem."""
    ruleset = _view(ruleset, kind, as_of)
    state = _State([], every_context=every_context)
    manifest = ruleset.manifest
    state.rounding = manifest.rounding
    _declare_enums(state, ruleset)
    if ruleset.organization is not None:
        state.organization = build_organization(ruleset.organization, state.diagnostics)
    for decl in ruleset.inputs:
        _declare_input(state, decl)
    for indicator in ruleset.indicators:
        for decl in indicator.inputs:
            _declare_input(state, decl)
    for field_ in state.inputs.values():
        _bind_global(
            state, field_.name, SlotBinding(field_.slot, field_.type), field_.span, "input"
        )
    for value in ruleset.values:
        slot = state.slot(value.name.name, "value", ERROR, value.name.span)
        _bind_global(state, value.name.name, SlotBinding(slot, ERROR), value.name.span, "value")
        state.pending.append(_Pending(slot, value.expr, None))
    indicators = _declare_indicators(state, ruleset)
    _declare_collections(state, ruleset)
    _check_shadowing(state, ruleset)
    # The score before bonus and deduction items: the declared total formula,
    # else the indicator scores normalized to full marks.
    base_span = ruleset.total.span if ruleset.total is not None else manifest.span
    base_slot = state.slot("base", "base", NUMBER, base_span)
    _bind_global(state, "base", SlotBinding(base_slot, NUMBER), base_span, "value", builtin=True)
    global_scope = Scope({name: binding for name, (binding, _) in state.global_names.items()})
    for pending in state.pending:
        if pending.scope is None:
            pending.scope = global_scope
        else:
            pending.scope.parent = global_scope
    if kind == "person" and ruleset.organization is None and ruleset.indicators:
        state.error("E0433", {}, ruleset.indicators[0].id.span)
    full_marks = manifest.full_marks
    if full_marks is None:
        dated = [d for d in ruleset.indicators if d.effective_from or d.effective_until]
        if dated:
            # The points in force differ across the year: no single sum is "full".
            where = ruleset.people.span if kind == "person" and ruleset.people else manifest.span
            help_key = "E0424.people" if kind == "person" else "E0424.help"
            state.error("E0424", {}, where, help=(help_key, {}))
        full_marks = sum((i.points for i in indicators), Decimal(0))
    if ruleset.total is not None:
        state.pending.append(_Pending(base_slot, ruleset.total, global_scope))
    else:
        scores = tuple(ir.Ref(i.score, NUMBER, i.span) for i in indicators)
        base_expr = ir.NormalizedSum(
            scores, tuple(i.points for i in indicators), full_marks, NUMBER, manifest.span
        )
        state.pending.append(_Pending(base_slot, base_expr, None))
    items, adjustments = _declare_items(state, ruleset, global_scope)
    total_slot = state.slot("total", "total", NUMBER, base_span)
    total_expr: ir.Expr = ir.Ref(base_slot, NUMBER, base_span)
    bonus, deduction = adjustments.get("bonus"), adjustments.get("deduction")
    if bonus is not None:
        total_expr = ir.Arith("+", total_expr, ir.Ref(bonus, NUMBER, base_span), NUMBER, base_span)
    if deduction is not None:
        total_expr = ir.Arith(
            "-", total_expr, ir.Ref(deduction, NUMBER, base_span), NUMBER, base_span
        )
    section_total = None
    people = ruleset.people
    if kind == "person" and people and people.combine_own and people.combine_section:
        # A person's total: own score and the section's total in the declared proportion.
        section_total = state.slot("section_total", "input", NUMBER, people.span)
        state.contexts.append(
            ir.InputField(
                section_total,
                "section_total",
                "section_total",
                NUMBER,
                None,
                None,
                "error",
                None,
                people.span,
            )
        )
        own = people.combine_own
        share = people.combine_section
        total_expr = ir.Arith(
            "+",
            ir.Arith("*", total_expr, ir.Const(own.value, NUMBER, own.span), NUMBER, own.span),
            ir.Arith(
                "*",
                ir.Ref(section_total, NUMBER, share.span),
                ir.Const(share.value, NUMBER, share.span),
                NUMBER,
                share.span,
            ),
            NUMBER,
            people.span,
        )
    state.pending.append(_Pending(total_slot, total_expr, None, manifest.places, manifest.rounding))
    global_scope.names["total"] = SlotBinding(total_slot, NUMBER)
    ranking = _declare_ranking(state, ruleset, global_scope, total_slot)
    grades = _declare_grades(state, ruleset, global_scope)
    definitions, reads = _lower_all(state)
    for slot, _ in ranking.keys:
        if state.slots[slot].type not in (NUMBER, ERROR):
            span = state.slots[slot].span
            state.error(
                "E0419",
                _ranking_key(state.slots[slot].name),
                ruleset.ranking.span if ruleset.ranking else span,
            )
    indicators = _add_applicability(state, indicators, definitions, reads)
    _mark_conditional_inputs(state, indicators, definitions, reads)
    ordered = order_definitions(definitions, reads, state.slots, state.diagnostics)
    names = {name: binding for name, (binding, _) in state.global_names.items()}
    names["total"] = SlotBinding(total_slot, NUMBER)
    properties = build_properties(ruleset, kind, state.slots, names, state.diagnostics)
    if any(d.severity == "error" for d in state.diagnostics):
        return None, state.diagnostics
    program = ir.Program(
        scheme=manifest.scheme,
        version=manifest.version,
        year=manifest.year,
        places=manifest.places,
        rounding=manifest.rounding,  # type: ignore[arg-type]
        full_marks=full_marks,
        slots=tuple(state.slots),
        inputs=(*state.inputs.values(), *state.contexts),
        definitions=tuple(ordered),
        indicators=tuple(indicators),
        total=total_slot,
        level_enums=tuple(state.enums.items()),
        organization=state.organization,
        items=tuple(items),
        base=base_slot,
        bonus=adjustments.get("bonus"),
        deduction=adjustments.get("deduction"),
        vetoes=tuple(
            (kind, slot) for kind, slot in adjustments.items() if kind.startswith("veto:")
        ),
        ranking=ranking,
        grades=grades,
        kind=kind,  # type: ignore[arg-type]
        section_total=section_total,
        rollup=_rollup(state, ruleset),
        links=build_links(ruleset, kind, state.diagnostics),
        properties=properties,
    )
    return program, state.diagnostics


# -- declare -------------------------------------------------------------------------


RESERVED = ("base", "total", "points")


def _bind_global(
    state: _State, name: str, binding: Binding, span: Span, kind: str, builtin: bool = False
) -> None:
    if name in RESERVED and not builtin:
        state.error("E0427", {"name": name}, span)
        return
    if name in state.global_names:
        _, first = state.global_names[name]
        state.error(
            "E0206",
            {"kind": (f"kind.{kind}", {}), "name": name},
            span,
            labels=(Label(first, "E0206.first"),),
        )
        return
    state.global_names[name] = (binding, span)


def _declare_enums(state: _State, ruleset: ast.RuleSet) -> None:
    for enum in ruleset.levels:
        if enum.name.name in state.enums:
            state.error(
                "E0206", {"kind": ("kind.levels", {}), "name": enum.name.name}, enum.name.span
            )
            continue
        state.enums[enum.name.name] = tuple(m.name for m in enum.members)


def _input_type(state: _State, decl: ast.InputDecl) -> tuple[str, Type]:
    text = decl.type_text
    if text in SCALAR_KINDS:
        return text, SCALAR_KINDS[text]
    match = _LEVEL_TYPE.match(text)
    if match:
        enum = match.group(1)
        if enum not in state.enums:
            state.error(
                "E0405",
                {"name": enum},
                decl.type_span,
                help=suggest(enum, list(state.enums)),
            )
            return "level", ERROR
        return "level", level(enum, state.enums[enum])
    match = _LIST_TYPE.match(text)
    if match and match.group(1) in NUMERIC_KINDS:
        return f"list({match.group(1)})", list_of(SCALAR_KINDS[match.group(1)])
    available = ", ".join([*SCALAR_KINDS, "level(…)", "list(…)"])
    state.error(
        "E0406",
        {"name": text},
        decl.type_span,
        help=suggest(text, list(SCALAR_KINDS), ("E0406.help", {"available": available})),
    )
    return text, ERROR


def _declare_input(state: _State, decl: ast.InputDecl) -> None:
    kind, type_ = _input_type(state, decl)
    name = decl.name.name
    existing = state.inputs.get(name)
    if existing is not None:
        if existing.kind != kind or existing.type != type_:
            state.error(
                "E0408",
                {"name": name, "first": existing.kind, "second": kind},
                decl.type_span,
                labels=(Label(existing.span, "E0206.first"),),
            )
        return
    missing = decl.missing
    default = _default_value(state, decl, type_)
    policy = "default" if default is not None else missing
    slot = state.slot(name, "input", type_, decl.name.span)
    state.inputs[name] = ir.InputField(
        slot=slot,
        name=name,
        kind=kind,
        type=type_,
        minimum=decl.minimum.value if decl.minimum else None,
        maximum=decl.maximum.value if decl.maximum else None,
        missing=policy,  # type: ignore[arg-type]
        default=default,
        span=decl.name.span,
    )


def _default_value(state: _State, decl: ast.InputDecl, type_: Type) -> ir.ConstValue | None:
    value = decl.default
    if value is None:
        return None
    span = decl.default_span or decl.name.span
    if decl.missing == "exempt":
        state.error("E0429", {"name": decl.name.name}, span)
        return None
    if type_.kind == "number" and isinstance(value, str) and value.strip().endswith("%"):
        try:
            value = Decimal(value.strip()[:-1]) / 100
        except ArithmeticError:
            pass
    if type_.kind == "number" and isinstance(value, int | Decimal) and not isinstance(value, bool):
        number = Decimal(value)
        low = decl.minimum.value if decl.minimum else None
        if low is None and decl.type_text == "count":
            low = Decimal(0)
        high = decl.maximum.value if decl.maximum else None
        if (low is not None and number < low) or (high is not None and number > high):
            state.error(
                "E0428", {"value": number, "low": low if low is not None else "-∞",
                          "high": high if high is not None else "∞"}, span,
            )  # fmt: skip
        return number
    if type_.kind == "bool" and isinstance(value, bool):
        return value
    if type_.kind in ("text", "level") and isinstance(value, str):
        if type_.kind == "level" and value not in type_.members:
            state.error("E0505", {"value": value, "enum": type_.enum}, span)
            return None
        return value
    if type_.kind == "error":
        return None
    state.error(
        "E0504",
        {"what": "default", "expected": type_.describe(), "found": str(value)},
        span,
    )
    return None


def _declare_indicators(state: _State, ruleset: ast.RuleSet) -> list[ir.Indicator]:
    indicators: list[ir.Indicator] = []
    for decl in ruleset.indicators:
        ident = decl.id.name
        score = state.slot(ident, "score", NUMBER, decl.id.span, owner=ident)
        _bind_global(state, ident, SlotBinding(score, NUMBER), decl.id.span, "indicator")
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
            lets.append(slot)
            state.pending.append(_Pending(slot, let.expr, scope))
        scope.names.update(local)
        expr = _score_expr(state, decl, scope)
        state.pending.append(
            _Pending(
                score, expr, scope, decl.round_places, decl.rounding or ruleset.manifest.rounding
            )
        )
        method = type(decl.method).__name__.removesuffix("Method").lower()
        applies_to = check_applies_to(decl, state.organization, state.diagnostics)
        start, end = decl.effective_from, decl.effective_until
        if start is not None and end is not None and start.value > end.value:
            state.error("E0415", {"start": start.value, "end": end.value}, start.span.to(end.span))
        context = None
        if state.every_context or applies_to is not None or start is not None or end is not None:
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


def _score_expr(state: _State, decl: ast.IndicatorDecl, scope: Scope) -> ast.Expr | ir.Expr | None:
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
                "min",
                (amount, ir.Const(method.cap.value, NUMBER, method.cap.span)),
                NUMBER,
                method.span,
            )
        zero = ir.Const(Decimal(0), NUMBER, method.span)
        return ir.Call(
            "max", (zero, ir.Arith("-", points, amount, NUMBER, method.span)), NUMBER, method.span
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


def _input_ref(state: _State, decl: ast.IndicatorDecl, name: ast.Ident) -> ir.Ref | None:
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


def _level_input(state: _State, decl: ast.IndicatorDecl, method: ast.LevelsMethod) -> ir.Ref | None:
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


def _declare_items(
    state: _State, ruleset: ast.RuleSet, scope: Scope
) -> tuple[list[ir.Item], dict[str, int]]:
    """Bonus, deduction and veto items: a count per item (from event tables),
    the item's points (``per`` each, at most ``cap``, only when ``when`` holds),
    the capped bonus and deduction sums, and one flag per kind of veto."""
    items: list[ir.Item] = []
    seen: dict[str, ast.Ident] = {}
    by_kind: dict[str, list[int]] = {"bonus": [], "deduction": []}
    vetoes: dict[str, list[int]] = {}
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
        if decl.kind == "veto":
            if decl.veto is None or decl.per is not None or decl.cap is not None:
                state.error("E0417", {"id": ident}, decl.id.span)
        elif decl.per is None or decl.veto is not None:
            state.error("E0416", {"id": ident}, decl.id.span)
        start, end = decl.effective_from, decl.effective_until
        if start is not None and end is not None and start.value > end.value:
            state.error("E0415", {"start": start.value, "end": end.value}, start.span.to(end.span))
        count = state.slot(f"{ident}.count", "input", NUMBER, decl.id.span, owner=ident)
        state.contexts.append(
            ir.InputField(
                count, f"{ident}.count", "events", NUMBER, zero, None, "default", zero, decl.id.span
            )
        )
        points_slot = None
        span = decl.span
        count_ref = ir.Ref(count, NUMBER, decl.id.span)
        if decl.kind == "veto":
            if decl.veto is not None:
                vetoes.setdefault(decl.veto, []).append(count)
        elif decl.per is not None:
            points: ir.Expr = ir.Arith(
                "*", count_ref, ir.Const(decl.per.value, NUMBER, decl.per.span), NUMBER, span
            )
            if decl.cap is not None:
                cap = ir.Const(decl.cap.value, NUMBER, decl.cap.span)
                points = ir.Call("min", (points, cap), NUMBER, span)
            points_slot = state.slot(ident, "item", NUMBER, decl.id.span, owner=ident)
            if decl.when is not None:
                # The gate is its own definition so it is typed and ordered
                # like every other formula (it may read base and values).
                gate = state.slot(f"{ident}.when", "condition", BOOL, decl.id.span, owner=ident)
                state.pending.append(_Pending(gate, decl.when, scope))
                gate_ref = ir.Ref(gate, BOOL, decl.when.span)
                points = ir.Cond(((gate_ref, points),), ir.Const(zero, NUMBER, span), NUMBER, span)
            state.pending.append(_Pending(points_slot, points, None))
            by_kind[decl.kind].append(points_slot)
        items.append(
            ir.Item(
                id=ident,
                name=decl.name,
                kind=decl.kind,  # type: ignore[arg-type]  # checked by the schema
                per=decl.per.value if decl.per else None,
                cap=decl.cap.value if decl.cap else None,
                veto=decl.veto,  # type: ignore[arg-type]
                count=count,
                points=points_slot,
                effective_from=start.value if start else None,
                effective_until=end.value if end else None,
                span=span,
            )
        )
    result: dict[str, int] = {}
    caps = {"bonus": ruleset.bonus_cap, "deduction": ruleset.deduction_cap}
    for kind, slots in by_kind.items():
        if not slots:
            continue
        span = ruleset.manifest.span
        summed: ir.Expr = ir.Aggregate(
            "sum", tuple(ir.Ref(s, NUMBER, span) for s in slots), False, NUMBER, span
        )
        cap_decl = caps[kind]
        if cap_decl is not None:
            summed = ir.Call(
                "min", (summed, ir.Const(cap_decl.value, NUMBER, cap_decl.span)), NUMBER, span
            )
        slot = state.slot(kind, "adjust", NUMBER, span)
        state.pending.append(_Pending(slot, summed, None))
        result[kind] = slot
    for kind, counts in vetoes.items():
        span = ruleset.manifest.span
        flag: ir.Expr = ir.Const(False, BOOL, span)
        for count in counts:
            test = ir.Cmp(
                ">", ir.Ref(count, NUMBER, span), ir.Const(zero, NUMBER, span), BOOL, span
            )
            flag = test if isinstance(flag, ir.Const) else ir.Logic("or", flag, test, BOOL, span)
        slot = state.slot(f"veto.{kind}", "veto", BOOL, span)
        state.pending.append(_Pending(slot, flag, None))
        result[f"veto:{kind}"] = slot
    return items, result


def _rollup(state: _State, ruleset: ast.RuleSet) -> ir.Rollup | None:
    decl = ruleset.rollup
    if decl is None:
        return None
    weights: list[tuple[int, Decimal]] = []
    for key, weight in decl.weights:
        if key.name not in ("Q1", "Q2", "Q3", "Q4"):
            state.error("E0430", {"name": key.name}, key.span)
            continue
        weights.append((int(key.name[1]), weight.value))
    if decl.method == "weighted" and not weights:
        state.error("E0431", {}, decl.span)
    return ir.Rollup(decl.method, tuple(weights))  # type: ignore[arg-type]


def _ranking_key(name: str) -> dict[str, object]:
    """The arguments of E0419 for a ranking key (``properties`` raises it for ``monotone``)."""
    return {"what": ("E0419.ranking", {"name": name}), "allowed": ("E0419.ranking_keys", {})}


def _declare_ranking(state: _State, ruleset: ast.RuleSet, scope: Scope, total: int) -> ir.Ranking:
    """The ranking keys as slots: total, base, a value or an indicator score."""
    decl = ruleset.ranking
    if decl is None:
        return ir.Ranking(((total, True),), ("total",))
    keys: list[tuple[int, bool]] = []
    names: list[str] = []
    for ident, descending in [(decl.by, decl.descending), *decl.ties]:
        binding = scope.lookup(ident.name)
        kinds = ("total", "base", "value", "score")
        if not isinstance(binding, SlotBinding) or state.slots[binding.slot].kind not in kinds:
            if ident.name:
                state.error(
                    "E0419",
                    _ranking_key(ident.name),
                    ident.span,
                    help=suggest(ident.name, ["total", "base", *state.global_names]),
                )
            continue
        keys.append((binding.slot, descending))
        names.append(ident.name)
    return ir.Ranking(tuple(keys), tuple(names))


def _declare_grades(state: _State, ruleset: ast.RuleSet, scope: Scope) -> tuple[ir.GradeBand, ...]:
    """Grade bands, best first; prerequisites become condition slots."""
    if ruleset.grades is None:
        return ()
    bands: list[ir.GradeBand] = []
    seen: set[str] = set()
    previous: Decimal | None = None
    for decl in ruleset.grades:
        name = decl.grade.name
        if name in seen:
            state.error("E0422", {"grade": name}, decl.grade.span)
        seen.add(name)
        if decl.minimum is not None:
            if previous is not None and decl.minimum.value > previous:
                state.error(
                    "E0420",
                    {"grade": name, "minimum": decl.minimum.value, "previous": previous},
                    decl.minimum.span,
                )
            previous = decl.minimum.value
        requires = None
        if decl.requires is not None:
            requires = state.slot(f"grade.{name}.requires", "condition", BOOL, decl.grade.span)
            state.pending.append(_Pending(requires, decl.requires, scope))
        quota = None
        if decl.quota is not None:
            q = decl.quota
            if not Decimal(0) <= q.share.value <= Decimal(1):
                state.error("E0421", {}, q.share.span)
            quota = ir.Quota(
                q.share.value, q.rounding, q.at_least, q.at_most,
                q.pool, q.ties,  # type: ignore[arg-type]  # literals checked by the schema
            )  # fmt: skip
        minimum = decl.minimum.value if decl.minimum else None
        maximum = decl.maximum.value if decl.maximum else None
        bands.append(
            ir.GradeBand(name, minimum, requires, quota, decl.blocked_by, decl.span, maximum)
        )
    return tuple(bands)


def _check_shadowing(state: _State, ruleset: ast.RuleSet) -> None:
    """A let may not hide a rule-set name (input, value, indicator, collection),
    whichever file or position declares it."""
    for indicator in ruleset.indicators:
        for let in indicator.lets:
            found = state.global_names.get(let.name.name)
            if found is not None:
                state.error(
                    "E0410",
                    {"name": let.name.name},
                    let.name.span,
                    labels=(Label(found[1], "E0206.first"),),
                )


def _declare_collections(state: _State, ruleset: ast.RuleSet) -> None:
    for collection in ruleset.collections:
        items: list[SlotBinding] = []
        elem: Type | None = None
        for member in collection.members:
            found = state.global_names.get(member.name)
            if found is None or not isinstance(found[0], SlotBinding):
                state.error(
                    "E0401",
                    {"name": member.name},
                    member.span,
                    help=suggest(member.name, list(state.global_names)),
                )
                continue
            binding = found[0]
            items.append(binding)
            slot_type = state.slots[binding.slot].type
            elem = elem or (slot_type if slot_type != ERROR else None)
        _bind_global(
            state,
            collection.name.name,
            CollectionBinding(tuple(items), elem or NUMBER),
            collection.name.span,
            "collection",
        )


# -- lower -------------------------------------------------------------------------


def _lower_all(state: _State) -> tuple[list[ir.Definition], dict[int, list[tuple[int, Span]]]]:
    """Lower pending definitions, each after the definitions it reads, so the
    types of lets and values are known where they are used.  Iterative (a
    chain of thousands of values must not hit the recursion limit); a cycle
    stops the descent here and is reported by the ordering pass."""
    lowerer = Lowerer(state.diagnostics, lambda slot: state.slots[slot].type, state.rounding)
    by_slot = {p.slot: p for p in state.pending}
    done: dict[int, ir.Definition] = {}
    reads: dict[int, list[tuple[int, Span]]] = {}

    def dependencies(pending: _Pending) -> list[_Pending]:
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


def _lower_one(
    state: _State, lowerer: Lowerer, pending: _Pending
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


# -- applicability ------------------------------------------------------------------


def _add_applicability(
    state: _State,
    indicators: list[ir.Indicator],
    definitions: list[ir.Definition],
    reads: dict[int, list[tuple[int, Span]]],
) -> list[ir.Indicator]:
    """Guard indicators that may not be scored for a subject and period.

    An indicator is not scored (its score is None, and the default total is
    normalized over the rest) when an input it reads is declared ``missing:
    exempt`` and is absent, or when its context flag is false: it is not in
    force for the period (``effective``) or does not apply to the subject
    (``applies_to``).  Its lets and score are then not evaluated at all.
    """
    exempt_inputs = {f.slot for f in state.inputs.values() if f.missing == "exempt"}
    by_slot = {d.slot: i for i, d in enumerate(definitions)}
    result: list[ir.Indicator] = []
    guarded_scores: dict[int, str] = {}
    for indicator in indicators:
        needed: set[int] = set()
        for slot in (*indicator.lets, indicator.score):
            needed.update(s for s, _ in reads.get(slot, []) if s in exempt_inputs)
        flags = () if indicator.context is None else (indicator.context,)
        if not needed and not flags:
            result.append(indicator)
            continue
        flag = state.slot(
            f"{indicator.id}.applicable", "let", BOOL, indicator.span, owner=indicator.id
        )
        condition = ir.Applicable(tuple(sorted(needed)), BOOL, indicator.span, flags)
        definitions.append(ir.Definition(flag, condition, None, "half_up"))
        reads[flag] = [(f, indicator.span) for f in flags]
        for slot in (*indicator.lets, indicator.score):
            index = by_slot[slot]
            old = definitions[index]
            definitions[index] = ir.Definition(old.slot, old.expr, old.places, old.mode, flag)
            reads[slot] = [*reads[slot], (flag, indicator.span)]
        guarded_scores[indicator.score] = indicator.id
        result.append(dataclasses.replace(indicator, applicable=flag))
    # A possibly-absent score may be read only by aggregates and the total.
    for definition in definitions:
        for node in _direct_reads(definition.expr):
            if (
                node.slot in guarded_scores
                and state.slots[definition.slot].owner != guarded_scores[node.slot]
            ):
                state.error(
                    "E0411", {"name": guarded_scores[node.slot]}, node.span, help=("E0411.help", {})
                )
    # An input that may be absent may be read only inside indicators, which are
    # guarded; a value or the total reading it would meet a missing number.
    names = {f.slot: f.name for f in state.inputs.values()}
    for definition in definitions:
        defined = state.slots[definition.slot]
        if defined.kind in ("let", "score") and defined.owner is not None:
            continue
        for node in _direct_reads(definition.expr):
            if node.slot in exempt_inputs:
                state.error("E0423", {"name": names[node.slot]}, node.span, help=("E0423.help", {}))
    return result


def _mark_conditional_inputs(
    state: _State,
    indicators: list[ir.Indicator],
    definitions: list[ir.Definition],
    reads: dict[int, list[tuple[int, Span]]],
) -> None:
    """Record, for each data field read only by indicators with a context flag,
    which indicators need it: the data loader then accepts it absent for a
    subject and period where none of them is in force and applies."""
    conditional = {
        slot: i.id for i in indicators if i.context is not None for slot in (*i.lets, i.score)
    }
    readers: dict[int, set[str | None]] = {}
    for definition in definitions:
        for slot, _ in reads.get(definition.slot, []):
            readers.setdefault(slot, set()).add(conditional.get(definition.slot))
    for name, input_field in list(state.inputs.items()):
        who = readers.get(input_field.slot, set())
        if who and None not in who:
            state.inputs[name] = dataclasses.replace(
                input_field, needed_by=tuple(sorted(w for w in who if w is not None))
            )


def _direct_reads(expr: ir.Expr) -> list[ir.Ref]:
    """Refs not under an aggregate or a normalized sum."""
    found: list[ir.Ref] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Aggregate | ir.NormalizedSum):
            continue
        if isinstance(node, ir.Ref):
            found.append(node)
        stack.extend(ir.children(node))
    return found
