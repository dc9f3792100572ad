"""The results store: every recorded evaluation run and the data it read, in an
embedded SQLite file.

SQLite because it ships with Python (nothing to install or run), keeps the
whole store in one file that can be copied and archived with the quarter, and
enforces immutability inside the database itself: triggers refuse to update
or delete a published run or any of its results, whoever connects (and the
same for submissions, issued warnings and their signatures).  A run
records the rule-set digest (and git commit when the rules are in a
repository), the digest of the data it read, and every subject's result as
the JSON the ``evaluate`` command prints.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from runtime.inputs.tables import data_files

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    scheme TEXT NOT NULL,
    version TEXT NOT NULL,
    rules_digest TEXT NOT NULL,
    rules_commit TEXT,
    input_digest TEXT NOT NULL,
    published INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1))
);
CREATE TABLE IF NOT EXISTS results (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,
    total TEXT NOT NULL,
    rank INTEGER NOT NULL,
    grade TEXT,
    document TEXT NOT NULL,
    PRIMARY KEY (run_id, kind, subject)
);
CREATE TABLE IF NOT EXISTS data_files (
    digest TEXT PRIMARY KEY,
    content BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS run_data (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    name TEXT NOT NULL,
    digest TEXT NOT NULL REFERENCES data_files(digest),
    PRIMARY KEY (run_id, name)
);
CREATE TRIGGER IF NOT EXISTS published_data_is_kept
    BEFORE DELETE ON run_data
    WHEN (SELECT published FROM runs WHERE id = OLD.run_id) = 1
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS stored_data_is_immutable
    BEFORE UPDATE ON data_files
    BEGIN SELECT RAISE(ABORT, 'stored data files are immutable'); END;
CREATE UNIQUE INDEX IF NOT EXISTS one_published_run_per_label
    ON runs(scheme, label) WHERE published = 1;
CREATE TRIGGER IF NOT EXISTS published_run_is_immutable
    BEFORE UPDATE ON runs WHEN OLD.published = 1
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS published_run_is_kept
    BEFORE DELETE ON runs WHEN OLD.published = 1
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS published_results_are_immutable
    BEFORE UPDATE ON results
    WHEN (SELECT published FROM runs WHERE id = OLD.run_id) = 1
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS published_results_are_kept
    BEFORE DELETE ON results
    WHEN (SELECT published FROM runs WHERE id = OLD.run_id) = 1
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS published_results_are_complete
    BEFORE INSERT ON results
    WHEN (SELECT published FROM runs WHERE id = NEW.run_id) = 1
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
-- REPLACE and UPDATE OR REPLACE delete a conflicting row without firing
-- delete triggers, so every statement that could land on a published run's
-- key is refused before it runs: runs are born unpublished (publishing is
-- an UPDATE of an unpublished run), and no insert or update may take the
-- key of a published run, its results or its data.
CREATE TRIGGER IF NOT EXISTS runs_are_born_unpublished
    BEFORE INSERT ON runs WHEN NEW.published <> 0
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS published_run_is_not_replaced
    BEFORE INSERT ON runs
    WHEN (SELECT published FROM runs WHERE id = NEW.id) = 1
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS published_run_is_not_overwritten
    BEFORE UPDATE ON runs
    WHEN NEW.id <> OLD.id AND (SELECT published FROM runs WHERE id = NEW.id) = 1
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS published_results_are_not_overwritten
    BEFORE UPDATE ON results
    WHEN (SELECT published FROM runs WHERE id = NEW.run_id) = 1
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS published_data_is_complete
    BEFORE INSERT ON run_data
    WHEN (SELECT published FROM runs WHERE id = NEW.run_id) = 1
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS published_data_is_unchanged
    BEFORE UPDATE ON run_data
    WHEN (SELECT published FROM runs WHERE id = OLD.run_id) = 1
      OR (SELECT published FROM runs WHERE id = NEW.run_id) = 1
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS stored_data_is_not_replaced
    BEFORE INSERT ON data_files
    WHEN EXISTS (SELECT 1 FROM data_files WHERE digest = NEW.digest AND content <> NEW.content)
    BEGIN SELECT RAISE(ABORT, 'stored data files are immutable'); END;
CREATE TRIGGER IF NOT EXISTS published_data_files_are_kept
    BEFORE DELETE ON data_files
    WHEN EXISTS (
        SELECT 1 FROM run_data JOIN runs ON runs.id = run_data.run_id
        WHERE run_data.digest = OLD.digest AND runs.published = 1
    )
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
-- What a published run was, sealed when it is published: the digest of its
-- results, so that `jixiao runs --verify` can tell any later change.
CREATE TABLE IF NOT EXISTS seals (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id),
    results_digest TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS seals_are_kept
    BEFORE DELETE ON seals
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS seals_are_unchanged
    BEFORE UPDATE ON seals
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
CREATE TRIGGER IF NOT EXISTS seals_are_not_replaced
    BEFORE INSERT ON seals
    WHEN EXISTS (SELECT 1 FROM seals WHERE run_id = NEW.run_id)
      OR NOT EXISTS (SELECT 1 FROM runs WHERE id = NEW.run_id AND published = 0)
    BEGIN SELECT RAISE(ABORT, 'published run is immutable'); END;
-- Submissions: the values an assessing section sent in for a period, kept
-- like published runs.  A correction is a new submission, never an edit:
-- no row is updated, deleted or replaced, and a file a submission holds is
-- never deleted.
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    scheme TEXT NOT NULL,
    period TEXT NOT NULL,
    assessor TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT,
    file_name TEXT NOT NULL,
    digest TEXT NOT NULL REFERENCES data_files(digest),
    indicators TEXT NOT NULL,
    subjects TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS submissions_are_unchanged
    BEFORE UPDATE ON submissions
    BEGIN SELECT RAISE(ABORT, 'submissions are immutable'); END;
CREATE TRIGGER IF NOT EXISTS submissions_are_kept
    BEFORE DELETE ON submissions
    BEGIN SELECT RAISE(ABORT, 'submissions are immutable'); END;
CREATE TRIGGER IF NOT EXISTS submissions_are_not_replaced
    BEFORE INSERT ON submissions
    WHEN EXISTS (SELECT 1 FROM submissions WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'submissions are immutable'); END;
CREATE TRIGGER IF NOT EXISTS submitted_files_are_kept
    BEFORE DELETE ON data_files
    WHEN EXISTS (SELECT 1 FROM submissions WHERE digest = OLD.digest)
    BEGIN SELECT RAISE(ABORT, 'submissions are immutable'); END;
-- Warnings issued: one row per table sent to one section (first: the month's
-- table, the head signs; second: the reminder, the liaison signs), its rows as
-- JSON; and their signatures.  Records, never edited or deleted; a signature
-- is a new row.
CREATE TABLE IF NOT EXISTS warnings (
    id INTEGER PRIMARY KEY,
    scheme TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('first', 'second')),
    month TEXT NOT NULL,
    section TEXT NOT NULL,
    section_name TEXT NOT NULL,
    signer TEXT,
    items TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    issued_by TEXT,
    UNIQUE (scheme, kind, month, section)
);
CREATE TABLE IF NOT EXISTS warning_signatures (
    id INTEGER PRIMARY KEY,
    warning_id INTEGER NOT NULL UNIQUE REFERENCES warnings(id),
    signed_by TEXT NOT NULL,
    signed_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS warnings_are_immutable
    BEFORE UPDATE ON warnings
    BEGIN SELECT RAISE(ABORT, 'issued warnings are immutable'); END;
CREATE TRIGGER IF NOT EXISTS warnings_are_kept
    BEFORE DELETE ON warnings
    BEGIN SELECT RAISE(ABORT, 'issued warnings are immutable'); END;
CREATE TRIGGER IF NOT EXISTS warnings_are_not_replaced
    BEFORE INSERT ON warnings
    WHEN EXISTS (SELECT 1 FROM warnings WHERE id = NEW.id OR (
        scheme = NEW.scheme AND kind = NEW.kind AND month = NEW.month
        AND section = NEW.section))
    BEGIN SELECT RAISE(ABORT, 'issued warnings are immutable'); END;
CREATE TRIGGER IF NOT EXISTS signatures_are_immutable
    BEFORE UPDATE ON warning_signatures
    BEGIN SELECT RAISE(ABORT, 'warning signatures are immutable'); END;
CREATE TRIGGER IF NOT EXISTS signatures_are_kept
    BEFORE DELETE ON warning_signatures
    BEGIN SELECT RAISE(ABORT, 'warning signatures are immutable'); END;
CREATE TRIGGER IF NOT EXISTS signatures_are_not_replaced
    BEFORE INSERT ON warning_signatures
    WHEN EXISTS (SELECT 1 FROM warning_signatures
                 WHERE id = NEW.id OR warning_id = NEW.warning_id)
    BEGIN SELECT RAISE(ABORT, 'warning signatures are immutable'); END;
-- Accounts of the web workbench (``jixiao users add``, ``jixiao serve``): a
-- role, for a liaison the section they act for, and a scrypt hash of the
-- password (never the password).  The audit log records every action taken
-- through the workbench (logins, failed logins, uploads, publishing, refused
-- views); a record, never edited or deleted.  Failed logins in it are what
-- the rate limit counts, so it holds across restarts.
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('office', 'liaison', 'leader')),
    section TEXT,
    password TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((role = 'liaison') = (section IS NOT NULL))
);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user TEXT,
    address TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_by_action ON audit_log(action, at);
-- The workbench's own secrets (the key its session cookies are signed with),
-- kept so a restart leaves sessions valid until they expire.
CREATE TABLE IF NOT EXISTS secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_is_unchanged
    BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is immutable'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_is_kept
    BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is immutable'); END;
"""


class StoreError(Exception):
    """A store operation the rules of the store refuse (a user's request)."""

    def __init__(self, code: str, args: dict[str, object]) -> None:
        super().__init__(code)
        self.code = code
        self.args_ = args


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    label: str
    scheme: str
    version: str
    rules_digest: str
    rules_commit: str | None
    input_digest: str
    published: bool


def _run(row: tuple[object, ...]) -> Run:
    ident, label, scheme, version, digest, commit, data, published = row
    assert isinstance(ident, int)
    return Run(
        ident, str(label), str(scheme), str(version), str(digest),
        None if commit is None else str(commit), str(data), bool(published),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A digest of a published run (or a stored file) that no longer matches."""

    run: int | None  # None: a stored data file
    what: str  # data_file, data_missing, input, results, unsealed
    expected: str
    actual: str


@dataclass(frozen=True, slots=True)
class Submission:
    """One accepted submission: who sent which file for which period, when."""

    id: int
    scheme: str
    period: str
    assessor: str
    submitted_at: str  # ISO minutes, UTC: 2016-10-03T09:30
    submitted_by: str | None
    file_name: str
    digest: str
    indicators: tuple[str, ...]  # indicator ids whose columns the file holds
    subjects: tuple[str, ...]  # subjects with a row in the file


def _submission(row: tuple[object, ...]) -> Submission:
    ident, scheme, period, assessor, at, by, name, digest, indicators, subjects = row
    assert isinstance(ident, int)
    return Submission(
        ident, str(scheme), str(period), str(assessor), str(at),
        None if by is None else str(by), str(name), str(digest),
        tuple(json.loads(str(indicators))), tuple(json.loads(str(subjects))),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Account:
    """A workbench account: its role and, for a liaison, the section's id."""

    name: str
    role: str  # office, liaison, leader
    section: str | None
    password: str  # the scrypt hash, as ``runtime.web.accounts`` writes it
    created_at: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str  # ISO seconds, UTC
    user: str | None
    address: str | None
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class WarnedItem:
    """One row of an issued warning table: an indicator owed at a checkpoint."""

    indicator: str
    name: str
    subjects: str  # section, person
    checkpoint: str  # ISO date
    due: str


@dataclass(frozen=True, slots=True)
class IssuedWarning:
    """One warning table as it went out to one section: which month, which
    rows, when, and its signature (None until signed)."""

    id: int
    scheme: str
    kind: str  # first (the month's table, the head signs), second (the reminder, the liaison)
    month: str  # 2016-09
    section: str  # the recipient section's id
    section_name: str
    signer: str | None  # who is to sign: the head's or liaison's name
    items: tuple[WarnedItem, ...]
    issued_on: str  # ISO date
    issued_by: str | None
    signed_by: str | None = None
    signed_at: str | None = None  # ISO minutes


_WARNING_COLUMNS = (
    "warnings.id, scheme, kind, month, section, section_name, signer, items, issued_on,"
    " issued_by, signed_by, signed_at"
)


def _issued(row: tuple[object, ...]) -> IssuedWarning:
    ident, scheme, kind, month, section, name, signer, items, on, by, signed_by, at = row
    assert isinstance(ident, int)

    def optional(value: object) -> str | None:
        return None if value is None else str(value)

    return IssuedWarning(
        ident, str(scheme), str(kind), str(month), str(section), str(name), optional(signer),
        tuple(WarnedItem(*item) for item in json.loads(str(items))), str(on), optional(by),
        optional(signed_by), optional(at),
    )  # fmt: skip


def input_digest(location: str) -> str:
    """A digest of the data files a run read (names and bytes)."""
    return _digest((file.name, file.read_bytes()) for file in data_files(Path(location)))


def _digest(files: Iterable[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, content in files:
        digest.update(name.encode("utf-8") + b"\0" + content + b"\0")
    return "sha256:" + digest.hexdigest()


def _results_digest(db: sqlite3.Connection, run: int) -> str:
    """A digest of every result row of a run, in a fixed order."""
    digest = hashlib.sha256()
    rows = db.execute(
        "SELECT kind, subject, total, rank, grade, document FROM results"
        " WHERE run_id = ? ORDER BY kind, subject",
        (run,),
    )
    for row in rows:
        digest.update(json.dumps(list(row), ensure_ascii=False).encode("utf-8") + b"\n")
    return "sha256:" + digest.hexdigest()


def rules_commit(rules: str) -> str | None:
    """The git commit of the rule files, when they are in a clean repository."""
    folder = Path(rules)
    folder = folder if folder.is_dir() else folder.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "."],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+modified" if dirty else "")


class Store:
    """One results store file."""

    def __init__(self, path: str, read_only: bool = False) -> None:
        """Open the store at ``path``, creating it (and its folder) if needed.

        ``read_only`` is for commands that only read published runs (``dry-run``):
        a store that does not exist is then ``StoreError`` E0913 and nothing is
        created, and the store is opened so that nothing can be written to it.
        A file that is not a results store is ``sqlite3.Error`` either way.
        """
        self.path = path
        if read_only:
            if not Path(path).is_file():
                raise StoreError("E0913", {"path": path})
            uri = Path(path).resolve().as_uri() + "?mode=ro"
            self.connection = sqlite3.connect(uri, uri=True)
            try:
                self.connection.execute("SELECT COUNT(*) FROM runs").fetchone()
            except sqlite3.Error:
                self.connection.close()
                raise
            return
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path)
        self.connection.executescript(SCHEMA)

    def close(self) -> None:
        self.connection.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.connection:
            yield self.connection

    def record(
        self,
        document: dict[str, object],
        rules_commit: str | None,
        data_digest: str,
        publish: bool,
        data: list[Path] | None = None,
        stored: Sequence[tuple[str, str]] = (),
    ) -> int:
        """Store an evaluation (the JSON document ``evaluate`` prints) as a run.

        ``data``: the files it read, kept in the store; ``stored``: (name,
        digest) of files the store already keeps (submissions) that it read.
        Publishing a label that already has a published run is refused:
        published results are never overwritten or silently changed.
        """
        label, scheme = str(document["period"]), str(document["scheme"])
        if publish and self.published(scheme, label) is not None:
            raise StoreError("E0910", {"period": label})
        subjects = document["subjects"]  # a list, or an iterator read once, row by row
        assert isinstance(subjects, Iterable)
        try:
            with self.transaction() as db:
                cursor = db.execute(
                    "INSERT INTO runs (label, scheme, version, rules_digest, rules_commit,"
                    " input_digest, published) VALUES (?, ?, ?, ?, ?, ?, 0)",
                    (label, scheme, str(document["version"]), str(document["rules_digest"]),
                     rules_commit, data_digest),
                )  # fmt: skip
                run = cursor.lastrowid
                assert run is not None
                db.executemany(
                    "INSERT INTO results (run_id, subject, kind, total, rank, grade, document)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        (run, s["id"], s["kind"], s["total"], s["rank"], s["grade"],
                         json.dumps(s, ensure_ascii=False, sort_keys=True))
                        for s in subjects
                    ),
                )  # fmt: skip
                for file in data or []:
                    content = file.read_bytes()
                    digest = "sha256:" + hashlib.sha256(content).hexdigest()
                    db.execute(
                        "INSERT OR IGNORE INTO data_files (digest, content) VALUES (?, ?)",
                        (digest, content),
                    )
                    db.execute(
                        "INSERT INTO run_data (run_id, name, digest) VALUES (?, ?, ?)",
                        (run, file.name, digest),
                    )
                db.executemany(
                    "INSERT INTO run_data (run_id, name, digest) VALUES (?, ?, ?)",
                    [(run, name, digest) for name, digest in stored],
                )
                if publish:
                    db.execute(
                        "INSERT INTO seals (run_id, results_digest) VALUES (?, ?)",
                        (run, _results_digest(db, run)),
                    )
                    db.execute("UPDATE runs SET published = 1 WHERE id = ?", (run,))
        except sqlite3.IntegrityError as error:
            raise StoreError("E0911", {"problem": str(error)}) from None
        return run

    def published(self, scheme: str, label: str) -> Run | None:
        row = self.connection.execute(
            "SELECT * FROM runs WHERE scheme = ? AND label = ? AND published = 1", (scheme, label)
        ).fetchone()
        return None if row is None else _run(row)

    def history(self, scheme: str) -> Callable[[str, str], list[dict[str, object]] | None]:
        """Earlier published results by period label and kind, for result links."""

        def lookup(label: str, kind: str) -> list[dict[str, object]] | None:
            run = self.published(scheme, label)
            if run is None:
                return None
            return [s for s in self.results(run.id) if s.get("kind") == kind]

        return lookup

    def data(self, run: int) -> dict[str, bytes]:
        """The data files a run read, exactly as they were."""
        rows = self.connection.execute(
            "SELECT run_data.name, data_files.content FROM run_data"
            " JOIN data_files ON data_files.digest = run_data.digest WHERE run_id = ?",
            (run,),
        ).fetchall()
        return {str(name): bytes(content) for name, content in rows}

    def runs(self) -> list[Run]:
        rows = self.connection.execute("SELECT * FROM runs ORDER BY id").fetchall()
        return [_run(row) for row in rows]

    def results(self, run: int) -> list[dict[str, object]]:
        rows = self.connection.execute(
            "SELECT document FROM results WHERE run_id = ? ORDER BY kind DESC, rank, subject",
            (run,),
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def submit(
        self,
        scheme: str,
        period: str,
        assessor: str,
        at: str,
        by: str | None,
        file_name: str,
        content: bytes,
        indicators: list[str],
        subjects: list[str],
    ) -> Submission:
        """Record an accepted submission and its file (content-addressed)."""
        digest = "sha256:" + hashlib.sha256(content).hexdigest()
        try:
            with self.transaction() as db:
                db.execute(
                    "INSERT OR IGNORE INTO data_files (digest, content) VALUES (?, ?)",
                    (digest, content),
                )
                cursor = db.execute(
                    "INSERT INTO submissions (scheme, period, assessor, submitted_at,"
                    " submitted_by, file_name, digest, indicators, subjects)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (scheme, period, assessor, at, by, file_name, digest,
                     json.dumps(indicators, ensure_ascii=False),
                     json.dumps(subjects, ensure_ascii=False)),
                )  # fmt: skip
        except sqlite3.IntegrityError as error:
            raise StoreError("E0911", {"problem": str(error)}) from None
        ident = cursor.lastrowid
        assert ident is not None
        return Submission(
            ident, scheme, period, assessor, at, by, file_name, digest,
            tuple(indicators), tuple(subjects),
        )  # fmt: skip

    def submissions(self, scheme: str, period: str) -> list[Submission]:
        """Every submission of a period, in the order they came in (none in a
        store opened read-only that was made before submissions existed)."""
        known = self.connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'submissions'"
        ).fetchone()
        if known is None:
            return []
        rows = self.connection.execute(
            "SELECT id, scheme, period, assessor, submitted_at, submitted_by, file_name,"
            " digest, indicators, subjects FROM submissions WHERE scheme = ? AND period = ?"
            " ORDER BY submitted_at, id",
            (scheme, period),
        ).fetchall()
        return [_submission(row) for row in rows]

    def record_from_submissions(
        self,
        document: dict[str, object],
        rules_commit: str | None,
        submissions: Sequence[Submission],
        publish: bool,
    ) -> int:
        """Record a run evaluated from ``submissions``: its data are the
        submitted files (already kept, never copied), named
        ``submission-N-FILE``, and its input digest covers them, so
        ``verify`` checks a run from submissions as it checks any other."""
        named = sorted((f"submission-{s.id:04d}-{s.file_name}", s) for s in submissions)
        digest = _digest((name, self.submitted_file(s)) for name, s in named)
        stored = [(name, s.digest) for name, s in named]
        return self.record(document, rules_commit, digest, publish, stored=stored)

    def submitted_file(self, submission: Submission) -> bytes:
        row = self.connection.execute(
            "SELECT content FROM data_files WHERE digest = ?", (submission.digest,)
        ).fetchone()
        assert row is not None  # kept by the triggers
        return bytes(row[0])

    def _has(self, table: str) -> bool:
        found = self.connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        return found is not None

    def issue_warnings(self, warnings: list[IssuedWarning]) -> tuple[list[IssuedWarning], int]:
        """Record warning tables as issued (their ``id`` is ignored), in one
        transaction; a table already on record (same scheme, kind, month and
        section) is kept as it was and skipped.  Returns the new records and
        how many were skipped."""
        recorded: list[IssuedWarning] = []
        skipped = 0
        try:
            with self.transaction() as db:
                for w in warnings:
                    exists = db.execute(
                        "SELECT 1 FROM warnings WHERE scheme = ? AND kind = ? AND month = ?"
                        " AND section = ?",
                        (w.scheme, w.kind, w.month, w.section),
                    ).fetchone()
                    if exists:
                        skipped += 1
                        continue
                    items = json.dumps(
                        [[i.indicator, i.name, i.subjects, i.checkpoint, i.due] for i in w.items],
                        ensure_ascii=False,
                    )
                    cursor = db.execute(
                        "INSERT INTO warnings (scheme, kind, month, section, section_name,"
                        " signer, items, issued_on, issued_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (w.scheme, w.kind, w.month, w.section, w.section_name, w.signer, items,
                         w.issued_on, w.issued_by),
                    )  # fmt: skip
                    ident = cursor.lastrowid
                    assert ident is not None
                    recorded.append(replace(w, id=ident))
        except sqlite3.IntegrityError as error:
            raise StoreError("E0911", {"problem": str(error)}) from None
        return recorded, skipped

    def sign_warning(self, ident: int, by: str, at: str) -> IssuedWarning:
        """Record the signature of an issued warning: a new record; a warning
        that does not exist is E0930, one already signed E0931."""
        found = self.issued_warning(ident)
        if found is None:
            raise StoreError("E0930", {"id": ident})
        if found.signed_by is not None:
            args = {"id": ident, "by": found.signed_by, "at": found.signed_at}
            raise StoreError("E0931", args)
        try:
            with self.transaction() as db:
                db.execute(
                    "INSERT INTO warning_signatures (warning_id, signed_by, signed_at)"
                    " VALUES (?, ?, ?)",
                    (ident, by, at),
                )
        except sqlite3.IntegrityError as error:
            raise StoreError("E0911", {"problem": str(error)}) from None
        signed = self.issued_warning(ident)
        assert signed is not None
        return signed

    def issued_warning(self, ident: int) -> IssuedWarning | None:
        if not 0 < ident < 2**63 or not self._has("warnings"):
            return None
        row = self.connection.execute(
            f"SELECT {_WARNING_COLUMNS} FROM warnings LEFT JOIN warning_signatures"
            " ON warning_signatures.warning_id = warnings.id WHERE warnings.id = ?",
            (ident,),
        ).fetchone()
        return None if row is None else _issued(row)

    def issued_warnings(self, since: str | None, until: str | None) -> list[IssuedWarning]:
        """Warnings issued from ``since`` to ``until`` (ISO dates, both ends
        included, None: open), by issue date then id (none in a store opened
        read-only that was made before warnings were recorded)."""
        if not self._has("warnings"):
            return []
        rows = self.connection.execute(
            f"SELECT {_WARNING_COLUMNS} FROM warnings LEFT JOIN warning_signatures"
            " ON warning_signatures.warning_id = warnings.id"
            " WHERE (? IS NULL OR issued_on >= ?) AND (? IS NULL OR issued_on <= ?)"
            " ORDER BY issued_on, warnings.id",
            (since, since, until, until),
        ).fetchall()
        return [_issued(row) for row in rows]

    def verify(self) -> list[Mismatch]:
        """Recompute every published run's digests: each stored data file's
        content against its digest, the run's input digest from its files, and
        its results against the seal written when it was published."""
        found: list[Mismatch] = []
        db = self.connection
        for row in db.execute("SELECT digest, content FROM data_files").fetchall():
            digest, content = str(row[0]), bytes(row[1])
            actual = "sha256:" + hashlib.sha256(content).hexdigest()
            if actual != digest:
                found.append(Mismatch(None, "data_file", digest, actual))
        for run in self.runs():
            if not run.published:
                continue
            files = db.execute(
                "SELECT run_data.name, data_files.content FROM run_data"
                " LEFT JOIN data_files ON data_files.digest = run_data.digest"
                " WHERE run_id = ? ORDER BY run_data.name",
                (run.id,),
            ).fetchall()
            if files:
                if any(content is None for _, content in files):
                    found.append(Mismatch(run.id, "data_missing", run.input_digest, ""))
                else:
                    digest = _digest((str(name), bytes(content)) for name, content in files)
                    if digest != run.input_digest:
                        found.append(Mismatch(run.id, "input", run.input_digest, digest))
            seal = db.execute(
                "SELECT results_digest FROM seals WHERE run_id = ?", (run.id,)
            ).fetchone()
            actual = _results_digest(db, run.id)
            if seal is None:
                found.append(Mismatch(run.id, "unsealed", "", actual))
            elif str(seal[0]) != actual:
                found.append(Mismatch(run.id, "results", str(seal[0]), actual))
        return found

    def delete_run(self, run: int) -> None:
        """Remove an unpublished run (a published one is refused by the database)."""
        if (
            not 0 < run < 2**63
            or not self.connection.execute("SELECT 1 FROM runs WHERE id = ?", (run,)).fetchone()
        ):
            raise StoreError("E0914", {"run": run})
        try:
            with self.transaction() as db:
                db.execute("DELETE FROM run_data WHERE run_id = ?", (run,))
                db.execute("DELETE FROM results WHERE run_id = ?", (run,))
                db.execute("DELETE FROM runs WHERE id = ?", (run,))
        except sqlite3.IntegrityError as error:
            raise StoreError("E0911", {"problem": str(error)}) from None

    def add_account(self, account: Account) -> None:
        """Record a new account; a name already taken is E1100."""
        if self.account(account.name) is not None:
            raise StoreError("E1100", {"name": account.name})
        try:
            with self.transaction() as db:
                db.execute(
                    "INSERT INTO users (name, role, section, password, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (account.name, account.role, account.section, account.password,
                     account.created_at),
                )  # fmt: skip
        except sqlite3.IntegrityError as error:
            raise StoreError("E0911", {"problem": str(error)}) from None

    def account(self, name: str) -> Account | None:
        if not self._has("users"):
            return None
        row = self.connection.execute(
            "SELECT name, role, section, password, created_at FROM users WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            return None
        name_, role, section, password, created = row
        return Account(
            str(name_), str(role), None if section is None else str(section), str(password),
            str(created),
        )  # fmt: skip

    def accounts(self) -> list[Account]:
        """Every account, by name (``jixiao users list``)."""
        if not self._has("users"):
            return []
        rows = self.connection.execute(
            "SELECT name, role, section, password, created_at FROM users ORDER BY name"
        ).fetchall()
        return [
            Account(str(n), str(r), None if s is None else str(s), str(p), str(c))
            for n, r, s, p, c in rows
        ]

    def remove_account(self, name: str) -> None:
        """``jixiao users remove``: E1112 when there is no such account (its
        audit entries stay)."""
        with self.transaction() as db:
            if db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise StoreError("E1112", {"name": name})

    def set_password(self, name: str, password: str) -> None:
        """``jixiao users passwd``: a new password hash; E1112 for no such account."""
        with self.transaction() as db:
            found = db.execute("UPDATE users SET password = ? WHERE name = ?", (password, name))
            if found.rowcount == 0:
                raise StoreError("E1112", {"name": name})

    def secret(self, name: str, make: Callable[[], str]) -> str:
        """A secret kept in the store, made (by ``make``) the first time it is asked for."""
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)", (name, make()))
            row = db.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
        return str(row[0])

    def account_count(self) -> int:
        if not self._has("users"):
            return 0
        row = self.connection.execute("SELECT COUNT(*) FROM users").fetchone()
        return int(row[0])

    def audit(
        self, at: str, user: str | None, address: str | None, action: str, detail: str
    ) -> None:
        """Append one entry to the audit log."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO audit_log (at, user, address, action, detail) VALUES (?, ?, ?, ?, ?)",
                (at, user, address, action, detail),
            )

    def audit_entries(
        self, action: str | None = None, since: str | None = None
    ) -> list[AuditEntry]:
        """Audit entries, oldest first: of one action, from ``since`` (ISO) on."""
        if not self._has("audit_log"):
            return []
        rows = self.connection.execute(
            "SELECT id, at, user, address, action, detail FROM audit_log"
            " WHERE (? IS NULL OR action = ?) AND (? IS NULL OR at >= ?) ORDER BY id",
            (action, action, since, since),
        ).fetchall()
        return [
            AuditEntry(
                int(ident),
                str(at),
                None if user is None else str(user),
                None if address is None else str(address),
                str(act),
                str(detail),
            )
            for ident, at, user, address, act, detail in rows
        ]
