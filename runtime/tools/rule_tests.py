"""Running rule tests: each case's inputs through the real evaluation, then
its expectations compared and what it reached recorded for coverage.

A case's subjects become the rows of in-memory tables and its events the
rows of an event table, each numbered by its line in the test file, and are
read by the same reader as data files (``runtime.inputs.data``): a value out of
range or a level not in its enumeration is reported at its test line just as
it would be in a data file.  Evaluation is the one ``jixiao evaluate`` uses,
so a passing test says what the rules do on real data.
"""

from __future__ import annotations

import dataclasses
import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from compiler import ir
from compiler.pipeline import Compilation
from compiler.ruletests import CheckedCase, CheckedExpectation, Kind
from compiler.verify import verify
from dsl.diagnostics import Diagnostic, UserError
from dsl.spans import Span
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.conditions import property_condition
from runtime.engine.links import History
from runtime.engine.population import population_values
from runtime.engine.results import SubjectResult
from runtime.engine.run import Evaluation, evaluate_datasets
from runtime.inputs.data import RUNTIME_KINDS, Dataset, load_tables
from runtime.inputs.periods import Period, PeriodError, parse_periods, period_label, period_of
from runtime.inputs.tables import Table
from runtime.tools.coverage import Coverage, Tracker
from runtime.tools.properties import moves_against, violating_subject
from semantics import operations as helpers

_EVENT_HEADER = ["date", "subject", "item", "count", "reason", "evidence", "points"]


@dataclass
class CaseOutcome:
    case: CheckedCase
    failures: list[Diagnostic] = field(default_factory=list)  # expectations not met
    problems: list[Diagnostic] = field(default_factory=list)  # the case could not run
    warnings: list[Diagnostic] = field(default_factory=list)  # e.g. history a link lacks

    @property
    def passed(self) -> bool:
        return not self.failures and not self.problems


@dataclass
class TestRun:
    outcomes: list[CaseOutcome]
    coverage: Coverage

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)


def run_tests(compilation: Compilation, cases: Sequence[CheckedCase]) -> TestRun:
    programs = compilation.programs
    assert "section" in programs and programs.keys() == compilation.modules.keys()
    coverage = Coverage()
    unreachable = verify(programs["section"], programs.get("person")).unreachable
    trackers = {
        kind: Tracker(program, coverage, unreachable, compilation.modules[kind].filename)
        for kind, program in programs.items()
    }
    evaluators = {
        kind: CompiledEvaluator(program, compilation.modules[kind])
        for kind, program in programs.items()
    }
    outcomes = []
    for case in cases:
        outcome = CaseOutcome(case)
        evaluation = _evaluate(compilation, programs, case, outcome)
        if evaluation is not None:
            outcome.warnings.extend(evaluation.warnings)
            results: dict[Kind, list[SubjectResult]] = {
                "section": evaluation.sections,
                "person": evaluation.people,
            }
            for kind, tracker in trackers.items():
                tracker.record(results[kind])
            for expectation in case.expectations:
                _compare(expectation, results[expectation.kind], outcome)
            for kind, ident, span in case.properties:
                _check_property(
                    programs[kind], evaluators[kind], ident, span, results[kind], outcome
                )
        outcomes.append(outcome)
    return TestRun(outcomes, coverage)


def _evaluate(
    compilation: Compilation,
    programs: Mapping[Kind, ir.Program],
    case: CheckedCase,
    outcome: CaseOutcome,
) -> Evaluation | None:
    sections = programs["section"]
    year = sections.year
    if case.period is None:
        outcome.problems.append(Diagnostic("E1012", {"name": case.name}, case.span))
        return None
    try:
        periods = parse_periods(case.period, sections.annual)
    except PeriodError:
        periods = []
    if not periods or any(not sections.covers(p.year) for p in periods):
        # Annual rules: a case evaluates one of their years (E1018); rules
        # over several years: quarters of any of them (E1019).
        code = "E1018" if sections.annual else "E1019" if sections.last_year else "E1013"
        args = {"period": case.period, "year": year, "years": sections.years_text()}
        outcome.problems.append(Diagnostic(code, args, case.period_span))
        return None
    # A year or a range of quarters: the case's inputs in each of its quarters,
    # rolled up as the rules declare (so annual links can be tested).
    columns = {
        item.id: item.sanction.column
        for program in programs.values()
        for item in program.items
        if item.sanction is not None and item.sanction.column is not None
    }
    events = _event_table(case, periods, outcome, columns)
    datasets: dict[Kind, Dataset] = {}
    for kind, program in programs.items():
        tables = [_input_table(program, kind, case, [str(p) for p in periods]), events]
        loaded = load_tables(program, tables, periods)
        datasets[kind] = _with_section_totals(program, case, loaded)
        outcome.problems.extend(datasets[kind].diagnostics)
    if outcome.problems:
        # Subjects added by `population: all` share the case's line: one report each.
        unique = {(d.code, d.location, d.span, d.message("en")): d for d in outcome.problems}
        outcome.problems[:] = list(unique.values())
        return None
    try:
        return evaluate_datasets(
            compilation,
            datasets["section"],
            datasets.get("person"),
            periods,
            case.path,
            period_label(case.period),
            _history(case, programs["section"]),
        )
    except UserError as error:
        outcome.problems.extend(error.diagnostics)
        return None


def _with_section_totals(program: ir.Program, case: CheckedCase, dataset: Dataset) -> Dataset:
    """People whose test gives their section's total get it as that input."""
    given = {s.subject: s.section_total for s in case.subjects if s.section_total is not None}
    position = next(
        (n for n, f in enumerate(program.inputs) if f.slot == program.section_total), None
    )
    if not given or position is None:
        return dataset
    for index, row in enumerate(dataset.rows):
        total = given.get(row.subject)
        if total is not None:
            values = (*row.values[:position], total, *row.values[position + 1 :])
            dataset.rows[index] = dataclasses.replace(row, values=values)
    return dataset


def _input_table(program: ir.Program, kind: Kind, case: CheckedCase, periods: list[str]) -> Table:
    """The case's subjects of one kind as a wide data table: every input a
    column, defaults first, each subject's own values over them, the same in
    every quarter of the case's period; the row number is the subject's
    line, so a bad value is reported there."""
    names = [f.name for f in program.inputs if f.kind not in RUNTIME_KINDS]
    header = ["period", "subject", *names]
    defaults = {name: text for name, text, _ in case.defaults.get(kind, ())}
    listed = [s for s in case.subjects if s.kind == kind]
    rows: list[tuple[int, list[str]]] = []
    for subject in listed:
        cells = dict(defaults)
        cells.update({name: text for name, text, _ in subject.cells})
        for period in periods:
            row = [period, subject.subject, *[cells.get(n, "") for n in names]]
            rows.append((subject.line, row))
    if case.population == "all" and (listed or case.defaults.get(kind)):
        org = program.organization
        everyone = [s.id for s in org.sections] if org and kind == "section" else []
        if org and kind == "person":
            everyone = [p.id for p in org.people]
        named = {s.subject for s in listed}
        for ident in everyone:
            if ident not in named:
                for period in periods:
                    row = [period, ident, *[defaults.get(n, "") for n in names]]
                    rows.append((case.line, row))
    return Table(case.path, header, rows)


def _event_table(
    case: CheckedCase, periods: list[Period], outcome: CaseOutcome, durations: dict[str, str]
) -> Table:
    """The case's events; one without a date happens on the last day of the
    case's period.  An event's ``lasts`` goes in its item's duration column
    (``durations``: item -> the column its ``lasts: {column}`` names)."""
    rows: list[tuple[int, list[str]]] = []
    columns = sorted(set(durations.values()))
    for event in case.events:
        day = event.day or periods[-1].end
        if period_of(day, periods[-1].annual) not in periods:
            args = {"date": day.isoformat(), "period": period_label(case.period or "")}
            outcome.problems.append(Diagnostic("E1014", args, event.day_span))
            continue
        cells = [day.isoformat(), str(event.subject.value), str(event.item.value),
                 str(event.count), event.reason, "",
                 "" if event.points is None else str(event.points)]  # fmt: skip
        mine = durations.get(str(event.item.value))
        cells += [str(event.lasts) if column == mine and event.lasts is not None else ""
                  for column in columns]  # fmt: skip
        rows.append((event.line, cells))
    return Table(case.path, [*_EVENT_HEADER, *columns], rows)


def _history(case: CheckedCase, sections: ir.Program) -> History:
    """Earlier years' results the case gives, as published runs would.  A case
    without ``history`` has no earlier results (history links do not fire); one
    with it but lacking a year a link needs gets warning W0901 for that year."""
    if not case.history:
        return lambda label, kind: []
    people = {p.id for p in sections.organization.people} if sections.organization else set()
    by_label: dict[tuple[str, str], list[dict[str, object]]] = {}
    for past in case.history:
        kind = "person" if str(past.subject.value) in people else "section"
        result = past.result
        by_label.setdefault((str(past.period.value), kind), []).append(
            {
                "id": str(past.subject.value),
                "group": "",
                "total": result.total,
                "rank": result.rank,
                "count": result.count,
                "grade": result.grade,
                "vetoes": list(result.vetoes),
                "indicators": [],
                # item ids, or records with their last day: runtime.engine.sanctions
                "sanctions": [
                    entry
                    if isinstance(entry, str)
                    else {
                        "item": entry.item,
                        "until": entry.until.isoformat(),
                        "period": entry.raised or str(past.period.value),
                    }
                    for entry in result.sanctions
                ],
            }
        )

    def history(label: str, kind: str) -> list[dict[str, object]] | None:
        return by_label.get((label, kind))

    return history


def _actual(expectation: CheckedExpectation, result: SubjectResult) -> object:
    match expectation.target:
        case "slot":
            assert expectation.slot is not None
            return result.values[expectation.slot]
        case "grade":
            return result.grade
        case "rank":
            return result.rank
        case "vetoes":
            return tuple(sorted(result.vetoes))
        case "links":
            return tuple(sorted({c.link for c in result.consequences if c.source == result.id}))
        case "overridden":
            return tuple(sorted({c.link for c in result.overridden if c.target == result.id}))
        case "sanction":
            return result.decided_by or None
        case "scoring":
            return result.scoring or None
        case "sanctions":
            return tuple(sorted(s.item for s in result.sanctions))
    return tuple(sorted({c.link for c in result.consequences if c.target == result.id}))


def _same(expected: object, actual: object) -> bool:
    if isinstance(expected, Decimal) and isinstance(actual, Decimal):
        return expected == actual  # 20 == 20.00: exact values, any number of places
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return expected == actual


def shown(value: object) -> str:
    """A value as a test would write it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _compare(
    expectation: CheckedExpectation, results: list[SubjectResult], outcome: CaseOutcome
) -> None:
    result = next((r for r in results if r.id == expectation.subject), None)
    if result is None:
        outcome.failures.append(
            Diagnostic(
                "T0002", {"subject": expectation.subject}, expectation.span, help=("T0002.help", {})
            )
        )
        return
    actual = _actual(expectation, result)
    if not _same(expectation.expected, actual):
        args = {
            "subject": expectation.subject,
            "key": expectation.key,
            "expected": shown(expectation.expected),
            "actual": shown(actual),
        }
        outcome.failures.append(Diagnostic("T0001", args, expectation.span))


def _check_property(
    program: ir.Program,
    evaluator: CompiledEvaluator,
    ident: str,
    span: Span,
    results: list[SubjectResult],
    outcome: CaseOutcome,
) -> None:
    prop = next(p for p in program.properties if p.id == ident)
    if not results:  # nothing to check it on: say so rather than pass
        kind = "kind.person" if program.kind == "person" else "kind.section"
        outcome.failures.append(Diagnostic("T0004", {"id": prop.id, "kind": (kind, {})}, span))
        return
    failing: str | None = None
    if prop.condition is not None:
        failing = violating_subject(prop, property_condition(program, prop), _extended(results))
    else:
        with decimal.localcontext(helpers.CONTEXT):
            for result in results:
                row = tuple(result.values[f.slot] for f in program.inputs)
                if moves_against(prop, program, evaluator, row):
                    failing = result.id
                    break
    if failing is not None:
        args = {"id": prop.id, "name": prop.name, "subject": failing}
        outcome.failures.append(Diagnostic("T0003", args, span))


def _extended(results: list[SubjectResult]) -> dict[str, list[object]]:
    """Each subject's slot values followed by the population values properties read."""
    sizes: dict[str, int] = {}
    for result in results:
        sizes[result.group] = sizes.get(result.group, 0) + 1
    return {
        r.id: [*r.values, *population_values(r.rank, sizes[r.group], r.grade, r.vetoes)]
        for r in results
    }
