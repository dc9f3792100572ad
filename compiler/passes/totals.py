"""The score passes: base, full marks and total.

The base is the score before bonus and deduction items: the declared total
formula, else the indicator scores normalized to full marks.  The total adds
the bonus, subtracts the deduction and, for a person when the ``people``
block says so, combines the person's own score with the section's total.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from compiler import ir
from compiler.lower import Binding, Scope, SlotBinding
from compiler.passes.state import Pending, State, bind_global
from semantics.types import DATE, NUMBER


def declare_base(state: State) -> None:
    """Reads the total formula; adds the ``base`` slot and its global name."""
    ruleset = state.ruleset
    span = ruleset.total.span if ruleset.total is not None else ruleset.manifest.span
    state.base = state.slot("base", "base", NUMBER, span)
    bind_global(state, "base", SlotBinding(state.base, NUMBER), span, "value", builtin=True)


def close_global_scope(state: State) -> None:
    """Reads the global names (all declared by now) and the pending definitions;
    sets ``state.scope``, the scope every formula's names resolve in last."""
    state.scope = Scope(
        {name: binding for name, (binding, _) in state.global_names.items()},
        provided={name: _period_date(state, name) for name in ir.PERIOD_DATES},
    )
    for pending in state.pending:
        if pending.scope is None:
            pending.scope = state.scope
        else:
            pending.scope.parent = state.scope


def _period_date(state: State, name: str) -> Callable[[], Binding]:
    """``period_start`` / ``period_end``: a date input the runtime sets to
    the period's first or last day, declared only once a formula reads it."""

    def declare() -> Binding:
        span = state.ruleset.manifest.span
        slot = state.slot(name, "input", DATE, span)
        field = ir.InputField(slot, name, name, DATE, None, None, "error", None, span)
        state.contexts.append(field)
        return SlotBinding(slot, DATE)

    return declare


def check_people_organization(state: State) -> None:
    """People can only be assessed with an organization file naming them."""
    ruleset = state.ruleset
    if state.kind == "person" and ruleset.organization is None and ruleset.indicators:
        state.error("E0433", {}, ruleset.indicators[0].id.span)


def count_full_marks(state: State) -> None:
    """Reads the declared full marks and ``state.indicators``; sets
    ``state.full_marks``: by default the sum of the points of the indicators
    that apply to a section, which is no single number when points are in
    force for part of the year (E0424) or when sections are assessed on
    indicators whose points add up differently (E0440)."""
    ruleset = state.ruleset
    manifest = ruleset.manifest
    full_marks = manifest.full_marks
    if full_marks is None:
        dated = [d for d in ruleset.indicators if d.effective_from or d.effective_until]
        if dated:
            # The points in force differ across the year: no single sum is "full".
            person = state.kind == "person"
            where = ruleset.people.span if person and ruleset.people else manifest.span
            help_key = "E0424.people" if person else "E0424.help"
            state.error("E0424", {}, where, help=(help_key, {}))
        sums = _applicable_sums(state)
        if len(sums) > 1 and not dated:
            # Sections are assessed on different indicators: no one sum is "full".
            person = state.kind == "person"
            where = ruleset.people.span if person and ruleset.people else manifest.span
            low, high = min(sums), max(sums)
            state.error("E0440", {"low": low, "high": high}, where, help=("E0424.help", {}))
        full_marks = (
            sums.pop() if len(sums) == 1 else sum((i.points for i in state.indicators), Decimal(0))
        )
    state.full_marks = full_marks


def _applicable_sums(state: State) -> set[Decimal]:
    """The sums of points of the indicators that apply to each section (to
    each person, by section and post, for people); one sum when nothing is
    partitioned."""
    everything = sum((i.points for i in state.indicators), Decimal(0))
    organization = state.organization
    if organization is None or all(i.applies_to is None for i in state.indicators):
        return {everything}
    if state.kind == "person":  # by each person's section and post
        return organization.person_applicable_sums(state.indicators) or {everything}
    return {
        sum((i.points for i in state.indicators if i.applies(section)), Decimal(0))
        for section in organization.assessed_sections(state.kind)
    } or {everything}


def define_base(state: State) -> None:
    """Reads the total formula, else the indicator scores and points; adds the
    base's pending definition."""
    ruleset = state.ruleset
    if ruleset.total is not None:
        state.pending.append(Pending(state.base, ruleset.total, state.scope))
        return
    indicators = state.indicators
    scores = tuple(ir.Ref(i.score, NUMBER, i.span) for i in indicators)
    base_expr = ir.NormalizedSum(
        scores,
        tuple(i.points for i in indicators),
        state.full_marks,
        NUMBER,
        ruleset.manifest.span,
    )
    state.pending.append(Pending(state.base, base_expr, None))


def define_total(state: State) -> None:
    """Reads the base, ``state.adjustments`` and the ``people`` block; adds the
    ``total`` slot (and, for a person combined with the section, the
    ``section_total`` input), its pending definition rounded as the manifest
    says, and ``total`` as a name later formulas (ranking, grades) can read."""
    ruleset = state.ruleset
    manifest = ruleset.manifest
    base_span = ruleset.total.span if ruleset.total is not None else manifest.span
    total_slot = state.slot("total", "total", NUMBER, base_span)
    total_expr: ir.Expr = ir.Ref(state.base, NUMBER, base_span)
    bonus, deduction = state.adjustments.get("bonus"), state.adjustments.get("deduction")
    if bonus is not None:
        total_expr = ir.Arith("+", total_expr, ir.Ref(bonus, NUMBER, base_span), NUMBER, base_span)
    if deduction is not None:
        total_expr = ir.Arith(
            "-", total_expr, ir.Ref(deduction, NUMBER, base_span), NUMBER, base_span
        )
    people = ruleset.people
    if state.kind == "person" and people and people.combine_own and people.combine_section:
        # A person's total: own score and the section's total in the declared proportion.
        section_total = state.slot("section_total", "input", NUMBER, people.span)
        state.section_total = section_total
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
    state.pending.append(Pending(total_slot, total_expr, None, manifest.places, manifest.rounding))
    state.scope.names["total"] = SlotBinding(total_slot, NUMBER)
    state.total = total_slot
