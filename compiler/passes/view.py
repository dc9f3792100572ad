"""The view pass: the part of a rule set one program assesses."""

from __future__ import annotations

import dataclasses
from datetime import date

from compiler.passes.state import Kind, State
from dsl import ast


def view(state: State) -> None:
    """Reads the whole rule set, the kind and ``as_of``; sets ``state.ruleset``
    to the rules for that kind, as in force on ``as_of``."""
    state.ruleset = rules_for(state.source, state.kind, state.as_of)


def _in_force_on(day: date, start: ast.DateValue | None, end: ast.DateValue | None) -> bool:
    return (start is None or start.value <= day) and (end is None or day <= end.value)


def _kept_end(indicator: ast.IndicatorDecl) -> ast.DateValue | None:
    if indicator.cadence in ("half_year", "annual"):
        return indicator.effective_until
    return None


def rules_for(ruleset: ast.RuleSet, kind: Kind, as_of: date | None = None) -> ast.RuleSet:
    """The part of a rule set that assesses one kind of subject.

    Sections: every section indicator and item, the rule set's inputs, values,
    collections, total formula, ranking and grades.  People: person indicators
    and items, and the ranking, grades and full marks of the ``people`` block.

    ``as_of``: the rule set as in force on that date, as if it had always been
    (the indicators and items in force then, without their effective dates), so
    a revision written with effective dates can be diffed and dry-run like two
    versions.  One end is kept: a half-year or annual indicator that goes out
    of force keeps its ``effective.until``, because that end gives it its
    closing checkpoint (``ir.Indicator.closing_day``): the rules as in force on
    2016-03-31 score 学习培训 in 2016Q1, as the rules did then.
    """
    indicators = tuple(i for i in ruleset.indicators if i.subjects == kind)
    items = tuple(i for i in ruleset.items if i.subjects == kind)
    if as_of is not None:
        indicators = tuple(
            dataclasses.replace(i, effective_from=None, effective_until=_kept_end(i))
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
