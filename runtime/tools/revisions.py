"""The revision log of a rule set: each revision the manifest declares, and what
it changed.

A revision's notice (id, document number, date, reason) is declared in the
manifest; what it changed is not taken from its words but computed from the
rules themselves: the indicators and items whose ``effective`` dates start on
its day (added) or end the day before (removed).  One removed and one added on
the same day under the same name is a change of that rule.  So the log cannot
claim a change the rules do not make, and a change the rules make on a day no
revision declares is still listed (as undeclared).  Days on the year's edges
(in force from 1 January, until 31 December) are the year's rules, not a
revision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from compiler import ir
from compiler.passes.state import Kind
from dsl.spans import Span

Action = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class RuleChange:
    """One indicator or item that a revision adds, removes or replaces."""

    action: Action
    thing: Literal["indicator", "item"]
    subjects: str  # section, person
    ident: str
    name: str
    previous: str | None  # changed: the id of the rule it replaces
    at: str  # file:line


@dataclass(frozen=True, slots=True)
class RevisionEntry:
    """A declared revision (``ident`` None: changes on a day no revision declares)."""

    ident: str | None
    document: str | None
    day: date | None
    reason: str | None
    declared: str | None  # the manifest's words for what it changes
    at: str
    changes: tuple[RuleChange, ...]


@dataclass(frozen=True, slots=True)
class RevisionLog:
    scheme: str
    version: str
    year: int
    entries: tuple[RevisionEntry, ...]


def _where(span: Span) -> str:
    return f"{span.path}:{span.line}"


Dated = ir.Indicator | ir.Item


def _changes_by_day(
    programs: Mapping[Kind, ir.Program], year: int, last_year: int | None = None
) -> dict[date, list[RuleChange]]:
    """Every indicator and item starting or ending inside the year (inside
    the years of a multi-year rule set), by the day it changes."""
    first, last = date(year, 1, 1), date(last_year or year, 12, 31)
    found: dict[date, list[RuleChange]] = {}
    for kind, program in programs.items():
        rules: list[tuple[Literal["indicator", "item"], Dated]] = [
            *(("indicator", i) for i in program.indicators),
            *(("item", i) for i in program.items),
        ]
        for thing, rule in rules:
            start, end = rule.effective_from, rule.effective_until
            if start is not None and first < start <= last:
                found.setdefault(start, []).append(
                    RuleChange("added", thing, kind, rule.id, rule.name, None, _where(rule.span))
                )
            if end is not None and first <= end < last:
                found.setdefault(end + timedelta(days=1), []).append(
                    RuleChange("removed", thing, kind, rule.id, rule.name, None, _where(rule.span))
                )
    return {day: _pair(changes) for day, changes in found.items()}


def _pair(changes: list[RuleChange]) -> list[RuleChange]:
    """A rule removed and one added under the same name, kind and thing: changed."""
    removed = {(c.thing, c.subjects, c.name): c for c in changes if c.action == "removed"}
    result: list[RuleChange] = []
    replaced: set[str] = set()
    for change in changes:
        if change.action != "added":
            continue
        old = removed.get((change.thing, change.subjects, change.name))
        if old is not None and old.ident not in replaced:
            replaced.add(old.ident)
            result.append(RuleChange(
                "changed", change.thing, change.subjects, change.ident, change.name, old.ident,
                change.at,
            ))  # fmt: skip
        else:
            result.append(change)
    result += [c for c in changes if c.action == "removed" and c.ident not in replaced]
    order = {"removed": 0, "added": 1, "changed": 2}
    return sorted(result, key=lambda c: (c.subjects != "section", order[c.action], c.thing))


def revision_log(programs: Mapping[Kind, ir.Program], as_of: date | None = None) -> RevisionLog:
    """The revisions of the rules in date order (undated ones last, as declared),
    each with the changes computed from effective dates; ``as_of``: only those
    in force by then (undated ones are kept: when they took effect is unknown).
    ``programs`` must be compiled without ``as_of`` (with their effective dates)."""
    section = programs["section"]
    by_day = _changes_by_day(programs, section.year, section.last_year)
    entries: list[RevisionEntry] = []
    claimed: set[date] = set()
    for revision in section.revisions:
        changes: tuple[RuleChange, ...] = ()
        if revision.day is not None and revision.day not in claimed:
            changes = tuple(by_day.get(revision.day, ()))
            claimed.add(revision.day)
        entries.append(RevisionEntry(
            revision.id, revision.document, revision.day, revision.reason, revision.changes,
            _where(revision.span), changes,
        ))  # fmt: skip
    for day, found in by_day.items():
        if day not in claimed:
            entries.append(RevisionEntry(None, None, day, None, None, "", tuple(found)))
    if as_of is not None:
        entries = [e for e in entries if e.day is None or e.day <= as_of]
    dated = sorted((e for e in entries if e.day is not None), key=lambda e: e.day or date.min)
    undated = [e for e in entries if e.day is None]
    return RevisionLog(section.scheme, section.version, section.year, (*dated, *undated))
