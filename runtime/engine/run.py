"""One evaluation, start to finish: data in, results for sections and people out.

Sections are evaluated first (a person's total may combine their section's);
a range of quarters is evaluated quarter by quarter, each with the rules in
force in it, then rolled up as the rules declare.  Every problem in the data
and every fault is collected and raised together as a ``UserError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from compiler import ir
from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic, UserError
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.links import (
    History,
    apply_links,
    consequences_by_subject,
    resolve_precedence,
)
from runtime.engine.results import Sanctioned, SubjectResult, replaced
from runtime.engine.rollup import RollupRule, compact, roll_up
from runtime.engine.sanctions import carried
from runtime.engine.subjects import StageOne, evaluate_period, rules_digest
from runtime.inputs.collection import collect_young, collector_paused
from runtime.inputs.data import Dataset, Row, load_data
from runtime.inputs.periods import Period, PeriodError, parse_periods
from runtime.inputs.tables import read_once


@dataclass
class Evaluation:
    label: str  # "2016Q3" or "2016Q1..2016Q3"
    digest: str
    sections: list[SubjectResult] = field(default_factory=list)
    people: list[SubjectResult] = field(default_factory=list)
    quarters: dict[str, tuple[list[SubjectResult], list[SubjectResult]]] = field(
        default_factory=dict
    )
    warnings: list[Diagnostic] = field(default_factory=list)


@collector_paused()  # millions of long-lived rows and results, no cycles
def evaluate_rules(
    compilation: Compilation,
    data: str,
    periods: list[Period] | None,
    label: str | None = None,
    history: History | None = None,
    absent_unscores: bool = False,
    collected: Mapping[str, frozenset[str]] | None = None,
    engine: str = "python",
    keep_quarters: bool = True,
) -> Evaluation:
    """Evaluate the compiled rules on the data folder for ``periods``
    (the latest period in the data when None); ``history`` gives earlier
    years' published results to links that need them.

    Dry-runs on past data (``absent_unscores``) leave unscored what was never
    collected: indicators whose required cells are empty, and, per kind of
    subject, indicators not in ``collected`` whose cells are empty.

    The rows read are dropped once their period is evaluated; without
    ``keep_quarters`` (a caller that reads the roll-up only) each quarter
    but the last is kept only as far as the roll-up reads it
    (``runtime.engine.rollup.compact``), and none is kept once rolled up
    (``Evaluation.quarters`` then empty: the links and the output that
    follow read the roll-up only, and the quarters' results held beside
    it were the peak memory of a year)."""
    program, module = compilation.programs["section"], compilation.modules["section"]
    assert program is not None and module is not None and compilation.ruleset is not None
    problems: list[Diagnostic] = []
    if not Path(data).exists():
        raise UserError([Diagnostic("E0801", {"path": data}, None, location=data)])
    known = collected or {}
    collect_young()  # the compiler's cycles (and its syntax tree) freed before the data is read
    with read_once(leave_out=True):  # the files read once for both kinds of subject
        sections = load_data(program, data, periods, absent_unscores, known.get("section"))
        problems.extend(sections.diagnostics)
        people: Dataset | None = None
        if "person" in compilation.programs:
            people = load_data(
                compilation.programs["person"], data, periods, absent_unscores, known.get("person")
            )
            problems.extend(people.diagnostics)
    if problems:
        raise UserError(problems)
    if periods is None:
        present = sections.periods()
        if not present:
            raise UserError([Diagnostic("E0904", {"period": program.year}, None, location=data)])
        periods = [Period.of_label(present[-1])]
    return evaluate_datasets(
        compilation, sections, people, periods, data, label, history, engine,
        consume=True, keep_quarters=keep_quarters,
    )  # fmt: skip


@collector_paused()
def evaluate_datasets(
    compilation: Compilation,
    sections: Dataset,
    people: Dataset | None,
    periods: list[Period],
    data: str,
    label: str | None = None,
    history: History | None = None,
    engine: str = "python",
    evaluators: tuple[CompiledEvaluator, CompiledEvaluator | None] | None = None,
    consume: bool = False,
    keep_quarters: bool = True,
) -> Evaluation:
    """Evaluate rows already read (from data files, or a rule test's cases);
    ``data`` names where they came from, for problems about missing periods.
    ``engine``: ``python`` (per subject) or ``batch`` (``runtime.engine.batch``:
    stage 1 of a period at once; where it cannot, the Python engine, with a
    warning W0960 giving the reason), or ``spark`` (``runtime.engine.spark``:
    stage 1 on Spark's executors).  ``evaluators``: the section and person
    evaluators to use (the workbench keeps one that remembers the subjects it
    evaluated), else made here.  ``consume``: the datasets' rows are the
    caller's no more (emptied here), each period's dropped once evaluated;
    ``keep_quarters``: see ``evaluate_rules``."""
    program, module = compilation.programs["section"], compilation.modules["section"]
    assert program is not None and module is not None and compilation.ruleset is not None
    problems: list[Diagnostic] = []
    evaluation = Evaluation(label or _label(periods), rules_digest(compilation.ruleset.files))
    evaluation.warnings.extend(sections.warnings)
    if people is not None:
        evaluation.warnings.extend(people.warnings)
    people_evaluator = None
    if evaluators is not None:
        section_evaluator, people_evaluator = evaluators
    else:
        section_evaluator = CompiledEvaluator(program, module)
        if "person" in compilation.programs and "person" in compilation.modules:
            people_evaluator = CompiledEvaluator(
                compilation.programs["person"], compilation.modules["person"]
            )
    # Sanctions that last: from earlier published results, and from the
    # quarters of this evaluation into the later ones (runtime.engine.sanctions).
    lasting: dict[str, dict[str, list[Sanctioned]]] = {}
    batches: dict[str, StageOne] = {}
    # The engines are imported where chosen: the batch engine brings numpy,
    # the Spark engine pyspark's modules, neither needed by the Python path.
    if engine == "batch":
        from runtime.engine.batch import BatchEvaluator

        batches = {
            kind: BatchEvaluator(kind_program)
            for kind, kind_program in compilation.programs.items()
            if kind_program is not None
        }
    if engine == "spark":  # stage 1 on Spark's executors (runtime.engine.spark)
        from runtime.engine.spark import SparkEvaluator

        batches = {
            kind: SparkEvaluator(kind_program, kind_module)
            for kind, kind_program in compilation.programs.items()
            if kind_program is not None and (kind_module := compilation.modules.get(kind))
        }
    fallbacks: list[str] = []
    # The rows read once, bucketed by period (not scanned again for every period).
    section_rows, person_rows = (
        _by_period(sections.rows),
        _by_period(people.rows if people is not None else []),
    )
    present = set(section_rows) | set(person_rows)
    if consume:
        sections.rows = []
        if people is not None:
            people.rows = []
    for period in periods:
        name = str(period)
        if name not in present:
            problems.append(Diagnostic("E0904", {"period": name}, None, location=data))
            continue
        earlier = _earlier(program, name, history, lasting.get("section"))
        section_results, faults = evaluate_period(
            program,
            section_evaluator,
            section_rows.pop(name, []) if consume else section_rows.get(name, []),
            name,
            None,
            earlier,
            batches.get("section"),
            fallbacks,
        )
        problems.extend(faults)
        person_results: list[SubjectResult] = []
        if people is not None and people_evaluator is not None and "person" in compilation.programs:
            totals: dict[str, Decimal] = {r.id: r.total for r in section_results}
            person_program = compilation.programs["person"]
            person_results, faults = evaluate_period(
                person_program, people_evaluator,
                person_rows.pop(name, []) if consume else person_rows.get(name, []), name, totals,
                _earlier(person_program, name, history, lasting.get("person")),
                batches.get("person"), fallbacks,
            )  # fmt: skip
            problems.extend(faults)
        _carry(lasting, period, (*section_results, *person_results))
        if not keep_quarters and period != periods[-1] and program.rollup is not None:
            section_results = compact(program, section_results)
            if person_results and "person" in compilation.programs:
                person_results = compact(compilation.programs["person"], person_results)
        evaluation.quarters[name] = (section_results, person_results)
    for reason in dict.fromkeys(fallbacks):
        evaluation.warnings.append(
            Diagnostic("W0960", {"reason": reason}, None, severity="warning", location=data)
        )
    if problems:
        raise UserError(problems)
    if len(periods) == 1:
        evaluation.sections, evaluation.people = evaluation.quarters[str(periods[0])]
    else:
        # Without keep_quarters, each kind's quarters are consumed by its roll-up.
        evaluation.sections = _rolled(program, evaluation, 0, data, history, not keep_quarters)
        if "person" in compilation.programs:
            evaluation.people = _rolled(
                compilation.programs["person"], evaluation, 1, data, history, not keep_quarters
            )
        if not keep_quarters:
            evaluation.quarters = {}
    _link(compilation, evaluation, history)
    return evaluation


def _earlier(
    program: ir.Program,
    label: str,
    history: History | None,
    within: Mapping[str, list[Sanctioned]] | None,
) -> dict[str, list[Sanctioned]]:
    """Sanctions carried into ``label``: from earlier published results and
    from this evaluation's earlier quarters (``within``)."""
    found = carried(program, label, history)
    try:
        start = parse_periods(label)[0].start.isoformat()
    except PeriodError:
        start = ""
    for ident, records in (within or {}).items():
        known = {s.item for s in found.get(ident, [])}
        # Only those still holding in this quarter (a sanction ends mid-year).
        found.setdefault(ident, []).extend(
            s for s in records if s.item not in known and (s.until or "") >= start
        )
    return found


def _carry(
    lasting: dict[str, dict[str, list[Sanctioned]]],
    period: Period,
    results: tuple[SubjectResult, ...],
) -> None:
    """Keep the sanctions of ``period`` that hold beyond it, for the next quarters."""
    after = period.end.isoformat()
    for result in results:
        for record in result.sanctions:
            if record.until is not None and record.until > after:
                mine = lasting.setdefault(result.kind, {}).setdefault(result.id, [])
                if all(s.item != record.item for s in mine):
                    mine.append(record)


def _link(compilation: Compilation, evaluation: Evaluation, history: History | None) -> None:
    """Apply the result links and attach each consequence to the subjects concerned."""
    assert "section" in compilation.programs
    history = _read_once(history)
    found = apply_links(
        compilation.programs["section"],
        evaluation.sections,
        evaluation.label,
        history,
        evaluation.warnings,
    )
    if "person" in compilation.programs:
        found += apply_links(
            compilation.programs["person"],
            evaluation.people,
            evaluation.label,
            history,
            evaluation.warnings,
        )
    if not found:
        return
    links = [link for program in compilation.programs.values() for link in program.links]
    found, overridden = resolve_precedence(found, links)

    kept_by, overridden_by = consequences_by_subject(found), consequences_by_subject(overridden)

    def attach(results: list[SubjectResult]) -> list[SubjectResult]:
        attached = []
        for r in results:
            kept, overridden = tuple(kept_by.get(r.id, ())), tuple(overridden_by.get(r.id, ()))
            if kept != r.consequences or overridden != r.overridden:  # else unchanged: no copy
                r = replaced(r, consequences=kept, overridden=overridden)
            attached.append(r)
        return attached

    evaluation.sections = attach(evaluation.sections)
    evaluation.people = attach(evaluation.people)


def _by_period(rows: list[Row]) -> dict[str, list[Row]]:
    bucketed: dict[str, list[Row]] = {}
    for row in rows:
        bucketed.setdefault(row.period, []).append(row)
    return bucketed


def _read_once(history: History | None) -> History | None:
    """``history`` asked once per period label and kind in this evaluation:
    links that read the same earlier year share one reading (a published
    run's file or rows are not parsed again for every link)."""
    if history is None:
        return None
    read: dict[tuple[str, str], Sequence[Mapping[str, object]] | None] = {}

    def lookup(label: str, kind: str) -> Sequence[Mapping[str, object]] | None:
        if (label, kind) not in read:
            read[(label, kind)] = history(label, kind)
        return read[(label, kind)]

    return lookup


def _rolled(
    program: ir.Program,
    evaluation: Evaluation,
    which: int,
    data: str,
    history: History | None = None,
    consume: bool = False,
) -> list[SubjectResult]:
    """The roll-up of one kind's quarters (``which``: 0 sections, 1 people);
    ``consume``: the quarters' result lists emptied by it (``roll_up``)."""
    if program.rollup is None:
        raise UserError([Diagnostic("E0813", {"period": evaluation.label}, None, location=data)])
    rule = RollupRule(program.rollup.method, dict(program.rollup.weights))
    per_period = {p: results[which] for p, results in evaluation.quarters.items()}
    earlier = carried(program, evaluation.label, history)
    results, problems = roll_up(program, rule, evaluation.label, per_period, earlier, consume)
    if problems:
        raise UserError(problems)
    return results


def _label(periods: list[Period]) -> str:
    return str(periods[0]) if len(periods) == 1 else f"{periods[0]}..{periods[-1]}"
