"""Checking declared properties on generated data (hypothesis).

Strategies come from the rules: each input draws from its declared type and
range (numbers at two places within min..max, counts 0..10, levels from their
enumeration, yes/no), items get 0..3 occurrences, the period is any quarter of
the rule year (so effective dates and ``applies_to`` act as in real data), and
the population is the organization's subjects.  ``hypothesis.find`` searches
for a counterexample and shrinks it; the fixed seed makes a run repeatable,
and the counterexamples found are kept (``runtime.tools.counterexamples``) and tried
first on the next run, so a failure replays even after the rules changed.
"""

from __future__ import annotations

import decimal
import functools
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable

from compiler import ir
from compiler.codegen import GeneratedModule
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.conditions import CompiledCondition, property_condition
from runtime.engine.population import population_values, standings
from runtime.inputs.periods import Period
from runtime.tools import counterexamples
from semantics import operations as helpers
from semantics.operations import Fault


@dataclass(frozen=True, slots=True)
class Counterexample:
    subject: str
    period: str
    inputs: dict[str, object]
    values: dict[str, object]  # total, base, grade, rank, scores: what the derivation gave
    population: tuple[tuple[str, dict[str, object]], ...] = ()  # every subject's inputs


@dataclass(frozen=True, slots=True)
class PropertyResult:
    property: ir.Property
    kind: str
    holds: bool
    counterexample: Counterexample | None = None


def _field_strategy(field: ir.InputField, period: Period) -> st.SearchStrategy[object]:
    """Values a field may take; the ends of the range (and the first, best level)
    come up often, so cases where every score is at its best or worst are tried,
    not only the middling ones uniform draws would give.  Dates fall in the
    period or the 30 days around it (its first and last day often)."""
    if field.type.kind == "date":
        near = st.dates(period.start - timedelta(days=30), period.end + timedelta(days=30))
        return st.one_of(st.sampled_from([period.start, period.end]), near)
    if field.type.kind == "level":
        members = field.type.members
        return st.one_of(st.just(members[0]), st.just(members[-1]), st.sampled_from(members))
    if field.type.kind == "bool":
        return st.booleans()
    if field.type.kind == "text":
        return st.sampled_from(["", "是", "否"])
    if field.type.kind == "list":
        return st.lists(st.decimals(0, 100, places=2), max_size=4).map(tuple)
    if field.kind in ("count", "integer"):
        first = int(field.minimum) if field.minimum is not None else 0
        last = int(field.maximum) if field.maximum is not None else first + 10
        return st.one_of(st.just(first), st.integers(first, last)).map(Decimal)
    low = field.minimum if field.minimum is not None else Decimal(0)
    width = Decimal("1.2") if field.kind == "percent" else Decimal(200)
    high = field.maximum if field.maximum is not None else low + width
    middle = st.decimals(low, high, places=2, allow_nan=False, allow_infinity=False)
    return st.one_of(st.sampled_from([low, high]), middle)


POPULATION = 8  # subjects per generated case: enough for ranks, quotas and ties


def _subjects(program: ir.Program) -> list[tuple[str, ir.Section | None]]:
    """The subjects of a generated case: the first of the organization's, spread
    over its sections so tags (applies_to) vary.  Properties must hold for any
    population, so a small one is as good a test and much faster to search."""
    org = program.organization
    if org is None:
        return [(f"s{n}", None) for n in range(1, POPULATION + 1)]
    if program.kind == "person":
        sections = {s.id: s for s in org.sections}
        people = sorted(org.people, key=lambda p: (p.id[-2:], p.id))  # one per section first
        return [(p.id, sections.get(p.section)) for p in people[:POPULATION]]
    chosen: list[tuple[str, ir.Section | None]] = [(s.id, s) for s in org.sections]
    return chosen[:: max(1, len(chosen) // POPULATION)][:POPULATION]


@dataclass(frozen=True, slots=True)
class _Case:
    quarter: int
    rows: tuple[tuple[object, ...], ...]  # one per subject, in program.inputs order


def _candidates(field: ir.InputField) -> list[object]:
    """A few telling values of a field: its ends, or its levels."""
    if field.type.kind == "level":
        return list(field.type.members)
    if field.type.kind == "bool":
        return [False, True]
    if field.type.kind != "number" or field.kind == "list":
        return []
    low = field.minimum if field.minimum is not None else Decimal(0)
    if field.kind in ("count", "integer"):
        high = field.maximum if field.maximum is not None else low + 10
    else:
        high = field.maximum if field.maximum is not None else low + Decimal(200)
    return [low, (low + high) / 2, high]


def _best_row(program: ir.Program, evaluator: CompiledEvaluator, row: list[object]) -> list[object]:
    """Coordinate ascent on the total: each field takes the candidate value that
    gives the highest total, so generated cases reach the top grades (and their
    quotas and vetoes), which uniform draws almost never do."""
    best = list(row)
    for position, field in enumerate(program.inputs):
        if field.kind in ir.RUNTIME_INPUT_KINDS:
            continue
        scored = []
        for candidate in _candidates(field):
            trial = list(best)
            trial[position] = candidate
            try:
                total = evaluator.evaluate(tuple(trial))[program.total]
            except Fault:
                continue
            if isinstance(total, Decimal):
                scored.append((total, candidate))
        if scored:
            best[position] = max(scored, key=lambda pair: pair[0])[1]
    return best


def _context(
    indicator: ir.Indicator, section: ir.Section | None, end: date, post: str | None = None
) -> bool:
    """An indicator's context flag: scored in the quarter ending ``end`` and applying to
    ``section`` (a person: to their section or ``post``)."""
    return indicator.scored_in(end) and (section is None or indicator.applies(section, post))


def _posts(program: ir.Program) -> dict[str, str | None]:
    """Each person's post (applies_to may name posts)."""
    org = program.organization
    return {p.id: p.post for p in org.people} if org is not None else {}


def _restore(
    program: ir.Program,
    subjects: list[tuple[str, ir.Section | None]],
    saved: counterexamples.Saved | None,
) -> _Case | None:
    """A kept counterexample as a case of the current rules, if it still fits
    them: the same subjects, and a value for every input they read."""
    if saved is None or not 1 <= saved[0] <= 4:
        return None
    quarter, kept = saved
    if [ident for ident, _ in kept] != [ident for ident, _ in subjects]:
        return None
    owner = {i.context: i for i in program.indicators if i.context is not None}
    posts = _posts(program)
    end = _period(program, quarter).end
    rows = []
    for (ident, section), (_, values) in zip(subjects, kept, strict=True):
        row: list[object] = []
        for field in program.inputs:
            if field.kind == "context":
                row.append(_context(owner[field.slot], section, end, posts.get(ident)))
            elif field.name in values:
                row.append(values[field.name])
            else:
                return None
        rows.append(tuple(row))
    return _Case(quarter, tuple(rows))


def _period(program: ir.Program, quarter: int) -> Period:
    """The period a generated case is evaluated in: a quarter of the rules'
    first year, or (annual rules) that year itself, whatever the quarter."""
    return Period(program.year, 0 if program.annual else quarter)


def _kept(
    program: ir.Program, subjects: list[tuple[str, ir.Section | None]], case: _Case
) -> list[tuple[str, dict[str, object]]]:
    return [
        (
            ident,
            {
                f.name: v
                for f, v in zip(program.inputs, row, strict=True)
                if f.kind not in ("context", *ir.PERIOD_DATES)
            },
        )
        for (ident, _), row in zip(subjects, case.rows, strict=True)
    ]


def _case_strategy(
    program: ir.Program,
    subjects: list[tuple[str, ir.Section | None]],
    evaluator: CompiledEvaluator,
) -> st.SearchStrategy[_Case]:
    owner = {i.context: i for i in program.indicators if i.context is not None}
    posts = _posts(program)

    def fixed(
        field: ir.InputField, section: ir.Section | None, period: Period, post: str | None
    ) -> object:
        """The runtime's own inputs: in force and applies, occurrences, section
        total, the period's days; a date input starts at the period's end."""
        end = period.end
        if field.kind == "context":
            return _context(owner[field.slot], section, end, post)
        if field.kind == "period_start":
            return period.start
        if field.kind in ("period_end", "date"):
            return end
        if field.kind == "events":
            return Decimal(0)
        if field.kind == "section_total":
            return Decimal(80)
        candidates = _candidates(field)
        return candidates[len(candidates) // 2] if candidates else None

    @functools.cache
    def rows(quarter: int) -> st.SearchStrategy[_Case]:
        period = _period(program, quarter)
        per_subject = []
        for ident, section in subjects:
            start = [fixed(field, section, period, posts.get(ident)) for field in program.inputs]
            best = _best_row(program, evaluator, start)
            parts: list[st.SearchStrategy[object]] = []
            for position, field in enumerate(program.inputs):
                if field.kind in ("context", *ir.PERIOD_DATES):
                    parts.append(st.just(start[position]))
                elif field.kind == "events":
                    parts.append(st.integers(0, 3).map(Decimal))
                elif field.kind == "section_total":
                    parts.append(st.decimals(60, 100, places=2))
                else:
                    # Mostly the value that gives the best total, sometimes any value.
                    keep = st.just(best[position])
                    parts.append(st.one_of(keep, keep, _field_strategy(field, period)))
            per_subject.append(st.tuples(*parts))
        return st.tuples(*per_subject).map(lambda r: _Case(quarter, tuple(r)))

    return st.integers(1, 4).flatmap(rows)


def _evaluate(
    program: ir.Program,
    evaluator: CompiledEvaluator,
    subjects: list[tuple[str, ir.Section | None]],
    case: _Case,
) -> list[tuple[str, tuple[object, ...]]] | None:
    results = []
    for (ident, _), row in zip(subjects, case.rows, strict=True):
        try:
            results.append((ident, tuple(evaluator.evaluate(row))))
        except Fault:
            return None
    return results


def _population(
    program: ir.Program, results: list[tuple[str, tuple[object, ...]]]
) -> dict[str, list[object]]:
    ranked = standings(program, results)
    sizes: dict[str, int] = {}
    for standing in ranked.values():
        sizes[standing.group] = sizes.get(standing.group, 0) + 1
    extended = {}
    for ident, values in results:
        standing = ranked[ident]
        vetoes = {kind.removeprefix("veto:") for kind, slot in program.vetoes if values[slot]}
        extended[ident] = [
            *values,
            *population_values(standing.rank, sizes[standing.group], standing.grade, vetoes),
        ]
    return extended


def violating_subject(
    prop: ir.Property, condition: CompiledCondition, extended: dict[str, list[object]]
) -> str | None:
    """The first subject for which an ``always`` property does not hold, given
    its compiled ``condition`` (``runtime.engine.conditions.property_condition``)
    and each subject's slot values followed by its population values (rank,
    count, grade, vetoed, excellence_vetoed); for a ``pairwise`` property, the
    first of the first two subjects (in either order) for which it does not hold."""
    assert prop.condition is not None
    if prop.pairwise:
        pairs = [(a, extended[a] + extended[b]) for a in extended for b in extended if a != b]
    else:
        pairs = list(extended.items())
    with decimal.localcontext(helpers.CONTEXT):
        for ident, values in pairs:
            if any(values[slot] is None for slot in prop.reads):
                continue  # reads a score that was not scored: nothing to check
            if not condition(values):
                return ident
    return None


def check_properties(
    program: ir.Program,
    module: GeneratedModule,
    examples: int = 100,
    seed: int = 20161005,
    store: str | None = None,
) -> list[PropertyResult]:
    """Test every declared property; ``store``: the file of kept
    counterexamples (``runtime.tools.counterexamples``), None to keep nothing."""
    evaluator = CompiledEvaluator(program, module)
    subjects = _subjects(program)
    strategy = _case_strategy(program, subjects, evaluator)
    config = settings(
        max_examples=examples,
        database=None,  # a fixed seed writes none; runtime.tools.counterexamples keeps failures
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )

    conditions = {
        p.id: property_condition(program, p) for p in program.properties if p.condition is not None
    }

    def failing(prop: ir.Property) -> Callable[[_Case], bool]:
        if prop.condition is not None:
            condition = conditions[prop.id]

            def fails(case: _Case) -> bool:
                results = _evaluate(program, evaluator, subjects, case)
                if results is None:
                    return False
                return violating_subject(prop, condition, _population(program, results)) is not None

            return fails
        return lambda case: _moves_against(prop, program, evaluator, case)

    checks = {prop.id: failing(prop) for prop in program.properties}

    def search(condition: Callable[[_Case], bool]) -> _Case | None:
        try:
            return find(strategy, condition, settings=config, random=random.Random(seed))
        except (NoSuchExample, Unsatisfiable):
            return None

    def key(prop: ir.Property) -> str:
        return f"{program.scheme}:{program.kind}:{prop.id}"

    # Kept counterexamples first: one that still fails is the answer at once.
    replayed: dict[str, _Case] = {}
    for prop in program.properties:
        kept = _restore(program, subjects, counterexamples.load(store, key(prop)))
        if kept is not None and checks[prop.id](kept):
            replayed[prop.id] = kept
        elif kept is not None:
            counterexamples.drop(store, key(prop))
    # Then one search for any other failure (the common case: everything
    # holds), and a search per failing property to shrink its own counterexample.
    rest = [p for p in program.properties if p.id not in replayed]
    any_fails = bool(rest) and search(lambda c: any(checks[p.id](c) for p in rest)) is not None
    found: list[PropertyResult] = []
    for prop in program.properties:
        case = replayed.get(prop.id)
        if case is None and any_fails:
            case = search(checks[prop.id])
            if case is not None:
                counterexamples.save(store, key(prop), case.quarter, _kept(program, subjects, case))
        if case is None:
            found.append(PropertyResult(prop, program.kind, True))
        else:
            example = _describe(prop, program, evaluator, conditions.get(prop.id), subjects, case)
            found.append(PropertyResult(prop, program.kind, False, example))
    return found


def _moves_against(
    prop: ir.Property, program: ir.Program, evaluator: CompiledEvaluator, case: _Case
) -> bool:
    """Whether the step moves the score the wrong way for any subject of the
    case (every subject: an indicator may apply to some sections only)."""
    return _moving_row(prop, program, evaluator, case) is not None


def _moving_row(
    prop: ir.Property, program: ir.Program, evaluator: CompiledEvaluator, case: _Case
) -> int | None:
    return next(
        (n for n, row in enumerate(case.rows) if moves_against(prop, program, evaluator, row)),
        None,
    )


def moves_against(
    prop: ir.Property, program: ir.Program, evaluator: CompiledEvaluator, inputs: Sequence[object]
) -> bool:
    """Whether a monotone property fails at ``inputs``: one step up of its input
    (0.01, or 1 for whole numbers) moves the score the wrong way."""
    assert prop.input is not None and prop.of is not None
    position = next(n for n, f in enumerate(program.inputs) if f.slot == prop.input)
    field = program.inputs[position]
    row = list(inputs)
    base = row[position]
    if not isinstance(base, Decimal):
        return False
    step = Decimal(1) if field.kind in ("count", "integer") else Decimal("0.01")
    higher = base + step
    if field.maximum is not None and higher > field.maximum:
        return False
    try:
        before = evaluator.evaluate(tuple(row))[prop.of]
        row[position] = higher
        after = evaluator.evaluate(tuple(row))[prop.of]
    except Fault:
        return False
    if not isinstance(before, Decimal) or not isinstance(after, Decimal):
        return False
    return after < before if prop.increasing else after > before


def _describe(
    prop: ir.Property, program: ir.Program, evaluator: CompiledEvaluator,
    condition: CompiledCondition | None, subjects: Sequence[tuple[str, ir.Section | None]],
    case: _Case,
) -> Counterexample:  # fmt: skip
    names = [f.name for f in program.inputs]
    period = str(_period(program, case.quarter))
    if condition is None:
        position = _moving_row(prop, program, evaluator, case) or 0
        row = case.rows[position]
        subject = subjects[position][0]
    else:
        results = _evaluate(program, evaluator, list(subjects), case) or []
        extended = _population(program, results)
        subject = violating_subject(prop, condition, extended) or subjects[0][0]
        row = case.rows[[s for s, _ in subjects].index(subject)]
    values = evaluator.evaluate(row)

    def named(values_row: tuple[object, ...]) -> dict[str, object]:
        pairs = zip(names, values_row, program.inputs, strict=True)
        return {n: v for n, v, f in pairs if f.kind != "context"}

    inputs = named(row)
    population = tuple((ident, named(r)) for (ident, _), r in zip(subjects, case.rows, strict=True))
    if prop.condition is None:
        population = ((subject, inputs),)
    shown: dict[str, object] = {"total": values[program.total]}
    if program.base is not None:
        shown["base"] = values[program.base]
    for indicator in program.indicators:
        shown[indicator.id] = values[indicator.score]
    return Counterexample(subject, period, inputs, shown, population)


def counterexample_test(program: ir.Program, prop: ir.Property, example: Counterexample) -> str:
    """The counterexample as a rule test to paste under ``cases:`` of a file
    in the rules' ``tests/`` folder: every subject of the generated
    population with its inputs, the item occurrences as events, a person's
    section total as ``section_total``, and the property as the expectation.
    It fails while the rules break the property and passes once they keep it."""
    kind = "people" if program.kind == "person" else "sections"
    end = Period.of_label(example.period).end
    items = {i.count: i for i in program.items}
    names = {f.name: f for f in program.inputs}
    lines = [
        f"  - name: {_yaml(f'{prop.id}: {prop.name}')}",
        f"    period: {example.period}",
        f"    {kind}:",
    ]
    events: list[str] = []
    for subject, inputs in example.population:
        cells = []
        for name, value in inputs.items():
            field = names[name]
            if field.kind == "events":
                item = items.get(field.slot)
                if item is not None and value and item.in_force(end):
                    events.append(
                        f"      - {{subject: {subject}, item: {item.id}, count: {value}}}"
                    )
                continue
            cells.append(f"{_yaml(name)}: {_yaml(value)}")
        lines.append(f"      {subject}: {{{', '.join(cells)}}}")
    if events:
        lines.append("    events:")
        lines.extend(events)
    lines.append(f"    properties: [{prop.id}]")
    return "\n".join(lines) + "\n"


def _yaml(value: object) -> str:
    """A value written as YAML that reads back as the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    text = str(value)
    plain = text and all(c.isalnum() or c in "_." or ord(c) > 0x2E7F for c in text)
    reserved = text.lower() in ("null", "true", "false", "yes", "no", "on", "off")
    if plain and not reserved and not text[0].isdigit():
        return text
    return json.dumps(text, ensure_ascii=False)
