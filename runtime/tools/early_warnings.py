"""Early warnings (指标填报预警): the month's checkpoints and the reminders before them.

At the start of each month the performance office sends the indicator
early-warning table (《指标填报预警提醒表》) to each assessed section, signed by
its head: what the section is assessed on this month.  Three working days
before each checkpoint it sends a second warning to each section that still
owes the checkpoint's data (the assessing section, which submits it), signed
by that section's performance liaison.  ``warning_table`` computes both for
the month of a date; ``runtime.render.early_warnings`` renders them;
``runtime.tools.warning_records`` records what was issued and signed.

Conventions:

- The table for a month lists the checkpoints falling in that month (the
  checkpoint dates of ``Indicator.checkpoints`` from its first to its last day)
  with their due dates (``runtime.inputs.checkpoints.due_date``: ``due_days``
  calendar days later unless the rules count working days or move due dates
  off holidays), so usually early in the next month: the September 2016 table
  holds the third-quarter checkpoint of 30 September, due 5 October.
- An indicator is listed for a checkpoint when it is in force on the checkpoint
  date: the second-quarter revision's tasks (in force from 1 April) appear from
  April, the indicators removed after 31 March do not.
- Section indicators: one row per section the indicator applies to
  (``applies_to`` absent, or naming the section's id or one of its tags).
- People indicators (of the people program, when given): one row per section
  that has at least one member, the members' section judged by ``applies_to``
  as data loading does; the row is marked as people (个人) and the section head
  signs for the members.  Sections without members get no people rows.
- Second warnings go to the section that owes the data: the indicator's
  assessing section (考评科室, its ``assessor``), which submits the values
  (``jixiao submit``), signed by that section's liaison.  An ``assessor`` that
  names no section of the organization (``所在科室``: each person's own section
  assesses them) makes every assessed section of the first table its own
  recipient.  One row per recipient, indicator and checkpoint, dated
  ``days_before`` (3) working days before the **checkpoint** by the official
  calendar (``runtime.inputs.workdays``; the checkpoint itself is not counted;
  make-up working days count).  A checkpoint the calendar data does not cover
  raises ``CalendarRangeError``: no reminder date is guessed.
- Status (``held``): the (assessor, indicator id, quarter) triples some
  submission holds.  Given, a second warning goes only to a recipient whose
  assessor has not submitted the indicator for the checkpoint's quarter; not
  given (None), status is unknown and every owed row is listed
  (``WarningTable.status_known`` says which).  The first table is the month's
  obligations and is never filtered.
- Order: first warnings by checkpoint, due date, section indicators before
  people indicators, indicator order in the rules, section order in the
  organization (the indicator-major order of the paper table); second warnings
  by reminder date, section order, due date, checkpoint, then as above (each
  liaison's reminders together).
- Heads and liaisons are person ids in the organization; rows carry their
  names (the id itself when the person is not listed, None when the section has
  no head or liaison, shown as a dash).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from compiler import ir
from dsl.diagnostics import Diagnostic, UserError
from runtime.inputs.checkpoints import due_date
from runtime.inputs.periods import Period
from runtime.inputs.workdays import CalendarRangeError, working_days_before
from runtime.store import Store

__all__ = [
    "SECOND_WARNING_WORKING_DAYS",
    "FirstWarning",
    "NoOrganizationError",
    "SecondWarning",
    "WarningTable",
    "held_by_store",
    "quarter_of",
    "warning_table",
]

SECOND_WARNING_WORKING_DAYS = 3

Subjects = Literal["section", "person"]


class NoOrganizationError(ValueError):
    """The rule set declares no organization: there are no sections to warn."""

    def __init__(self, scheme: str) -> None:
        super().__init__(f"rule set {scheme!r} has no organization; no sections to warn")
        self.scheme = scheme


@dataclass(frozen=True, slots=True)
class FirstWarning:
    """A checkpoint of the month for one assessed section (科室负责人签字)."""

    indicator: str  # id
    name: str
    subjects: Subjects  # section: the section's own indicator; person: its members'
    cadence: str  # monthly, quarterly, half_year, annual
    checkpoint: date
    due: date
    points: Decimal
    method: str  # formula, levels, machine, deduct
    section: str  # id
    section_name: str
    head: str | None  # the head's name
    assessor: str | None
    remind_on: date | None = None  # the checkpoint's second-warning day


@dataclass(frozen=True, slots=True)
class SecondWarning:
    """A reminder ``days_before`` working days before a checkpoint, to the
    section that has not submitted its data (绩效联络员签字)."""

    day: date  # when the reminder is sent
    indicator: str
    name: str
    subjects: Subjects
    checkpoint: date
    due: date
    section: str  # the recipient: the assessing section (or the assessed one, see above)
    section_name: str
    liaison: str | None  # the recipient's liaison's name
    assessor: str | None = None  # the indicator's assessor as the rules write it


@dataclass(frozen=True, slots=True)
class WarningTable:
    scheme: str
    version: str
    year: int
    month: int
    days_before: int
    first: tuple[FirstWarning, ...]
    second: tuple[SecondWarning, ...]
    status_known: bool = False  # second warnings filtered by submissions (``held``)
    as_of: date | None = None  # the day the status was read as of; None: the whole store
    sections: tuple[str, ...] = ()  # the organization's section ids, in its order


def _month(on: date) -> tuple[date, date]:
    first = on.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def warning_table(
    sections: ir.Program,
    people: ir.Program | None,
    on: date,
    *,
    days_before: int = SECOND_WARNING_WORKING_DAYS,
    held: frozenset[tuple[str, str, str]] | None = None,
    as_of: date | None = None,
) -> WarningTable:
    """The first and second warnings for the month of ``on`` (see the module's
    conventions).  ``sections`` is the section program, ``people`` the people
    program or None; ``held`` the submission status (None: unknown), read as
    of ``as_of``.  Raises ``NoOrganizationError`` when the rules declare no
    organization and ``CalendarRangeError`` when a checkpoint is outside the
    official calendar's data."""
    organization = sections.organization
    if organization is None:
        raise NoOrganizationError(sections.scheme)
    start, end = _month(on)
    names = {p.id: p.name for p in organization.people}
    staffed = {p.section for p in organization.people}

    def name(person: str | None) -> str | None:
        return None if person is None else names.get(person, person)

    blocks: list[tuple[Subjects, ir.Program]] = [("section", sections)]
    if people is not None:
        blocks.append(("person", people))
    indicator_order: dict[tuple[str, str], int] = {}
    first: list[FirstWarning] = []
    for subjects, program in blocks:
        for indicator in program.indicators:
            indicator_order[(subjects, indicator.id)] = len(indicator_order)
            for checkpoint in indicator.checkpoint_days(start, end):
                if not indicator.in_force(checkpoint):
                    continue
                due = due_date(indicator, checkpoint)
                for section in organization.sections:
                    if not organization.applies(indicator, section, subjects):
                        continue
                    if subjects == "person" and section.id not in staffed:
                        continue
                    first.append(
                        FirstWarning(
                            indicator=indicator.id,
                            name=indicator.name,
                            subjects=subjects,
                            cadence=indicator.cadence or "annual",
                            checkpoint=checkpoint,
                            due=due,
                            points=indicator.points,
                            method=indicator.method,
                            section=section.id,
                            section_name=section.name,
                            head=name(section.head),
                            assessor=indicator.assessor,
                        )
                    )
    section_order = {s.id: n for n, s in enumerate(organization.sections)}
    liaisons = {s.id: name(s.liaison) for s in organization.sections}
    first.sort(
        key=lambda w: (
            w.checkpoint,
            w.due,
            indicator_order[(w.subjects, w.indicator)],
            section_order[w.section],
        )
    )
    by_name = {s.name: s for s in organization.sections} | {s.id: s for s in organization.sections}
    reminder = {
        checkpoint: working_days_before(checkpoint, days_before)
        for checkpoint in dict.fromkeys(w.checkpoint for w in first)
    }
    first = [dataclasses.replace(w, remind_on=reminder[w.checkpoint]) for w in first]
    second: list[SecondWarning] = []
    seen: set[tuple[str, str, str, date]] = set()
    for w in first:
        owner = by_name.get(w.assessor) if w.assessor is not None else None
        recipient = (owner.id, owner.name) if owner is not None else (w.section, w.section_name)
        key = (recipient[0], w.subjects, w.indicator, w.checkpoint)
        if key in seen:
            continue
        seen.add(key)
        if held is not None and (
            (w.assessor or "", w.indicator, str(quarter_of(w.checkpoint, sections.annual))) in held
        ):
            continue
        second.append(
            SecondWarning(
                day=reminder[w.checkpoint],
                indicator=w.indicator,
                name=w.name,
                subjects=w.subjects,
                checkpoint=w.checkpoint,
                due=w.due,
                section=recipient[0],
                section_name=recipient[1],
                liaison=liaisons[recipient[0]],
                assessor=w.assessor,
            )
        )
    second.sort(
        key=lambda w: (
            w.day,
            section_order[w.section],
            w.due,
            w.checkpoint,
            indicator_order[(w.subjects, w.indicator)],
        )
    )
    return WarningTable(
        scheme=sections.scheme,
        version=sections.version,
        year=start.year,
        month=start.month,
        days_before=days_before,
        first=tuple(first),
        second=tuple(second),
        status_known=held is not None,
        as_of=as_of,
        sections=tuple(s.id for s in organization.sections),
    )


def quarter_of(day: date, annual: bool = False) -> Period:
    """The quarter whose submissions hold a checkpoint's data (annual rules:
    the year's)."""
    return Period(day.year, 0) if annual else Period(day.year, (day.month - 1) // 3 + 1)


def held_by_store(
    store: Store, scheme: str, quarters: list[Period], as_of: date | None
) -> frozenset[tuple[str, str, str]]:
    """(assessor, indicator id, quarter) of every submission of ``quarters``
    recorded by the end of ``as_of`` (every one when None), as
    ``jixiao status --date`` reads them."""
    found: set[tuple[str, str, str]] = set()
    for quarter in quarters:
        for submission in store.submissions(scheme, str(quarter)):
            if as_of is not None and date.fromisoformat(submission.submitted_at[:10]) > as_of:
                continue
            found.update((submission.assessor, i, str(quarter)) for i in submission.indicators)
    return frozenset(found)


def month_warnings(
    sections: ir.Program,
    people: ir.Program | None,
    day: date,
    rules: str,
    day_text: str,
    store: Store | None = None,
    as_of: date | None = None,
) -> WarningTable:
    """``warning_table`` for ``jixiao warn``: every reason there are no tables
    is a located diagnostic (``UserError``): a day outside the rules' year
    (E0922, the month's tables come from the rules of its year), outside the
    holiday calendar's data (E0920), or rules without an organization (E0921).
    ``rules`` and ``day_text`` are the rules and the day as the user wrote them.
    With ``store``, second warnings go only to those that have not submitted
    (as of the end of ``as_of``; None: everything the store holds)."""
    year = sections.years_text()
    if not sections.covers(day.year):
        outside = {"date": day, "year": year, "other": day.year}
        raise UserError(
            [Diagnostic("E0922", outside, None, location=day_text, help=("E0922.help", outside))]
        )
    held = None
    if store is not None:
        start, end = _month(day)
        quarters = sorted({quarter_of(start, sections.annual), quarter_of(end, sections.annual)})
        held = held_by_store(store, sections.scheme, quarters, as_of)
    try:
        return warning_table(sections, people, day, held=held, as_of=as_of)
    except CalendarRangeError as error:
        args = {"day": error.day, "first": error.first, "last": error.last}
        raise UserError(
            [Diagnostic("E0920", args, None, location=day_text, help=("E0920.help", {}))]
        ) from None
    except NoOrganizationError:
        raise UserError(
            [Diagnostic("E0921", {}, None, location=rules, help=("E0921.help", {}))]
        ) from None
