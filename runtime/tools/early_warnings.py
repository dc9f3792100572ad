"""Early warnings (指标填报预警): the month's checkpoints and the reminders before them.

At the start of each month the performance office sends the indicator
early-warning table (《指标填报预警提醒表》), signed by each assessed section's
head; three working days before each due date it sends a second warning,
signed by the section's performance liaison.  ``warning_table`` computes both
for the month of a date; ``runtime.render.early_warnings`` renders them.

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
- Second warnings: one per first-warning row, dated ``days_before`` (3) working
  days before its due date by the official calendar (``runtime.inputs.workdays``; the
  due date itself is not counted), signed by the section's liaison.  The date
  may fall in the next month when a due date is early in it, or before the
  checkpoint.  A due date the calendar data does not cover raises
  ``CalendarRangeError``: no reminder date is guessed.
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

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from compiler import ir
from dsl.diagnostics import Diagnostic, UserError
from runtime.inputs.checkpoints import due_date
from runtime.inputs.workdays import CalendarRangeError, working_days_before

__all__ = [
    "SECOND_WARNING_WORKING_DAYS",
    "FirstWarning",
    "NoOrganizationError",
    "SecondWarning",
    "WarningTable",
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


@dataclass(frozen=True, slots=True)
class SecondWarning:
    """A reminder ``days_before`` working days before a due date (绩效联络员签字)."""

    day: date  # when the reminder is sent
    indicator: str
    name: str
    subjects: Subjects
    checkpoint: date
    due: date
    section: str
    section_name: str
    liaison: str | None  # the liaison's name


@dataclass(frozen=True, slots=True)
class WarningTable:
    scheme: str
    version: str
    year: int
    month: int
    days_before: int
    first: tuple[FirstWarning, ...]
    second: tuple[SecondWarning, ...]


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
) -> WarningTable:
    """The first and second warnings for the month of ``on`` (see the module's
    conventions).  ``sections`` is the section program, ``people`` the people
    program or None.  Raises ``NoOrganizationError`` when the rules declare no
    organization and ``CalendarRangeError`` when a due date is outside the
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
                    if not indicator.applies(section):
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
    reminder: dict[date, date] = {}
    second: list[SecondWarning] = []
    for w in first:
        if w.due not in reminder:
            reminder[w.due] = working_days_before(w.due, days_before)
        second.append(
            SecondWarning(
                day=reminder[w.due],
                indicator=w.indicator,
                name=w.name,
                subjects=w.subjects,
                checkpoint=w.checkpoint,
                due=w.due,
                section=w.section,
                section_name=w.section_name,
                liaison=liaisons[w.section],
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
    )


def month_warnings(
    sections: ir.Program, people: ir.Program | None, day: date, rules: str, day_text: str
) -> WarningTable:
    """``warning_table`` for ``jixiao warn``: every reason there are no tables
    is a located diagnostic (``UserError``): a day outside the rules' year
    (E0922, the month's tables come from the rules of its year), outside the
    holiday calendar's data (E0920), or rules without an organization (E0921).
    ``rules`` and ``day_text`` are the rules and the day as the user wrote them."""
    year = sections.year
    if day.year != year:
        outside = {"date": day, "year": year, "other": day.year}
        raise UserError(
            [Diagnostic("E0922", outside, None, location=day_text, help=("E0922.help", outside))]
        )
    try:
        return warning_table(sections, people, day)
    except CalendarRangeError as error:
        args = {"day": error.day, "first": error.first, "last": error.last}
        raise UserError(
            [Diagnostic("E0920", args, None, location=day_text, help=("E0920.help", {}))]
        ) from None
    except NoOrganizationError:
        raise UserError(
            [Diagnostic("E0921", {}, None, location=rules, help=("E0921.help", {}))]
        ) from None
