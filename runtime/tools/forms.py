"""What goes on an assessing section's form (``jixiao template``).

An assessing section (考评科室) fills in the data columns of the indicators
it owns, for the subjects those indicators apply to, for one quarter: the
same columns ``submit`` accepts from it (``submissions.column_owners``), so
a filled form is a submission as it stands.  This module decides the content
(which indicators, columns, rows and cells, each indicator's checkpoint,
due date and standard); ``runtime.render.forms`` lays it out as a workbook.

Only indicators in force at the quarter's end are on the form (the data
reader reads a quarter's row by the indicators in force then).  A cell is
to be filled when one of the section's indicators that read its column
applies to the row's subject, or when the reader requires the column in
every row; the others stay locked and empty, which the reader takes as "not
needed" there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compiler import ir
from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic, UserError
from runtime.inputs.data import RUNTIME_KINDS
from runtime.inputs.periods import Period
from runtime.tools.bulletin import period_text
from runtime.tools.status import window
from runtime.tools.submissions import assessors, column_owners

ALL = "all"  # ``--assessor all``: every assessing section's form


@dataclass(frozen=True, slots=True)
class FormIndicator:
    """One indicator the form collects data for, as the instructions list it."""

    id: str
    name: str
    kind: str  # section, person
    points: Decimal
    cadence: str
    checkpoint: date | None  # None: no checkpoint of the indicator in the quarter
    due: date
    method: str  # formula, levels, machine, deduct
    standard: str  # the rule's own words: its comments, else its scoring text


@dataclass(frozen=True, slots=True)
class FormColumn:
    """One input column and the section's indicators that read it."""

    field: ir.InputField
    indicators: tuple[str, ...]  # names


@dataclass(frozen=True, slots=True)
class FormRow:
    subject: str
    name: str
    open: tuple[bool, ...]  # per column: a cell to fill (else locked)


@dataclass(frozen=True, slots=True)
class FormSheet:
    """The data sheet for one kind of subject (sections or people)."""

    kind: str
    places: int
    columns: tuple[FormColumn, ...]
    rows: tuple[FormRow, ...]


@dataclass(frozen=True, slots=True)
class Form:
    scheme: str
    version: str
    assessor: str
    period: Period
    period_text: str  # 2016年第三季度
    indicators: tuple[FormIndicator, ...]
    sheets: tuple[FormSheet, ...]

    @property
    def due(self) -> date:
        """The last due date of the form's indicators: when the form is due."""
        return max(i.due for i in self.indicators)


def form_assessors(compilation: Compilation, assessor: str, shown: str) -> list[str]:
    """The assessing sections ``--assessor`` names (``all``: every one);
    an unknown name is E0952 with the list of them."""
    known = assessors(compilation)
    if assessor == ALL:
        return known
    if assessor not in known:
        help_line = ("E0952.help", {"assessors": "、".join(known)})
        args = {"assessor": assessor}
        raise UserError([Diagnostic("E0952", args, None, location=shown, help=help_line)])
    return [assessor]


def build_form(compilation: Compilation, period: Period, assessor: str) -> Form:
    """``assessor``'s form for ``period`` (an assessing section the rules name)."""
    indicators: list[FormIndicator] = []
    sheets: list[FormSheet] = []
    section_program = compilation.programs["section"]
    for kind, program in compilation.programs.items():
        mine = [i for i in program.indicators if i.assessor == assessor and i.scored_in(period.end)]
        if not mine:
            continue
        for indicator in mine:
            checkpoint, due = window(indicator, period)
            indicators.append(
                FormIndicator(
                    indicator.id,
                    indicator.name,
                    kind,
                    indicator.points,
                    indicator.cadence or "annual",
                    checkpoint,
                    due,
                    indicator.method,
                    standard(indicator),
                )
            )
        sheet = _sheet(program, mine)
        if sheet.columns and sheet.rows:
            sheets.append(sheet)
    return Form(
        section_program.scheme, section_program.version, assessor, period,
        period_text([period]), tuple(indicators), tuple(sheets),
    )  # fmt: skip


def _sheet(program: ir.Program, mine: list[ir.Indicator]) -> FormSheet:
    owners = column_owners(program)
    columns = [
        FormColumn(f, tuple(i.name for i in owners[f.name] if i in mine))
        for f in program.inputs
        if f.kind not in RUNTIME_KINDS and any(i in mine for i in owners.get(f.name, []))
    ]
    rows: list[FormRow] = []
    organization = program.organization
    if organization is not None:
        sections = {s.id: s for s in organization.sections}
        subjects: list[ir.Section | ir.Person] = (
            list(organization.people) if program.kind == "person" else list(organization.sections)
        )
        for subject in subjects:
            section = sections.get(subject.section) if isinstance(subject, ir.Person) else subject
            if section is None:
                continue
            post = subject.post if isinstance(subject, ir.Person) else None
            applying = {i.id for i in mine if i.applies(section, post)}
            if not applying:
                continue
            cells = tuple(
                any(i.name in column.indicators for i in mine if i.id in applying)
                or (column.field.needed_by is None and column.field.missing == "error")
                for column in columns
            )
            rows.append(FormRow(subject.id, subject.name, cells))
    return FormSheet(program.kind, program.places, tuple(columns), tuple(rows))


_SCORING_KEYS = ("score", "levels", "deduct", "machine")


def standard(indicator: ir.Indicator) -> str:
    """The indicator's standard in the rule's own words: the comments written
    inside its declaration (the rule-writers' plain statement of it), else
    the text of its scoring key (``levels: {好: 100%, …}``, a formula)."""
    lines = indicator.span.text.splitlines()
    comments = [line.strip().lstrip("#").strip() for line in lines if line.strip().startswith("#")]
    if any(comments):
        return "".join(c for c in comments if c)
    for number, line in enumerate(lines):
        key, colon, rest = line.strip().partition(":")
        if not colon or key not in _SCORING_KEYS:
            continue
        rest = rest.strip()
        if rest in ("|", ">", "|-", ">-", "|+", ">+"):
            indent = len(line) - len(line.lstrip())
            block: list[str] = []
            for following in lines[number + 1 :]:
                if following.strip() and len(following) - len(following.lstrip()) <= indent:
                    break
                block.append(following.strip())
            rest = " ".join(b for b in block if b)
        return rest
    return ""
