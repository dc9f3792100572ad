"""What the workbench does, without HTTP: the same tool calls the CLI makes.

One ``Workbench`` per server: the rules compiled once at start, the store
opened per request (SQLite connections stay in their thread), evaluations
cached per period and per state of their inputs (the submissions on record,
or the data files' sizes and times) so that browsing a quarter does not
re-evaluate it on every page.  Results come from a data folder when the
server was given one (as ``jixiao evaluate --data`` with the store's
history), else from the period's submissions (as ``evaluate
--from-submissions``).  Who may see what is decided here too (``may_see``),
so pages and API share one rule.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from compiler import ir
from compiler.pipeline import Compilation, compile_rules
from dsl.diagnostics import Diagnostic, Lang, UserError
from dsl.gitsource import GitSource, RevisionError, open_source, parse_spec
from runtime.engine.links import History
from runtime.engine.results import SubjectResult
from runtime.engine.run import Evaluation
from runtime.inputs.data import PERIOD_COLUMN, SUBJECT_COLUMN
from runtime.inputs.events import Event
from runtime.inputs.periods import Period, PeriodError
from runtime.inputs.tables import data_files, read_tables
from runtime.render.forms import form_file_name, form_xlsx
from runtime.render.results import to_json
from runtime.store import Account, Run, Store, StoreError, Submission, rules_commit
from runtime.tools.explain import Node, explain_tree
from runtime.tools.forms import build_form
from runtime.tools.runs import record_run, with_bundled
from runtime.tools.status import Status, period_status
from runtime.tools.submissions import (
    assessors,
    merged_tables,
    stored_tables,
    submit,
    submitted_tables,
)
from runtime.tools.what_if import (
    Added,
    Prepared,
    data_reader,
    data_tables,
    rule_test,
    tables_reader,
    write_csv,
)
from runtime.tools.what_if import cells as subject_cells
from runtime.web.trials import Trials, Watch

# An uploaded file's name as kept: its last part only, nothing but letters
# (any script), digits and ``._-`` (no path, no separators, no ``..``).
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
T = TypeVar("T")
MEMO_SIZE = 512  # remembered fragments and trees before all are dropped
WHAT_IF_MEMORY = 64  # scenarios remembered (the least recently asked dropped first)
UPLOAD_SUFFIXES = (".csv", ".xlsx")
MAX_UPLOAD = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Config:
    rules: str
    store: str
    data: str | None
    lang: Lang


@dataclass(frozen=True, slots=True)
class Cell:
    """Where an input value of a subject came from: the file (and the
    submission, when evaluating from submissions), its row and column, and
    the whole row as read."""

    subject: str
    column: str
    value: str
    file: str
    row: int
    header: tuple[str, ...]
    cells: tuple[str, ...]
    submission: Submission | None


@dataclass(frozen=True, slots=True)
class Point:
    """A subject's result in one quarter, for its trend."""

    total: str
    rank: int
    grade: str | None
    published: bool  # read from the published run (not evaluated now)


def occurrences(asked: list[str] | None, lasts: str = "") -> list[Added]:
    """``ITEM``, ``ITEM:COUNT`` or ``ITEM:COUNT:DURATION`` as (item, count,
    duration); ``lasts`` is the duration of those that give none (the
    page's duration field beside the item it adds)."""
    found: list[Added] = []
    for text in asked or []:
        item, _, rest = text.partition(":")
        count, said, duration = rest.partition(":")
        if item.strip():
            found.append((item.strip(), count.strip() or "1",
                          duration.strip() if said else lasts.strip()))  # fmt: skip
    return found


def safe_file_name(name: str) -> str:
    """An uploaded file's name reduced to one harmless part (``../../x.csv``
    becomes ``x.csv``); empty when nothing usable is left."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", last).strip("._")
    return cleaned[:100]


class Workbench:
    def __init__(self, config: Config) -> None:
        self.config = config
        try:
            spec = parse_spec(config.rules)
            source = open_source(spec)
        except RevisionError as error:
            args = {"spec": config.rules, "problem": error.problem}
            raise UserError([Diagnostic("E0908", args, None, location=config.rules)]) from None
        compilation = compile_rules(source, spec.as_of)
        if not compilation.ok:
            raise UserError(compilation.diagnostics)
        self.compilation: Compilation = compilation
        self.commit = source.commit if isinstance(source, GitSource) else rules_commit(spec.path)
        self.section_program: ir.Program = compilation.programs["section"]
        self.person_program: ir.Program | None = compilation.programs.get("person")
        organization = self.section_program.organization
        self.organization = organization
        self.people_sections = (
            {p.id: p.section for p in organization.people} if organization else {}
        )
        self.assessors = assessors(compilation)
        self._cache: dict[tuple[str, str], Prepared | UserError] = {}
        self._documents: dict[int, tuple[Evaluation, dict[str, object]]] = {}
        self._lock = threading.Lock()
        self._stores = threading.local()
        self._evaluating = threading.Lock()
        self._memo: dict[tuple[object, ...], tuple[object, object]] = {}
        # Asked what-ifs, with the prepared period each was made from: few, as
        # each holds an evaluation (what the collector walks on a full pass).
        self._what_ifs: OrderedDict[tuple[object, ...], tuple[Prepared, Evaluation]] = OrderedDict()
        # ``jixiao serve`` sets it: the heap settled after each period is
        # prepared (``settle_heap``); tests and other callers leave it alone.
        self.settling = False
        self.watch = Watch(config.rules)
        self.trials = Trials(
            config.rules, self._folder, self.section_program.year, self._data_state,
            self.watch.state,
        )  # fmt: skip

    # -- remembered answers ------------------------------------------------------

    def remember(self, key: tuple[object, ...], anchor: object, make: Callable[[], T]) -> T:
        """``make()``, remembered under ``key`` while ``anchor`` (the prepared
        period or the evaluation it was made from) is the one in use: a new
        state of the inputs makes a new anchor, so nothing stale is served.
        What pages render again and again from an unchanged evaluation (the
        results table, a derivation tree, a what-if asked before) is made
        once; the memo is bounded (dropped whole when full)."""
        with self._lock:
            found = self._memo.get(key)
            if found is not None and found[0] is anchor:
                return found[1]  # type: ignore[return-value]
        value = make()
        with self._lock:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = (anchor, value)
        return value

    # -- the store -------------------------------------------------------------

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The store, opened once per thread and kept (SQLite connections
        stay in their thread; opening one checks the schema, which costs
        more than most requests)."""
        store: Store | None = getattr(self._stores, "store", None)
        if store is None:
            store = Store(self.config.store)
            self._stores.store = store
        yield store

    # -- periods ---------------------------------------------------------------

    def periods(self) -> list[Period]:
        return [Period(self.section_program.year, q) for q in (1, 2, 3, 4)]

    def period(self, text: str) -> Period | None:
        """A period of the rules' year named in a URL, else None."""
        try:
            period = Period.parse(text)
        except PeriodError:
            return None
        return period if period.year == self.section_program.year else None

    def default_period(self) -> Period:
        """The latest quarter with something to show: submissions, else data."""
        with self.store() as store:
            for period in reversed(self.periods()):
                if store.submissions(self.section_program.scheme, str(period)):
                    return period
        if self.config.data:
            for period in reversed(self.periods()):
                if not isinstance(self._evaluated(period), UserError):
                    return period
        return self.periods()[-1]

    # -- evaluation ------------------------------------------------------------

    def _inputs_key(self, period: Period) -> str:
        """What the period's evaluation depends on besides the rules: the data
        files' names, sizes and times (or the submissions on record), and the
        runs on record (a result link reads earlier published results)."""
        with self.store() as store:
            runs = store.connection.execute("SELECT count(*), max(id) FROM runs").fetchone()
            if self.config.data:
                files = data_files(Path(self.config.data))
                found: list[object] = [
                    (f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files
                ]
            else:
                found = [s.id for s in store.submissions(self.section_program.scheme, str(period))]
        return json.dumps([found, list(runs)])

    def _data_state(self) -> str:
        """The data folder's files by name, size and time, or the submissions
        on record (what a dry-run read)."""
        if not self.config.data:
            with self.store() as store:
                scheme = self.section_program.scheme
                return json.dumps(
                    [[s.id for s in store.submissions(scheme, str(p))] for p in self.periods()]
                )
        files = data_files(Path(self.config.data))
        return json.dumps([(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files])

    @contextmanager
    def _folder(self, periods: list[Period]) -> Iterator[str]:
        """A data folder holding ``periods``: the server's, else the periods'
        merged submissions written out as CSV tables into a temporary one
        (E0953 for a period without submissions)."""
        if self.config.data:
            yield self.config.data
            return
        with tempfile.TemporaryDirectory(prefix="jixiao-dry-run-") as folder:
            with self.store() as store:
                for period in periods:
                    tables = submitted_tables(self.compilation, store, period)
                    for number, table in enumerate(tables, start=1):
                        write_csv(table, Path(folder) / f"{period}-{number}.csv")
            yield folder

    def _history(self) -> History:
        """Earlier published results, read from the store (a connection of
        its own per lookup: what-ifs run in any thread) and remembered for
        the evaluation's life."""
        scheme = self.section_program.scheme

        def lookup(label: str, kind: str) -> list[dict[str, object]] | None:
            with self.store() as store:
                return store.history(scheme)(label, kind)

        found = _remembered(lookup)
        assert found is not None
        return found

    def _prepared(self, period: Period) -> Prepared | UserError:
        """The period read and evaluated, once per state of its inputs."""
        key = (str(period), self._inputs_key(period))
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        # One evaluation at a time: requests arriving together for a period
        # not yet evaluated wait for the first one's instead of each making its own.
        with self._evaluating:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            return self._prepare(period, key)

    def _prepare(self, period: Period, key: tuple[str, str]) -> Prepared | UserError:
        try:
            stored = self._history()
            if self.config.data:
                data = self.config.data
                scheme = self.section_program.scheme
                history = _remembered(with_bundled(stored, data, scheme))
                read = data_reader(self.compilation, data, period)
                found: Prepared | UserError = Prepared.of(
                    self.compilation, period, data, read, history
                )
            else:
                with self.store() as store:
                    tables = submitted_tables(self.compilation, store, period)
                read = tables_reader(self.compilation, tables, period)
                where = f"{self.config.store} ({period})"
                found = Prepared.of(self.compilation, period, where, read, stored)
        except UserError as error:
            found = error
        with self._lock:
            stale = [v for k, v in self._cache.items() if k[0] == key[0]]
            gone = {id(v) for v in stale} | {
                id(v.evaluation) for v in stale if isinstance(v, Prepared)
            }
            self._cache = {k: v for k, v in self._cache.items() if k[0] != key[0]}
            self._cache[key] = found
            # What was remembered from the period's former inputs goes with them.
            self._memo = {k: v for k, v in self._memo.items() if id(v[0]) not in gone}
            self._what_ifs = OrderedDict(
                (k, v) for k, v in self._what_ifs.items() if id(v[0]) not in gone
            )
        if self.settling:
            settle_heap()
        return found

    def _evaluated(self, period: Period) -> Evaluation | UserError:
        found = self._prepared(period)
        return found if isinstance(found, UserError) else found.evaluation

    def period_document(self, period: Period) -> dict[str, object]:
        """``document`` of the period's evaluation, made once per evaluation
        (a what-if compares against it on every request)."""
        evaluation = self.evaluate(period)
        with self._lock:
            found = self._documents.get(id(evaluation))
            if found is not None and found[0] is evaluation:
                return found[1]
        document = self.document(evaluation)
        with self._lock:
            live = {id(v.evaluation) for v in self._cache.values() if isinstance(v, Prepared)}
            self._documents = {k: v for k, v in self._documents.items() if k in live}
            self._documents[id(evaluation)] = (evaluation, document)
        return document

    def evaluate(self, period: Period) -> Evaluation:
        """The period's results (``UserError`` with located problems when its
        data or submissions cannot be evaluated yet)."""
        found = self._evaluated(period)
        if isinstance(found, UserError):
            raise found
        return found

    def document(self, evaluation: Evaluation) -> dict[str, object]:
        """The results as ``jixiao evaluate --format json`` prints them."""
        text = to_json(
            self.section_program, self.person_program, evaluation.label, evaluation.digest,
            evaluation.sections, evaluation.people,
        )  # fmt: skip
        document: dict[str, object] = json.loads(text)
        return document

    def find(self, evaluation: Evaluation, subject: str) -> tuple[ir.Program, SubjectResult]:
        for result in evaluation.sections:
            if result.id == subject:
                return self.section_program, result
        if self.person_program is not None:
            for result in evaluation.people:
                if result.id == subject:
                    return self.person_program, result
        raise KeyError(subject)

    def explanation(
        self, evaluation: Evaluation, subject: str, indicator: str | None, lang: Lang
    ) -> Node:
        def make() -> Node:
            program, result = self.find(evaluation, subject)
            return explain_tree(program, result, lang, indicator)

        key = ("explanation", id(evaluation), subject, indicator, lang)
        return self.remember(key, evaluation, make)

    def trend(self, subject: str) -> list[tuple[Period, Point | None]]:
        """The subject's total, rank and grade in each quarter of the year: as
        evaluated now, else as published (a quarter published from data the
        workbench does not read), else None."""
        found: list[tuple[Period, Point | None]] = []
        for period in self.periods():
            evaluated = self._evaluated(period)
            point = None
            if not isinstance(evaluated, UserError):
                try:
                    result = self.find(evaluated, subject)[1]
                except KeyError:
                    pass
                else:
                    point = Point(str(result.total), result.rank, result.grade, False)
            if point is None:
                point = self._published_point(period, subject)
            found.append((period, point))
        return found

    def _published_point(self, period: Period, subject: str) -> Point | None:
        with self.store() as store:
            run = store.published(self.section_program.scheme, str(period))
            documents = store.results(run.id) if run is not None else []
        for document in documents:
            if document.get("id") == subject:
                rank, grade = document.get("rank"), document.get("grade")
                return Point(
                    str(document.get("total")), int(rank) if isinstance(rank, int) else 0,
                    None if grade is None else str(grade), True,
                )  # fmt: skip
        return None

    # -- what-if ---------------------------------------------------------------

    def current_cells(self, period: Period, subject: str) -> dict[str, str]:
        """The subject's data cells as the period's evaluation reads them
        (remembered while the period's inputs are unchanged)."""
        found = self._prepared(period)
        if isinstance(found, UserError):
            return self._current_cells(period, subject)
        key = ("cells", str(period), subject)
        return dict(self.remember(key, found, lambda: self._current_cells(period, subject)))

    def _current_cells(self, period: Period, subject: str) -> dict[str, str]:
        if self.config.data:
            return subject_cells(data_tables(self.config.data), subject, period)
        with self.store() as store:
            found = store.submissions(self.section_program.scheme, str(period))
            tables = merged_tables(self.compilation, found, store) if found else []
        return subject_cells(tables, subject, period)

    def what_if(
        self,
        period: Period,
        subject: str,
        changes: dict[str, str],
        added: Sequence[Added] = (),
        removed: Collection[str] = (),
    ) -> Evaluation:
        """The period evaluated with the subject's cells changed; nothing is
        written (``UserError``: a column the subject has not, a bad cell).
        Only the subject is read and evaluated again; ranks and grades are
        recomputed over everyone (``what_if.Prepared``)."""
        found = self._prepared(period)
        if isinstance(found, UserError):
            raise found
        prepared = found
        # The same scenario asked again (a shared link, the page and its
        # rule test, the API after the page) is answered from memory.
        key = (
            str(period), subject, tuple(sorted(changes.items())), tuple(added),
            tuple(sorted(removed)),
        )  # fmt: skip
        with self._lock:
            known = self._what_ifs.get(key)
            if known is not None and known[0] is prepared:
                self._what_ifs.move_to_end(key)
                return known[1]
        evaluation = prepared.what_if(subject, changes, added, removed)
        with self._lock:
            self._what_ifs[key] = (prepared, evaluation)
            self._what_ifs.move_to_end(key)
            while len(self._what_ifs) > WHAT_IF_MEMORY:
                self._what_ifs.popitem(last=False)
        return evaluation

    def events_of(self, period: Period, subject: str) -> list[Event]:
        """The subject's item occurrences in the period, as read."""
        found = self._prepared(period)
        if isinstance(found, UserError):
            return []
        rows = found.sections.rows + (found.people.rows if found.people is not None else [])
        return [e for row in rows if row.subject == subject for e in row.events]

    def rule_test(
        self,
        period: Period,
        subject: str,
        changes: dict[str, str],
        name: str,
        added: Sequence[Added] = (),
        removed: Collection[str] = (),
    ) -> str:
        """The what-if as a rule test file ``jixiao test`` runs (``what_if.rule_test``)."""
        found = self._prepared(period)
        if isinstance(found, UserError):
            raise found
        changed = self.what_if(period, subject, changes, added, removed)
        if self.config.data:
            tables = data_tables(self.config.data)
        else:
            with self.store() as store:
                tables = submitted_tables(self.compilation, store, period)
        return rule_test(found, tables, subject, changes, changed, name, added, removed)

    # -- who may see what ----------------------------------------------------------

    def section_of(self, subject: str) -> str | None:
        """The section a subject belongs to: itself, or a person's section."""
        if self.organization is not None and self.organization.section(subject) is not None:
            return subject
        return self.people_sections.get(subject)

    def may_see(self, account: Account, subject: str) -> bool:
        if account.role in ("office", "leader"):
            return True
        return account.section is not None and self.section_of(subject) == account.section

    def assessor_of(self, account: Account) -> str | None:
        """The assessing section a liaison submits for: their section's name."""
        if account.section is None or self.organization is None:
            return None
        section = self.organization.section(account.section)
        return None if section is None else section.name

    def may_submit_for(self, account: Account, assessor: str) -> bool:
        if account.role == "office":
            return True
        return account.role == "liaison" and self.assessor_of(account) == assessor

    def may_read_submission(self, account: Account, submission: Submission) -> bool:
        """The office and leadership read every submission; a liaison their section's."""
        if account.role in ("office", "leader"):
            return True
        return self.may_submit_for(account, submission.assessor)

    # -- submissions -------------------------------------------------------------

    def form(self, period: Period, assessor: str, lang: Lang, send_to: str) -> tuple[str, bytes]:
        form = build_form(self.compilation, period, assessor)
        return form_file_name(assessor, period), form_xlsx(form, lang, send_to)

    def submit(
        self, period: Period, assessor: str, name: str, content: bytes, at: str, by: str
    ) -> tuple[Submission, list[Diagnostic]]:
        """Check and record an uploaded file, as ``jixiao submit``: the file is
        written under its cleaned name into a fresh temporary folder (never
        the store's folder or anywhere a name could point), read, and removed."""
        cleaned = safe_file_name(name)
        if not cleaned.lower().endswith(UPLOAD_SUFFIXES):
            args = {"name": name, "suffixes": "、".join(UPLOAD_SUFFIXES)}
            raise UserError([Diagnostic("E1106", args, None, location=cleaned or "-")])
        with tempfile.TemporaryDirectory(prefix="jixiao-upload-") as folder:
            path = Path(folder) / cleaned
            path.write_bytes(content)
            with self.store() as store:
                try:
                    return submit(store, self.compilation, period, assessor, path, at, by)
                except StoreError as error:
                    where = self.config.store
                    raise UserError(
                        [Diagnostic(error.code, error.args_, None, location=where)]
                    ) from None
                except UserError as error:
                    raise UserError(
                        [_shown(d, folder, cleaned) for d in error.diagnostics]
                    ) from None

    def submission(self, ident: int) -> Submission | None:
        with self.store() as store:
            for period in self.periods():
                for found in store.submissions(self.section_program.scheme, str(period)):
                    if found.id == ident:
                        return found
        return None

    def submission_tables(
        self, submission: Submission
    ) -> list[tuple[str, list[str], list[tuple[int, list[str]]]]]:
        with self.store() as store:
            tables = stored_tables(store, submission)
        return [(t.shown, list(t.header), [(n, list(c)) for n, c in t.rows]) for t in tables]

    def status(self, period: Period) -> Status:
        """The period's submission status as of today (a window closed with
        nothing sent in is overdue)."""
        with self.store() as store:
            return period_status(self.compilation, store, period, datetime.now(UTC).date())

    def published(self, period: Period) -> Run | None:
        with self.store() as store:
            return store.published(self.section_program.scheme, str(period))

    def publish(self, period: Period) -> int:
        """Record the period's results as its published run (immutable), as
        ``evaluate --from-submissions --publish`` (or ``--data --publish``)."""
        evaluation = self.evaluate(period)
        document = self.document(evaluation)
        try:
            with self.store() as store:
                if self.config.data:
                    record_run(store, document, self.commit, self.config.data, True)
                    found_run = store.published(self.section_program.scheme, str(period))
                    assert found_run is not None
                    return found_run.id
                found = store.submissions(self.section_program.scheme, str(period))
                return store.record_from_submissions(document, self.commit, found, True)
        except StoreError as error:
            where = self.config.store
            raise UserError([Diagnostic(error.code, error.args_, None, location=where)]) from None

    # -- where a value came from -------------------------------------------------

    def cell(self, period: Period, subject: str, column: str) -> Cell | None:
        """The data cell a subject's input was read from: in the latest
        submission holding the column (evaluating from submissions) or in the
        data folder's file the result names."""
        if self.config.data:
            evaluation = self.evaluate(period)
            try:
                _, result = self.find(evaluation, subject)
            except KeyError:
                return None
            file, _, row = result.source.rpartition(":")
            if not row.isdigit():
                return None
            for table in read_tables(Path(file)):
                found = _row_cell(table.shown, table.header, table.rows, int(row), column)
                if found is not None:
                    return Cell(subject, column, *found, None)
            return None
        with self.store() as store:
            submissions = store.submissions(self.section_program.scheme, str(period))
            for submission in reversed(submissions):
                for table in stored_tables(store, submission):
                    if column not in table.header or SUBJECT_COLUMN not in table.header:
                        continue
                    at = table.header.index(SUBJECT_COLUMN)
                    when = (
                        table.header.index(PERIOD_COLUMN) if PERIOD_COLUMN in table.header else None
                    )
                    for number, cells in table.rows:
                        if (
                            at < len(cells)
                            and cells[at].strip() == subject
                            and (
                                when is None
                                or (when < len(cells) and cells[when].strip() == str(period))
                            )
                        ):
                            found = _row_cell(table.shown, table.header, table.rows, number, column)
                            if found is not None:
                                return Cell(subject, column, *found, submission)
        return None


def settle_heap() -> None:
    """What is in memory now (the compiled rules, the prepared periods) is
    kept a long time: collected once, then frozen (``gc.freeze``), so the
    collector's full passes while serving walk only what requests made
    since.  A full pass over the whole heap took 70–150 ms, a pause that
    every request in flight waited through (the what-if's p95 under load).
    What was frozen before is unfrozen first, so a period prepared again
    does not keep its former preparation's cycles alive."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _remembered(history: History | None) -> History | None:
    """``history`` asked once per period and kind (an evaluation's life)."""
    if history is None:
        return None
    known: dict[tuple[str, str], Sequence[Mapping[str, object]] | None] = {}

    def lookup(label: str, kind: str) -> Sequence[Mapping[str, object]] | None:
        if (label, kind) not in known:
            known[(label, kind)] = history(label, kind)
        return known[(label, kind)]

    return lookup


def _row_cell(
    shown: str, header: list[str], rows: list[tuple[int, list[str]]], number: int, column: str
) -> tuple[str, str, int, tuple[str, ...], tuple[str, ...]] | None:
    if column not in header:
        return None
    for row, cells in rows:
        if row == number:
            index = header.index(column)
            value = cells[index] if index < len(cells) else ""
            return value, shown, row, tuple(header), tuple(cells)
    return None


def _shown(diagnostic: Diagnostic, folder: str, name: str) -> Diagnostic:
    """A problem located in the uploaded file, named as the user named it
    (not by the temporary folder it was read from)."""

    def fixed(text: str) -> str:
        return text.replace(str(Path(folder) / name), name).replace(folder + "/", "")

    args = {k: fixed(v) if isinstance(v, str) else v for k, v in diagnostic.args.items()}
    location = None if diagnostic.location is None else fixed(diagnostic.location)
    return dataclasses.replace(diagnostic, args=args, location=location)
