"""Applicability passes: which indicators may go unscored, and which data
fields only they need."""

from __future__ import annotations

import dataclasses

from compiler import ir
from compiler.passes.state import State
from dsl.spans import Span
from semantics.builtins import FUNCTIONS
from semantics.rounding import DEFAULT_ROUNDING
from semantics.types import BOOL


def add_applicability(state: State) -> None:
    """Reads ``state.indicators``, ``state.definitions`` and ``state.reads``;
    guards the indicators that may be unscored (see ``_add_applicability``),
    adding their applicability flags as definitions."""
    state.indicators = _add_applicability(state, state.indicators, state.definitions, state.reads)


def mark_conditional_inputs(state: State) -> None:
    """Reads the guarded indicators and ``state.reads``; marks in ``state.inputs``
    the data fields only indicators with a context flag read."""
    _mark_conditional_inputs(state, state.indicators, state.definitions, state.reads)


# How a field's monthly rows combine when the rules do not say: counts and
# amounts add up over the months, scores and rates are averaged, anything
# else (a level, a yes/no, a text, a date) is the last month's.
MONTHLY_BY_KIND = {"count": "sum", "integer": "sum", "money": "sum",
                   "number": "average", "percent": "average"}  # fmt: skip
_NUMERIC_ONLY = ("sum", "average", "min", "max")


def mark_monthly_inputs(state: State) -> None:
    """Reads ``state.inputs``, the indicators' cadences and ``state.reads``;
    sets each data field's ``monthly`` method: fields read only by monthly
    indicators may be given as month rows, combined by their declared
    ``monthly`` or by kind (``MONTHLY_BY_KIND``).  Declaring ``monthly`` on a
    field some other definition reads is E0460; a method that needs numbers
    on a field that is not one (or on a list) is E0461."""
    cadence = {i.id: i.cadence for i in state.indicators}
    readers: dict[int, set[str | None]] = {}
    for definition in state.definitions:
        slot_info = state.slots[definition.slot]
        reader = slot_info.owner if slot_info.kind in ("let", "score") else None
        for slot, _ in state.reads.get(definition.slot, []):
            readers.setdefault(slot, set()).add(reader)
    for name, input_field in list(state.inputs.items()):
        who = readers.get(input_field.slot, set())
        monthly = bool(who) and all(w is not None and cadence.get(w) == "monthly" for w in who)
        declared = input_field.monthly
        method: str | None = None
        if declared is not None and not monthly:
            others: list[str] = sorted(
                "-" if w is None else w for w in who if w is None or cadence.get(w) != "monthly"
            )
            unread: dict[str, object] = {"name": name, "readers": ", ".join(others) or "-"}
            state.error("E0460", unread, input_field.span, help=("E0460.help", {}))
        elif declared is not None and (
            input_field.type.kind == "list"
            or (declared in _NUMERIC_ONLY and input_field.type.kind != "number")
        ):
            wrong: dict[str, object] = {"name": name, "method": declared, "kind": input_field.kind}
            state.error("E0461", wrong, input_field.span, help=("E0461.help", {}))
        elif monthly and input_field.type.kind != "list":
            method = declared or MONTHLY_BY_KIND.get(input_field.kind, "last")
        if method != input_field.monthly:
            state.inputs[name] = dataclasses.replace(input_field, monthly=method)


def _add_applicability(
    state: State,
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
    # A group value of a value that may be absent reads it too: the subject's
    # own rank or share is absent with it (runtime.engine.groups).
    sources = {slot: of for (_, of), slot in state.groups.items() if of is not None}
    for indicator in indicators:
        needed: set[int] = set()
        for slot in (*indicator.lets, indicator.score):
            # What present(x) and fallback(x, y) read does not need to be there.
            tolerant = _tolerant_refs(definitions[by_slot[slot]].expr)
            seen = [s for s, _ in reads.get(slot, [])]
            seen += [sources[s] for s in seen if s in sources]
            needed.update(s for s in seen if s in exempt_inputs and s not in tolerant)
        flags = () if indicator.context is None else (indicator.context,)
        if not needed and not flags:
            result.append(indicator)
            continue
        flag = state.slot(
            f"{indicator.id}.applicable", "let", BOOL, indicator.span, owner=indicator.id
        )
        condition = ir.Applicable(tuple(sorted(needed)), BOOL, indicator.span, flags)
        definitions.append(ir.Definition(flag, condition, None, DEFAULT_ROUNDING))
        reads[flag] = [(f, indicator.span) for f in flags]
        for slot in (*indicator.lets, indicator.score):
            index = by_slot[slot]
            old = definitions[index]
            definitions[index] = ir.Definition(old.slot, old.expr, old.places, old.mode, flag)
            reads[slot] = [*reads[slot], (flag, indicator.span)]
        guarded_scores[indicator.score] = indicator.id
        guarded_scores.update((let, indicator.id) for let in indicator.lets)
        result.append(dataclasses.replace(indicator, applicable=flag))
    # A possibly-absent score may be read only by aggregates and the total.
    for definition in definitions:
        for node in _direct_reads(definition.expr):
            if (
                node.slot in guarded_scores
                and state.slots[definition.slot].owner != guarded_scores[node.slot]
            ):
                read = state.slots[node.slot]
                help_line = (
                    ("E0411.let", {"name": read.name}) if read.kind == "let" else ("E0411.help", {})
                )
                state.error("E0411", {"name": guarded_scores[node.slot]}, node.span, help=help_line)
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


ABSENCE = frozenset(f.name for f in FUNCTIONS.values() if f.shape == "absence")


def _mark_conditional_inputs(
    state: State,
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
    """Refs not under an aggregate or a normalized sum, nor asked about by
    ``present(x)`` or ``fallback(x, y)``."""
    found: list[ir.Ref] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Aggregate | ir.NormalizedSum):
            continue
        if isinstance(node, ir.Ref):
            found.append(node)
        children = ir.children(node)
        if isinstance(node, ir.Call) and node.fn in ABSENCE:
            children = children[1:]
        stack.extend(children)
    return found


def _tolerant_refs(expr: ir.Expr) -> set[int]:
    """Slots read only as the first argument of ``present``/``fallback``."""
    asked = {
        node.args[0].slot
        for node in ir.walk(expr)
        if isinstance(node, ir.Call) and node.fn in ABSENCE and isinstance(node.args[0], ir.Ref)
    }
    elsewhere = {ref.slot for ref in _direct_reads(expr)}
    aggregated = {
        ref.slot
        for node in ir.walk(expr)
        if isinstance(node, ir.Aggregate | ir.NormalizedSum)
        for ref in ir.walk(node)
        if isinstance(ref, ir.Ref)
    }
    return asked - elsewhere - aggregated
