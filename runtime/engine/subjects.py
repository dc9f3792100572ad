"""Evaluating a compiled rule set over period data.

Per subject: the compiled evaluator computes every slot; when formulas read
group functions (``rank_in_group(完成率)``), it computes stage 1 per subject,
then the later stages over the period's subjects (``runtime.engine.groups``).
Per population: the
subjects of a period are ranked by total (standard competition ranking, ties
share a rank: 1, 2, 2, 4) until the rule set declares its own ranking.
A fault names the rule position, the subject and the period.
"""

from __future__ import annotations

import decimal
import hashlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from operator import attrgetter, itemgetter
from typing import Protocol

from compiler import ir
from dsl.diagnostics import Diagnostic
from dsl.spans import SourceFile
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.groups import run_period, run_stages
from runtime.engine.population import standings
from runtime.engine.results import Adjustment, IndicatorResult, Sanctioned, SubjectResult, made
from runtime.engine.sanctions import durations_of, with_ruling
from runtime.inputs.data import Row
from runtime.inputs.events import Event
from runtime.inputs.periods import Period
from runtime.inputs.supervision import SupervisionItem, counted_items
from semantics import operations as helpers
from semantics.operations import Fault

_HELPED = ("E0701", "E0840", "E0842")  # faults whose message has a help line


class Fallback(Exception):
    """An engine other than the Python one cannot give the Python engine's
    result for this period (a fault to locate, a construct it does not
    cover): the period is evaluated again on the Python engine."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StageOne(Protocol):
    """Stage 1 of a period's subjects at once (``runtime.engine.batch``,
    ``runtime.engine.spark``): every slot of every row, or ``Fallback``."""

    def evaluate(self, rows: Sequence[tuple[object, ...]]) -> list[tuple[object, ...]]: ...


def adjustments_of(
    program: ir.Program,
    values: tuple[object, ...],
    events: tuple[Event, ...],
    period: str = "",
    supervision: tuple[SupervisionItem, ...] = (),
) -> tuple[Adjustment, ...]:
    """Each item's points, signed; plus the part an overall cap took off, so the
    adjustments always add up to ``total - base`` before rounding.  An item
    counted from the supervision table gives the matters it counted as reasons."""
    facts = _item_facts(program)
    found: list[Adjustment] = []
    # Each item's events, in their order (most subjects have none: a scan of
    # the events per item per subject was most of this function's time).
    by_item: dict[str, tuple[Event, ...]] = {}
    for event in events:
        by_item[event.item] = (*by_item.get(event.item, ()), event)
    points_of = facts.points(values)
    # Most subjects have no event and no item's points: nothing per item then.
    if by_item or any(points_of):
        for item, value in zip(facts.pointed, points_of, strict=True):
            points = _decimal(value)
            mine = by_item.get(item.id, ())
            if not points and not mine:
                continue
            signed = points if item.kind == "bonus" else -points
            reasons: tuple[str, ...] = ()
            occurrences = _NONE
            if mine:
                reasons = tuple(e.reason for e in mine if e.reason)
                occurrences = sum((e.count for e in mine), Decimal(0))
            source = facts.tabled.get(item.id)
            if source is not None and supervision:
                matters = counted_items(source, supervision)
                reasons, occurrences = tuple(i.matter for i in matters), Decimal(len(matters))
            found.append(Adjustment(item.id, item.name, signed, reasons, mine, period, occurrences))
    per_item = list(found)
    kinds = facts.kinds
    for kind, slot in facts.caps:
        counted = _NONE
        if per_item:
            counted = sum((a.points for a in per_item if kinds[a.item] == kind), Decimal(0))
        capped = _decimal(values[slot]) if kind == "bonus" else -_decimal(values[slot])
        if capped != counted:
            name = "加分合计封顶" if kind == "bonus" else "扣分合计封顶"
            found.append(Adjustment(f"{kind}_cap", name, capped - counted, (), (), period))
    return tuple(found)


_NONE = Decimal(0)  # no occurrence, no points counted


class _ItemFacts:
    """What ``adjustments_of`` reads of a program's items, worked out once per
    program instead of once per subject: items counted from the supervision
    table (item -> source), each item's kind (bonus, deduction, veto), the
    items with points and a picker of their points' slots, and the overall
    caps' slots."""

    def __init__(self, program: ir.Program) -> None:
        self.tabled = {f.name.removesuffix(".count"): f.source for f in program.inputs
                       if f.kind == "events" and f.source is not None}  # fmt: skip
        self.kinds: dict[str, str] = {i.id: i.kind for i in program.items}
        self.pointed = [item for item in program.items if item.points is not None]
        self.points = _picker([item.points for item in self.pointed if item.points is not None])
        caps = (("bonus", program.bonus), ("deduction", program.deduction))
        self.caps = [(kind, slot) for kind, slot in caps if slot is not None]


# ``_item_facts`` by program: (the program, its facts).
_ITEM_FACTS: dict[int, tuple[ir.Program, _ItemFacts]] = {}


def _item_facts(program: ir.Program) -> _ItemFacts:
    """``program``'s ``_ItemFacts``, made once."""
    known = _ITEM_FACTS.get(id(program))
    if known is None or known[0] is not program:
        facts = _ItemFacts(program)
        if len(_ITEM_FACTS) > 64:  # programs of a long-running process (the workbench)
            _ITEM_FACTS.clear()
        _ITEM_FACTS[id(program)] = (program, facts)
        return facts
    return known[1]


def _picker(slots: Sequence[int]) -> Callable[[Sequence[object]], tuple[object, ...]]:
    """The values of ``slots`` of a subject, as a tuple (``itemgetter`` gives a
    bare value for one slot)."""
    if len(slots) == 1:
        (slot,) = slots
        return lambda values: (values[slot],)
    if not slots:
        return lambda values: ()
    return itemgetter(*slots)


def vetoes_of(program: ir.Program, values: tuple[object, ...]) -> tuple[str, ...]:
    return tuple(kind.removeprefix("veto:") for kind, slot in program.vetoes if values[slot])


def rules_digest(files: tuple[SourceFile, ...]) -> str:
    """A digest of the rule files' names and texts: which rules produced a result."""
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.path):
        name = file.path.replace("\\", "/").rsplit("/", 1)[-1]
        digest.update(name.encode("utf-8") + b"\0" + file.text.encode("utf-8") + b"\0")
    return "sha256:" + digest.hexdigest()


def _decimal(value: object) -> Decimal:
    assert isinstance(value, Decimal)
    return value


def _status(indicator: ir.Indicator, values: tuple[object, ...], row: Row) -> str:
    if values[indicator.score] is not None:
        return "scored"
    if indicator.id in row.unscored:
        return "no_data"
    if indicator.context is not None and not values[indicator.context]:
        return "not_applicable"
    return "exempt"


def _fault(fault: Fault, subject: str, period: str) -> Diagnostic:
    """A fault of the rules met evaluating ``subject``, located at its rule."""
    assert not isinstance(fault.site, int)
    return Diagnostic(
        fault.code,
        {"subject": subject, "period": period, "problem": fault.detail, "value": fault.detail},
        fault.site,  # type: ignore[arg-type]
        help=(f"{fault.code}.help", {}) if fault.code in _HELPED else None,
    )


def evaluate_period(
    program: ir.Program,
    evaluator: CompiledEvaluator,
    rows: list[Row],
    period: str,
    section_totals: dict[str, Decimal] | None = None,
    earlier: Mapping[str, Sequence[Sanctioned]] | None = None,
    batch: StageOne | None = None,
    fallbacks: list[str] | None = None,
) -> tuple[list[SubjectResult], list[Diagnostic]]:
    """Evaluate every subject of ``period``; collect every fault.

    For people, ``section_totals`` holds their sections' totals of the period,
    which a person's total combines with their own score; ``earlier``: the
    sanctions earlier periods carry into this one (``runtime.engine.sanctions``).
    With ``batch``, the period's subjects are evaluated at once by the batch
    engine; when it cannot give the Python engine's values
    (``Fallback``) the reason is appended to ``fallbacks``
    and the Python engine evaluates them.
    """
    end = Period.of_label(period).end
    diagnostics: list[Diagnostic] = []
    evaluated: list[tuple[Row, tuple[object, ...]]] = []
    position = next(
        (n for n, f in enumerate(program.inputs) if f.slot == program.section_total), None
    )
    section_of = (
        {p.id: p.section for p in program.organization.people} if program.organization else {}
    )
    # Each row with its inputs (a person's with their section's total put in:
    # the row itself is not copied, its other parts stay as they are).
    pending: list[tuple[Row, tuple[object, ...]]] = []
    with decimal.localcontext(helpers.CONTEXT):
        for row in rows:
            if row.period != period:
                continue
            values = row.values
            if position is not None and values[position] is None:
                section = section_of.get(row.subject, "")
                total = (section_totals or {}).get(section)
                if total is None:
                    diagnostics.append(
                        Diagnostic(
                            "E0817",
                            {"subject": row.subject, "section": section, "period": period},
                            None,
                            location=row.source,
                        )
                    )
                    continue
                values = (*values[:position], total, *values[position + 1 :])
            pending.append((row, values))
        computed = None
        if batch is not None and pending:
            try:
                computed = batch.evaluate([values for _, values in pending])
            except Fallback as fallback:
                if fallbacks is not None and fallback.reason:  # "": a fault, located below
                    fallbacks.append(fallback.reason)
        if computed is not None:
            evaluated.extend(zip([row for row, _ in pending], computed, strict=True))
            pending = []
        if program.stages == 1 and pending:
            # The generated loop over every row at once; row by row (each
            # fault located) only when some row faults.
            computed = evaluator.evaluate_rows([values for _, values in pending])
            if computed is not None:
                evaluated.extend(zip([row for row, _ in pending], computed, strict=True))
                pending = []
        if program.stages == 1:
            for row, values in pending:
                try:
                    evaluated.append((row, evaluator.evaluate_in_context(values)))
                except Fault as fault:
                    diagnostics.append(_fault(fault, row.subject, period))
    if program.stages > 1 and pending:
        # Group functions: every stage, a pool at a time (runtime.engine.groups).
        rows_of = {row.subject: row for row, _ in pending}
        kept, computed_values, faults = run_period(
            program,
            [row.subject for row, _ in pending],
            [values for _, values in pending],
            evaluator.first_stage,
            evaluator.later_stage,
            evaluator.first_batch,
            evaluator.later_batch,
        )
        diagnostics.extend(_fault(fault, subject, period) for subject, fault in faults)
        evaluated = [
            (rows_of[subject], values)
            for subject, values in zip(kept, computed_values, strict=True)
        ]
    elif program.stages > 1:
        # Group functions: the later stages over every subject of the period.
        rows_of = {row.subject: row for row, _ in evaluated}
        done, faults = run_stages(
            program,
            evaluator.later_stage,
            [(row.subject, values) for row, values in evaluated],
            evaluator.later_batch,
        )
        diagnostics.extend(_fault(fault, subject, period) for subject, fault in faults)
        evaluated = [(rows_of[subject], values) for subject, values in done]
    durations = {
        row.subject: durations_of((e.item, e.lasts) for e in row.events)
        for row, _ in evaluated
        if row.events and any(e.lasts is not None for e in row.events)
    }
    ranked = standings(
        program, [(row.subject, values) for row, values in evaluated], period, earlier, durations
    )
    # In the standings' order (group, rank, id): the results' sort below then
    # has next to nothing to move.
    place = {ident: n for n, ident in enumerate(ranked)}
    evaluated.sort(key=lambda pair: place[pair[0].subject])
    # Indicators not scored in the period (not in force, or a half-year or
    # annual indicator between its checkpoints) are not part of its results;
    # which they are is the period's, worked out once.
    scored = tuple(i for i in program.indicators if i.scored_in(end))
    scores = _picker([i.score for i in scored])
    # Equal indicator results are one object (they are immutable): a large
    # organization repeats its scores, and a result per subject and indicator
    # was the most numerous object kept.  Keyed by the score's text too, so
    # that 1.0 and 1.00 stay apart.  Equal tuples of them are one tuple too
    # (a renderer works out a tuple's cells once).
    shared: dict[tuple[int, object, str, str], IndicatorResult] = {}
    tuples: dict[tuple[int, ...], tuple[IndicatorResult, ...]] = {}
    # A subject's indicator results by what decides them: the identities of
    # its scores (the batch engine gives equal scores as one object; every
    # score is alive in ``evaluated`` meanwhile, so an identity names one
    # value and its text) and, for an absent score's status, the row's
    # unscored indicators and the indicators' contexts (``_status``).
    by_scores: dict[tuple[object, ...], tuple[IndicatorResult, ...]] = {}
    contexts = _picker([i.context for i in scored if i.context is not None])
    flags = _picker([slot for _, slot in program.vetoes])
    by_flags: dict[tuple[object, ...], tuple[str, ...]] = {}  # ``vetoes_of`` by the veto slots
    results = []
    for row, values in evaluated:
        total = _decimal(values[program.total])
        standing = ranked[row.subject]
        found_by = (*map(id, scores(values)), row.unscored, *contexts(values))
        indicators = by_scores.get(found_by)
        if indicators is None:
            found = []
            for n, i in enumerate(scored):  # keyed by position in the period, not by id
                score, status = values[i.score], _status(i, values, row)
                key = (n, score, str(score), status)
                one = shared.get(key)
                if one is None:
                    one = shared[key] = IndicatorResult(i.id, i.name, i.points, score, status)  # type: ignore[arg-type]
                found.append(one)
            indicators = by_scores[found_by] = tuples.setdefault(
                tuple(map(id, found)), tuple(found)
            )
        raised = flags(values)
        vetoes = by_flags.get(raised)
        if vetoes is None:
            vetoes = by_flags[raised] = vetoes_of(program, values)
        base = values[program.base] if program.base is not None else None
        result = made(  # SubjectResult(...), made quicker
            row.subject,
            row.name,
            period,
            total,
            standing.rank,
            indicators,
            tuple(values),
            row.source,
            base if isinstance(base, Decimal) else None,
            adjustments_of(program, values, row.events, period, row.supervision),
            vetoes,
            standing.grade,
            standing.group,
            program.kind,
            supervision=row.supervision,
        )
        results.append(with_ruling(result, standing.ruling) if standing.ruling else result)
    results.sort(key=attrgetter("group", "rank", "id"))
    return results, diagnostics
