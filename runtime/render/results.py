"""Rendering results: a terminal table, JSON for tools, CSV for spreadsheets.

Numbers are shown as decimal strings at the rule set's declared places
(rounded with its declared mode); output is byte-identical for the same rules
and data: no timestamps, no dict-order or float surprises.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

from compiler import ir
from dsl.diagnostics import display_width, pad
from dsl.messages import text
from runtime.engine.population import UNGRADED
from runtime.engine.results import SubjectResult
from runtime.inputs.periods import parse_periods
from runtime.render.files import fixed_zip
from semantics.rounding import shown


def fmt(value: Decimal | None, program: ir.Program) -> str | None:
    if value is None:
        return None
    return str(shown(value, program.places, program.rounding))


_HEADS = ("rank", "subject", "total", "grade", "base", "adjust", "veto")  # table.head.…


def _score_word(result: SubjectResult, ident: str, program: ir.Program, lang: str) -> str:
    found = next((i for i in result.indicators if i.id == ident), None)
    if found is None:
        return ""
    return fmt(found.score, program) or text(f"table.status.{found.status}", lang)


def _grade_word(grade: str | None, lang: str) -> str:
    if grade == UNGRADED:
        return text("table.ungraded", lang)
    return grade or ""


def _signed(value: Decimal, program: ir.Program) -> str:
    """An adjustment as the table shows it: signed, empty when it rounds to 0."""
    rounded = shown(value, program.places, program.rounding)
    if not rounded:
        return ""
    return str(rounded) if rounded < 0 else f"+{rounded}"


def _columns(program: ir.Program, results: list[SubjectResult]) -> list[ir.Indicator]:
    """The indicators that appear in these results, in rule order."""
    present = {i.id for r in results for i in r.indicators}
    return [i for i in program.indicators if i.id in present]


def _dates(label: str) -> tuple[datetime.date, datetime.date]:
    periods = parse_periods(label)
    return periods[0].start, periods[-1].end


def _checkpoints(program: ir.Program, ident: str, label: str) -> list[dict[str, str]]:
    """The indicator's checkpoints in the period on which it is in force: in a
    roll-up, an indicator removed on 31 March has none on 30 June."""
    indicator = next(i for i in program.indicators if i.id == ident)
    start, end = _dates(label)
    return [
        {"date": day.isoformat(), "due": due.isoformat()}
        for day, due in indicator.checkpoints(start, end)
        if indicator.in_force(day)
    ]


def _subject_json(result: SubjectResult, program: ir.Program) -> dict[str, object]:
    cadence = {i.id: i.cadence for i in program.indicators}
    return {
        "id": result.id,
        "name": result.name,
        "kind": result.kind,
        "group": result.group,
        "total": fmt(result.total, program),
        "rank": result.rank,
        "grade": result.grade,
        "base": fmt(result.base, program),
        "indicators": [
            {
                "id": i.id,
                "name": i.name,
                "score": fmt(i.score, program),
                "points": str(i.points),
                "status": i.status,
                "cadence": cadence[i.id],
                "checkpoints": _checkpoints(program, i.id, result.period),
            }
            for i in result.indicators
        ],
        "adjustments": [
            {
                "item": a.item,
                "name": a.name,
                "points": fmt(a.points, program),
                "reason": "；".join(a.reasons),
                "period": a.period,
                "events": [
                    {
                        "date": e.day.isoformat(),
                        "count": str(e.count),
                        "reason": e.reason,
                        "evidence": e.evidence,
                        "source": e.source,
                    }
                    for e in a.events
                ],
            }
            for a in result.adjustments
        ],
        "vetoes": list(result.vetoes),
        "consequences": [
            {
                "link": c.link,
                "name": c.name,
                "effect": c.effect,
                "target": c.target,
                "source": c.source,
            }
            for c in result.consequences
        ],
        "quarters": [{"period": p, "total": fmt(t, program)} for p, t in result.quarters],
    }


def to_json(
    sections: ir.Program,
    people: ir.Program | None,
    label: str,
    digest: str,
    section_results: list[SubjectResult],
    person_results: list[SubjectResult],
) -> str:
    subjects = [_subject_json(r, sections) for r in section_results]
    if people is not None:
        subjects += [_subject_json(r, people) for r in person_results]
    document = {
        "scheme": sections.scheme,
        "version": sections.version,
        "period": label,
        "rules_digest": digest,
        "subjects": subjects,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_csv(
    sections: ir.Program,
    people: ir.Program | None,
    section_results: list[SubjectResult],
    person_results: list[SubjectResult],
) -> str:
    """One row per subject; indicator columns of sections, then of people."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    blocks = [(sections, section_results)]
    if people is not None:
        blocks.append((people, person_results))
    columns = [(program, _columns(program, results)) for program, results in blocks]
    head = ["period", "kind", "subject", "name", "rank", "grade", "total", "base"]
    writer.writerow(head + [i.id for _, indicators in columns for i in indicators])
    for index, (program, results) in enumerate(blocks):
        for result in results:
            cells = [
                result.period, result.kind, result.id, result.name, result.rank,
                result.grade or "", fmt(result.total, program), fmt(result.base, program) or "",
            ]  # fmt: skip
            scores = {i.id: fmt(i.score, program) or "" for i in result.indicators}
            for position, (_, indicators) in enumerate(columns):
                cells += [scores.get(i.id, "") if position == index else "" for i in indicators]
            writer.writerow(cells)
    return buffer.getvalue()


def to_table(program: ir.Program, period: str, results: list[SubjectResult], lang: str) -> str:
    """A plain-text table aligned for CJK terminals (wide characters take two cells)."""
    if not results:
        return ""
    heads = [text(f"table.head.{h}", lang) for h in _HEADS]
    indicators = _columns(program, results)
    heads += [i.name for i in indicators]
    rows = [
        [
            str(r.rank),
            r.name,
            fmt(r.total, program) or "",
            _grade_word(r.grade, lang),
            fmt(r.base, program) or "",
            _signed(sum((a.points for a in r.adjustments), Decimal(0)), program),
            ",".join(text(f"table.veto.{v}", lang) for v in r.vetoes),
        ]
        + [_score_word(r, i.id, program, lang) for i in indicators]
        for r in results
    ]
    widths = [
        max([display_width(h)] + [display_width(row[i]) for row in rows])
        for i, h in enumerate(heads)
    ]
    kind = text(f"subjects.{program.kind}", lang)
    title = f"{program.scheme} {program.version} · {period} · {kind}"
    lines = [title, ""]
    lines.append("  ".join(pad(h, widths[i], i != 1) for i, h in enumerate(heads)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(pad(c, widths[i], i != 1) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines) + "\n"


def to_xlsx(
    sections: ir.Program,
    people: ir.Program | None,
    section_results: list[SubjectResult],
    person_results: list[SubjectResult],
    lang: str,
) -> bytes:
    """A workbook with a sheet for sections and one for people; scores as exact
    decimals (no float); the same results give the same bytes."""
    import openpyxl  # only when a workbook is written

    workbook = openpyxl.Workbook()
    fixed = datetime.datetime(2000, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    sheet = workbook.active
    assert sheet is not None
    blocks = [(sections, section_results, text("subjects.section", lang))]
    if people is not None:
        blocks.append((people, person_results, text("subjects.person", lang)))
    for index, (program, results, title) in enumerate(blocks):
        target = sheet if index == 0 else workbook.create_sheet()
        target.title = title
        indicators = _columns(program, results)
        heads = ["period", "subject", "name", "rank", "grade", "total", "base", "adjustments"]
        target.append(heads + [i.name for i in indicators])
        for r in results:
            scores = {i.id: i.score for i in r.indicators}
            row: list[object] = [
                r.period, r.id, r.name, r.rank, r.grade or "",
                shown(r.total, program.places, program.rounding),
                None if r.base is None else shown(r.base, program.places, program.rounding),
                shown(
                    sum((a.points for a in r.adjustments), Decimal(0)),
                    program.places,
                    program.rounding,
                ),
            ]  # fmt: skip
            for indicator in indicators:
                score = scores.get(indicator.id)
                row.append(
                    None if score is None else shown(score, program.places, program.rounding)
                )
            target.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_zip(buffer.getvalue())
