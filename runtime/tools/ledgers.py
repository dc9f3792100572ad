"""The three ledgers of the source account (三本台账), built from the rules.

* the individual duty ledger (个人职责台账): each person, their post and its
  duties, and the indicators that apply to them (by section, tag or post)
  with points, assessing section (考评科室) and checkpoints in the period;
* the section function ledger (科室职能台账): each section's indicators with
  their assessors and checkpoints, and the indicators the section itself
  assesses for others;
* the office's master ledger (绩效管理总账): every indicator in force with
  its assessor, checkpoints and window, how many subjects it applies to and,
  with a store, the submission status of ``runtime.tools.status`` (read, not
  recomputed) and the warnings the store records as issued.

The ledgers read only the compiled rules (and the store): they are the
rules seen per person, per section and per indicator, so a revision of the
rules is a revision of the ledgers.

Warnings issued: with a store, the master ledger counts the warning tables
recorded by ``jixiao warn --record`` (``runtime.tools.warning_records``) per
indicator and checkpoint, and how many were signed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from compiler import ir
from compiler.pipeline import Compilation
from runtime.inputs.checkpoints import checkpoints
from runtime.inputs.periods import Period
from runtime.store import IssuedWarning, Store
from runtime.tools.status import State, period_status, window
from runtime.tools.warning_records import issued_warnings

LedgerKind = Literal["duty", "function", "master"]
LEDGER_KINDS: tuple[LedgerKind, ...] = ("duty", "function", "master")


@dataclass(frozen=True, slots=True)
class Entry:
    """One indicator as every ledger shows it."""

    subjects: str  # section, person
    id: str
    name: str
    category: str | None
    points: Decimal
    assessor: str | None
    cadence: str
    method: str
    checkpoints: tuple[tuple[date, date], ...]  # (checkpoint, due) in the period


@dataclass(frozen=True, slots=True)
class DutyLine:
    """A person in the individual duty ledger."""

    person: str
    name: str
    section: str
    section_name: str
    post: str | None
    post_name: str | None
    duties: tuple[str, ...]
    roles: tuple[str, ...]  # head, liaison (as the organization names them)
    indicators: tuple[Entry, ...]
    points: Decimal  # points of the indicators that apply: the normalization base
    full_marks: Decimal


@dataclass(frozen=True, slots=True)
class FunctionLine:
    """A section in the section function ledger."""

    section: str
    name: str
    head: str | None  # names
    liaison: str | None
    indicators: tuple[Entry, ...]  # the section is assessed on
    assesses: tuple[Entry, ...]  # the section assesses (its name is their assessor)


@dataclass(frozen=True, slots=True)
class Warnings:
    """Warnings the store records for one indicator's checkpoints in the period."""

    issued: int
    signed: int


@dataclass(frozen=True, slots=True)
class MasterLine:
    """An indicator in the master ledger, with its window and status."""

    indicator: Entry
    window: date  # the window closes: the last checkpoint's due date
    applies_to: int  # how many subjects it applies to
    state: State | None  # None: no store given
    submitted_at: str | None  # the submission that counts
    submissions: int
    warnings: Warnings | None  # None: the store records no warnings


@dataclass(frozen=True, slots=True)
class Ledger:
    kind: LedgerKind
    scheme: str
    version: str
    period: Period
    day: date | None
    duty: tuple[DutyLine, ...] = ()
    function: tuple[FunctionLine, ...] = ()
    master: tuple[MasterLine, ...] = ()
    with_status: bool = False
    warnings_recorded: bool = False


def _entry(subjects: str, indicator: ir.Indicator, period: Period) -> Entry:
    return Entry(
        subjects,
        indicator.id,
        indicator.name,
        indicator.category,
        indicator.points,
        indicator.assessor,
        indicator.cadence or "annual",
        indicator.method,
        tuple(
            (checkpoint, due)
            for checkpoint, due in checkpoints(indicator, period.start, period.end)
            if indicator.in_force(checkpoint)
        ),
    )


def _in_force(program: ir.Program | None, period: Period) -> list[ir.Indicator]:
    """The indicators assessed in the quarter: in force and, for half-year and
    annual ones, at a checkpoint of their cadence (``ir.Indicator.scored_in``)."""
    if program is None:
        return []
    return [i for i in program.indicators if i.scored_in(period.end)]


def build_ledger(
    compilation: Compilation,
    kind: LedgerKind,
    period: Period,
    store: Store | None = None,
    day: date | None = None,
) -> Ledger:
    """The ``kind`` ledger of ``period``; the master ledger reads ``store``
    (submission status as of ``day``, warnings issued) when given."""
    sections_program = compilation.programs["section"]
    people_program = compilation.programs.get("person")
    organization = sections_program.organization
    base = Ledger(kind, sections_program.scheme, sections_program.version, period, day)
    if kind == "duty":
        return _duty(base, organization, people_program, period)
    if kind == "function":
        return _function(base, organization, sections_program, people_program, period)
    return _master(base, compilation, organization, period, store, day)


def _names(organization: ir.Organization) -> dict[str, str]:
    return {p.id: p.name for p in organization.people}


def _duty(
    base: Ledger,
    organization: ir.Organization | None,
    program: ir.Program | None,
    period: Period,
) -> Ledger:
    if organization is None or program is None:
        return base
    indicators = _in_force(program, period)
    lines = []
    for person in organization.people:
        section = organization.section(person.section)
        if section is None:
            continue
        post = organization.post(person.post)
        applying = [i for i in indicators if i.applies(section, person.post)]
        roles = tuple(
            role
            for role, who in (("head", section.head), ("liaison", section.liaison))
            if who == person.id
        )
        lines.append(
            DutyLine(
                person.id,
                person.name,
                section.id,
                section.name,
                person.post,
                post.name if post is not None else None,
                post.duties if post is not None else (),
                roles,
                tuple(_entry("person", i, period) for i in applying),
                sum((i.points for i in applying), Decimal(0)),
                program.full_marks,
            )
        )
    return replace(base, duty=tuple(lines))


def _function(
    base: Ledger,
    organization: ir.Organization | None,
    sections: ir.Program,
    people: ir.Program | None,
    period: Period,
) -> Ledger:
    if organization is None:
        return base
    names = _names(organization)
    own = _in_force(sections, period)
    everything = [("section", i) for i in own] + [("person", i) for i in _in_force(people, period)]
    lines = []
    for section in organization.sections:
        lines.append(
            FunctionLine(
                section.id,
                section.name,
                names.get(section.head, section.head) if section.head else None,
                names.get(section.liaison, section.liaison) if section.liaison else None,
                tuple(_entry("section", i, period) for i in own if i.applies(section)),
                tuple(
                    _entry(subjects, i, period)
                    for subjects, i in everything
                    if i.assessor == section.name or i.assessor == section.id
                ),
            )
        )
    return replace(base, function=tuple(lines))


def _master(
    base: Ledger,
    compilation: Compilation,
    organization: ir.Organization | None,
    period: Period,
    store: Store | None,
    day: date | None,
) -> Ledger:
    status = {}
    if store is not None:
        lines_in = period_status(compilation, store, period, day).lines
        status = {(line.kind, line.indicator): line for line in lines_in}
    issued = _issued_warnings(store, period, day)
    lines = []
    for subjects, program in compilation.programs.items():
        for indicator in _in_force(program, period):
            entry = _entry(subjects, indicator, period)
            found = status.get((subjects, indicator.id))
            counted = found.counted if found is not None else None
            lines.append(
                MasterLine(
                    entry,
                    found.due if found is not None else window(indicator, period)[1],
                    _applies_count(organization, indicator, subjects),
                    found.state if found is not None else None,
                    counted.submitted_at if counted is not None else None,
                    found.submissions if found is not None else 0,
                    _count(issued, entry) if issued is not None else None,
                )
            )
    return replace(
        base,
        master=tuple(lines),
        with_status=store is not None,
        warnings_recorded=issued is not None,
    )


def _applies_count(organization: ir.Organization | None, indicator: ir.Indicator, kind: str) -> int:
    if organization is None:
        return 0
    if kind != "person":
        return sum(1 for s in organization.sections if indicator.applies(s))
    sections = {s.id: s for s in organization.sections}
    return sum(
        1
        for p in organization.people
        if p.section in sections and indicator.applies(sections[p.section], p.post)
    )


def _issued_warnings(
    store: Store | None, period: Period, day: date | None
) -> list[IssuedWarning] | None:
    """The warning tables the store records as sent up to ``day`` (or a month
    after the quarter: reminders for its last checkpoint go out before it),
    or None without a store."""
    if store is None:
        return None
    until = day or period.end + timedelta(days=31)
    return issued_warnings(store, None, until)


def _count(issued: Sequence[IssuedWarning], entry: Entry) -> Warnings:
    """Warnings naming this indicator at one of its checkpoints in the period:
    a table counts once per row about it, signed when its table was signed."""
    checkpoints = {c.isoformat() for c, _ in entry.checkpoints}
    mine = [
        w
        for w in issued
        for item in w.items
        if item.indicator == entry.id
        and item.subjects == entry.subjects
        and item.checkpoint in checkpoints
    ]
    return Warnings(len(mine), sum(1 for w in mine if w.signed_by is not None))
