"""The three ledgers (``runtime.tools.ledgers``) as text, HTML and XLSX.

Text and HTML show each ledger as the office reads it: a block per person
(duty ledger) or per section (function ledger) with its indicators and their
checkpoints, or one table (master ledger).  The workbook is flat, one row
per indicator and checkpoint with dates as dates and points as numbers, so
it can be filtered and summed; its sheet prints on A4 landscape with the
header repeated (``runtime.render.workbook``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dsl.diagnostics import Lang
from dsl.messages import render_message, text
from runtime.render.templating import package_template
from runtime.render.text_table import aligned
from runtime.render.workbook import Cell, fill_sheet, new_workbook, workbook_bytes
from runtime.tools.bulletin import period_text
from runtime.tools.ledgers import Entry, Ledger, MasterLine

_NONE = "—"
_ENTRY_HEADS = ("id", "indicator", "points", "assessor", "cadence", "checkpoints")


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    heads: list[str]
    rows: list[list[str]]


@dataclass(frozen=True, slots=True)
class Block:
    heading: str
    notes: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _points(points: Decimal) -> str:
    return format(points.normalize(), "f")


def _col(key: str, lang: Lang) -> str:
    return text(f"ledger.col.{key}", lang)


def _cadence(cadence: str, lang: Lang) -> str:
    return text(f"warn.cadence.{cadence}", lang)


def title(ledger: Ledger, lang: Lang) -> str:
    what = text(f"ledger.title.{ledger.kind}", lang)
    when = period_text([ledger.period]) if lang == "zh" else str(ledger.period)
    line = f"{ledger.scheme} {ledger.version} · {what} · {when}"
    if ledger.day is not None:
        line += text("ledger.as_of", lang).format(day=ledger.day.isoformat())
    return line


def checkpoints_text(entry: Entry, lang: Lang) -> str:
    """``07-31→08-05、08-31→09-05``: each checkpoint and its due date."""
    if not entry.checkpoints:
        return text("ledger.no_checkpoint", lang)
    joiner = "、" if lang == "zh" else ", "
    return joiner.join(f"{c:%m-%d}→{d:%m-%d}" for c, d in entry.checkpoints)


def _entry_table(
    caption: str, entries: Sequence[Entry], lang: Lang, by_subjects: bool = False
) -> Table:
    """Indicators with points, assessor (or, for what a section assesses, whom
    the indicator assesses), cadence and checkpoints."""
    heads = [_col("subjects" if by_subjects and h == "assessor" else h, lang) for h in _ENTRY_HEADS]
    rows = [
        [
            e.id,
            e.name,
            _points(e.points),
            text(f"warn.subjects.{e.subjects}", lang) if by_subjects else e.assessor or _NONE,
            _cadence(e.cadence, lang),
            checkpoints_text(e, lang),
        ]
        for e in entries
    ]
    return Table(caption, heads, rows)


def _duty_blocks(ledger: Ledger, lang: Lang) -> list[Block]:
    blocks = []
    for line in ledger.duty:
        post = line.post_name or line.post or text("ledger.no_post", lang)
        parts = [f"{line.person} {line.name}", line.section_name]
        parts.append(text("ledger.post", lang).format(post=post))
        parts += [text(f"ledger.role.{role}", lang) for role in line.roles]
        notes = []
        if line.duties:
            joiner = "；" if lang == "zh" else "; "
            numbered = joiner.join(f"{n}. {d}" for n, d in enumerate(line.duties, start=1))
            notes.append(text("ledger.duties", lang).format(duties=numbered))
        else:
            notes.append(text("ledger.no_duties", lang))
        if line.points != line.full_marks:
            notes.append(
                render_message(
                    "ledger.normalized",
                    lang,
                    {"points": _points(line.points), "full": _points(line.full_marks)},
                )
            )
        blocks.append(Block(" · ".join(parts), notes, [_entry_table("", line.indicators, lang)]))
    return blocks


def _function_blocks(ledger: Ledger, lang: Lang) -> list[Block]:
    blocks = []
    for line in ledger.function:
        note = render_message(
            "ledger.head_liaison",
            lang,
            {"head": line.head or _NONE, "liaison": line.liaison or _NONE},
        )
        tables = [_entry_table(text("ledger.assessed", lang), line.indicators, lang)]
        if line.assesses:
            tables.append(
                _entry_table(text("ledger.assesses", lang), line.assesses, lang, by_subjects=True)
            )
        blocks.append(Block(f"{line.section} {line.name}", [note], tables))
    return blocks


def _master_heads(ledger: Ledger, lang: Lang) -> list[str]:
    heads = ["id", "indicator", "subjects", "points", "assessor", "cadence", "checkpoints",
             "window", "applies"]  # fmt: skip
    if ledger.with_status:
        heads += ["state", "submitted", "submissions", "warnings", "signed"]
    return [_col(h, lang) for h in heads]


def _status_cells(line: MasterLine, lang: Lang) -> list[str]:
    state = text(f"status.state.{line.state}", lang) if line.state is not None else _NONE
    warned = line.warnings
    return [
        state,
        line.submitted_at.replace("T", " ") if line.submitted_at else _NONE,
        str(line.submissions),
        str(warned.issued) if warned is not None else "",
        str(warned.signed) if warned is not None else "",
    ]


def _master_notes(ledger: Ledger, lang: Lang) -> list[str]:
    indicators = len(ledger.master)
    checkpoints = sum(len(line.indicator.checkpoints) for line in ledger.master)
    args = {"indicators": indicators, "checkpoints": checkpoints}
    notes = [render_message("ledger.summary", lang, args)]
    if not ledger.with_status:
        notes.append(text("ledger.no_status", lang))
    elif not ledger.warnings_recorded:
        notes.append(text("ledger.no_warnings", lang))
    return notes


def _master_blocks(ledger: Ledger, lang: Lang) -> list[Block]:
    rows = []
    for line in ledger.master:
        e = line.indicator
        row = [
            e.id, e.name, text(f"warn.subjects.{e.subjects}", lang), _points(e.points),
            e.assessor or _NONE, _cadence(e.cadence, lang), checkpoints_text(e, lang),
            line.window.isoformat(), str(line.applies_to),
        ]  # fmt: skip
        if ledger.with_status:
            row += _status_cells(line, lang)
        rows.append(row)
    table = Table("", _master_heads(ledger, lang), rows)
    return [Block("", _master_notes(ledger, lang), [table])]


def blocks(ledger: Ledger, lang: Lang) -> list[Block]:
    if ledger.kind == "duty":
        return _duty_blocks(ledger, lang)
    if ledger.kind == "function":
        return _function_blocks(ledger, lang)
    return _master_blocks(ledger, lang)


# -- text ---------------------------------------------------------------------------


def to_text(ledger: Ledger, lang: Lang) -> str:
    """The ledger as plain text aligned for CJK terminals (wide characters take two cells)."""
    out = [title(ledger, lang)]
    empty = text("ledger.empty", lang)
    for block in blocks(ledger, lang):
        out.append("")
        indent = "  " if block.heading else ""
        if block.heading:
            out.append(block.heading)
        out += [indent + note for note in block.notes]
        for table in block.tables:
            if table.caption:
                out.append(indent + table.caption)
            out += aligned(table.heads, table.rows, indent) if table.rows else [indent + empty]
    return "\n".join(out) + "\n"


# -- HTML ---------------------------------------------------------------------------


def to_html(ledger: Ledger, lang: Lang) -> str:
    """A self-contained HTML page (UTF-8, inline style, no scripts or links)
    with print CSS for A4 landscape; every text is escaped."""
    return package_template("ledgers.html").render(
        lang_tag="zh-CN" if lang == "zh" else "en",
        title=title(ledger, lang),
        blocks=blocks(ledger, lang),
        empty=text("ledger.empty", lang),
    )


# -- XLSX ---------------------------------------------------------------------------


def _dated(entry: Entry) -> list[tuple[date | None, date | None]]:
    return list(entry.checkpoints) or [(None, None)]


def _entry_cells(entry: Entry, lang: Lang) -> list[Cell]:
    return [entry.id, entry.name, entry.points, entry.assessor or "",
            _cadence(entry.cadence, lang)]  # fmt: skip


def _xlsx_rows(ledger: Ledger, lang: Lang) -> tuple[list[str], list[list[Cell]]]:
    """(heads, rows): one row per indicator and checkpoint."""
    entry_heads = ["id", "indicator", "points", "assessor", "cadence", "checkpoint", "due"]
    rows: list[list[Cell]] = []
    if ledger.kind == "duty":
        heads = ["person", "person_name", "section_name", "post", "duties", *entry_heads]
        for person in ledger.duty:
            duties = "；".join(person.duties)
            for e in person.indicators:
                for checkpoint, due in _dated(e):
                    rows.append([person.person, person.name, person.section_name,
                                 person.post_name or person.post or "", duties,
                                 *_entry_cells(e, lang), checkpoint, due])  # fmt: skip
    elif ledger.kind == "function":
        heads = ["section", "section_name", "head", "liaison", "part", "subjects", *entry_heads]
        for section in ledger.function:
            for part, entries in (("assessed", section.indicators), ("assesses", section.assesses)):
                for e in entries:
                    for checkpoint, due in _dated(e):
                        rows.append([section.section, section.name, section.head or "",
                                     section.liaison or "", text(f"ledger.{part}", lang),
                                     text(f"warn.subjects.{e.subjects}", lang),
                                     *_entry_cells(e, lang), checkpoint, due])  # fmt: skip
    else:
        heads = ["subjects", *entry_heads, "window", "applies"]
        if ledger.with_status:
            heads += ["state", "submitted", "submissions", "warnings", "signed"]
        for line in ledger.master:
            e = line.indicator
            for checkpoint, due in _dated(e):
                row: list[Cell] = [text(f"warn.subjects.{e.subjects}", lang),
                                   *_entry_cells(e, lang), checkpoint, due, line.window,
                                   line.applies_to]  # fmt: skip
                if ledger.with_status:
                    state, submitted = _status_cells(line, lang)[:2]
                    warned = line.warnings
                    row += [state, submitted, line.submissions,
                            warned.issued if warned is not None else None,
                            warned.signed if warned is not None else None]  # fmt: skip
                rows.append(row)
    return [_col(h, lang) for h in heads], rows


def _places(rows: Sequence[Sequence[Cell]]) -> int:
    """The decimals the points need (``0.5`` needs one; whole points none)."""
    exponents = [
        -int(cell.normalize().as_tuple().exponent)
        for row in rows
        for cell in row
        if isinstance(cell, Decimal)
    ]
    return max([0, *exponents])


def to_xlsx(ledger: Ledger, lang: Lang) -> bytes:
    """One sheet, named for the ledger, ready to print (``runtime.render.workbook``)."""
    name = title(ledger, lang)
    workbook = new_workbook(name)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = text(f"ledger.title.{ledger.kind}", lang)
    heads, rows = _xlsx_rows(ledger, lang)
    fill_sheet(sheet, heads, rows, _places(rows), header=name)
    return workbook_bytes(workbook)
