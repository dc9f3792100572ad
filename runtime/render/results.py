"""Rendering results: a terminal table, JSON for tools, CSV and XLSX for spreadsheets.

Numbers are shown as decimal strings at the rule set's declared places
(rounded with its declared mode); output is byte-identical for the same rules
and data: no timestamps, no dict-order or float surprises.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from compiler import ir
from dsl.diagnostics import display_width, pad
from dsl.messages import text
from runtime.engine.population import UNGRADED
from runtime.engine.results import SubjectResult
from runtime.inputs.checkpoints import due_date
from runtime.inputs.periods import parse_periods
from runtime.render.workbook import Cell, csv_text, fill_sheet, new_workbook, workbook_bytes
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
        {"date": day.isoformat(), "due": due_date(indicator, day).isoformat()}
        for day in indicator.checkpoint_days(start, end)
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


def _indicator_heads(columns: list[tuple[ir.Program, list[ir.Indicator]]]) -> list[str]:
    """Indicator columns by name; a name both kinds use gets its id added."""
    names = [i.name for _, indicators in columns for i in indicators]
    return [
        f"{i.name}（{i.id}）" if names.count(i.name) > 1 else i.name
        for _, indicators in columns
        for i in indicators
    ]


def to_csv(
    sections: ir.Program,
    people: ir.Program | None,
    section_results: list[SubjectResult],
    person_results: list[SubjectResult],
    lang: str = "zh",
) -> str:
    """One row per subject; indicator columns of sections, then of people.
    CSV for Excel (``workbook.csv_text``): headers in ``lang``, numbers at
    the rule set's places."""
    blocks = [(sections, section_results)]
    if people is not None:
        blocks.append((people, person_results))
    columns = [(program, _columns(program, results)) for program, results in blocks]
    head = [text(f"table.head.{h}", lang) for h in _CSV_HEADS]
    rows: list[list[Cell]] = []
    for index, (program, results) in enumerate(blocks):
        for result in results:
            cells: list[Cell] = [
                result.period, text(f"table.kind.{result.kind}", lang), result.id, result.name,
                result.rank, _grade_word(result.grade, lang), _number(result.total, program),
                _number(result.base, program),
            ]  # fmt: skip
            scores = {i.id: _number(i.score, program) for i in result.indicators}
            for position, (_, indicators) in enumerate(columns):
                cells += [scores.get(i.id) if position == index else None for i in indicators]
            rows.append(cells)
    return csv_text(head + _indicator_heads(columns), rows)


_CSV_HEADS = ("period", "kind", "id", "name", "rank", "grade", "total", "base")
_XLSX_HEADS = ("period", "id", "name", "rank", "grade", "total", "base", "adjust", "veto")


def _number(value: Decimal | None, program: ir.Program) -> Decimal | None:
    return None if value is None else shown(value, program.places, program.rounding)


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
    """A workbook with a sheet for sections and one for people, ready to print
    (``runtime.render.workbook``): headers in ``lang``, scores as numbers at
    the rule set's places (exact decimals, no float); an unscored indicator
    shows why.  The same results give the same bytes."""
    workbook = new_workbook()
    sheet = workbook.active
    assert sheet is not None
    blocks = [(sections, section_results, text("subjects.section", lang))]
    if people is not None:
        blocks.append((people, person_results, text("subjects.person", lang)))
    for index, (program, results, title) in enumerate(blocks):
        target = sheet if index == 0 else workbook.create_sheet()
        target.title = title
        indicators = _columns(program, results)
        heads = [text(f"table.head.{h}", lang) for h in _XLSX_HEADS]
        rows: list[list[Cell]] = []
        for r in results:
            found = {i.id: i for i in r.indicators}
            row: list[Cell] = [
                r.period, r.id, r.name, r.rank, _grade_word(r.grade, lang),
                _number(r.total, program), _number(r.base, program),
                _number(sum((a.points for a in r.adjustments), Decimal(0)), program),
                "、".join(text(f"table.veto.{v}", lang) for v in r.vetoes),
            ]  # fmt: skip
            for indicator in indicators:
                result = found.get(indicator.id)
                if result is None:
                    row.append(None)
                elif result.score is None:
                    row.append(text(f"table.status.{result.status}", lang))
                else:
                    row.append(_number(result.score, program))
            rows.append(row)
        kind = text(f"subjects.{program.kind}", lang)
        label = results[0].period if results else ""
        fill_sheet(
            target,
            heads + [i.name for i in indicators],
            rows,
            program.places,
            header=f"{program.scheme} {program.version} · {label} · {kind}",
        )
    return workbook_bytes(workbook)
