"""Declaring passes: level sets, the organization, inputs, values, collections.

Each gives the names it declares a slot (or a binding) so formulas can refer
to them; duplicate, reserved and clashing names are reported here.
"""

from __future__ import annotations

import re
from decimal import Decimal

from compiler import ir
from compiler.lower import CollectionBinding, SlotBinding
from compiler.organization import build_organization
from compiler.passes.state import Pending, State, bind_global
from dsl import ast
from dsl.diagnostics import Label, suggest
from semantics.types import ERROR, NUMBER, NUMERIC_KINDS, SCALAR_KINDS, Type, level, list_of

_LEVEL_TYPE = re.compile(r"^level\(\s*([^\W\d]\w*)\s*\)$")
_LIST_TYPE = re.compile(r"^list\(\s*(\w+)\s*\)$")


def declare_enums(state: State) -> None:
    """Reads the ``levels`` sets; adds ``state.enums`` (a duplicate set is an error)."""
    for enum in state.ruleset.levels:
        if enum.name.name in state.enums:
            state.error(
                "E0206", {"kind": ("kind.levels", {}), "name": enum.name.name}, enum.name.span
            )
            continue
        state.enums[enum.name.name] = tuple(m.name for m in enum.members)


def declare_organization(state: State) -> None:
    """Reads the organization file, when there is one; adds ``state.organization``
    with every reference in it checked."""
    if state.ruleset.organization is not None:
        state.organization = build_organization(state.ruleset.organization, state.diagnostics)


def declare_inputs(state: State) -> None:
    """Reads the rule set's and every indicator's inputs and ``state.enums``;
    adds an input slot per distinct name to ``state.inputs``, each bound as a
    global name (the same name declared twice must agree on its type)."""
    for decl in state.ruleset.inputs:
        _declare_input(state, decl)
    for indicator in state.ruleset.indicators:
        for decl in indicator.inputs:
            _declare_input(state, decl)
    for field_ in state.inputs.values():
        bind_global(state, field_.name, SlotBinding(field_.slot, field_.type), field_.span, "input")


def declare_values(state: State) -> None:
    """Reads the ``values``; adds a slot, a global name and a pending definition
    for each (typed when it is lowered)."""
    for value in state.ruleset.values:
        slot = state.slot(value.name.name, "value", ERROR, value.name.span)
        bind_global(state, value.name.name, SlotBinding(slot, ERROR), value.name.span, "value")
        state.pending.append(Pending(slot, value.expr, None))


def declare_collections(state: State) -> None:
    """Reads the ``collections`` and the global names; binds each collection to
    its members' slots (an unknown member is an error)."""
    for collection in state.ruleset.collections:
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
        bind_global(
            state,
            collection.name.name,
            CollectionBinding(tuple(items), elem or NUMBER),
            collection.name.span,
            "collection",
        )


def check_shadowing(state: State) -> None:
    """Reads every indicator's lets and the global names: a let may not hide a
    rule-set name (input, value, indicator, collection), whichever file or
    position declares it."""
    for indicator in state.ruleset.indicators:
        for let in indicator.lets:
            found = state.global_names.get(let.name.name)
            if found is not None:
                state.error(
                    "E0410",
                    {"name": let.name.name},
                    let.name.span,
                    labels=(Label(found[1], "E0206.first"),),
                )


def _input_type(state: State, decl: ast.InputDecl) -> tuple[str, Type]:
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


def _declare_input(state: State, decl: ast.InputDecl) -> None:
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
        source=_source(state, decl, kind),
        monthly=decl.monthly,  # as declared; mark_monthly_inputs checks and completes it
    )


def _source(state: State, decl: ast.InputDecl, kind: str) -> str | None:
    """``from: supervision.…``: a count of sections' supervision items (E0465)."""
    if decl.source is None:
        return None
    if kind != "count" or state.kind != "section":
        state.error("E0465", {"name": decl.name.name, "source": decl.source.name}, decl.source.span)
        return None
    return decl.source.name


def _default_value(state: State, decl: ast.InputDecl, type_: Type) -> ir.ConstValue | None:
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
