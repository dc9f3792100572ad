"""Dry-runs: a candidate rule set against the baseline, on past data.

Both rule sets are evaluated on the same data for each period; nothing is
recorded and published results are only read (to say whether the baseline
reproduces them).  For every subject: the score delta, the rank change, the
grade transition and the consequences gained or lost; per period: the grade
transition matrix and the use of each quota.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic, UserError
from runtime.engine.population import quota_size
from runtime.engine.results import SubjectResult
from runtime.engine.run import Evaluation, evaluate_rules
from runtime.inputs.periods import Period
from runtime.store import Store
from runtime.tools.explain import explain
from semantics.rounding import shown


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


def _consequences(result: SubjectResult | None) -> set[str]:
    if result is None:
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


def compare(
    baseline: Compilation,
    candidate: Compilation,
    data: str,
    periods: list[Period],
    names: tuple[str, str],
    published: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> DryRun:
    """Evaluate both rule sets on each period and compare subject by subject."""
    run = DryRun(*names)
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
        before = evaluate_rules(baseline, data, [period], label, absent_unscores=True)
        after = evaluate_rules(
            candidate, data, [period], label, absent_unscores=True, collected=collected
        )
        run.evaluations.append((before, after))
        comparison = PeriodComparison(label)
        for kind, old, new in (
            ("section", before.sections, after.sections),
            ("person", before.people, after.people),
        ):
            olds = {r.id: r for r in old}
            news = {r.id: r for r in new}
            for ident in sorted(olds.keys() | news.keys()):
                a, b = olds.get(ident), news.get(ident)
                gained = tuple(sorted(_consequences(b) - _consequences(a)))
                lost = tuple(sorted(_consequences(a) - _consequences(b)))
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
        if published is not None and label in published:
            stored = {str(s["id"]): s for s in published[label]}
            differ = [
                r.id
                for r in [*before.sections, *before.people]
                if r.id in stored and str(stored[r.id].get("total")) != _fmt(r.total, baseline)
            ]
            comparison.published = "reproduced" if not differ else ", ".join(differ)
        run.periods.append(comparison)
    return run


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
