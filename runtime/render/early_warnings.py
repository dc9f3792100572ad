"""The early-warning tables rendered as text, HTML and XLSX."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from importlib import resources

import jinja2

from dsl.diagnostics import Lang, display_width, pad
from runtime.render.files import fixed_zip
from runtime.tools.early_warnings import WarningTable

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
    source = (
        resources.files("runtime.render").joinpath("templates/warnings.html").read_text("utf-8")
    )
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
    return fixed_zip(buffer.getvalue())
