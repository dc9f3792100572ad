"""The early-warning tables rendered as text, HTML and XLSX."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dsl.diagnostics import Lang
from dsl.messages import MESSAGES, render_message, text
from runtime.render.templating import package_template
from runtime.render.text_table import aligned
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


def status_note(table: WarningTable, lang: Lang) -> str:
    """Whether the second warnings were filtered by submissions, and as of when."""
    if not table.status_known:
        return text("warn.status.unknown", lang)
    if table.as_of is None:
        return text("warn.status.store", lang)
    return render_message("warn.status.as_of", lang, {"day": table.as_of.isoformat()})


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


def to_text(table: WarningTable, lang: Lang) -> str:
    """Both tables as plain text aligned for CJK terminals (wide characters take
    two cells), in Chinese (``zh``) or English (``en``)."""
    empty = _headings(table, lang)[2]
    lines = [_title(table, lang), status_note(table, lang)]
    for index, (heading, heads, rows) in enumerate(_blocks(table, lang)):
        lines += ["", heading, ""]
        none = text("warn.second.none", lang) if index and table.first else empty
        lines += aligned(heads, rows) if rows else [none]
    return "\n".join(lines) + "\n"


def _per_section(
    heads: list[str], rows: list[list[Cell]], section_column: int, signer_column: int
) -> list[tuple[str, str, list[str], list[list[str]]]]:
    """Rows grouped by their section, in the order sections first appear:
    (section, signer, heads, rows) without the section and signer columns."""
    keep = [i for i in range(len(heads)) if i not in (section_column, signer_column)]
    groups: dict[str, tuple[str, list[list[str]]]] = {}
    for row in rows:
        section = _text(row[section_column])
        _, found = groups.setdefault(section, (_text(row[signer_column]), []))
        found.append([_text(row[i]) for i in keep])
    return [(k, signer, [heads[i] for i in keep], found) for k, (signer, found) in groups.items()]


def to_html(table: WarningTable, lang: Lang) -> str:
    """A self-contained HTML page (UTF-8, inline style, no scripts or links);
    every text is escaped.  Each recipient section's table stands on its own
    printed page with its signature line: the assessed sections' first
    warnings (the head signs), then the second warnings of each section that
    owes data (the liaison signs)."""
    first_heading, second_heading, empty = _headings(table, lang)
    first_heads, first_rows = _first_rows(table, lang)
    second_heads, second_rows = _second_rows(table, lang)
    order = {section: n for n, section in enumerate(table.sections)}
    names = {w.section_name: order.get(w.section, 0) for w in table.first}
    firsts = sorted(_per_section(first_heads, first_rows, 7, 8), key=lambda g: names[g[0]])
    blocks = [
        {
            "heading": first_heading,
            "empty": empty,
            "sections": [
                {
                    "title": render_message("warn.section.first", lang, {"section": section}),
                    "sign": render_message("warn.sign.head", lang, {"head": signer}),
                    "heads": heads,
                    "rows": rows,
                }
                for section, signer, heads, rows in firsts
            ],
        },
        {
            "heading": second_heading,
            "empty": empty if not table.first else text("warn.second.none", lang),
            "sections": [
                {
                    "title": render_message("warn.section.second", lang, {"section": section}),
                    "sign": render_message("warn.sign.liaison", lang, {"liaison": signer}),
                    "heads": heads,
                    "rows": rows,
                }
                for section, signer, heads, rows in _per_section(second_heads, second_rows, 1, 2)
            ],
        },
    ]
    return package_template("warnings.html").render(
        lang_tag="zh-CN" if lang == "zh" else "en",
        title=_title(table, lang),
        note=status_note(table, lang),
        date_word=text("warn.sign.date", lang),
        blocks=blocks,
    )


_SHEET_HEADS = ("warn.first.indicator", "warn.first.subjects", "warn.first.cadence",
                "warn.first.checkpoint", "warn.first.due", "warn.second.remind_on",
                "warn.first.standard", "warn.first.assessor")  # fmt: skip


_SECOND_SHEET_HEADS = ("warn.second.remind_on", "warn.first.indicator", "warn.first.subjects",
                       "warn.first.checkpoint", "warn.first.due")  # fmt: skip


def to_xlsx(table: WarningTable, lang: Lang) -> bytes:
    """A workbook with one sheet per recipient section, ready to print
    (``runtime.render.workbook``): first one sheet per assessed section,
    named for it, whose head signs it at the start of the month (each row a
    first warning with its checkpoint's reminder date), in organization
    order; then one sheet per section owing data, named ``二次预警-科室``,
    whose liaison signs it on the reminder date.  Each page's header names
    the table and the section, its footer the signature line with the name;
    dates are date cells; the same table gives the same bytes."""
    workbook = new_workbook(_title(table, lang))
    first = workbook.active
    assert first is not None
    heads = [text(key, lang) for key in _SHEET_HEADS]
    sections: dict[str, list[list[BookCell]]] = {}
    names: dict[str, tuple[str, str]] = {}
    for w in table.first:
        names.setdefault(w.section, (w.section_name, w.head or _NONE))
        sections.setdefault(w.section, []).append(
            [
                w.name,
                text(f"warn.subjects.{w.subjects}", lang),
                _word(f"warn.cadence.{w.cadence}", w.cadence, lang),
                w.checkpoint,
                w.due,
                w.remind_on,
                standard_text(w.points, w.method, lang),
                w.assessor or _NONE,
            ]
        )
    if not sections:
        first.title = sheet_title(text("warn.sheet.first", lang), [])
        fill_sheet(first, heads, [[_headings(table, lang)[2]]], header=_title(table, lang))
    order = {section: n for n, section in enumerate(table.sections)}
    ordered = sorted(sections.items(), key=lambda item: order.get(item[0], len(order)))
    for index, (section, rows) in enumerate(ordered):
        name, head = names[section]
        sheet = first if index == 0 else workbook.create_sheet()
        sheet.title = sheet_title(name, workbook.sheetnames[:index])
        header = render_message(
            "warn.sheet.header", lang, {"title": _title(table, lang), "section": name}
        )
        footer = render_message("warn.sign.head", lang, {"head": head})
        fill_sheet(sheet, heads, rows, header=header, footer=footer)
    second_heads = [text(key, lang) for key in _SECOND_SHEET_HEADS]
    owing: dict[str, list[list[BookCell]]] = {}
    signers: dict[str, tuple[str, str]] = {}
    for r in table.second:
        signers.setdefault(r.section, (r.section_name, r.liaison or _NONE))
        owing.setdefault(r.section, []).append(
            [r.day, r.name, text(f"warn.subjects.{r.subjects}", lang), r.checkpoint, r.due]
        )
    for section, rows in owing.items():
        name, liaison = signers[section]
        sheet = workbook.create_sheet()
        title = render_message("warn.sheet.second_title", lang, {"section": name})
        sheet.title = sheet_title(title, workbook.sheetnames[:-1])
        header = render_message(
            "warn.sheet.second_header", lang, {"title": _title(table, lang), "section": name}
        )
        footer = render_message("warn.sign.liaison", lang, {"liaison": liaison})
        fill_sheet(sheet, second_heads, rows, header=header, footer=footer)
    return workbook_bytes(workbook)
