"""What-if: one subject's data cells changed, the period evaluated again.

Nothing is written: the changed cells go into a copy of the period's tables
(a temporary copy of the data folder, or the merged submissions in memory),
which are then read and evaluated exactly as ``evaluate`` reads and
evaluates a data folder or the submissions, the whole population with them.
So a what-if's indicator scores, total, grade and rank are what ``jixiao
evaluate`` gives on the same changed data, ranked against everyone else as
they stand.  Cells are given as a data file holds them (``95%``, ``好``, an
empty text for an empty cell); a column the subject's row does not have is
E1109.
"""

from __future__ import annotations

import csv
import dataclasses
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml

from compiler import ir
from compiler.codegen import GeneratedModule
from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic, UserError
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.groups import pool_of
from runtime.engine.links import (
    History,
    apply_links,
    consequences_by_subject,
    resolve_precedence,
)
from runtime.engine.population import Standing, standings
from runtime.engine.results import Consequence, Sanctioned, SubjectResult
from runtime.engine.run import Evaluation, evaluate_datasets
from runtime.engine.sanctions import carried, durations_of, with_ruling
from runtime.engine.subjects import evaluate_period
from runtime.inputs.data import (
    NAME_COLUMN,
    PERIOD_COLUMN,
    SUBJECT_COLUMN,
    Dataset,
    Row,
    load_data,
    load_tables,
)
from runtime.inputs.periods import Period, period_label
from runtime.inputs.supervision import SupervisionItem, read_supervision
from runtime.inputs.tables import Table, TableError, data_files, read_tables
from runtime.store import Store
from runtime.tools.runs import evaluate_with_history
from runtime.tools.submissions import evaluate_submissions

FIXED = (PERIOD_COLUMN, SUBJECT_COLUMN, NAME_COLUMN)

Kind = Literal["section", "person"]

# An added occurrence: item, count and the duration cell its item's
# ``lasts: {column, unit}`` asks of each event ("" for an item that takes none).
Added = tuple[str, str, str]


def _row(table: Table, subject: str, period: Period) -> int | None:
    """The index in ``table.rows`` of the subject's row for the period."""
    header = table.header
    if SUBJECT_COLUMN not in header or PERIOD_COLUMN not in header:
        return None
    at, when = header.index(SUBJECT_COLUMN), header.index(PERIOD_COLUMN)
    for index, (_, cells) in enumerate(table.rows):
        if (
            at < len(cells)
            and when < len(cells)
            and cells[at].strip() == subject
            and cells[when].strip() == str(period)
        ):
            return index
    return None


def changed(
    tables: list[Table], subject: str, period: Period, changes: Mapping[str, str]
) -> tuple[list[Table], set[str]]:
    """The tables with the subject's cells changed, and the columns changed."""
    done: set[str] = set()
    found: list[Table] = []
    for table in tables:
        index = _row(table, subject, period)
        mine = [c for c in changes if c in table.header and c not in FIXED]
        if index is None or not mine:
            found.append(table)
            continue
        number, cells = table.rows[index]
        cells = cells + [""] * (len(table.header) - len(cells))
        for column in mine:
            cells[table.header.index(column)] = changes[column]
            done.add(column)
        rows = [*table.rows[:index], (number, cells), *table.rows[index + 1 :]]
        found.append(dataclasses.replace(table, rows=rows))
    return found, done


def _unknown(columns: list[str], subject: str, period: Period, known: list[str]) -> UserError:
    return UserError([
        Diagnostic("E1109", {"column": c, "subject": subject, "period": str(period)}, None,
                   location=f"{subject} ({period})",
                   help=("E1109.help", {"columns": "、".join(known)}))
        for c in columns
    ])  # fmt: skip


def _columns(tables: list[Table], subject: str, period: Period) -> list[str]:
    return [
        c
        for t in tables
        if _row(t, subject, period) is not None
        for c in t.header
        if c and c not in FIXED
    ]


def cells(tables: list[Table], subject: str, period: Period) -> dict[str, str]:
    """The subject's data cells for the period, by column (what a what-if starts from)."""
    found: dict[str, str] = {}
    for table in tables:
        index = _row(table, subject, period)
        if index is None:
            continue
        row = table.rows[index][1]
        for position, column in enumerate(table.header):
            if column and column not in FIXED:
                found[column] = row[position] if position < len(row) else ""
    return found


def data_tables(data: str) -> list[Table]:
    """Every readable table of a data folder (for ``cells``)."""
    found: list[Table] = []
    for file in data_files(Path(data)):
        try:
            found += read_tables(file)
        except TableError:
            continue
    return found


def what_if_data(
    compilation: Compilation,
    data: str,
    period: Period,
    store: Store | None,
    subject: str,
    changes: Mapping[str, str],
) -> Evaluation:
    """``evaluate --data`` on a copy of the data folder with the subject's
    cells changed (a file holding them is written back as CSV)."""
    with tempfile.TemporaryDirectory(prefix="jixiao-what-if-") as folder:
        copy = Path(folder) / "data"
        shutil.copytree(data, copy)
        done: set[str] = set()
        known: list[str] = []
        for file in data_files(copy):
            try:
                tables = read_tables(file)
            except TableError:
                continue  # evaluating the copy reports it, located
            known += _columns(tables, subject, period)
            edited, columns = changed(tables, subject, period, changes)
            if not columns:
                continue
            done |= columns
            file.unlink()
            for number, table in enumerate(edited):
                name = file.stem if len(edited) == 1 else f"{file.stem}-{number + 1}"
                _write_csv(table, copy / f"{name}.csv")
        missing = [c for c in changes if c not in done]
        if missing:
            raise _unknown(missing, subject, period, known)
        label = period_label(str(period))
        try:
            evaluation = evaluate_with_history(compilation, str(copy), [period], label, store)
        except UserError as error:
            raise UserError([_renamed(d, str(copy), data) for d in error.diagnostics]) from None
    # Results and problems name the data folder, not the copy that is gone.
    evaluation.sections = [_moved(r, str(copy), data) for r in evaluation.sections]
    evaluation.people = [_moved(r, str(copy), data) for r in evaluation.people]
    return evaluation


def _moved(result: SubjectResult, copy: str, data: str) -> SubjectResult:
    """The result with every place naming the copy (its row, its events'
    rows, its supervision items' rows) naming the data folder instead."""
    moved = _renamed_in(result, copy, data)
    assert isinstance(moved, SubjectResult)
    return moved


def _renamed_in(value: object, copy: str, data: str) -> object:
    if isinstance(value, str):
        return value.replace(copy, data) if copy in value else value
    if isinstance(value, tuple):
        return tuple(_renamed_in(item, copy, data) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _renamed_in(getattr(value, f.name), copy, data)
            for f in dataclasses.fields(value)
            if f.name not in _NO_PLACES
        }
        return dataclasses.replace(value, **changes)
    return value


# Fields that name no place: a result's slot values and scores (walking them
# would only cost time).
_NO_PLACES = frozenset({"values", "indicators", "quarters"})


def _renamed(diagnostic: Diagnostic, copy: str, data: str) -> Diagnostic:
    location = diagnostic.location
    return dataclasses.replace(
        diagnostic, location=None if location is None else location.replace(copy, data)
    )


def write_csv(table: Table, path: Path) -> None:
    """A table written as a CSV data file (UTF-8), as ``read_tables`` reads it."""
    _write_csv(table, path)


def _write_csv(table: Table, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(table.header)
        writer.writerows(cells for _, cells in table.rows)


def what_if_submissions(
    compilation: Compilation,
    store: Store,
    period: Period,
    subject: str,
    changes: Mapping[str, str],
) -> Evaluation:
    """``evaluate --from-submissions`` with the subject's cells changed in
    the merged submissions (in memory)."""
    done: set[str] = set()
    known: list[str] = []

    def change(tables: list[Table]) -> list[Table]:
        known.extend(_columns(tables, subject, period))
        edited, columns = changed(tables, subject, period, changes)
        done.update(columns)
        missing = [c for c in changes if c not in columns]
        if missing:
            raise _unknown(missing, subject, period, known)
        return edited

    return evaluate_submissions(compilation, store, period, period_label(str(period)), change)


# -- The workbench's what-if: one subject evaluated again, the rest remembered.


class RememberingEvaluator(CompiledEvaluator):
    """A compiled evaluator that remembers each subject's slot values by its
    inputs while ``learning`` (the period's evaluation), so that a what-if,
    evaluating the period again with one subject's inputs changed, runs the
    compiled program on that subject only (and on the people whose section
    total it changes); ranking and grades (the population stage) still run
    over everyone, as ``evaluate`` does."""

    def __init__(self, program: ir.Program, module: GeneratedModule) -> None:
        super().__init__(program, module)
        self.known: dict[tuple[object, ...], tuple[object, ...]] = {}
        self.learning = True

    def evaluate_in_context(
        self, inputs: tuple[object, ...], full: bool = True
    ) -> tuple[object, ...]:
        if not full:
            return super().evaluate_in_context(inputs, full)
        key = inputs
        try:
            found = self.known.get(key)
        except TypeError:  # an input that cannot be a key: evaluate it
            return super().evaluate_in_context(inputs, full)
        if found is None:
            found = super().evaluate_in_context(inputs, full)
            if self.learning:
                self.known[key] = found
        return found


Edit = Callable[[list[Table]], list[Table]]
Reader = Callable[[Edit | None], tuple[Dataset, Dataset | None]]


def evaluators_of(
    compilation: Compilation,
) -> tuple[RememberingEvaluator, RememberingEvaluator | None]:
    section = RememberingEvaluator(compilation.programs["section"], compilation.modules["section"])
    person = None
    if "person" in compilation.programs and "person" in compilation.modules:
        person = RememberingEvaluator(compilation.programs["person"], compilation.modules["person"])
    return section, person


def data_reader(compilation: Compilation, data: str, period: Period) -> Reader:
    """Reading the data folder's rows of ``period`` as ``evaluate --data``
    reads them (each file's tables passed through ``edit`` first); each
    file is read once, then remembered (the workbench prepares a period
    again when a file's size or time changes)."""

    files: dict[Path, list[Table] | TableError] = {}
    supervised: dict[str, tuple[list[SupervisionItem], list[Diagnostic]]] = {}

    def tables(file: Path) -> list[Table]:
        if file not in files:
            try:
                files[file] = read_tables(file)
            except TableError as error:  # EncodingProblem too: kept, raised again
                files[file] = error
        found = files[file]
        if isinstance(found, TableError):
            raise found
        return found

    def items(
        location: str, sections: dict[str, str]
    ) -> tuple[list[SupervisionItem], list[Diagnostic]]:
        if location not in supervised:
            supervised[location] = read_supervision(location, sections)
        return supervised[location]

    def read(edit: Edit | None) -> tuple[Dataset, Dataset | None]:
        if not Path(data).exists():
            raise UserError([Diagnostic("E0801", {"path": data}, None, location=data)])
        program = compilation.programs["section"]
        sections = load_data(program, data, [period], edit=edit, read=tables, supervision=items)
        people = None
        if "person" in compilation.programs:
            people = load_data(
                compilation.programs["person"], data, [period], edit=edit, read=tables,
                supervision=items,
            )  # fmt: skip
        problems = sections.diagnostics + (people.diagnostics if people is not None else [])
        if problems:
            raise UserError(problems)
        return sections, people

    return read


def tables_reader(compilation: Compilation, tables: list[Table], period: Period) -> Reader:
    """Reading merged submissions' tables as ``evaluate --from-submissions``."""

    def read(edit: Edit | None) -> tuple[Dataset, Dataset | None]:
        found = edit(tables) if edit is not None else tables
        sections = load_tables(compilation.programs["section"], found, [period])
        people = None
        if "person" in compilation.programs:
            people = load_tables(compilation.programs["person"], found, [period])
        problems = sections.diagnostics + (people.diagnostics if people is not None else [])
        if problems:
            raise UserError(problems)
        return sections, people

    return read


@dataclass
class Prepared:
    """A period read and evaluated once, kept for pages and what-ifs: the
    rows read, the evaluators that remember every subject's values, and the
    evaluation itself (``evaluate``'s results on the same inputs)."""

    compilation: Compilation
    period: Period
    where: str
    read: Reader
    history: History | None
    sections: Dataset
    people: Dataset | None
    evaluators: tuple[RememberingEvaluator, RememberingEvaluator | None]
    evaluation: Evaluation
    by_subject: dict[int, tuple[Table, dict[str, list[tuple[int, list[str]]]]]] = dataclasses.field(
        default_factory=dict
    )
    # Per kind, made once for the incremental what-if: the sanctions carried
    # into the period, and each (link, subject)'s consequences as the
    # period's evaluation found them.
    carried: dict[str, dict[str, list[Sanctioned]]] = dataclasses.field(default_factory=dict)
    linked: dict[str, dict[tuple[str, str], list[Consequence]]] = dataclasses.field(
        default_factory=dict
    )

    @classmethod
    def of(
        cls, compilation: Compilation, period: Period, where: str, read: Reader,
        history: History | None,
    ) -> Prepared:  # fmt: skip
        sections, people = read(None)
        evaluators = evaluators_of(compilation)
        evaluation = evaluate_datasets(
            compilation, sections, people, [period], where, period_label(str(period)), history,
            evaluators=evaluators,
        )  # fmt: skip
        for evaluator in evaluators:
            if evaluator is not None:
                evaluator.learning = False
        return cls(compilation, period, where, read, history, sections, people, evaluators,
                   evaluation)  # fmt: skip

    def _only(self, table: Table, subject: str) -> Table:
        """The table's rows of one subject (a table naming no subject: as
        it is); each table sorted by subject once (the tables read are
        kept, so a table's id stays its own while remembered here)."""
        if SUBJECT_COLUMN not in table.header:
            return table
        found = self.by_subject.get(id(table))
        if found is None or found[0] is not table:
            at = table.header.index(SUBJECT_COLUMN)
            rows: dict[str, list[tuple[int, list[str]]]] = {}
            for number, cells in table.rows:
                if at < len(cells):
                    rows.setdefault(cells[at].strip(), []).append((number, cells))
            found = (table, rows)
            self.by_subject[id(table)] = found
        return dataclasses.replace(table, rows=found[1].get(subject, []))

    def what_if(
        self,
        subject: str,
        changes: Mapping[str, str],
        added: Sequence[Added] = (),
        removed: Collection[str] = (),
    ) -> Evaluation:
        """The period evaluated again with the subject's cells changed, its
        item occurrences ``removed`` (by where they were read, ``file:row``)
        and ``added`` (item, count, duration; on the period's last day): its
        rows read again (only its own rows and events), every other
        subject's as read before; E1109 for a column the subject's row has
        not, E1150/E1151 for a duration missing or given in vain.  Only
        what the change can reach is evaluated again (``incremental``)."""
        if not changes and not added and not removed:
            return self.evaluation
        sections, people = self.changed_rows(subject, changes, added, removed)
        found = self.incremental(subject, sections, people)
        return found if found is not None else self.full(sections, people)

    def changed_rows(
        self,
        subject: str,
        changes: Mapping[str, str],
        added: Sequence[Added] = (),
        removed: Collection[str] = (),
    ) -> tuple[Dataset, Dataset | None]:
        """The period's rows with the subject's read again, changed as
        ``what_if`` says (sections, people)."""
        durations = duration_columns(self.compilation)
        items = {i.id for program in self.compilation.programs.values() for i in program.items}
        _check_durations(added, durations, items)
        done: set[str] = set()
        known: list[str] = []
        period = self.period
        # The added occurrences: one table, given to each program's reading
        # once (each program reads every file, the first one first again).
        first: list[Table] = []

        def edit(tables: list[Table]) -> list[Table]:
            mine = [_without(self._only(t, subject), removed) for t in tables]
            known.extend(_columns(mine, subject, period))
            edited, columns = changed(mine, subject, period, changes)
            done.update(columns)
            again = bool(tables) and bool(first) and tables[0] is first[0]
            if added and tables and (not first or again):
                first[:] = [tables[0]]
                edited.append(_occurrences(subject, period, added, durations))
            return edited

        sections, people = self.read(edit)
        missing = [c for c in changes if c not in done]
        if missing:
            raise _unknown(missing, subject, period, sorted(set(known), key=known.index))
        swapped = _swapped(self.sections, sections, subject)
        if self.people is None or people is None:
            return swapped, None
        return swapped, _swapped(self.people, people, subject)

    def full(self, sections: Dataset, people: Dataset | None) -> Evaluation:
        """The period evaluated again on these rows, every subject through
        every stage (``evaluate``'s path; stage 1 remembered by inputs)."""
        return evaluate_datasets(
            self.compilation, sections, people, [self.period], self.where, self.evaluation.label,
            self.history, evaluators=self.evaluators,
        )  # fmt: skip

    def incremental(
        self, subject: str, sections: Dataset, people: Dataset | None
    ) -> Evaluation | None:
        """``full(sections, people)`` when only ``subject``'s rows differ
        from the period's: what cannot have changed is taken from the
        period's evaluation, the rest computed as ``evaluate_datasets``
        computes it; None where that cannot be shown equal (then ``full``).

        Why it is equal, step by step (``runtime.engine.run.evaluate_datasets``
        on one period):

        1. A subject's stage-1 values are a function of its row (a person's
           with their section's total put in).  Rows are the same objects
           but the changed subject's, so only it is evaluated again, and
           the people of a section whose total moved.  With group functions
           (stages after 1) a member's values depend on its pool
           (``runtime.engine.groups``: a group value reads only its own
           pool), so every member of a pool holding one of those is
           evaluated again, through every stage, by ``evaluate_period`` on
           the pool's rows.
        2. Ranks and grades (``population.standings``) are computed over
           every subject of the kind, as the full path does (quotas across
           groups, pools of ``all``, sanctions included), from the values of
           step 1, with the same sanctions carried in and the same
           per-event durations.
        3. A result is built from its row, its values and its standing;
           ``evaluate_period`` sets the standing's rank, grade and group,
           then ``with_ruling`` its five sanction fields: so a result whose
           row and values did not change is the period's result with those
           eight fields set from the new standing (``_stood``), and one
           evaluated again in step 1 (ranked there among the pools it was
           evaluated with) too.
        4. A subject's consequences are a function of its result's link
           inputs (total, base, rank, grade, vetoes, indicators; its group's
           size, which a what-if does not change) and the earlier years'
           results: those whose inputs did not change keep the period's,
           the others are linked again (``apply_links`` with the groups'
           sizes); they are put in the full path's order (link by link,
           results in their order), then the links' precedence and the
           attaching are ``runtime.engine.run._link``'s.

        History links and quotas across groups need no full path: an
        earlier year's results are per subject and do not change with the
        what-if, and every quota is filled by step 2 over everyone.  The
        full path instead: a fault or a located problem while evaluating
        again (``full`` reports it, located, as ``evaluate`` does), a
        subject that appears or goes (the rows of a period changed in
        number), or an evaluation of more than one period (a roll-up; the
        workbench prepares one period at a time)."""
        name = str(self.period)
        if list(self.evaluation.quarters) != [name]:
            return None
        old_sections, old_people = self.evaluation.quarters[name]
        programs = self.compilation.programs
        section_evaluator, person_evaluator = self.evaluators
        section_results = self._kind(
            "section", section_evaluator, sections.rows, old_sections, {subject}, None
        )
        if section_results is None:
            return None
        person_results: list[SubjectResult] = []
        if people is not None and person_evaluator is not None and "person" in programs:
            program = programs["person"]
            totals = {r.id: r.total for r in section_results}
            was = {r.id: r.total for r in old_sections}
            moved = {ident for ident, total in totals.items() if was.get(ident) != total}
            changed = {subject}
            if moved and program.organization is not None:
                changed |= {p.id for p in program.organization.people if p.section in moved}
            elif moved:
                changed |= {r.id for r in old_people}
            found = self._kind("person", person_evaluator, people.rows, old_people, changed, totals)
            if found is None:
                return None
            person_results = found
        evaluation = Evaluation(self.evaluation.label, self.evaluation.digest)
        # The data's warnings are the period's (the rows swapped keep them), and
        # so are the links' (they depend on the label and the history only).
        evaluation.warnings = list(self.evaluation.warnings)
        evaluation.quarters[name] = (section_results, person_results)
        evaluation.sections, evaluation.people = section_results, person_results
        self._link(evaluation, old_sections, old_people)
        return evaluation

    def _kind(
        self,
        kind: Kind,
        evaluator: CompiledEvaluator,
        rows: list[Row],
        before: list[SubjectResult],
        changed: set[str],
        totals: dict[str, Decimal] | None,
    ) -> list[SubjectResult] | None:
        """One kind's results of the period (``incremental``'s steps 1–3),
        None for the full path."""
        program = self.compilation.programs[kind]
        name = str(self.period)
        mine = [row for row in rows if row.period == name]
        was = {r.id: r for r in before}
        if len(mine) != len(was) or any(row.subject not in was for row in mine):
            return None
        if program.stages > 1:
            pools = pool_of(program)
            touched = {pools.get(ident) for ident in changed if ident in was}
            again = [row for row in mine if pools.get(row.subject) in touched]
        else:
            again = [row for row in mine if row.subject in changed]
        if not again:
            # No row of this kind read again, no value changed: the same
            # standings, so each result is the period's own.
            return list(before)
        if kind not in self.carried:
            self.carried[kind] = carried(program, name, self.history)
        earlier = self.carried[kind]
        fresh, faults = evaluate_period(program, evaluator, again, name, totals, earlier)
        if faults or len(fresh) != len(again):
            return None
        made = {r.id: r for r in fresh}
        results = [made[row.subject] if row.subject in made else was[row.subject] for row in mine]
        durations = {
            row.subject: durations_of((e.item, e.lasts) for e in row.events)
            for row in mine
            if any(e.lasts is not None for e in row.events)
        }
        ranked = standings(program, [(r.id, r.values) for r in results], name, earlier, durations)
        stood = [_stood(r, ranked[r.id]) for r in results]
        stood.sort(key=lambda r: (r.group, r.rank, r.id))
        return stood

    def _link(
        self, evaluation: Evaluation, old_sections: list[SubjectResult],
        old_people: list[SubjectResult],
    ) -> None:  # fmt: skip
        """``runtime.engine.run._link`` on ``evaluation`` (``incremental``'s step 4)."""
        programs = self.compilation.programs
        found: list[Consequence] = []
        kinds: list[tuple[Kind, list[SubjectResult], list[SubjectResult]]] = [
            ("section", evaluation.sections, old_sections)
        ]
        if "person" in programs:
            kinds.append(("person", evaluation.people, old_people))
        for kind, results, before in kinds:
            program = programs[kind]
            if not program.links:
                continue
            if kind not in self.linked:
                self.linked[kind] = _by_link(
                    apply_links(program, before, evaluation.label, self.history, [])
                )
            known = self.linked[kind]
            was = {r.id: r for r in before}
            again = [r for r in results if _link_inputs(r) != _link_inputs(was[r.id])]
            fresh: dict[tuple[str, str], list[Consequence]] = {}
            if again:
                sizes = Counter(r.group for r in results)
                fresh = _by_link(
                    apply_links(program, again, evaluation.label, self.history, [], sizes)
                )
            redone = {r.id for r in again}
            for link in program.links:
                for r in results:
                    found.extend((fresh if r.id in redone else known).get((link.id, r.id), ()))
        if not found:
            return
        links = [link for program in programs.values() for link in program.links]
        kept, overridden = resolve_precedence(found, links)
        kept_by, overridden_by = consequences_by_subject(kept), consequences_by_subject(overridden)

        def attach(
            results: list[SubjectResult], before: list[SubjectResult], linked: list[SubjectResult]
        ) -> list[SubjectResult]:
            # A result that is the period's own (not built again) and keeps its
            # consequences is the period's linked result: no copy made again.
            was = {r.id: r for r in before}
            done = {r.id: r for r in linked}
            attached = []
            for r in results:
                mine, lost = tuple(kept_by.get(r.id, ())), tuple(overridden_by.get(r.id, ()))
                old = done.get(r.id)
                if r is was.get(r.id) and old is not None and (mine, lost) == (
                    old.consequences, old.overridden,
                ):  # fmt: skip
                    r = old
                elif mine != r.consequences or lost != r.overridden:
                    r = dataclasses.replace(r, consequences=mine, overridden=lost)
                attached.append(r)
            return attached

        evaluation.sections = attach(evaluation.sections, old_sections, self.evaluation.sections)
        evaluation.people = attach(evaluation.people, old_people, self.evaluation.people)


def _stood(result: SubjectResult, standing: Standing) -> SubjectResult:
    """``result`` as ``evaluate_period`` builds it with ``standing``: rank,
    grade and group, then the sanction fields ``with_ruling`` sets (cleared
    without a ruling); the same object where nothing of these changes."""
    plain = not (
        result.sanctions or result.decided_by or result.decision or result.scoring
        or result.scoring_by
    )  # fmt: skip
    if standing.ruling is None and plain and (result.rank, result.grade, result.group) == (
        standing.rank, standing.grade, standing.group,
    ):  # fmt: skip
        return result
    placed = dataclasses.replace(
        result, rank=standing.rank, grade=standing.grade, group=standing.group
    )
    return with_ruling(placed, standing.ruling)


def _link_inputs(result: SubjectResult) -> tuple[object, ...]:
    """What a link reads of a result (``runtime.engine.links.apply_links``):
    its consequences are the same while these are."""
    return (
        result.total, result.base, result.rank, result.grade, result.group, result.vetoes,
        result.indicators,
    )  # fmt: skip


def _by_link(found: list[Consequence]) -> dict[tuple[str, str], list[Consequence]]:
    """Consequences by (link, the subject whose result triggered them), in order."""
    grouped: dict[tuple[str, str], list[Consequence]] = {}
    for consequence in found:
        grouped.setdefault((consequence.link, consequence.source), []).append(consequence)
    return grouped


ADDED = "what-if"  # where an added occurrence was "read": the what-if itself


def duration_columns(compilation: Compilation) -> dict[str, tuple[str, str]]:
    """Item -> the column its ``lasts: {column, unit}`` names and the unit,
    for the veto items whose duration each event gives."""
    return {
        item.id: (item.sanction.column, item.sanction.unit or "until")
        for program in compilation.programs.values()
        for item in program.items
        if item.sanction is not None and item.sanction.column is not None
    }


def _check_durations(
    added: Sequence[Added], durations: Mapping[str, tuple[str, str]], items: Collection[str]
) -> None:
    """An added occurrence of an item whose duration each event gives needs
    one (E1150); one of any other item takes none (E1151; an unknown item is
    E0815 when the occurrences are read).  Located as the
    added occurrence (``what-if:N``, N counted from 1)."""
    problems: list[Diagnostic] = []
    for number, (item, _, lasts) in enumerate(added, start=1):
        where = f"{ADDED}:{number}"
        if item in durations and not lasts.strip():
            column, unit = durations[item]
            help_: tuple[str, dict[str, object]] = ("E1150.help", {"unit": (f"E0557.{unit}", {})})
            problems.append(Diagnostic("E1150", {"item": item, "column": column}, None,
                                       location=f"{where} [{column}]", help=help_))  # fmt: skip
        elif item not in durations and lasts.strip() and item in items:
            problems.append(Diagnostic("E1151", {"item": item, "text": lasts}, None,
                                       location=where))  # fmt: skip
    if problems:
        raise UserError(problems)


def _occurrences(
    subject: str, period: Period, added: Sequence[Added], durations: Mapping[str, tuple[str, str]]
) -> Table:
    """An event table of the added occurrences (on the period's last day),
    each item's duration in the column its ``lasts: {column}`` names."""
    day = period.end.isoformat()
    column = {item: durations[item][0] for item, _, _ in added if item in durations}
    columns = sorted(set(column.values()))
    rows = [
        (n, [day, subject, item, count,
             *[lasts.strip() if column.get(item) == c else "" for c in columns]])
        for n, (item, count, lasts) in enumerate(added, start=1)
    ]  # fmt: skip
    return Table(ADDED, ["date", "subject", "item", "count", *columns], rows)


def _without(table: Table, removed: Collection[str]) -> Table:
    """The table without the rows ``removed`` names (``file:row``)."""
    if not removed:
        return table
    rows = [(n, c) for n, c in table.rows if f"{table.shown}:{n}" not in removed]
    return table if len(rows) == len(table.rows) else dataclasses.replace(table, rows=rows)


def _swapped(before: Dataset, again: Dataset, subject: str) -> Dataset:
    """The rows read before, the subject's replaced by those read again."""
    mine = [row for row in again.rows if row.subject == subject]
    rows: list[Row] = []
    for row in before.rows:
        if row.subject != subject:
            rows.append(row)
        elif mine:
            rows.extend(mine)
            mine = []
    rows.extend(mine)
    return dataclasses.replace(before, rows=rows)


# -- A scenario as a rule test (``jixiao test``'s format, rules/…/tests).


def rule_test(
    prepared: Prepared,
    tables: list[Table],
    subject: str,
    changes: Mapping[str, str],
    changed_evaluation: Evaluation,
    name: str,
    added: Sequence[Added] = (),
    removed: Collection[str] = (),
) -> str:
    """A what-if as a rule test file: one case whose population is every
    subject of the changed one's kind (and every section, for a person: a
    person's total combines their section's), each with its cells as the
    data hold them (the changed subject's changed), the counts read from
    the supervision table, and the period's events; expecting the changed
    subject's total, rank, grade and indicator scores as the what-if gave
    them.  ``jixiao test`` on it passes while the rules give that result."""
    period = prepared.period
    programs = prepared.compilation.programs
    person = prepared.people is not None and any(r.subject == subject for r in prepared.people.rows)
    kinds: list[tuple[str, Dataset]] = [("sections", prepared.sections)]
    if prepared.people is not None:
        # A section's total moves its people's totals and ranks: they are listed too.
        kinds.append(("people", prepared.people))
    case: dict[str, object] = {"name": name}
    events: list[dict[str, object]] = []
    for key, dataset in kinds:
        program = programs["section" if key == "sections" else "person"]
        counted = [
            (n, f.name)
            for n, f in enumerate(program.inputs)
            if f.source is not None and f.kind != "events"
        ]
        # Items counted from the supervision table: occurrences in the test.
        tabled = [
            (n, f.name.removesuffix(".count"))
            for n, f in enumerate(program.inputs)
            if f.source is not None and f.kind == "events"
        ]
        listed: dict[str, dict[str, object]] = {}
        for row in dataset.rows:
            if row.period != str(period):
                continue
            found: dict[str, object] = {
                c: (v if v.strip() else None) for c, v in cells(tables, row.subject, period).items()
            }
            for position, column in counted:
                value = row.values[position]
                found[column] = None if value is None else str(value)
            if row.subject == subject:
                found.update({c: (v if v.strip() else None) for c, v in changes.items()})
            listed[row.subject] = found
            for position, item in tabled:
                occurrences = row.values[position]
                if isinstance(occurrences, Decimal) and occurrences:
                    events.append({"subject": row.subject, "item": item,
                                   "count": str(occurrences), "date": period.end.isoformat()})  # fmt: skip
            for event in row.events:
                if row.subject == subject and event.source in removed:
                    continue
                shown: dict[str, object] = {
                    "subject": event.subject, "item": event.item, "count": str(event.count),
                    "date": event.day.isoformat(),
                }  # fmt: skip
                if event.reason:
                    shown["reason"] = event.reason
                if event.points is not None:
                    shown["points"] = str(event.points)
                if event.lasts_text:
                    shown["lasts"] = event.lasts_text
                events.append(shown)
        case[key] = listed
    day = period.end.isoformat()
    for item, count, lasts in added:
        new: dict[str, object] = {"subject": subject, "item": item, "count": count, "date": day}
        if lasts.strip():
            new["lasts"] = lasts.strip()
        events.append(new)
    if events:
        case["events"] = events
    history = _past(prepared)
    if history:
        case["history"] = history
    everyone = (*changed_evaluation.sections, *changed_evaluation.people)
    result = next(r for r in everyone if r.id == subject)
    expect: dict[str, object] = {subject: _expected(result, True)}
    if not person:
        # The section's people: their totals, ranks, grades and consequences follow its total.
        organization = programs["section"].organization
        members = (
            {p.id for p in organization.people if p.section == subject} if organization else set()
        )
        for other in changed_evaluation.people:
            if other.id in members:
                expect[other.id] = _expected(other, False)
    case["expect"] = expect
    document = {"period": str(period), "cases": [case]}
    header = f"# {name}\n"
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)


def _expected(result: SubjectResult, scores: bool) -> dict[str, object]:
    """What a rule test expects of one subject: total, rank, grade, the
    links its results trigger and the consequences it receives (and, with
    ``scores``, every indicator's score)."""
    expected: dict[str, object] = {"total": str(result.total), "rank": result.rank}
    if result.grade is not None:
        expected["grade"] = result.grade
    if scores:
        for indicator in result.indicators:
            expected[indicator.id] = None if indicator.score is None else str(indicator.score)
    expected["links"] = sorted({c.link for c in result.consequences if c.source == result.id})
    expected["receives"] = sorted({c.link for c in result.consequences if c.target == result.id})
    return expected


def _past(prepared: Prepared) -> dict[str, dict[str, dict[str, object]]]:
    """The earlier years' results the rules' history links read (the same
    period of each year back they look), as the what-if read them (the
    store's published runs, or the data's published files): rank, count (of
    the subject's group), total, grade, vetoes and lasting sanctions."""
    history = prepared.history
    if history is None:
        return {}
    label = prepared.evaluation.label
    if not (len(label) >= 4 and label[:4].isdigit()):
        return {}
    years = {
        back
        for program in prepared.compilation.programs.values()
        for link in program.links
        if link.history_years is not None
        for back in range(1, link.history_years)
    }
    found: dict[str, dict[str, dict[str, object]]] = {}
    for back in sorted(years):
        earlier = f"{int(label[:4]) - back}{label[4:]}"
        for kind in prepared.compilation.programs:
            documents = history(earlier, kind) or []
            sizes: dict[object, int] = {}
            for document in documents:
                sizes[document.get("group", "")] = sizes.get(document.get("group", ""), 0) + 1
            for document in documents:
                past: dict[str, object] = {
                    "rank": document.get("rank"),
                    "count": document.get("count") or sizes[document.get("group", "")],
                    "total": None if document.get("total") is None else str(document["total"]),
                }
                if document.get("grade") is not None:
                    past["grade"] = document["grade"]
                for key in ("vetoes", "sanctions"):
                    value = document.get(key)
                    if isinstance(value, list) and value:
                        past[key] = [str(v) for v in value]
                found.setdefault(earlier, {})[str(document["id"])] = past
    return found
