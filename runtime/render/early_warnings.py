"""The early-warning tables rendered as text, HTML and XLSX."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from importlib import resources

import jinja2

from dsl.diagnostics import Lang, display_width, pad
from dsl.messages import MESSAGES, render_message, text
from runtime.render.workbook import Cell as BookCell
from runtime.render.workbook import fill_sheet, new_workbook, sheet_title, workbook_bytes
from runtime.tools.early_warnings import WarningTable

# -- words (dsl.messages: warn.…) ------------------------------------------------

_FIRST_HEADS = ("id", "indicator", "cadence", "checkpoint", "due", "standard",
                "subjects", "section", "head", "assessor")  # fmt: skip
_SECOND_HEADS = ("remind_on", "section", "liaison", "id", "indicator",
                 "subjects", "checkpoint", "due")  # fmt: skip
_NONE = "—"


def _points(points: Decimal) -> str:
    return format(points.normalize(), "f")


def standard_text(points: Decimal, method: str, lang: Lang) -> str:
    """The standard column: points and the scoring method, e.g. ``20 分，按计分公式计分``."""
    how = _word(f"warn.method.{method}", method, lang)
    return render_message("warn.standard", lang, {"points": _points(points), "how": how})


def _word(key: str, fallback: str, lang: Lang) -> str:
    """The word of ``key``, or ``fallback`` (the rule file's own spelling) when there is none."""
    return text(key, lang) if key in MESSAGES else fallback


def _title(table: WarningTable, lang: Lang) -> str:
    what = text("warn.title", lang)
    when = text("warn.month", lang).format(year=table.year, month=table.month)
    return f"{table.scheme} {table.version} · {what} · {when}"


def _headings(table: WarningTable, lang: Lang) -> tuple[str, str, str]:
    return (
        text("warn.first", lang),
        render_message("warn.second", lang, {"days": table.days_before}),
        text("warn.empty", lang),
    )


Cell = str | date


def _first_rows(table: WarningTable, lang: Lang) -> tuple[list[str], list[list[Cell]]]:
    heads = [text(f"warn.first.{h}", lang) for h in _FIRST_HEADS]
    rows: list[list[Cell]] = [
        [
            w.indicator,
            w.name,
            _word(f"warn.cadence.{w.cadence}", w.cadence, lang),
            w.checkpoint,
            w.due,
            standard_text(w.points, w.method, lang),
            text(f"warn.subjects.{w.subjects}", lang),
            w.section_name,
            w.head or _NONE,
            w.assessor or _NONE,
        ]
        for w in table.first
    ]
    return heads, rows


def _second_rows(table: WarningTable, lang: Lang) -> tuple[list[str], list[list[Cell]]]:
    heads = [text(f"warn.second.{h}", lang) for h in _SECOND_HEADS]
    rows: list[list[Cell]] = [
        [
            w.day,
            w.section_name,
            w.liaison or _NONE,
            w.indicator,
            w.name,
            text(f"warn.subjects.{w.subjects}", lang),
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


_SHEET_HEADS = ("warn.first.indicator", "warn.first.subjects", "warn.first.cadence",
                "warn.first.checkpoint", "warn.first.due", "warn.second.remind_on",
                "warn.first.standard", "warn.first.assessor")  # fmt: skip


def to_xlsx(table: WarningTable, lang: Lang) -> bytes:
    """A workbook with one sheet per assessed section, named for it, ready to
    print (``runtime.render.workbook``): the head signs their section's page
    at the start of the month and the liaison on the reminder date, so each
    row is a first warning with its reminder date, and the page's header and
    footer name the section, the head and the liaison.  Sections come in the
    order of the reminders (by day, then organization order); dates are date cells; the same table gives the
    same bytes."""
    workbook = new_workbook(_title(table, lang))
    first = workbook.active
    assert first is not None
    heads = [text(key, lang) for key in _SHEET_HEADS]
    reminders = {(w.section, w.indicator, w.subjects, w.checkpoint, w.due): w for w in table.second}
    sections: dict[str, list[list[BookCell]]] = {}
    names: dict[str, tuple[str, str, str]] = {}
    for w in table.first:
        second = reminders.get((w.section, w.indicator, w.subjects, w.checkpoint, w.due))
        liaison = second.liaison if second is not None and second.liaison else _NONE
        names.setdefault(w.section, (w.section_name, w.head or _NONE, liaison))
        sections.setdefault(w.section, []).append(
            [
                w.name,
                text(f"warn.subjects.{w.subjects}", lang),
                _word(f"warn.cadence.{w.cadence}", w.cadence, lang),
                w.checkpoint,
                w.due,
                None if second is None else second.day,
                standard_text(w.points, w.method, lang),
                w.assessor or _NONE,
            ]
        )
    if not sections:
        first.title = sheet_title(text("warn.sheet.first", lang), [])
        fill_sheet(first, heads, [[_headings(table, lang)[2]]], header=_title(table, lang))
    # Reminders are sorted by day, then section in organization order.
    order = list(dict.fromkeys(w.section for w in table.second))
    ordered = sorted(
        sections.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)
    )
    for index, (section, rows) in enumerate(ordered):
        name, head, liaison = names[section]
        sheet = first if index == 0 else workbook.create_sheet()
        sheet.title = sheet_title(name, workbook.sheetnames[:index])
        header = render_message(
            "warn.sheet.header", lang, {"title": _title(table, lang), "section": name}
        )
        footer = render_message("warn.sheet.footer", lang, {"head": head, "liaison": liaison})
        fill_sheet(sheet, heads, rows, header=header, footer=footer)
    return workbook_bytes(workbook)
