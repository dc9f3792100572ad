"""Submissions: the values each assessing section (考评科室) sends in.

An assessing section owns the data columns of the indicators it assesses
(the ``assessor`` of an indicator; a column belongs to the indicators whose
lets and score read it).  ``submit`` reads its file with the same reader as
a data folder, restricted to those columns, so every problem is located the
same way; a column of another section's indicator is an error naming its
owner, and nothing is recorded unless the file is clean.  A correction is a
new submission: for each indicator, the latest submission holding it is the
one that counts (``latest``), so a section may send its indicators in
several files (a CSV holds one table) and correct one without resending the
rest; ``merged_tables`` joins the counted columns per subject into the wide
rows the evaluator reads, so evaluating from submissions is evaluating the
equivalent data folder.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from compiler import ir
from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic, UserError
from runtime.engine.run import Evaluation, evaluate_datasets
from runtime.inputs.data import (
    NAME_COLUMN,
    PERIOD_COLUMN,
    RUNTIME_KINDS,
    SUBJECT_COLUMN,
    Dataset,
    load_tables,
)
from runtime.inputs.events import EVENT_COLUMNS, is_event_table
from runtime.inputs.periods import Period, PeriodError, parse_month, period_of
from runtime.inputs.supervision import is_supervision_table
from runtime.inputs.tables import Table, TableError, read_tables
from runtime.store import Store, Submission
from semantics.calendar import parse_date

FIXED_COLUMNS = (PERIOD_COLUMN, SUBJECT_COLUMN, NAME_COLUMN)


def column_owners(program: ir.Program) -> dict[str, list[ir.Indicator]]:
    """Each data column and the indicators that read it (through their lets,
    values and applicability tests, transitively), in declaration order."""
    definitions = {d.slot: d for d in program.definitions}
    inputs = {f.slot: f for f in program.inputs if f.kind not in RUNTIME_KINDS}
    owners: dict[str, list[ir.Indicator]] = {}
    for indicator in program.indicators:
        seen: set[int] = set()
        stack = [*indicator.lets, indicator.score]
        while stack:
            slot = stack.pop()
            if slot in seen:
                continue
            seen.add(slot)
            if slot in inputs:
                found = owners.setdefault(inputs[slot].name, [])
                if indicator not in found:
                    found.append(indicator)
                continue
            definition = definitions.get(slot)
            if definition is None:
                continue
            for node in ir.walk(definition.expr):
                if isinstance(node, ir.Ref):
                    stack.append(node.slot)
                elif isinstance(node, ir.Applicable):
                    stack.extend(node.inputs)
    return owners


def assessors(compilation: Compilation) -> list[str]:
    """Every assessing section the rules name, in order of first mention."""
    found: list[str] = []
    for program in compilation.programs.values():
        for indicator in program.indicators:
            if indicator.assessor is not None and indicator.assessor not in found:
                found.append(indicator.assessor)
    return found


def supervision_keepers(compilation: Compilation) -> list[str]:
    """Who submits the supervision table (督办事项): the assessors of the
    indicators with inputs counted from it (``from: supervision.…``)."""
    found: list[str] = []
    for program in compilation.programs.values():
        sourced = {f.name for f in program.inputs if f.source is not None}
        for column, indicators in column_owners(program).items():
            if column not in sourced:
                continue
            for indicator in indicators:
                if indicator.assessor is not None and indicator.assessor not in found:
                    found.append(indicator.assessor)
    return found


@dataclass(frozen=True, slots=True)
class Checked:
    """What a clean submission holds."""

    indicators: list[str]
    subjects: list[str]
    warnings: list[Diagnostic]


def check_submission(
    compilation: Compilation, period: Period, assessor: str, path: Path, shown: str
) -> Checked:
    """Read ``path`` as ``assessor``'s submission for ``period``; every problem
    is raised together as a ``UserError`` (located at ``shown``)."""
    known = assessors(compilation)
    if assessor not in known:
        help_line = ("E0952.help", {"assessors": "、".join(known)})
        args = {"assessor": assessor}
        raise UserError([Diagnostic("E0952", args, None, location=shown, help=help_line)])
    try:
        tables = [_renamed(t, str(path), shown) for t in read_tables(path)]
    except TableError as error:
        raise UserError(
            [Diagnostic("E0902", {"path": shown, "problem": str(error)}, None, location=shown)]
        ) from None
    problems: list[Diagnostic] = []
    owners: dict[str, list[ir.Indicator]] = {}
    for program in compilation.programs.values():
        for column, found in column_owners(program).items():
            owners.setdefault(column, []).extend(found)
    owned = {c for c, found in owners.items() if any(i.assessor == assessor for i in found)}
    columns_seen: set[str] = set()
    keepers = supervision_keepers(compilation)
    for table in tables:
        header = {name for name in table.header if name}
        if is_supervision_table(list(header)):
            if assessor not in keepers:  # the office's record: one keeper submits it
                args = {"assessor": assessor, "keepers": "、".join(keepers) or "-"}
                where = f"{table.shown}:1"
                problems.append(Diagnostic("E0955", args, None, location=where))
            continue
        if is_event_table(dict.fromkeys(header, 0)):
            continue
        columns_seen |= header
        for column in table.header:
            found = owners.get(column, [])
            if found and column not in owned:
                column_args = {
                    "column": column, "indicator": found[0].id,
                    "owner": found[0].assessor or "-", "assessor": assessor,
                }  # fmt: skip
                where = f"{table.shown}:1 [{column}]"
                problems.append(Diagnostic("E0950", column_args, None, location=where))
    indicators = [
        i.id
        for program in compilation.programs.values()
        for i in program.indicators
        if i.assessor == assessor
        and any(i in found for c, found in owners.items() if c in columns_seen)
    ]
    subjects: list[str] = []
    annual = compilation.programs["section"].annual
    for table in tables:
        columns = {name: index for index, name in enumerate(table.header) if name}
        events = is_event_table(columns)
        if not events and PERIOD_COLUMN not in columns:
            continue
        column = EVENT_COLUMNS[0] if events else PERIOD_COLUMN  # an event: its date
        for number, cells in table.rows:
            index = columns[column]
            text = cells[index].strip() if index < len(cells) else ""
            other = _period_of(text, events, annual)
            if other is not None and other != period:
                where = f"{table.shown}:{number} [{column}]"
                row_args = {"row": number, "text": text, "period": str(period)}
                problems.append(Diagnostic("E0951", row_args, None, location=where))
            if SUBJECT_COLUMN in columns and columns[SUBJECT_COLUMN] < len(cells):
                subject = cells[columns[SUBJECT_COLUMN]].strip()
                if subject and subject not in subjects:
                    subjects.append(subject)
    if problems:
        raise UserError(problems)
    # Only the indicators the file holds are read: a correction may resend one
    # indicator alone, and one column of a held indicator is still required.
    held = {
        c for c, found in owners.items() if c in owned and any(i.id in indicators for i in found)
    }
    warnings: list[Diagnostic] = []
    for program in compilation.programs.values():
        restricted = dataclasses.replace(
            program,
            inputs=tuple(f for f in program.inputs if f.kind in RUNTIME_KINDS or f.name in held),
        )
        dataset = load_tables(restricted, tables, [period])
        # Events (and month rows) of a subject whose quarter row another section
        # submits are checked when the submissions are merged
        # (``evaluate --from-submissions``).
        problems.extend(d for d in dataset.diagnostics if d.code not in ("E0814", "E0828"))
        warnings.extend(dataset.warnings)
    if problems:
        raise UserError(problems)
    return Checked(indicators, subjects, _unique(warnings))


def _period_of(text: str, events: bool, annual: bool = False) -> Period | None:
    """The quarter a row belongs to (an event: its date's; a month row: its
    month's), or for annual rules the year, None if unreadable (the reader
    reports that)."""
    if events:
        day = parse_date(text)
        return None if day is None else period_of(day, annual)
    try:
        month = parse_month(text)  # a month row: its quarter
        if month is not None:
            return Period(month[0], (month[1] + 2) // 3)
        return Period.of_label(text) if annual else Period.parse(text)
    except PeriodError:
        return None


def _unique(found: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, str | None, str]] = set()
    kept = []
    for diagnostic in found:
        key = (diagnostic.code, diagnostic.location, repr(sorted(diagnostic.args.items())))
        if key not in seen:
            seen.add(key)
            kept.append(diagnostic)
    return kept


def _renamed(table: Table, path: str, shown: str) -> Table:
    return dataclasses.replace(table, shown=table.shown.replace(path, shown, 1))


def submit(
    store: Store,
    compilation: Compilation,
    period: Period,
    assessor: str,
    path: Path,
    at: str,
    by: str | None,
) -> tuple[Submission, list[Diagnostic]]:
    """Check ``path`` and record it as ``assessor``'s submission for ``period``;
    on any problem nothing is recorded (``UserError``)."""
    checked = check_submission(compilation, period, assessor, path, str(path))
    scheme = compilation.programs["section"].scheme
    submission = store.submit(
        scheme, str(period), assessor, at, by, path.name, path.read_bytes(),
        checked.indicators, checked.subjects,
    )  # fmt: skip
    return submission, checked.warnings


def latest(submissions: list[Submission]) -> dict[str, Submission]:
    """The submission that counts for each indicator (by id): the latest one
    holding it.  ``submissions`` come in the order they were submitted
    (``Store.submissions``), so a correction of one indicator replaces that
    indicator and nothing else.  (Item events: each assessor's latest event
    tables, see ``merged_tables``.)"""
    found: dict[str, Submission] = {}
    for submission in submissions:
        for indicator in submission.indicators:
            found[indicator] = submission
    return found


def _tables(store: Store, submission: Submission) -> list[Table]:
    """A stored submission's tables, named ``file (submission N)``."""
    shown = f"{submission.file_name} (submission {submission.id})"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / submission.file_name
        path.write_bytes(store.submitted_file(submission))
        return [_renamed(t, str(path), shown) for t in read_tables(path)]


def stored_tables(store: Store, submission: Submission) -> list[Table]:
    """A stored submission's tables as read at submission (the web workbench
    shows a submission's cells and where an input came from)."""
    return _tables(store, submission)


def merged_tables(
    compilation: Compilation, submissions: list[Submission], store: Store
) -> list[Table]:
    """The submissions as a data folder would hold them: one wide table for
    sections and one for people, each column taken from the latest submission
    that holds it (each subject's row joins every assessor's columns), and
    each assessor's latest event tables."""
    people: set[str] = set()
    person = compilation.programs.get("person")
    if person is not None and person.organization is not None:
        people = {p.id for p in person.organization.people}
    read = {s.id: _tables(store, s) for s in submissions}
    # The submission each column and each assessor's events come from: the latest.
    column_from: dict[str, int] = {}
    events_from: dict[str, int] = {}
    supervision_from: int | None = None  # the latest supervision table counts
    for submission in submissions:
        for table in read[submission.id]:
            names = [name for name in table.header if name]
            if is_supervision_table(names):
                supervision_from = submission.id
            elif is_event_table(dict.fromkeys(names, 0)):
                events_from[submission.assessor] = submission.id
            else:
                for name in names:
                    if name not in FIXED_COLUMNS:
                        column_from[name] = submission.id
    wide: dict[str, dict[tuple[str, str], dict[str, str]]] = {"section": {}, "person": {}}
    headers: dict[str, list[str]] = {"section": [], "person": []}
    events: list[Table] = []
    for submission in submissions:
        for table in read[submission.id]:
            columns = {name: index for index, name in enumerate(table.header) if name}
            if is_supervision_table(list(columns)):
                if supervision_from == submission.id:
                    events.append(table)
                continue
            if is_event_table(columns):
                if events_from[submission.assessor] == submission.id:
                    events.append(table)
                continue
            if PERIOD_COLUMN not in columns or SUBJECT_COLUMN not in columns:
                continue
            mine = [
                c for c in columns if c not in FIXED_COLUMNS and column_from[c] == submission.id
            ]
            for _, cells in table.rows:
                cells = cells + [""] * (len(table.header) - len(cells))
                subject = cells[columns[SUBJECT_COLUMN]].strip()
                kind = "person" if subject in people else "section"
                key = (cells[columns[PERIOD_COLUMN]].strip(), subject)
                row = wide[kind].setdefault(key, {})
                if NAME_COLUMN in columns:
                    row.setdefault(NAME_COLUMN, cells[columns[NAME_COLUMN]])
                for name in mine:
                    row[name] = cells[columns[name]]
                    if name not in headers[kind]:
                        headers[kind].append(name)
    tables: list[Table] = []
    for kind, label in (("section", "sections"), ("person", "people")):
        if not wide[kind]:
            continue
        header = [*FIXED_COLUMNS, *headers[kind]]
        rows = [
            (number, [period, subject, *(values.get(c, "") for c in header[2:])])
            for number, ((period, subject), values) in enumerate(wide[kind].items(), start=2)
        ]
        tables.append(Table(f"submissions ({label})", header, rows))
    return tables + events


def submitted_tables(
    compilation: Compilation,
    store: Store,
    period: Period,
    change: Callable[[list[Table]], list[Table]] | None = None,
) -> list[Table]:
    """The period's latest accepted submissions merged into the tables
    ``evaluate --from-submissions`` reads (E0953: none; E0954: a required
    column no one sent), ``change`` applied first."""
    where = f"{store.path} ({period})"
    program = compilation.programs["section"]
    submissions = store.submissions(program.scheme, str(period))
    if not submissions:
        raise UserError([Diagnostic("E0953", {"period": str(period)}, None, location=where)])
    tables = merged_tables(compilation, submissions, store)
    if change is not None:
        tables = change(tables)
    owed = _owed(compilation, tables, period, where)
    if owed:
        raise UserError(owed)
    return tables


def _owed(
    compilation: Compilation, tables: list[Table], period: Period, where: str
) -> list[Diagnostic]:
    """A required column no submission holds, named with the section that owes
    it (E0954), rather than as an empty cell of every merged row."""
    present = {name for table in tables for name in table.header}
    found: list[Diagnostic] = []
    for program in compilation.programs.values():
        required = {f.name for f in program.inputs if f.missing == "error"}
        for column, indicators in column_owners(program).items():
            owing = [i for i in indicators if i.scored_in(period.end)]
            if column in present or column not in required or not owing:
                continue
            args = {
                "assessor": owing[0].assessor or "-", "indicator": owing[0].id,
                "column": column, "period": str(period),
            }  # fmt: skip
            found.append(Diagnostic("E0954", args, None, location=where, help=("E0954.help", {})))
    return found


def evaluate_submissions(
    compilation: Compilation,
    store: Store,
    period: Period,
    label: str | None,
    change: Callable[[list[Table]], list[Table]] | None = None,
) -> Evaluation:
    """Evaluate ``period`` from the latest accepted submissions (``change``:
    a what-if's edit of the merged tables before they are read)."""
    program = compilation.programs["section"]
    where = f"{store.path} ({period})"
    tables = submitted_tables(compilation, store, period, change)
    sections = load_tables(program, tables, [period])
    people: Dataset | None = None
    problems = list(sections.diagnostics)
    if "person" in compilation.programs:
        people = load_tables(compilation.programs["person"], tables, [period])
        problems.extend(people.diagnostics)
    if problems:
        raise UserError(problems)
    history = store.history(program.scheme)
    return evaluate_datasets(compilation, sections, people, [period], where, label, history)
