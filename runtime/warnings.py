"""Early warnings (指标填报预警): the month's checkpoints and the reminders before them.

At the start of each month the performance office sends the indicator
early-warning table (《指标填报预警提醒表》), signed by each assessed section's
head; three working days before each due date it sends a second warning,
signed by the section's performance liaison.  ``warning_table`` computes both
for the month of a date; ``to_text``, ``to_html`` and ``to_xlsx`` render them.

Conventions:

- The table for a month lists the checkpoints falling in that month (the
  checkpoint dates of ``Indicator.checkpoints`` from its first to its last day)
  with their due dates, ``due_days`` calendar days later and so usually early
  in the next month: the September 2016 table holds the third-quarter
  checkpoint of 30 September, due 5 October.
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
  days before its due date by the official calendar (``runtime.workdays``; the
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

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from typing import Literal

import jinja2

from compiler import ir
from dsl.diagnostics import Lang, display_width, pad
from runtime.output import _fixed_zip
from runtime.workdays import working_days_before

__all__ = [
    "SECOND_WARNING_WORKING_DAYS",
    "FirstWarning",
    "NoOrganizationError",
    "SecondWarning",
    "WarningTable",
    "standard_text",
    "to_html",
    "to_text",
    "to_xlsx",
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


def _applies(indicator: ir.Indicator, section: ir.Section) -> bool:
    targets = indicator.applies_to
    return targets is None or section.id in targets or any(t in targets for t in section.tags)


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
            for checkpoint, due in indicator.checkpoints(start, end):
                if not indicator.in_force(checkpoint):
                    continue
                for section in organization.sections:
                    if not _applies(indicator, section):
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


# -- words ---------------------------------------------------------------------

_CADENCE_WORDS = {
    "monthly": {"zh": "月度", "en": "monthly"},
    "quarterly": {"zh": "季度", "en": "quarterly"},
    "half_year": {"zh": "半年", "en": "half-year"},
    "annual": {"zh": "年度", "en": "annual"},
}

_METHOD_WORDS = {
    "formula": {"zh": "按计分公式计分", "en": "by formula"},
    "levels": {"zh": "按评价档次计分", "en": "by levels"},
    "machine": {"zh": "机考（取信息系统数据）", "en": "machine-scored (system data)"},
    "deduct": {"zh": "按次扣分", "en": "deductions per occurrence"},
}

_SUBJECT_WORDS = {
    "section": {"zh": "科室", "en": "section"},
    "person": {"zh": "个人", "en": "people"},
}

_NONE = "—"


def _points(points: Decimal) -> str:
    return format(points.normalize(), "f")


def standard_text(points: Decimal, method: str, lang: Lang) -> str:
    """The standard column: points and the scoring method, e.g. ``20 分，按计分公式计分``."""
    how = _METHOD_WORDS.get(method, {}).get(lang, method)
    if lang == "zh":
        return f"{_points(points)} 分，{how}"
    return f"{_points(points)} points, {how}"


def _title(table: WarningTable, lang: Lang) -> str:
    if lang == "zh":
        what, when = "指标填报预警提醒表", f"{table.year}年{table.month}月"
    else:
        what, when = "indicator early-warning table", f"{table.year}-{table.month:02d}"
    return f"{table.scheme} {table.version} · {what} · {when}"


def _headings(table: WarningTable, lang: Lang) -> tuple[str, str, str]:
    n = table.days_before
    if lang == "zh":
        return (
            "一、首次预警（每月初发送，科室负责人签字）",
            f"二、二次预警（截止日期前 {n} 个工作日发送，绩效联络员签字）",
            "（本月没有考核节点）",
        )
    return (
        "1. First warnings (sent at the start of the month, signed by the section head)",
        f"2. Second warnings (sent {n} working days before the due date, signed by the liaison)",
        "(no checkpoints this month)",
    )


Cell = str | date


def _first_rows(table: WarningTable, lang: Lang) -> tuple[list[str], list[list[Cell]]]:
    heads = (
        ["指标编号", "指标名称", "考核周期", "考核节点", "截止日期", "考核标准",
         "考核对象", "被考核科室", "科室负责人（签字）", "考核科室"]
        if lang == "zh"
        else ["id", "indicator", "cadence", "checkpoint", "due", "standard",
              "subjects", "section", "head (signature)", "assessor"]
    )  # fmt: skip
    rows: list[list[Cell]] = [
        [
            w.indicator,
            w.name,
            _CADENCE_WORDS.get(w.cadence, {}).get(lang, w.cadence),
            w.checkpoint,
            w.due,
            standard_text(w.points, w.method, lang),
            _SUBJECT_WORDS[w.subjects][lang],
            w.section_name,
            w.head or _NONE,
            w.assessor or _NONE,
        ]
        for w in table.first
    ]
    return heads, rows


def _second_rows(table: WarningTable, lang: Lang) -> tuple[list[str], list[list[Cell]]]:
    heads = (
        ["提醒日期", "被考核科室", "绩效联络员（签字）", "指标编号", "指标名称",
         "考核对象", "考核节点", "截止日期"]
        if lang == "zh"
        else ["remind on", "section", "liaison (signature)", "id", "indicator",
              "subjects", "checkpoint", "due"]
    )  # fmt: skip
    rows: list[list[Cell]] = [
        [
            w.day,
            w.section_name,
            w.liaison or _NONE,
            w.indicator,
            w.name,
            _SUBJECT_WORDS[w.subjects][lang],
            w.checkpoint,
            w.due,
        ]
        for w in table.second
    ]
    return heads, rows


def _text(cell: Cell) -> str:
    return cell.isoformat() if isinstance(cell, date) else cell


def _blocks(table: WarningTable, lang: Lang) -> list[tuple[str, list[str], list[list[str]]]]:
    """(heading, heads, rows as text) of the first and second warnings."""
    first_heading, second_heading, _ = _headings(table, lang)
    out = []
    for heading, (heads, rows) in (
        (first_heading, _first_rows(table, lang)),
        (second_heading, _second_rows(table, lang)),
    ):
        out.append((heading, heads, [[_text(c) for c in row] for row in rows]))
    return out


# -- renderers -------------------------------------------------------------------


def _aligned(heads: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [
        max([display_width(h)] + [display_width(row[i]) for row in rows])
        for i, h in enumerate(heads)
    ]
    lines = ["  ".join(pad(h, widths[i], False) for i, h in enumerate(heads)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(pad(c, widths[i], False) for i, c in enumerate(row)).rstrip())
    return lines


def to_text(table: WarningTable, lang: Lang) -> str:
    """Both tables as plain text aligned for CJK terminals (wide characters take
    two cells), in Chinese (``zh``) or English (``en``)."""
    empty = _headings(table, lang)[2]
    lines = [_title(table, lang)]
    for heading, heads, rows in _blocks(table, lang):
        lines += ["", heading, ""]
        lines += _aligned(heads, rows) if rows else [empty]
    return "\n".join(lines) + "\n"


def _template() -> jinja2.Template:
    source = resources.files("runtime").joinpath("templates/warnings.html").read_text("utf-8")
    environment = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.from_string(source)


def to_html(table: WarningTable, lang: Lang) -> str:
    """A self-contained HTML page (UTF-8, inline style, no scripts or links);
    every text is escaped."""
    empty = _headings(table, lang)[2]
    blocks = [
        {"heading": heading, "heads": heads, "rows": rows, "empty": empty}
        for heading, heads, rows in _blocks(table, lang)
    ]
    return _template().render(
        lang_tag="zh-CN" if lang == "zh" else "en",
        title=_title(table, lang),
        blocks=blocks,
    )


def to_xlsx(table: WarningTable, lang: Lang) -> bytes:
    """A workbook with a sheet of first and one of second warnings; dates are
    date cells; the same table gives the same bytes."""
    import openpyxl  # only when a workbook is written
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    fixed = datetime.datetime(2000, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.properties.title = _title(table, lang)
    sheet = workbook.active
    assert sheet is not None
    titles = ("首次预警", "二次预警") if lang == "zh" else ("first warnings", "second warnings")
    for index, (heads, rows) in enumerate((_first_rows(table, lang), _second_rows(table, lang))):
        target = sheet if index == 0 else workbook.create_sheet()
        target.title = titles[index]
        target.append(heads)
        for row in rows:
            target.append(row)
        for number, head in enumerate(heads, start=1):
            cells = [_text(row[number - 1]) for row in rows]
            width = max([display_width(head)] + [display_width(c) for c in cells])
            letter = get_column_letter(number)
            target.column_dimensions[letter].width = width + 2
            for cell in target[letter][1:]:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
        target.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_zip(buffer.getvalue())
