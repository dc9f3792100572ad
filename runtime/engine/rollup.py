"""Roll-up: quarter results combined into a longer period (e.g. January-September).

Each quarter is evaluated with the rules in force in it; then, per subject, the
quarter totals are combined as the rules declare (``sum``, ``average`` or
``weighted`` by quarter) and rounded at the declared places, and the subjects
are ranked and graded again on the rolled-up totals.  Adjustments of every
quarter are kept (each with its period), vetoes of any quarter count, and a
grade prerequisite must hold in every quarter.
"""

from __future__ import annotations

import dataclasses
import decimal
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date
from decimal import Decimal
from operator import attrgetter, itemgetter
from typing import ClassVar

from compiler import ir
from dsl.diagnostics import Diagnostic
from runtime.engine.population import standings
from runtime.engine.results import IndicatorResult, Sanctioned, SubjectResult, replaced
from runtime.engine.sanctions import durations_of, with_ruling
from semantics import operations as helpers


@dataclasses.dataclass(frozen=True, slots=True)
class RollupRule:
    method: str  # sum, average, weighted
    weights: dict[int, Decimal]  # quarter number -> weight (weighted only)


class ZeroWeights(Exception):
    """The quarters of a weighted roll-up all have weight 0."""


def share(rule: RollupRule, quarter: int, quarters: Sequence[int]) -> Decimal:
    """How much one quarter's value counts in the combined value."""
    if rule.method == "sum":
        return Decimal(1)
    if rule.method == "weighted":
        total = sum((rule.weights.get(q, Decimal(0)) for q in quarters), Decimal(0))
        return rule.weights.get(quarter, Decimal(0)) / total
    return Decimal(1) / len(quarters)


def combine(rule: RollupRule, values: Sequence[Decimal], quarters: Sequence[int]) -> Decimal:
    """Quarter values combined by the declared method (not rounded)."""
    if rule.method == "sum":
        return sum(values, Decimal(0))
    if rule.method == "weighted":
        weights = [rule.weights.get(q, Decimal(0)) for q in quarters]
        total_weight = sum(weights, Decimal(0))
        if not total_weight:
            raise ZeroWeights
        return sum((w * v for w, v in zip(weights, values, strict=True)), Decimal(0)) / total_weight
    return sum(values, Decimal(0)) / len(values)


def roll_up(
    program: ir.Program,
    rule: RollupRule,
    label: str,
    per_period: dict[str, list[SubjectResult]],
    earlier: Mapping[str, Sequence[Sanctioned]] | None = None,
    consume: bool = False,
) -> tuple[list[SubjectResult], list[Diagnostic]]:
    """Results for the whole range ``label`` from the results of each quarter.
    ``consume``: the lists of ``per_period`` are the caller's no more (emptied
    here), so that each subject's quarters are freed once it is rolled up
    instead of being held beside every rolled-up result (an evaluation of a
    year that shows the roll-up only)."""
    periods = list(per_period)
    quarters = [int(p[-1]) for p in periods]
    if rule.method == "weighted" and not sum(
        (rule.weights.get(q, Decimal(0)) for q in quarters), Decimal(0)
    ):
        return [], [Diagnostic("E0819", {"period": label}, None, location=label)]
    by_subject: dict[str, dict[str, SubjectResult]] = {}
    for period, results in per_period.items():
        for result in results:
            by_subject.setdefault(result.id, {})[period] = result
        if consume:
            results.clear()
    problems: list[Diagnostic] = []
    synthetic: list[tuple[str, Sequence[object]]] = []
    rolled: dict[str, tuple[SubjectResult, dict[str, object]]] = {}
    durations: dict[str, dict[str, str]] = {}  # per-event durations: the quarters' latest
    with helpers_context():
        for subject in sorted(by_subject):
            found = by_subject.pop(subject) if consume else by_subject[subject]
            missing = [p for p in periods if p not in found]
            if missing:
                problems.append(
                    Diagnostic("E0818", {"subject": subject, "period": missing[0]}, None,
                               location=next(iter(found.values())).source)
                )  # fmt: skip
                continue
            results = [found[p] for p in periods]
            total = helpers.round_to(
                combine(rule, [r.total for r in results], quarters),
                program.places,
                program.rounding,
            )
            bases = [r.base for r in results]
            base = (
                combine(rule, [b for b in bases if b is not None], quarters)
                if all(b is not None for b in bases)
                else None
            )
            last = results[-1]
            values = last.values.expanded() if isinstance(last.values, Read) else list(last.values)
            values[program.total] = total
            if program.base is not None and base is not None:
                values[program.base] = base
            assert program.ranking is not None
            combined = [slot for slot, _ in program.ranking.keys]
            if program.section_total is not None:  # a person's section, rolled up alike
                combined.append(program.section_total)
            for slot in combined:
                series = [r.values[slot] for r in results]
                if all(isinstance(v, Decimal) for v in series):
                    values[slot] = combine(rule, series, quarters)  # type: ignore[arg-type]
            for _, slot in program.vetoes:
                values[slot] = any(r.values[slot] for r in results)
            for item in program.items:  # a sanction raised in any quarter holds for the range
                if item.raised is not None:
                    values[item.raised] = any(r.values[item.raised] for r in results)
            per_event = durations_of(
                (s.item, date.fromisoformat(s.until))
                for r in results
                for s in r.sanctions
                if s.until is not None and s.period == r.period
            )
            if per_event:
                durations[subject] = per_event
            for band in program.grades:
                if band.requires is not None:
                    values[band.requires] = all(r.values[band.requires] for r in results)
            # One tuple for the ranking and the result (a list beside it was a copy per subject).
            kept = tuple(values)
            synthetic.append((subject, kept))
            # What the rolled-up result changes of its last quarter; the result
            # itself is made once, with its rank, grade and group (below), but
            # where the quarters are consumed: then made now, so that the last
            # quarter's whole result is not held until the ranking.
            changes: dict[str, object] = dict(
                period=label,
                total=total,
                base=base,
                indicators=_indicators(rule, results, quarters),
                # Each quarter's adjustments count as much as that quarter does, so
                # they still add up to total - base (before rounding).
                adjustments=tuple(
                    dataclasses.replace(a, points=a.points * share(rule, q, quarters))
                    for q, r in zip(quarters, results, strict=True)
                    for a in r.adjustments
                ),
                vetoes=tuple(sorted({v for r in results for v in r.vetoes})),
                values=kept,
                quarters=tuple((r.period, r.total) for r in results),
            )
            rolled[subject] = (replaced(last, **changes), {}) if consume else (last, changes)
    ranked = standings(program, synthetic, label, earlier, durations)
    final = [
        with_ruling(
            _made(rolled.pop(s), ranked[s].rank, ranked[s].grade, ranked[s].group), ranked[s].ruling
        )
        for s in ranked  # by group, rank, id: the sort below has next to nothing to move
    ]
    final.sort(key=attrgetter("group", "rank", "id"))
    return final, problems


def _made(
    rolled: tuple[SubjectResult, dict[str, object]], rank: int, grade: str | None, group: str
) -> SubjectResult:
    """A rolled-up result: its last quarter's with the roll-up's changes and
    its standing (one copy of the quarter's result instead of two)."""
    last, changes = rolled
    return replaced(last, rank=rank, grade=grade, group=group, **changes)


def read_of_quarters(program: ir.Program) -> set[int]:
    """The slots ``roll_up`` reads of a quarter's values (every quarter's but
    the last, whose values the rolled-up result starts from)."""
    read = {program.total, *(slot for _, slot in program.vetoes)}
    if program.ranking is not None:
        read.update(slot for slot, _ in program.ranking.keys)
    read.update(slot for slot in (program.base, program.section_total) if slot is not None)
    read.update(item.raised for item in program.items if item.raised is not None)
    read.update(band.requires for band in program.grades if band.requires is not None)
    return read


class Read(tuple[object, ...]):
    """A compacted quarter's values: only the slots ``roll_up`` reads, indexed
    by slot as a whole result's values are (any other slot reads None).  A
    tuple of 70 slots per subject and quarter was most of what a compacted
    quarter held; the positions are the program's, shared by a subclass made
    once per program (``reading``)."""

    __slots__ = ()
    positions: ClassVar[Mapping[int, int]] = {}
    width: ClassVar[int] = 0

    def __getitem__(self, slot: int) -> object:  # type: ignore[override]
        at = self.positions.get(slot)
        return None if at is None else tuple.__getitem__(self, at)

    def expanded(self) -> list[object]:
        """As a whole result's values, up to the last slot read (the others None)."""
        whole: list[object] = [None] * self.width
        for slot, at in self.positions.items():
            whole[slot] = tuple.__getitem__(self, at)
        return whole


def reading(
    program: ir.Program, each: Callable[[object], object] | None = None
) -> Callable[[Sequence[object]], Read]:
    """The compacted values of ``program``'s results (``Read``), each value
    read passed through ``each`` when given (a dry-run shares equal numbers):
    one tuple built per result, not one read and another mapped."""
    read = sorted(read_of_quarters(program))
    kind = type("Read", (Read,), {"__slots__": (), "positions": {s: n for n, s in enumerate(read)},
                                  "width": read[-1] + 1})  # fmt: skip
    pick = itemgetter(*read) if len(read) > 1 else (lambda values: (values[read[0]],))
    if each is not None:
        return lambda values: kind(map(each, pick(values)))
    return lambda values: kind(pick(values))


def compact(program: ir.Program, results: list[SubjectResult]) -> list[SubjectResult]:
    """A quarter's results (not the last of a roll-up) with only what
    ``roll_up`` reads of them: totals, bases, indicators, adjustments,
    vetoes, sanctions and the slots of ``read_of_quarters`` (``Read``).
    Where a year is evaluated only to be rolled up, the earlier quarters
    then hold a fraction of their memory until the roll-up."""
    values_of = reading(program)
    return [
        replaced(
            result,
            values=values_of(result.values),
            supervision=(),
            consequences=(),
            overridden=(),
        )
        for result in results
    ]


def _indicators(
    rule: RollupRule, results: list[SubjectResult], quarters: list[int]
) -> tuple[IndicatorResult, ...]:
    """Each indicator's scores combined over the quarters in which it was scored.

    Only the quarters that count in the roll-up are looked at: in a ``weighted``
    roll-up a quarter of weight 0 adds nothing to the total, so it adds nothing
    to an indicator either.  Hence an indicator in force only in quarters of
    weight 0 (e.g. one removed on 31 March, with ``Q1: 0``) is left out of the
    rolled-up result, as an indicator not in force is left out of a quarter's;
    and one scored only in such quarters is unscored, with its status in the
    first quarter that counts (e.g. ``exempt``).  Should the weights of the
    quarters in which it was scored add up to 0 (only with negative weights),
    it is unscored too, with status ``exempt`` unless a counting quarter gives
    another.
    """
    order: dict[str, IndicatorResult] = {}
    scores: dict[str, list[tuple[int, Decimal]]] = {}
    why: dict[str, str] = {}  # the first status other than scored
    for quarter, result in zip(quarters, results, strict=True):
        if rule.method == "weighted" and not rule.weights.get(quarter, Decimal(0)):
            continue
        for indicator in result.indicators:
            order.setdefault(indicator.id, indicator)
            if indicator.score is not None:
                scores.setdefault(indicator.id, []).append((quarter, indicator.score))
            elif indicator.status != "scored":
                why.setdefault(indicator.id, indicator.status)
    combined = []
    for ident, first in order.items():
        found = scores.get(ident, [])
        try:
            score = combine(rule, [s for _, s in found], [q for q, _ in found]) if found else None
        except ZeroWeights:
            score = None
        status = "scored" if score is not None else why.get(ident, "exempt")
        combined.append(dataclasses.replace(first, score=score, status=status))
    return tuple(combined)


def helpers_context() -> AbstractContextManager[decimal.Context]:
    return decimal.localcontext(helpers.CONTEXT)
