"""The sanctions pass: what a raised veto item does to a grade, a rank and later years.

A veto item may force a grade (``grade:``, possibly the declared ungraded
value), cap it (``at_most:``), take the subject out of scoring or rank it last
(``scoring:``), for the period it is raised in or longer (``lasts:``).  This
pass checks those names against the grades declared for the same kind of
subject, takes the ungraded value (a band with ``ungraded: true``) out of the
bands that thresholds assign, and records the grade order and the declared
precedence for ``runtime.engine.sanctions``, which applies them.
"""

from __future__ import annotations

import dataclasses

from compiler import ir
from compiler.passes.items import sanctioned
from compiler.passes.state import State
from dsl import ast
from dsl.diagnostics import Label, suggest

# The event table's own columns (runtime.inputs.events): a per-event duration
# needs a column of its own.
EVENT_TABLE_COLUMNS = ("date", "subject", "item", "count", "reason", "evidence", "points")


def declare_sanctions(state: State) -> None:
    """Reads the grade declarations, ``state.grades``, ``state.items`` and the
    veto items' outcomes; sets ``state.grade_order``, ``state.ungraded``,
    ``state.sanction_precedence``, each sanctioned item's ``sanction``, and
    drops the ungraded band from ``state.grades``."""
    decls = state.ruleset.grades or ()
    ungraded: ast.GradeDecl | None = None
    for decl in decls:
        if not decl.ungraded:
            continue
        if ungraded is not None:
            labels = (Label(ungraded.grade.span, "E0206.first"),)
            state.error("E0521", {"grade": decl.grade.name}, decl.grade.span, labels=labels)
            continue
        ungraded = decl
        if decl.minimum or decl.maximum or decl.requires or decl.quota or decl.blocked_by:
            state.error("E0520", {"grade": decl.grade.name}, decl.grade.span)
    state.grade_order = tuple(d.grade.name for d in decls)
    state.ungraded = ungraded.grade.name if ungraded is not None else None
    state.grades = tuple(b for b in state.grades if b.grade != state.ungraded)
    bands = [b.grade for b in state.grades]
    by_id = {d.id.name: d for d in state.ruleset.items}
    items = []
    for item in state.items:
        found = by_id.get(item.id)
        if found is not None and found.kind != "veto" and sanctioned(found):
            state.error("E0485", {"id": item.id}, found.id.span)
        elif found is not None and found.kind == "veto" and sanctioned(found):
            item = dataclasses.replace(item, sanction=_sanction(state, found, bands))
        items.append(item)
    state.items = items
    _precedence(state)


def _sanction(state: State, decl: ast.ItemDecl, bands: list[str]) -> ir.Sanction:
    """One item's outcome, its grade names checked (E0487, E0488) and its
    duration one of ``years`` or ``until`` (E0486)."""
    if decl.grade is not None and decl.at_most is not None:
        state.error("E0488", {"id": decl.id.name}, decl.at_most.span)
    forced = [*bands, *([state.ungraded] if state.ungraded else [])]
    for name, allowed in ((decl.grade, forced), (decl.at_most, bands)):
        if name is not None and name.name not in allowed:
            state.error(
                "E0487",
                {"grade": name.name, "grades": "、".join(allowed) or "-"},
                name.span,
                help=suggest(name.name, allowed, ("E0487.help", {})),
            )
    years, until = decl.lasts_years, decl.lasts_until
    if years is not None and until is not None:
        state.error("E0486", {"id": decl.id.name}, until.span)
    column = _column(state, decl)
    return ir.Sanction(
        grade=decl.grade.name if decl.grade else None,
        at_most=decl.at_most.name if decl.at_most else None,
        scoring=decl.scoring,  # type: ignore[arg-type]  # checked by the schema
        years=int(years.value) if years is not None else None,
        until=until.value if until is not None else None,
        span=decl.span,
        column=column,
        unit=decl.lasts_unit if column is not None else None,  # type: ignore[arg-type]
    )


def _column(state: State, decl: ast.ItemDecl) -> str | None:
    """A duration given per event (``lasts: {column, unit}``): the column,
    checked alone in ``lasts`` (E0553), with its unit (E0554), not one of the
    event table's own columns (E0555) and on an item raised by events only
    (E0556: a formula raises it without an event row to read)."""
    column, ident = decl.lasts_column, decl.id.name
    if column is None:
        if decl.lasts_unit is not None:
            state.error("E0554", {"id": ident}, decl.id.span, help=("E0554.help", {}))
        return None
    if decl.lasts_years is not None or decl.lasts_until is not None:
        state.error("E0553", {"id": ident}, column.span)
        return None
    if decl.lasts_unit is None:
        state.error("E0554", {"id": ident}, column.span, help=("E0554.help", {}))
        return None
    if column.name in EVENT_TABLE_COLUMNS:
        state.error("E0555", {"column": column.name, "columns": ", ".join(EVENT_TABLE_COLUMNS)},
                    column.span)  # fmt: skip
        return None
    if decl.raised_by is not None:
        state.error("E0556", {"id": ident}, decl.raised_by.span)
        return None
    return column.name


def _precedence(state: State) -> None:
    """The declared precedence, checked against every veto item of the rule
    set (E0489); this kind's program keeps its own items' ids."""
    vetoes = [d.id.name for d in state.source.items if d.kind == "veto"]
    mine = {item.id for item in state.items if item.sanction is not None}
    kept = []
    for ident in state.source.sanction_precedence:
        if ident.name not in vetoes:
            help_line = suggest(ident.name, vetoes, ("E0489.help", {}))
            if state.kind == "section":  # said once, not once per kind
                state.error("E0489", {"id": ident.name}, ident.span, help=help_line)
        elif ident.name in mine:
            kept.append(ident.name)
    state.sanction_precedence = tuple(kept)
