"""The quarterly bulletin 《绩效管理工作运行情况通报》, from the results of a period.

Overall situation (subjects, averages, grades), deductions by section and by
person with the share of each deducted, the largest gap between two people,
the problems the deductions point at (items by frequency, indicators with the
lowest score rates), and the continuous-improvement signal: indicators that
everybody scored full marks on, and indicators nobody did — candidates for
revision.  Rendered by ``runtime.render.bulletin``.

The source's bulletin also reports supervision (督考合一: letters issued, items
due, closed on time, overdue, corrected; from the supervision table), the
warnings issued (a count the caller passes in: the store's record of issued
warnings), the indicators most sections lost points on, vetoed sections, and
the next quarter's focus (the office's own text, or suggestions computed from
the problems).

Over several quarters, deduction figures are added up from each quarter's own
results (the roll-up may average totals, which scales each quarter's
adjustments): every figure is either a 合计 (sum over the quarters) or a 平均
(per quarter), and says which.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from compiler import ir
from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic, UserError
from runtime.engine.results import Adjustment, SubjectResult
from runtime.engine.run import evaluate_rules
from runtime.inputs.periods import Period
from runtime.inputs.supervision import SupervisionItem, read_supervision
from runtime.inputs.tables import EncodingProblem, decode_csv
from runtime.store import IssuedWarning
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
class Deduction:
    """One section's deductions over the period."""

    name: str
    total: Decimal  # 合计: the sum over the quarters
    average: Decimal  # 平均: per quarter (equal to total for one quarter)
    reasons: str


@dataclass
class LostPoints:
    """An indicator and how many of the sections it scored lost points on it."""

    name: str
    lost: int
    scored: int


@dataclass
class SectionSupervision:
    name: str
    due: int
    on_time: int
    overdue: int


@dataclass
class Supervision:
    """Supervision items (督办事项) of the period, from the supervision table."""

    letters: int  # letters issued in the period
    issued: int  # items those letters assigned
    due: int  # items due in the period
    on_time: int  # of those, closed by their due date
    overdue: int  # of those, not closed by their due date (closed late or still open)
    open: int  # of the overdue, still open at the period's end
    corrected: int  # problems corrected (整改到位) in the period
    sections: list[SectionSupervision] = field(default_factory=list)

    @property
    def on_time_rate(self) -> Decimal:
        return _percent(self.on_time, self.due)


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
    deducted_sections: list[Deduction]
    deducted_people: int
    problems: list[tuple[str, int, Decimal]]  # (item name, occurrences, points 合计)
    weakest: list[IndicatorStat] = field(default_factory=list)
    everybody_full: list[IndicatorStat] = field(default_factory=list)
    nobody_full: list[IndicatorStat] = field(default_factory=list)
    # The sections in rank order: (rank, name, total, grade); the document's table.
    ranking: list[tuple[int, str, Decimal, str]] = field(default_factory=list)
    # The period as an office writes it (2016年第三季度, 2016年1—9月) and its last day,
    # the document's default date (never today: the same inputs give the same document).
    period_text: str = ""
    period_end: date | None = None
    places: int = 2  # the rule set's places: the workbook's number format
    quarters: int = 1  # quarters in the period: deductions are 合计 over them, or 平均
    lost_points: list[LostPoints] = field(default_factory=list)
    vetoed: list[tuple[str, str]] = field(default_factory=list)  # (section, veto item names)
    supervision: Supervision | None = None  # None: the data has no supervision table
    warnings: WarningFigures | None = None  # None: no record of issued warnings was given
    focus: list[str] = field(default_factory=list)  # the office's own next-quarter focus
    suggestions: list[str] = field(default_factory=list)  # computed when no focus is given

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
    if first == last and first.annual:
        return f"{first.year}年度"
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


def _deductions(result: SubjectResult) -> list[Adjustment]:
    return [a for a in result.adjustments if a.points < 0 and not a.item.endswith("_cap")]


def build(
    program: ir.Program,
    people: ir.Program | None,
    label: str,
    sections: list[SubjectResult],
    persons: list[SubjectResult],
    quarters: list[tuple[list[SubjectResult], list[SubjectResult]]] | None = None,
) -> Bulletin:
    """The bulletin of ``sections`` and ``persons`` (the period's results, rolled
    up over several quarters); ``quarters`` are each quarter's own results, from
    which deductions are added up (one quarter: the results themselves)."""
    each = quarters if quarters else [(sections, persons)]
    with_points = [(r.name, _round(r.total, program)) for r in sections]
    deducted = []
    problems: Counter[str] = Counter()
    problem_points: dict[str, Decimal] = {}
    section_lost: dict[str, Decimal] = {}
    section_reasons: dict[str, set[str]] = {}
    for quarter_sections, quarter_people in each:
        for result in [*quarter_sections, *quarter_people]:
            for adjustment in _deductions(result):
                problems[adjustment.name] += int(adjustment.occurrences) or 1
                problem_points[adjustment.name] = (
                    problem_points.get(adjustment.name, Decimal(0)) - adjustment.points
                )
        for result in quarter_sections:
            minus = _deductions(result)
            if minus:
                lost = -sum((a.points for a in minus), Decimal(0))
                section_lost[result.id] = section_lost.get(result.id, Decimal(0)) + lost
                section_reasons.setdefault(result.id, set()).update(a.name for a in minus)
    for result in sections:
        if result.id in section_lost:
            lost = section_lost[result.id]
            reasons = "、".join(sorted(section_reasons[result.id]))
            deducted.append(
                Deduction(
                    result.name,
                    _round(lost, program),
                    _round(lost / len(each), program),
                    reasons,
                )
            )
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
        deducted_sections=sorted(deducted, key=lambda d: (-d.total, d.name)),
        deducted_people=sum(1 for r in persons if _deductions(r)),
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
        places=program.places,
        quarters=len(each),
        lost_points=_lost_points(sections),
        vetoed=_vetoed(program, sections),
    )


def _lost_points(sections: list[SubjectResult], count: int = 5) -> list[LostPoints]:
    """The indicators the most sections lost points on (at least one section)."""
    found: dict[str, LostPoints] = {}
    for result in sections:
        for indicator in result.indicators:
            if indicator.score is None:
                continue
            stat = found.setdefault(indicator.id, LostPoints(indicator.name, 0, 0))
            stat.scored += 1
            stat.lost += indicator.score < indicator.points
    ranked = sorted(
        (s for s in found.values() if s.lost),
        key=lambda s: (-Decimal(s.lost) / s.scored, -s.lost, s.name),
    )
    return ranked[:count]


def _vetoed(program: ir.Program, sections: list[SubjectResult]) -> list[tuple[str, str]]:
    """Sections with a veto, and the names of the veto items of that kind
    (一票否决 ``fail``, 一票否优 ``no_excellent``)."""
    out = []
    for result in sections:
        if result.vetoes:
            names = [i.name for i in program.items if i.kind == "veto" and i.veto in result.vetoes]
            out.append((result.name, "、".join(names)))
    return out


def supervision_figures(
    items: list[SupervisionItem], sections: list[SubjectResult], periods: list[Period]
) -> Supervision:
    """The period's supervision figures: letters and items issued in it, items
    due in it and how they stood at its end, corrections closed in it."""
    first, last = min(periods).start, max(periods).end

    def within(day: date | None) -> bool:
        return day is not None and first <= day <= last

    issued = [i for i in items if within(i.issued)]
    due = [i for i in items if within(i.due)]
    on_time = [i for i in due if i.closed_on_time()]
    overdue = [i for i in due if not i.closed_on_time()]
    still_open = [i for i in overdue if i.closed is None or i.closed > last]
    per_section = []
    for result in sorted(sections, key=lambda r: r.id):
        mine = [i for i in due if i.subject == result.id]
        if mine:
            in_time = sum(1 for i in mine if i.closed_on_time())
            per_section.append(
                SectionSupervision(result.name, len(mine), in_time, len(mine) - in_time)
            )
    return Supervision(
        letters=len({i.letter for i in issued}),
        issued=len(issued),
        due=len(due),
        on_time=len(on_time),
        overdue=len(overdue),
        open=len(still_open),
        corrected=sum(1 for i in items if i.corrected and within(i.closed)),
        sections=per_section,
    )


def suggestions(bulletin: Bulletin) -> list[str]:
    """Next-quarter suggestions computed from the findings, when the office
    gives no focus text of its own."""
    out = [f"针对{s.name}失分面较大（{s.lost}/{s.scored}个科室失分）的问题，加强督促指导"
           for s in bulletin.lost_points[:2]]  # fmt: skip
    out += [f"对“{name}”（{count}次）集中整改，防止重复扣分"
            for name, count, _ in bulletin.problems[:2]]  # fmt: skip
    if bulletin.supervision is not None and bulletin.supervision.overdue:
        out.append(f"督办事项逾期{bulletin.supervision.overdue}项，逐项跟踪销号")
    revise = [s.name for s in [*bulletin.everybody_full, *bulletin.nobody_full]]
    if revise:
        out.append(f"评估{'、'.join(revise)}等指标的合理性，纳入下一年度指标修订")
    return out


_NUMBERING = re.compile(r"^\s*(\d+[.、．)）]|[（(]?[一二三四五六七八九十]+[、)）])\s*")


def read_focus(path: str) -> list[str]:
    """The office's next-quarter focus from a text file (``--focus``): one item
    a line, blank lines and ``#`` comments skipped, numbering (``1.``, ``一、``)
    dropped since the bulletin numbers the items; UTF-8 or GB18030 as saved."""
    try:
        text = decode_csv(Path(path).read_bytes())
    except EncodingProblem as error:
        args = {"path": path, "line": error.line, "byte": f"0x{error.byte:02X}"}
        raise UserError(
            [Diagnostic("E0909", args, None, location=f"{path}:{error.line}")]
        ) from None
    except OSError as error:
        args = {"path": path, "problem": error.strerror or str(error)}
        raise UserError([Diagnostic("E0902", args, None, location=path)]) from None
    lines = (line.strip() for line in text.splitlines())
    return [_NUMBERING.sub("", line) for line in lines if line and not line.startswith("#")]


@dataclass(frozen=True, slots=True)
class WarningFigures:
    """The early-warning tables sent in the period (``jixiao warn --record``):
    the source counts them with their signatures ("12 warnings, 12 head
    signatures, 12 liaison signatures")."""

    issued: int
    second: int  # of which second warnings (the reminders before a checkpoint)
    signed: int


def warning_figures(issued: list[IssuedWarning], scheme: str) -> WarningFigures:
    """Counts over the warnings a store recorded, for one scheme."""
    mine = [w for w in issued if w.scheme == scheme]
    return WarningFigures(
        len(mine),
        sum(1 for w in mine if w.kind == "second"),
        sum(1 for w in mine if w.signed_by is not None),
    )


def bulletin_for(
    compilation: Compilation,
    data: str,
    periods: list[Period],
    label: str,
    focus: list[str] | None = None,
    warnings: WarningFigures | None = None,
) -> Bulletin:
    """``jixiao report bulletin``: evaluate the period, then build its bulletin.

    ``focus`` is the office's next-quarter focus (else suggestions are
    computed); ``warnings`` the warnings issued in the period as the store
    records them (``warning_figures``; None: not known, and the bulletin says so)."""
    program = compilation.programs["section"]
    assert program is not None and program.organization is not None
    evaluation = evaluate_rules(compilation, data, periods, label)
    sections = {s.id: s.name for s in program.organization.sections}
    items, problems = read_supervision(data, sections)
    if problems:
        raise UserError(problems)
    bulletin = build(
        program, compilation.programs.get("person"), evaluation.label,
        evaluation.sections, evaluation.people, list(evaluation.quarters.values()),
    )  # fmt: skip
    bulletin.period_text = period_text(periods)
    bulletin.period_end = max(periods).end
    if items:
        bulletin.supervision = supervision_figures(items, evaluation.sections, periods)
    bulletin.warnings = warnings
    bulletin.focus = list(focus or [])
    bulletin.suggestions = [] if bulletin.focus else suggestions(bulletin)
    return bulletin
