"""An assessing section's form as an XLSX workbook (``jixiao template``).

The liaison opens it in Excel or WPS, fills in the yellow cells, saves it and
sends it on; the office records it with ``jixiao submit --file``.  So the
workbook guards against the usual slips while it is filled in, and the
reader checks everything again when it comes back (data validation stops
typing, not pasting):

- one data sheet per kind of subject (科室, 个人): a row per subject with
  its id, name and the quarter, all locked (sheet protection without a
  password, documented in the instructions: protection guards against slips,
  not against the person filling in); only the cells to fill are unlocked
  and yellow, a cell of an indicator that does not apply to the subject is
  grey and locked;
- level inputs as drop-down lists of their levels, numbers, counts and
  percentages checked against the input's declared range (whole numbers for
  counts), with the error and prompt texts in the form's language; percent
  cells formatted as percent (typing 95 gives 95%), a default noted in the
  prompt and in the header's comment;
- the instructions sheet ``FORM_INSTRUCTIONS`` (填报说明, a name the reader
  skips): each indicator with its points, standard, checkpoint and due
  date, each column with what to write, who the form goes to and how to
  fill it in.

Sheets follow ``runtime.render.workbook``: bold frozen header repeated on
every printed page, widths, A4 landscape fitted to width.  The same form
gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from compiler import ir
from dsl.diagnostics import display_width
from dsl.messages import render_message, text
from runtime.inputs.periods import Period
from runtime.inputs.tables import FORM_HEADS, FORM_INSTRUCTIONS
from runtime.render.workbook import Cell, fill_sheet, new_workbook, workbook_bytes
from runtime.tools.forms import Form, FormColumn, FormSheet

if TYPE_CHECKING:
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

_INPUT_FILL = "FFF2CC"  # yellow: to fill in
_CLOSED_FILL = "D9D9D9"  # grey: does not apply to this subject
_LIST_LIMIT = 255  # Excel's limit on an inline list of a drop-down
_BOUND = Decimal("999999999999999")  # "any number": what a number cell without a range accepts


def form_xlsx(form: Form, lang: str, send_to: str) -> bytes:
    """The form as workbook bytes: the instructions sheet first, then the data sheets."""
    from openpyxl.workbook.protection import WorkbookProtection

    title = render_message(
        "form.title", lang, {"assessor": form.assessor, "period": _period(form, lang)}
    )
    workbook = new_workbook(title)
    instructions = workbook.active
    assert instructions is not None
    instructions.title = FORM_INSTRUCTIONS
    levels: dict[str, str] = {}  # a long level list: the cells on the instructions sheet holding it
    _instructions(instructions, form, lang, send_to, levels)
    for sheet_form in form.sheets:
        sheet = workbook.create_sheet(text(f"subjects.{sheet_form.kind}", lang))
        _data_sheet(sheet, form, sheet_form, lang, title, levels)
    # Sheets cannot be renamed, moved or deleted (no password either).
    workbook.security = WorkbookProtection(lockStructure=True)
    return workbook_bytes(workbook)


def form_file_name(assessor: str, period: Period) -> str:
    """The file name of an assessing section's form in a folder of forms
    (``--assessor all``): ``办公室-2016Q3.xlsx``."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", assessor).strip(". ") or "_"
    return f"{safe}-{period}.xlsx"


def _period(form: Form, lang: str) -> str:
    return form.period_text if lang == "zh" else str(form.period)


def _heads(sheet: FormSheet, lang: str) -> list[str]:
    """The fixed heads (编号, 名称 or 姓名, 考核期间: ``FORM_HEADS`` reads them
    back; in English the columns' own names) and the input columns by name."""
    inputs = [column.field.name for column in sheet.columns]
    if any(name in FORM_HEADS for name in inputs):
        lang = "en"  # an input named 编号 or 名称: the fixed columns under their own names
    name = "form.head.person_name" if sheet.kind == "person" else "form.head.name"
    fixed = [text("form.head.subject", lang), text(name, lang), text("form.head.period", lang)]
    return fixed + inputs


def _data_sheet(
    sheet: Worksheet, form: Form, data: FormSheet, lang: str, title: str, levels: dict[str, str]
) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill, Protection
    from openpyxl.utils import get_column_letter

    rows: list[list[Cell]] = [[row.subject, row.name, str(form.period)] for row in data.rows]
    footer = text("form.signature", lang)
    fill_sheet(sheet, _heads(data, lang), rows, data.places, header=title, footer=footer)
    to_fill = PatternFill("solid", fgColor=_INPUT_FILL)
    closed = PatternFill("solid", fgColor=_CLOSED_FILL)
    unlocked = Protection(locked=False)
    for index, column in enumerate(data.columns):
        letter = get_column_letter(index + 4)
        head = sheet[f"{letter}1"]
        head.comment = Comment(_describe(column, lang), "jixiao", width=300, height=160)
        validation = _validation(column.field, lang, levels)
        number_format = _number_format(column.field)
        for number, row in enumerate(data.rows, start=2):
            cell = sheet[f"{letter}{number}"]
            if not row.open[index]:
                cell.fill = closed
                continue
            cell.fill = to_fill
            cell.protection = unlocked
            cell.number_format = number_format
            if validation is not None:
                validation.add(cell.coordinate)
        if validation is not None and validation.sqref:
            sheet.add_data_validation(validation)
        width = sheet.column_dimensions[letter].width or 0
        sheet.column_dimensions[letter].width = max(width, 12)
    protection = sheet.protection
    protection.sheet = True  # no password: see the module's docstring
    protection.formatColumns = False  # widths and heights may still be changed
    protection.formatRows = False


def _number_format(field: ir.InputField) -> str:
    """How a cell to fill shows what is typed: percent as percent (typing 95
    gives 95%), counts whole, dates as dates, numbers as typed."""
    if field.kind == "percent":
        return "0.00%"
    if field.kind in ("count", "integer"):
        return "0"
    if field.kind == "date":
        return "yyyy-mm-dd"
    if field.type.kind == "number":
        return "General"  # as typed: a rounded display would hide what is stored
    return "@" if field.type.kind in ("text", "list") else "General"


def _range_text(field: ir.InputField, lang: str) -> str:
    """The declared range in words (``0 至 15``, ``不小于 1``), or empty."""
    low = field.minimum if field.minimum is not None else (
        Decimal(0) if field.kind == "count" else None
    )  # fmt: skip
    high = field.maximum
    shown = [_number(v, field.kind) if v is not None else None for v in (low, high)]
    if shown[0] is not None and shown[1] is not None:
        return render_message("form.range.between", lang, {"low": shown[0], "high": shown[1]})
    if shown[0] is not None:
        return render_message("form.range.min", lang, {"low": shown[0]})
    if shown[1] is not None:
        return render_message("form.range.max", lang, {"high": shown[1]})
    return ""


def _number(value: Decimal, kind: str) -> str:
    if kind == "percent":
        return f"{(value * 100).normalize():f}%"
    return f"{value.normalize():f}"


def _what(field: ir.InputField, lang: str) -> str:
    """What to write in a cell of ``field``, in words."""
    if field.type.kind == "level":
        return render_message("form.what.level", lang, {"levels": "、".join(field.type.members)})
    key = f"form.what.{field.kind}" if f"form.what.{field.kind}" in _WHAT else "form.what.text"
    if field.kind.startswith("list("):
        key = "form.what.list"
    return text(key, lang)


_WHAT = {
    f"form.what.{k}"
    for k in ("number", "integer", "percent", "money", "count", "bool", "date", "text")
}


def _empty(field: ir.InputField, lang: str) -> str:
    """What an empty cell means."""
    if field.missing == "default":
        return render_message("form.empty.default", lang, {"default": _default(field, lang)})
    if field.missing == "exempt":
        return text("form.empty.exempt", lang)
    return text("form.empty.required", lang)


def _default(field: ir.InputField, lang: str) -> str:
    value = field.default
    if isinstance(value, bool):
        return text("form.yes" if value else "form.no", lang)
    if isinstance(value, Decimal):
        return _number(value, field.kind)
    return str(value)


def _describe(column: FormColumn, lang: str) -> str:
    """The header's comment: indicator, what to write, range, empty cell."""
    field = column.field
    parts = [
        render_message(
            "form.comment.indicator", lang, {"indicators": "、".join(column.indicators)}
        ),
        _what(field, lang),
        _range_text(field, lang),
        _empty(field, lang),
    ]
    return "\n".join(p for p in parts if p)


def _validation(field: ir.InputField, lang: str, levels: dict[str, str]) -> DataValidation | None:
    """The data validation of one column's cells (None: any text goes)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    error_title = text("form.error.title", lang)
    prompt = "\n".join(
        p for p in (_what(field, lang), _range_text(field, lang), _empty(field, lang)) if p
    )
    common = {
        "allow_blank": True, "showErrorMessage": True, "showInputMessage": True,
        "errorTitle": error_title, "promptTitle": field.name[:32], "prompt": prompt[:255],
    }  # fmt: skip
    kind = field.type.kind
    if kind in ("level", "bool"):
        members = field.type.members if kind == "level" else (
            text("form.yes", lang), text("form.no", lang)
        )  # fmt: skip
        inline = ",".join(members)
        source = levels.get(field.name)
        if source is None and not _inline(members):
            return None  # the instructions sheet lists long ones (``_level_lists``)
        error = render_message("form.error.level", lang, {"levels": "、".join(members)})
        formula = source or f'"{inline}"'
        return DataValidation(type="list", formula1=formula, error=error[:255], **common)  # type: ignore[arg-type]
    if kind == "date":
        error = text("form.error.date", lang)
        return DataValidation(
            type="date",
            operator="greaterThan",
            formula1="1",
            error=error,
            **common,  # type: ignore[arg-type]
        )
    if kind != "number":
        return None
    low = field.minimum if field.minimum is not None else (
        Decimal(0) if field.kind == "count" else None
    )  # fmt: skip
    high = field.maximum
    whole = field.kind in ("count", "integer")
    shown = _range_text(field, lang) or text("form.range.any", lang)
    what = text("form.error.whole" if whole else "form.error.number", lang)
    error = render_message("form.error.range", lang, {"what": what, "range": shown})
    if field.kind == "percent":
        error += text("form.error.percent", lang)
    bounds = (
        f"{low if low is not None else -_BOUND:f}",
        f"{high if high is not None else _BOUND:f}",
    )
    return DataValidation(
        type="whole" if whole else "decimal", operator="between",
        formula1=bounds[0], formula2=bounds[1], error=error[:255], **common,  # type: ignore[arg-type]
    )  # fmt: skip


def _instructions(
    sheet: Worksheet, form: Form, lang: str, send_to: str, levels: dict[str, str]
) -> None:
    """The instructions sheet: the form's particulars, its indicators, its
    columns and how to fill it in; printable like the data sheets."""
    t = {key: text(f"form.info.{key}", lang) for key in _INFO_KEYS}
    period = _period(form, lang)
    heads = [text(f"form.indicator.{key}", lang) for key in _INDICATOR_HEADS]
    rows: list[list[Cell]] = []
    for indicator in form.indicators:
        points = indicator.points
        rows.append([
            indicator.id, indicator.name, text(f"subjects.{indicator.kind}", lang),
            int(points) if points == points.to_integral_value() else points, text(f"form.cadence.{indicator.cadence}", lang),
            indicator.checkpoint or text("form.no_checkpoint", lang), indicator.due,
            text(f"form.method.{indicator.method}", lang), indicator.standard,
        ])  # fmt: skip
    title = render_message("form.title", lang, {"assessor": form.assessor, "period": period})
    fill_sheet(sheet, heads, rows, 2, header=title)
    # Particulars above the indicator table would break the bold frozen first
    # row the workbook convention asks for; they follow the table instead.
    lines: list[Sequence[Cell]] = [
        (),
        (t["particulars"],),
        (t["scheme"], f"{form.scheme}（{form.version}）"),
        (t["assessor"], form.assessor),
        (t["period"], f"{form.period_text}（{form.period}）" if lang == "zh" else str(form.period)),
        (t["due"], form.due),
        (t["send_to"], send_to),
        (),
        (t["columns"],),
        tuple(text(f"form.column.{key}", lang) for key in _COLUMN_HEADS),
    ]
    for data in form.sheets:
        for column in data.columns:
            field = column.field
            lines.append((
                field.name, text(f"subjects.{data.kind}", lang), "、".join(column.indicators),
                _what(field, lang), _range_text(field, lang), _empty(field, lang),
            ))  # fmt: skip
    lines += [(), (t["how"],)]
    step_args = {
        "send_to": send_to, "due": form.due.isoformat(), "assessor": form.assessor,
        "period": str(form.period),
    }  # fmt: skip
    steps = [render_message(f"form.step.{n}", lang, step_args) for n in range(1, _STEPS + 1)]
    lines += [(f"{n}.", step) for n, step in enumerate(steps, start=1)]
    _write_lines(sheet, lines, wide={t["scheme"], *(f"{n}." for n in range(1, _STEPS + 1))})
    _level_lists(sheet, form, levels)
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


_STEPS = 7


def _write_lines(sheet: Worksheet, lines: Sequence[Sequence[Cell]], wide: set[str]) -> None:
    """The lines below the indicator table: a heading alone in bold, a label
    in ``wide`` with its text across the table's width (merged, wrapped, the
    row made tall enough), other rows cell by cell, wrapped."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    widths = [
        sheet.column_dimensions[get_column_letter(n)].width or 10
        for n in range(1, len(_INDICATOR_HEADS) + 1)
    ]
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    start = sheet.max_row + 1
    for offset, line in enumerate(lines):
        row = start + offset
        tall = 1
        for column, value in enumerate(line, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.alignment = wrap
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            room = widths[column - 1] if column <= len(widths) else 10
            if column == 2 and len(line) == 2 and str(line[0]) in wide:
                room = sum(widths[1:])
                last = get_column_letter(len(widths))
                sheet.merge_cells(f"B{row}:{last}{row}")
            shown = display_width(str(value)) if value is not None else 0
            tall = max(tall, -(-shown // max(int(room) - 1, 1)))
        if len(line) == 1:
            sheet.cell(row=row, column=1).font = bold
        if tall > 1:
            sheet.row_dimensions[row].height = 15 * tall


def _level_lists(sheet: Worksheet, form: Form, levels: dict[str, str]) -> None:
    """A level list too long (or with a comma) for an inline drop-down is
    written in a hidden column of the instructions sheet, and its drop-down
    refers to those cells (``levels``: input name -> range)."""
    from openpyxl.utils import get_column_letter

    row = 2
    for data in form.sheets:
        for column in data.columns:
            members = column.field.type.members if column.field.type.kind == "level" else ()
            if not members or _inline(members):
                continue
            first = row
            for member in members:
                sheet.cell(row=row, column=_LIST_COLUMN, value=member)
                row += 1
            letter = get_column_letter(_LIST_COLUMN)
            levels[column.field.name] = (
                f"'{FORM_INSTRUCTIONS}'!${letter}${first}:${letter}${row - 1}"
            )
    if row > 2:
        sheet.column_dimensions[get_column_letter(_LIST_COLUMN)].hidden = True


_LIST_COLUMN = 12  # L: beyond the printed tables


def _inline(members: Sequence[str]) -> bool:
    """Whether a drop-down can list ``members`` inline (Excel: at most 255
    characters, comma-separated, no quotes)."""
    return len(",".join(members)) <= _LIST_LIMIT and not any("," in m or '"' in m for m in members)


_INFO_KEYS = ("particulars", "scheme", "assessor", "period", "due", "send_to", "columns", "how")
_INDICATOR_HEADS = (
    "id", "name", "kind", "points", "cadence", "checkpoint", "due", "method", "standard",
)  # fmt: skip
_COLUMN_HEADS = ("name", "sheet", "indicators", "what", "range", "empty")
