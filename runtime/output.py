"""Rendering results: a terminal table, JSON for tools, CSV for spreadsheets.

Numbers are shown as decimal strings at the rule set's declared places
(rounded with its declared mode); output is byte-identical for the same rules
and data: no timestamps, no dict-order or float surprises.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from decimal import Decimal

from compiler import ir
from runtime import helpers
from runtime.evaluate import SubjectResult
from runtime.periods import Period
from runtime.population import UNGRADED


def fmt(value: Decimal | None, program: ir.Program) -> str | None:
    if value is None:
        return None
    return str(helpers.round_to(value, program.places, program.rounding))


_STATUS_WORDS = {
    "not_applicable": {"zh": "不适用", "en": "n/a"},
    "exempt": {"zh": "免考", "en": "exempt"},
}


_VETO_WORDS = {
    "fail": {"zh": "一票否决", "en": "fail"},
    "no_excellent": {"zh": "一票否优", "en": "no excellent"},
}


def _grade_word(grade: str | None, lang: str) -> str:
    if grade == UNGRADED:
        return "未定等次" if lang == "zh" else "ungraded"
    return grade or ""


def _signed(value: Decimal, program: ir.Program) -> str:
    if not value:
        return ""
    text = fmt(value, program) or ""
    return text if value < 0 else "+" + text


def _in_force(program: ir.Program, period: str) -> list[ir.Indicator]:
    end = Period.parse(period).end
    return [i for i in program.indicators if i.in_force(end)]


def to_json(program: ir.Program, period: str, digest: str, results: list[SubjectResult]) -> str:
    subjects = []
    for result in results:
        subjects.append(
            {
                "id": result.id,
                "name": result.name,
                "kind": "section",
                "total": fmt(result.total, program),
                "rank": result.rank,
                "grade": result.grade,
                "group": result.group,
                "indicators": [
                    {
                        "id": i.id,
                        "name": i.name,
                        "score": fmt(i.score, program),
                        "points": str(i.points),
                        "status": i.status,
                    }
                    for i in result.indicators
                ],
                "base": fmt(result.base, program),
                "adjustments": [
                    {
                        "item": a.item,
                        "name": a.name,
                        "points": str(a.points),
                        "reason": "；".join(a.reasons),
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
                "consequences": [],
            }
        )
    document = {
        "scheme": program.scheme,
        "version": program.version,
        "period": period,
        "rules_digest": digest,
        "subjects": subjects,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_csv(program: ir.Program, period: str, results: list[SubjectResult]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    indicators = _in_force(program, period)
    writer.writerow(["period", "subject", "name", "rank", "total", *[i.id for i in indicators]])
    for result in results:
        writer.writerow(
            [result.period, result.id, result.name, result.rank, fmt(result.total, program)]
            + [fmt(i.score, program) or "" for i in result.indicators]
        )
    return buffer.getvalue()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


def to_table(program: ir.Program, period: str, results: list[SubjectResult], lang: str) -> str:
    """A plain-text table aligned for CJK terminals (wide characters take two cells)."""
    heads = (
        ["名次", "考核对象", "总分", "等次", "基础分", "加减分", "否决"]
        if lang == "zh"
        else ["rank", "subject", "total", "grade", "base", "adjust", "veto"]
    )
    heads += [i.name for i in _in_force(program, period)]
    rows = [
        [
            str(r.rank),
            r.name,
            fmt(r.total, program) or "",
            _grade_word(r.grade, lang),
            fmt(r.base, program) or "",
            _signed(sum((a.points for a in r.adjustments), Decimal(0)), program),
            ",".join(_VETO_WORDS[v][lang] for v in r.vetoes),
        ]
        + [fmt(i.score, program) or _STATUS_WORDS[i.status][lang] for i in r.indicators]
        for r in results
    ]
    widths = [max([_width(h)] + [_width(row[i]) for row in rows]) for i, h in enumerate(heads)]
    title = f"{program.scheme} {program.version} · {period}"
    lines = [title, ""]
    lines.append("  ".join(_pad(h, widths[i], i != 1) for i, h in enumerate(heads)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(_pad(c, widths[i], i != 1) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines) + "\n"
