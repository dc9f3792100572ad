"""The bulletin rendered as Markdown or HTML from its Jinja2 templates, and
its tables as a workbook (``--format xlsx``) the office can sum and re-use:
ranking, deductions (合计 and 平均 in separate, labelled columns), deduction
items, and supervision by section."""

from __future__ import annotations

from collections.abc import Sequence

from dsl.diagnostics import Lang
from dsl.messages import text
from runtime.render.templating import package_template
from runtime.render.workbook import Cell, fill_sheet, new_workbook, sheet_title, workbook_bytes
from runtime.tools.bulletin import Bulletin


def render(bulletin: Bulletin, fmt: str) -> str:
    name = "bulletin.html.j2" if fmt == "html" else "bulletin.md.j2"
    return package_template(name, autoescape=fmt == "html").render(b=bulletin)


def to_xlsx(bulletin: Bulletin, lang: Lang) -> bytes:
    """The bulletin's tables, one sheet each, headed in ``lang``."""
    b = bulletin
    title = f"{text('bulletin.title', lang)} {b.period_text or b.period}"
    workbook = new_workbook(title)
    several = b.quarters > 1
    sheets: list[tuple[str, list[str], Sequence[Sequence[Cell]]]] = [
        (
            "ranking",
            ["rank", "section", "total", "grade"],
            [[rank, name, total, grade] for rank, name, total, grade in b.ranking],
        ),
        (
            "deductions",
            ["section", "deducted_sum", *(["deducted_average"] if several else []), "reasons"],
            [
                [d.name, d.total, *([d.average] if several else []), d.reasons]
                for d in b.deducted_sections
            ],
        ),
        (
            "items",
            ["item", "occurrences", "deducted_sum"],
            [[name, count, points] for name, count, points in b.problems],
        ),
    ]
    if b.supervision is not None:
        sheets.append(
            (
                "supervision",
                ["section", "due", "on_time", "overdue"],
                [[x.name, x.due, x.on_time, x.overdue] for x in b.supervision.sections],
            )
        )
    for index, (sheet_key, heads, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = sheet_title(
            text(f"bulletin.sheet.{sheet_key}", lang), workbook.sheetnames[:index]
        )
        fill_sheet(
            sheet,
            [text(f"bulletin.head.{head}", lang) for head in heads],
            rows,
            places=b.places,
            header=title,
        )
    return workbook_bytes(workbook)
