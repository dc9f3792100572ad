"""Dry-runs: a candidate rule set against the baseline, on past data.

Both rule sets are evaluated on the same data for each period; nothing is
recorded and published results are only read (to say whether the baseline
reproduces them).  For every subject: the score delta, the rank change, the
grade transition and the consequences gained or lost; per period: the grade
transition matrix and the use of each quota.  Over several periods, the
cumulative comparison too: each side's quarters rolled up as its rules
declare (``rollup``), then ranked and graded, so the leadership sees what the
revision does to the year so far, not only to each quarter.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar, cast

from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic, UserError
from runtime.engine.population import quota_size
from runtime.engine.results import Consequence, SubjectResult, replaced
from runtime.engine.rollup import RollupRule, reading, roll_up
from runtime.engine.run import Evaluation, evaluate_rules
from runtime.inputs.collection import collector_paused
from runtime.inputs.data import (
    PERIOD_COLUMN,
    SUBJECT_COLUMN,
    event_not_wanted,
    period_not_wanted,
)
from runtime.inputs.events import EVENT_COLUMNS, is_event_table
from runtime.inputs.periods import Period
from runtime.inputs.supervision import drop_items_due_before, due_in, is_supervision_table
from runtime.inputs.tables import Table, read_once, slim_read
from runtime.store import Store
from runtime.tools.explain import explain
from semantics.rounding import shown

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SubjectChange:
    period: str
    kind: str
    id: str
    name: str
    total_before: Decimal | None
    total_after: Decimal | None
    rank_before: int | None
    rank_after: int | None
    grade_before: str | None
    grade_after: str | None
    gained: tuple[str, ...]  # consequences gained ("link: effect")
    lost: tuple[str, ...]

    @property
    def delta(self) -> Decimal | None:
        if self.total_before is None or self.total_after is None:
            return None
        return self.total_after - self.total_before

    @property
    def changed(self) -> bool:
        return (
            self.total_before != self.total_after
            or self.rank_before != self.rank_after
            or self.grade_before != self.grade_after
            or bool(self.gained or self.lost)
        )


@dataclass
class PeriodComparison:
    period: str
    subjects: list[SubjectChange] = field(default_factory=list)
    # (kind, grade before, grade after) -> count
    transitions: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # (kind, grade, group) -> (used before, quota before, used after, quota after)
    quotas: dict[tuple[str, str, str], tuple[int, int, int, int]] = field(default_factory=dict)
    published: str | None = None  # "reproduced", or the subjects whose published results differ


@dataclass
class DryRun:
    baseline: str
    candidate: str
    periods: list[PeriodComparison] = field(default_factory=list)
    evaluations: list[tuple[Evaluation, Evaluation]] = field(default_factory=list)
    # Per kind, the grades best first as the rules declare them (the candidate's,
    # then any only the baseline has), and each grade's minimum total in the candidate.
    grades: dict[str, tuple[str, ...]] = field(default_factory=dict)
    thresholds: dict[str, tuple[tuple[str, Decimal], ...]] = field(default_factory=dict)
    # Over several periods: both sides rolled up as each one's rules declare
    # (None for one period, or when a rule set declares no roll-up).
    cumulative: PeriodComparison | None = None
    rollup: str | None = None  # the candidate's roll-up method ("average", "sum", "weighted")
    # Each link's name by id, from the consequences of every period's evaluations
    # (the evaluations themselves are kept slimmed: see ``_slimmed``).
    link_names: dict[str, str] = field(default_factory=dict)


_NONE: frozenset[str] = frozenset()


def _consequences(result: SubjectResult | None) -> set[str]:
    if result is None or not result.consequences:
        return set()
    return {f"{c.link}: {c.effect}" for c in result.consequences if c.target == result.id}


def _quota_use(
    compilation: Compilation, results: Sequence[SubjectResult], kind: str
) -> dict[tuple[str, str], tuple[int, int]]:
    program = (
        compilation.programs["section"] if kind == "section" else compilation.programs.get("person")
    )
    if program is None:
        return {}
    use: dict[tuple[str, str], tuple[int, int]] = {}
    for band in program.grades:
        if band.quota is None:
            continue
        pools: dict[str, list[SubjectResult]] = {}
        for result in results:
            pool = result.group if band.quota.pool == "group" else ""
            pools.setdefault(pool, []).append(result)
        for pool, members in pools.items():
            used = sum(1 for r in members if r.grade == band.grade)
            use[(band.grade, pool)] = (used, quota_size(band.quota, len(members)))
    return use


# Not only each evaluation: what the dry-run keeps between them (slimmed
# results, comparisons, the roll-up) is as long-lived and as free of cycles,
# and the collector scanned the heap of every earlier period while it was made.
@collector_paused()
def compare(
    baseline: Compilation,
    candidate: Compilation,
    data: str,
    periods: list[Period],
    names: tuple[str, str],
    published: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    engine: str = "python",
    keep_results: bool = True,
    explained: str | None = None,
) -> DryRun:
    """Evaluate both rule sets on each period and compare subject by subject
    (``engine``: ``python`` or ``batch``, runtime.engine.run.evaluate_datasets).

    What is reported is kept (each period's comparison, the link names);
    without ``keep_results``, each period's evaluations are kept only as far
    as the roll-up over the periods reads them, whole only for the subject
    ``explained`` (an id or a name): a dry-run of a large organization over
    many periods does not hold every result of every period."""
    run = DryRun(*names)
    # The data files read once; supervision items made for these periods only.
    with read_once(), due_in((p.start, p.end) for p in periods):
        _compare_periods(run, baseline, candidate, data, periods, published, progress,
                         keep_results, explained, engine)  # fmt: skip
    run.grades, run.thresholds = _grades(baseline, candidate)
    if len(periods) > 1:
        run.cumulative = _cumulative(run, baseline, candidate, _label(periods))
        if run.cumulative is not None and candidate.programs["section"].rollup is not None:
            run.rollup = candidate.programs["section"].rollup.method
    return run


def _compare_periods(
    run: DryRun,
    baseline: Compilation,
    candidate: Compilation,
    data: str,
    periods: list[Period],
    published: Mapping[str, Sequence[Mapping[str, object]]] | None,
    progress: Callable[[int, int, str], None] | None,
    keep_results: bool,
    explained: str | None,
    engine: str,
) -> None:
    """Each period evaluated by both sides and compared (the data files read once)."""
    shared = _Shared()
    for number, period in enumerate(periods, start=1):
        if progress is not None:
            progress(number, len(periods), str(period))
        label = str(period)
        # The data of a past period was collected for the baseline's indicators
        # in force then: a candidate's new indicator has none, whatever its
        # inputs' defaults say, unless the data holds values for it.
        collected: dict[str, frozenset[str]] = {
            kind: frozenset(i.id for i in program.indicators if i.scored_in(period.end))
            for kind, program in baseline.programs.items()
        }
        before = evaluate_rules(
            baseline, data, [period], label, absent_unscores=True, engine=engine
        )
        _gather_link_names(run, before)
        if not keep_results and number == 1:
            # Read and checked once: the rows of periods not asked are read no more.
            slim_read(_rows_dropped(periods, baseline, candidate))
        published_text: str | None = None
        if published is not None and label in published:
            stored = {str(s["id"]): s for s in published[label]}
            differ = [
                r.id
                for r in [*before.sections, *before.people]
                if r.id in stored and str(stored[r.id].get("total")) != _fmt(r.total, baseline)
            ]
            published_text = "reproduced" if not differ else ", ".join(differ)
        shared.new_period()
        # Consequences of the slimmed results, by subject (the results then hold none).
        links: tuple[dict[tuple[str, str], frozenset[str]], ...] = ({}, {})
        if not keep_results:  # what the comparison and the roll-up read, before the candidate
            before = _slimmed(before, baseline, explained, shared, links[0])
        after = evaluate_rules(
            candidate,
            data,
            [period],
            label,
            absent_unscores=True,
            collected=collected,
            engine=engine,
        )
        _gather_link_names(run, after)
        if not keep_results:
            after = _slimmed(after, candidate, explained, shared, links[1])
        comparison = _comparison(
            label,
            baseline,
            candidate,
            (before.sections, before.people),
            (after.sections, after.people),
            links,
        )
        del links
        comparison.published = published_text
        run.periods.append(comparison)
        if not keep_results:  # compared: the kept subject's results alone stay whole
            before, after = _compared(before, explained), _compared(after, explained)
            # The rows of this period (and of periods not asked) are read no more.
            slim_read(_rows_dropped(periods[number:], baseline, candidate))
            if periods[number:]:  # nor the supervision items due before the periods left
                drop_items_due_before(min(p.start for p in periods[number:]))
        run.evaluations.append((before, after))


def _gather_link_names(run: DryRun, evaluation: Evaluation) -> None:
    for result in (*evaluation.sections, *evaluation.people):
        for consequence in result.consequences:
            run.link_names[consequence.link] = consequence.name


def _rows_dropped(
    remaining: list[Period], baseline: Compilation, candidate: Compilation
) -> Callable[[Table], Table]:
    """How a data table read once is slimmed once a period is compared: the
    rows of quarters (or years) not in ``remaining`` dropped, which every
    later reader would skip without a word (``runtime.inputs.data``: a row of
    a period not wanted).  A table is left whole where dropping could change
    what a reader makes of it: month rows in it (read by quarter), a period
    cell that is not a period, rows of the other kind of period (reported),
    or kept rows that name fewer subjects (which kind of subject a table
    holds is judged from the subjects it names).  An event table's rows
    dated in periods not in ``remaining`` are dropped too (the event reader
    skips them, their dates read without a problem by then); it is left
    whole if a date does not read or no row would be left."""
    annual = {c.programs["section"].annual for c in (baseline, candidate)}
    wanted = set(remaining)
    known: dict[str, bool] = {}  # period text -> whether its rows can be dropped
    days: dict[str, bool] = {}  # an event's date text -> whether its row can be dropped

    def dated_out(text: str) -> bool | None:
        """True: an event of a period not wanted; False: kept; None: leave the table whole."""
        if text not in days:
            out = event_not_wanted(text, wanted, next(iter(annual))) if len(annual) == 1 else None
            if out is None:
                return None
            days[text] = out
        return days[text]

    def slim_events(table: Table, at: int) -> Table:
        kept = _rows_kept(table, at, dated_out)
        if not kept or len(kept) == len(table.rows):
            return table
        return dataclasses.replace(table, rows=kept)

    def droppable(text: str) -> bool | None:
        """True: a row of a period not wanted; False: kept; None: leave the table whole."""
        if text not in known:
            out = period_not_wanted(text, wanted, next(iter(annual))) if len(annual) == 1 else None
            if out is None:
                return None
            known[text] = out
        return known[text]

    def slim(table: Table) -> Table:
        columns = {name: index for index, name in enumerate(table.header) if name}
        if is_event_table(columns) and table.rows:
            return slim_events(table, columns[EVENT_COLUMNS[0]])  # its date column
        if (
            PERIOD_COLUMN not in columns
            or SUBJECT_COLUMN not in columns
            or is_event_table(columns)
            or is_supervision_table(columns)
            or not table.rows
        ):
            return table
        at, who = columns[PERIOD_COLUMN], columns[SUBJECT_COLUMN]
        kept = _rows_kept(table, at, droppable)
        if kept is None or len(kept) == len(table.rows):
            return table
        if not kept or _named(kept, who) != _named(table.rows, who):
            return table
        return dataclasses.replace(table, rows=kept)

    return slim


def _rows_kept(
    table: Table, at: int, dropped: Callable[[str], bool | None]
) -> list[tuple[int, list[str]]] | None:
    """The rows whose cell at ``at`` is not ``dropped``; None when some row's
    cell says to leave the table whole (``dropped`` gave None, or it is short)."""
    kept: list[tuple[int, list[str]]] = []
    for numbered in table.rows:
        cells = numbered[1]
        drop = dropped(cells[at]) if at < len(cells) else None
        if drop is None:
            return None
        if not drop:
            kept.append(numbered)
    return kept


def _named(rows: list[tuple[int, list[str]]], index: int) -> set[str]:
    return {cells[index].strip() for _, cells in rows if index < len(cells)}


def _slimmed(
    evaluation: Evaluation,
    compilation: Compilation,
    kept: str | None,
    shared: _Shared | None = None,
    links: dict[tuple[str, str], frozenset[str]] | None = None,
) -> Evaluation:
    """``evaluation`` (of one period) with only what the comparison and the
    roll-up over periods read of each result (total, base, rank, grade,
    group, vetoes, sanctions, consequences and the slots ranking and grading
    read), except the results of the subject ``kept``.  Each result is
    slimmed once: the period's results after the links (their consequences)
    stand for the quarter too, the subject ``kept`` as it was in each.
    ``shared``: see ``_slimming``.  ``links``: where given, the results'
    consequences go there (``_slimming``), not into the slimmed results; the
    comparison reads them there and the roll-up reads none (no copy of every
    result to drop them once compared, ``_compared``)."""
    slim = _slimming(compilation, kept, shared)

    def as_quarter(slimmed: list[SubjectResult], whole: list[SubjectResult]) -> list[SubjectResult]:
        """The same results but the subject ``kept``: as it was before the links."""
        return [
            before_links if kept in (r.id, r.name) else r
            for r, before_links in zip(slimmed, whole, strict=True)
        ]

    if list(evaluation.quarters) != [evaluation.label] or any(
        [r.id for r in after] != [r.id for r in before]
        for after, before in zip(
            (evaluation.sections, evaluation.people),
            evaluation.quarters[evaluation.label],
            strict=True,
        )
    ):
        return _slimmed_apart(evaluation, compilation, kept, shared)
    whole_sections, whole_people = evaluation.quarters[evaluation.label]
    sections, people = slim(evaluation.sections, links), slim(evaluation.people, links)
    quarter = (as_quarter(sections, whole_sections), as_quarter(people, whole_people))
    return dataclasses.replace(
        evaluation, sections=sections, people=people, quarters={evaluation.label: quarter}
    )


def _compared(evaluation: Evaluation, kept: str | None) -> Evaluation:
    """A slimmed evaluation once compared: its ``sections`` and ``people``
    only the subject ``kept`` (whole, for ``explain_difference``), its
    quarters' results without consequences (the roll-up applies none)."""

    def bare(results: list[SubjectResult]) -> list[SubjectResult]:
        return [replaced(r, consequences=()) if r.consequences else r for r in results]

    return dataclasses.replace(
        evaluation,
        sections=[r for r in evaluation.sections if kept in (r.id, r.name)],
        people=[r for r in evaluation.people if kept in (r.id, r.name)],
        quarters={p: (bare(s), bare(people)) for p, (s, people) in evaluation.quarters.items()},
    )


def _slimmed_apart(
    evaluation: Evaluation,
    compilation: Compilation,
    kept: str | None,
    shared: _Shared | None = None,
) -> Evaluation:
    """``_slimmed`` where the period's results and its quarter's differ (never
    for a dry-run's one-period evaluations): each slimmed on its own (consequences kept for the comparison)."""

    slim = _slimming(compilation, kept, shared)
    quarters = {p: (slim(s), slim(people)) for p, (s, people) in evaluation.quarters.items()}
    return dataclasses.replace(
        evaluation,
        sections=slim(evaluation.sections),
        people=slim(evaluation.people),
        quarters=quarters,
    )


def _slimming(
    compilation: Compilation,
    kept: str | None,
    shared: _Shared | None = None,
) -> Callable[..., list[SubjectResult]]:
    """Results without what no dry-run report shows (``_bare``), their values
    only the slots ``roll_up`` and the population stage read (``Read``);
    the subject ``kept`` whole; equal sources and numbers ``shared``; a
    result's consequences put in ``links`` instead, when given (``_slimmed``)."""
    known = _Shared() if shared is None else shared
    number = known.number
    needed = {  # the values read, each number shared, in one tuple per result
        kind: reading(program, number)
        for kind, program in compilation.programs.items()
        if program is not None and program.ranking is not None
    }
    sources = known.sources

    def slim(
        results: list[SubjectResult], links: dict[tuple[str, str], frozenset[str]] | None = None
    ) -> list[SubjectResult]:
        slimmed = []
        for result in results:
            if kept in (result.id, result.name):
                slimmed.append(result)
                continue
            values_of = needed.get("person" if result.kind == "person" else "section")
            values = result.values if values_of is None else values_of(result.values)
            source = sources.setdefault((result.kind, result.id), result.source)
            consequences = result.consequences
            if links is not None and consequences:
                links[(result.kind, result.id)] = known.links(result)
                consequences = ()
            slimmed.append(
                _bare(result, values, source if source == result.source else result.source,
                      number(result.total), number(result.base), consequences)
            )  # fmt: skip
        return slimmed

    return slim


def _label(periods: list[Period]) -> str:
    return f"{periods[0]}..{periods[-1]}"


def _grades(
    baseline: Compilation, candidate: Compilation
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[tuple[str, Decimal], ...]]]:
    """Per kind, the declared grades best first and the candidate's thresholds."""
    order: dict[str, tuple[str, ...]] = {}
    thresholds: dict[str, tuple[tuple[str, Decimal], ...]] = {}
    for kind, program in candidate.programs.items():
        names = [band.grade for band in program.grades]
        old = baseline.programs.get(kind)
        names += [b.grade for b in (old.grades if old else ()) if b.grade not in names]
        order[kind] = tuple(names)
        thresholds[kind] = tuple(
            (band.grade, band.minimum) for band in program.grades if band.minimum is not None
        )
    return order, thresholds


def _rolled(
    compilation: Compilation, evaluations: list[Evaluation], which: int, label: str
) -> list[SubjectResult] | None:
    """One side's results over all periods, rolled up as its rules declare, or
    None when they declare no roll-up or a subject is missing from a period."""
    program = compilation.programs["section" if which == 0 else "person"]
    if program.rollup is None:
        return None
    rule = RollupRule(program.rollup.method, dict(program.rollup.weights))
    per_period = {p: results[which] for e in evaluations for p, results in e.quarters.items()}
    results, problems = roll_up(program, rule, label, per_period)
    # A rolled-up result carries its last quarter's consequences: none apply to the roll-up.
    return None if problems else [replaced(r, consequences=()) if r.consequences else r
                                  for r in results]  # fmt: skip


def _cumulative(
    run: DryRun, baseline: Compilation, candidate: Compilation, label: str
) -> PeriodComparison | None:
    """Both sides rolled up over the periods and compared, subject by subject.
    The roll-up starts from each period's results, so what a period did not
    collect stays unscored there; links are not applied to the roll-up."""
    sides: list[tuple[list[SubjectResult], list[SubjectResult]]] = []
    for compilation, index in ((baseline, 0), (candidate, 1)):
        evaluations = [pair[index] for pair in run.evaluations]
        sections = _rolled(compilation, evaluations, 0, label)
        people: list[SubjectResult] | None = []
        if "person" in compilation.programs:
            people = _rolled(compilation, evaluations, 1, label)
        if sections is None or people is None:
            return None
        sides.append((sections, people))
    return _comparison(label, baseline, candidate, sides[0], sides[1])


def _comparison(
    label: str,
    baseline: Compilation,
    candidate: Compilation,
    before: tuple[list[SubjectResult], list[SubjectResult]],
    after: tuple[list[SubjectResult], list[SubjectResult]],
    links: tuple[Mapping[tuple[str, str], frozenset[str]], ...] = ({}, {}),
) -> PeriodComparison:
    """Subject by subject, the transitions and the quota use of one period
    (``links``: each side's consequences its slimmed results no longer hold,
    ``_slimmed``; a result that holds some is read)."""
    comparison = PeriodComparison(label)
    linked_before, linked_after = links

    def consequences(
        result: SubjectResult | None, linked: Mapping[tuple[str, str], frozenset[str]]
    ) -> Set[str]:
        if result is None or result.consequences or not linked:
            return _consequences(result)
        return linked.get((result.kind, result.id), _NONE)

    for kind, old, new in (
        ("section", before[0], after[0]),
        ("person", before[1], after[1]),
    ):
        olds = {r.id: r for r in old}
        news = {r.id: r for r in new}
        for ident in sorted(olds.keys() | news.keys()):
            a, b = olds.get(ident), news.get(ident)
            has_before, has_after = consequences(a, linked_before), consequences(b, linked_after)
            gained = tuple(sorted(has_after - has_before))
            lost = tuple(sorted(has_before - has_after))
            comparison.subjects.append(
                SubjectChange(
                    label,
                    kind,
                    ident,
                    (b or a).name,  # type: ignore[union-attr]
                    a.total if a else None,
                    b.total if b else None,
                    a.rank if a else None,
                    b.rank if b else None,
                    a.grade if a else None,
                    b.grade if b else None,
                    gained,
                    lost,
                )
            )
            key = (kind, (a.grade if a else None) or "-", (b.grade if b else None) or "-")
            comparison.transitions[key] = comparison.transitions.get(key, 0) + 1
        use_before = _quota_use(baseline, old, kind)
        use_after = _quota_use(candidate, new, kind)
        for grade, group in sorted(use_before.keys() | use_after.keys()):
            ub, qb = use_before.get((grade, group), (0, 0))
            ua, qa = use_after.get((grade, group), (0, 0))
            comparison.quotas[(kind, grade, group)] = (ub, qb, ua, qa)
    return comparison


def _fmt(value: Decimal, compilation: Compilation) -> str:
    program = compilation.programs["section"]
    return str(shown(value, program.places, program.rounding))


def published_results(
    store: Store, scheme: str, periods: Sequence[Period]
) -> dict[str, list[dict[str, object]]]:
    """The published results of the periods (sections, then people), by period
    label: what the baseline is expected to reproduce.  The store is only read."""
    published: dict[str, list[dict[str, object]]] = {}
    lookup = store.history(scheme)
    for period in periods:
        for kind in ("section", "person"):
            found = lookup(str(period), kind)
            if found is not None:
                published.setdefault(str(period), []).extend(found)
    return published


def explain_difference(
    run: DryRun, subject: str, baseline: Compilation, candidate: Compilation, lang: str
) -> str:
    """How the subject's derivation differs, as a unified diff of the two explanations."""
    parts: list[str] = []
    for before, after in run.evaluations:
        texts = []
        for compilation, evaluation in ((baseline, before), (candidate, after)):
            found = [
                (
                    compilation.programs["section"]
                    if r.kind == "section"
                    else compilation.programs.get("person"),
                    r,
                )
                for r in [*evaluation.sections, *evaluation.people]
                if subject in (r.id, r.name)
            ]
            if not found or found[0][0] is None:
                raise UserError([Diagnostic("E0905", {"subject": subject}, None, location=subject)])
            program, result = found[0]
            assert program is not None
            texts.append(explain(program, result, lang).splitlines())
        parts.extend(
            difflib.unified_diff(texts[0], texts[1], run.baseline, run.candidate, lineterm="", n=2)
        )
    return "\n" + "\n".join(parts) + "\n"


def _bare(
    result: SubjectResult,
    values: tuple[object, ...],
    source: str,
    total: Decimal,
    base: Decimal | None,
    consequences: tuple[Consequence, ...],
) -> SubjectResult:
    """A compared result without what no dry-run report shows (its indicator
    and adjustment details, overridden consequences, supervision items), its
    values cut to ``values``, its source, total and base the equal ``source``,
    ``total`` and ``base``, its consequences ``consequences``."""
    return replaced(
        result, indicators=(), adjustments=(), overridden=(), supervision=(), values=values,
        source=source, total=total, base=base, consequences=consequences,
    )  # fmt: skip


@dataclass
class _Shared:
    """What the slimmed results of a dry-run share instead of each holding an
    equal copy through every period: a subject's source (``file:row``) in one
    period, the same for both sides (they read the same rows), and numbers
    by their exact spelling (a total or a ranked value is one of a few
    thousand; every result held its own, a tenth of a large dry-run's
    memory).  Equal spellings are equal Decimals in every respect (``str``
    gives back the same digits and exponent), so nothing shown changes."""

    sources: dict[tuple[str, str], str] = field(default_factory=dict)
    # A result's consequences as compared ("link: effect"), each text and set once.
    texts: dict[str, str] = field(default_factory=dict)
    sets: dict[frozenset[str], frozenset[str]] = field(default_factory=dict)
    numbers: dict[str, Decimal] = field(default_factory=dict)
    number: Callable[[T], T] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Called for every value a slimmed result keeps: a closure over the
        # dictionary costs less per call than a method reading ``self``.
        share = self.numbers.setdefault

        def number(value: T) -> T:
            # None, a text, a bool or a Decimal subclass kept as it is.
            if type(value) is not Decimal:
                return value
            return cast(T, share(str(value), cast(Decimal, value)))

        self.number = number

    def new_period(self) -> None:
        """A new period's rows, and its consequences (compared within the period)."""
        self.sources.clear()
        self.texts.clear()
        self.sets.clear()

    def links(self, result: SubjectResult) -> frozenset[str]:
        """``_consequences(result)``, its texts and the set shared."""
        text = self.texts.setdefault
        found = frozenset(text(t, t) for t in _consequences(result))
        return self.sets.setdefault(found, found)
