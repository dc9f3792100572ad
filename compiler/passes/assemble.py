"""The last passes: declared properties, then the program itself."""

from __future__ import annotations

from compiler import ir
from compiler.links import build_links
from compiler.lower import SlotBinding
from compiler.passes.ranking import rollup
from compiler.passes.state import State
from compiler.properties import build_properties
from semantics.types import NUMBER


def declare_properties(state: State) -> None:
    """Reads the declared properties and every global name and slot; sets
    ``state.properties``, each checked and lowered (``compiler.properties``)."""
    names = {name: binding for name, (binding, _) in state.global_names.items()}
    names["total"] = SlotBinding(state.total, NUMBER)
    state.properties = build_properties(
        state.ruleset, state.kind, state.slots, names, state.diagnostics
    )


def assemble(state: State) -> None:
    """Reads everything the passes before it added; sets ``state.program``
    unless one of them found an error.  The roll-up and the result links are
    checked only then (as they always were), after every other part."""
    if state.failed():
        return
    ruleset, manifest, adjustments = state.ruleset, state.ruleset.manifest, state.adjustments
    state.program = ir.Program(
        scheme=manifest.scheme,
        version=manifest.version,
        year=manifest.year,
        places=manifest.places,
        rounding=manifest.rounding,  # type: ignore[arg-type]
        full_marks=state.full_marks,
        slots=tuple(state.slots),
        inputs=(*state.inputs.values(), *state.contexts),
        definitions=tuple(state.ordered),
        indicators=tuple(state.indicators),
        total=state.total,
        level_enums=tuple(state.enums.items()),
        organization=state.organization,
        items=tuple(state.items),
        base=state.base,
        bonus=adjustments.get("bonus"),
        deduction=adjustments.get("deduction"),
        vetoes=tuple(
            (kind, slot) for kind, slot in adjustments.items() if kind.startswith("veto:")
        ),
        ranking=state.ranking,
        grades=state.grades,
        kind=state.kind,
        section_total=state.section_total,
        rollup=rollup(state, ruleset),
        links=build_links(ruleset, state.kind, state.diagnostics),
        properties=state.properties,
        revisions=tuple(
            ir.Revision(
                r.id.name, r.document, r.day.value if r.day else None, r.reason, r.changes, r.span
            )
            for r in manifest.revisions
        ),
        period="year" if manifest.period == "year" else "quarter",
        last_year=manifest.years[1] if manifest.years else None,
        grade_order=state.grade_order,
        ungraded=state.ungraded,
        sanction_precedence=state.sanction_precedence,
        groups=tuple(state.group_values),
        stages=max((d.stage for d in state.ordered), default=1),
    )
