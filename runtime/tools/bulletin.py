"""The quarterly bulletin 《绩效管理工作运行情况通报》, from the results of a period.

Overall situation (subjects, averages, grades), deductions by section and by
person with the share of each deducted, the largest gap between two people,
the problems the deductions point at (items by frequency, indicators with the
lowest score rates), and the continuous-improvement signal: indicators that
everybody scored full marks on, and indicators nobody did — candidates for
revision.  Rendered by ``runtime.render.bulletin``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from compiler import ir
from compiler.pipeline import Compilation
from runtime.engine.results import SubjectResult
from runtime.engine.run import evaluate_rules
from runtime.inputs.periods import Period
from semantics.rounding import DEFAULT_ROUNDING, shown


@dataclass
class IndicatorStat:
    id: str
    name: str
    points: Decimal
    scored: int
    full: int
    rate: Decimal  # average score / points


@dataclass
class Bulletin:
    scheme: str
    period: str
    sections: int
    people: int
    section_average: Decimal
    section_best: tuple[str, Decimal]
    section_worst: tuple[str, Decimal]
    person_average: Decimal | None
    gap: Decimal | None
    grades: list[tuple[str, str, int]]  # (kind, grade, count)
    deducted_sections: list[tuple[str, Decimal, str]]  # (name, points, reasons)
    deducted_people: int
    problems: list[tuple[str, int, Decimal]]  # (item name, occurrences, points)
    weakest: list[IndicatorStat] = field(default_factory=list)
    everybody_full: list[IndicatorStat] = field(default_factory=list)
    nobody_full: list[IndicatorStat] = field(default_factory=list)
    # The sections in rank order: (rank, name, total, grade); the document's table.
    ranking: list[tuple[int, str, Decimal, str]] = field(default_factory=list)
    # The period as an office writes it (2016年第三季度, 2016年1—9月) and its last day,
    # the document's default date (never today: the same inputs give the same document).
    period_text: str = ""
    period_end: date | None = None

    @property
    def section_share(self) -> Decimal:
        return _percent(len(self.deducted_sections), self.sections)

    @property
    def people_share(self) -> Decimal:
        return _percent(self.deducted_people, self.people)


_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


def period_text(periods: list[Period]) -> str:
    """How an office writes the period: ``2016年第三季度`` for one quarter,
    ``2016年1—9月`` for a range (the dash is the Chinese 一字线), ``2016年度``
    for a whole year."""
    first, last = min(periods), max(periods)
    if first == last:
        return f"{first.year}年第{_QUARTER_NAMES[first.quarter]}季度"
    if first.year == last.year and first.quarter == 1 and last.quarter == 4:
        return f"{first.year}年度"
    start, end = first.start, last.end
    if first.year == last.year:
        return f"{first.year}年{start.month}—{end.month}月"
    return f"{first.year}年{start.month}月—{last.year}年{end.month}月"


def _percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return shown(Decimal(part) * 100 / whole, 0, DEFAULT_ROUNDING)


def _round(value: Decimal, program: ir.Program) -> Decimal:
    return shown(value, program.places, program.rounding)


def _grade_order(program: ir.Program, people: ir.Program | None, kind: str, grade: str) -> int:
    """Grades best first, as the rules list them."""
    source = program if kind == "section" else people
    names = [band.grade for band in source.grades] if source is not None else []
    return names.index(grade) if grade in names else len(names)


def _average(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values) if values else Decimal(0)


def _stats(results: list[SubjectResult]) -> list[IndicatorStat]:
    found: dict[str, IndicatorStat] = {}
    totals: dict[str, list[Decimal]] = {}
    for result in results:
        for indicator in result.indicators:
            if indicator.score is None:
                continue
            stat = found.setdefault(
                indicator.id,
                IndicatorStat(indicator.id, indicator.name, indicator.points, 0, 0, Decimal(0)),
            )
            stat.scored += 1
            stat.full += indicator.score >= indicator.points
            totals.setdefault(indicator.id, []).append(indicator.score / indicator.points)
    for ident, stat in found.items():
        stat.rate = shown(_average(totals[ident]) * 100, 1, DEFAULT_ROUNDING)
    return list(found.values())


def build(
    program: ir.Program,
    people: ir.Program | None,
    label: str,
    sections: list[SubjectResult],
    persons: list[SubjectResult],
) -> Bulletin:
    with_points = [(r.name, _round(r.total, program)) for r in sections]
    deducted = []
    problems: Counter[str] = Counter()
    problem_points: dict[str, Decimal] = {}
    for result in [*sections, *persons]:
        for adjustment in result.adjustments:
            if adjustment.points < 0 and not adjustment.item.endswith("_cap"):
                count = sum((e.count for e in adjustment.events), Decimal(0))
                problems[adjustment.name] += int(count) or 1
                problem_points[adjustment.name] = (
                    problem_points.get(adjustment.name, Decimal(0)) - adjustment.points
                )
    for result in sections:
        minus = [a for a in result.adjustments if a.points < 0 and not a.item.endswith("_cap")]
        if minus:
            reasons = "、".join(sorted({a.name for a in minus}))
            lost = -sum((a.points for a in minus), Decimal(0))
            deducted.append((result.name, _round(lost, program), reasons))
    person_totals = [r.total for r in persons]
    grades = Counter((r.kind, r.grade or "-") for r in [*sections, *persons])
    stats = _stats(sections) + (_stats(persons) if people is not None else [])
    return Bulletin(
        scheme=program.scheme,
        period=label,
        sections=len(sections),
        people=len(persons),
        section_average=_round(_average([r.total for r in sections]), program),
        section_best=max(with_points, key=lambda p: p[1]),
        section_worst=min(with_points, key=lambda p: p[1]),
        person_average=_round(_average(person_totals), program) if persons else None,
        gap=max(person_totals) - min(person_totals) if persons else None,
        grades=sorted(
            ((kind, grade, n) for (kind, grade), n in grades.items()),
            key=lambda g: (g[0] != "section", _grade_order(program, people, g[0], g[1]), g[1]),
        ),
        deducted_sections=sorted(deducted, key=lambda d: (-d[1], d[0])),
        deducted_people=sum(
            1
            for r in persons
            if any(a.points < 0 and not a.item.endswith("_cap") for a in r.adjustments)
        ),
        problems=sorted(
            (
                (name, count, _round(problem_points[name], program))
                for name, count in problems.items()
            ),
            key=lambda p: (-p[1], p[0]),
        ),
        weakest=sorted(stats, key=lambda s: (s.rate, s.id))[:3],
        everybody_full=[s for s in stats if s.scored and s.full == s.scored],
        nobody_full=[s for s in stats if s.scored and s.full == 0],
        ranking=[
            (r.rank, r.name, _round(r.total, program), r.grade or "")
            for r in sorted(sections, key=lambda r: (r.rank, r.id))
        ],
    )


def bulletin_for(
    compilation: Compilation, data: str, periods: list[Period], label: str
) -> Bulletin:
    """``jixiao report bulletin``: evaluate the period, then build its bulletin."""
    assert "section" in compilation.programs
    evaluation = evaluate_rules(compilation, data, periods, label)
    bulletin = build(
        compilation.programs["section"], compilation.programs.get("person"), evaluation.label,
        evaluation.sections, evaluation.people,
    )  # fmt: skip
    bulletin.period_text = period_text(periods)
    bulletin.period_end = max(periods).end
    return bulletin
