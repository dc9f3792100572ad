"""No SQL statement an ordinary client can send changes a published run, its
results, the data it read or the files themselves (short of dropping the
triggers), and `jixiao runs --verify` finds what was changed after the
triggers were dropped.  One test per hole of issue #10."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from runtime.store import Store
from tests.clirun import run

EVALUATE = ("evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--lang", "en")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with run 1 published (2016Q3) and run 2 unpublished (2016Q2),
    and submissions 1 and 2 (2016Q3, 监察室: a file and its correction)."""
    folder = tmp_path_factory.mktemp("store")
    store = folder / "results.sqlite"
    assert run(*EVALUATE, "--period", "2016Q3", "--publish", "--store", str(store))[0] == 0
    assert run(*EVALUATE, "--period", "2016Q2", "--store", str(store))[0] == 0
    for number, count in enumerate(("0", "1"), start=1):
        part = folder / f"integrity-{number}.csv"
        part.write_text(f"period,subject,违纪违规次数\n2016Q3,s01,{count}\n", encoding="utf-8")
        submitted = run(
            "submit", "rules/yongzhou", "--store", str(store), "--period", "2016Q3",
            "--assessor", "监察室", "--file", str(part), "--at", f"2016-10-0{number}T09:00",
        )  # fmt: skip
        assert submitted[0] == 0, submitted[2]
    return store


def _dump(path: Path) -> list[object]:
    connection = sqlite3.connect(path)
    try:
        return [
            connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("runs", "results", "run_data", "data_files", "seals", "submissions")
        ]
    finally:
        connection.close()


HOSTILE = [
    "INSERT OR REPLACE INTO runs (id, label, scheme, version, rules_digest, input_digest,"
    " published) SELECT id, label, scheme, version, rules_digest, input_digest, 0 FROM runs"
    " WHERE id = 1",
    "REPLACE INTO runs (id, label, scheme, version, rules_digest, input_digest)"
    " VALUES (1, 'x', 'x', 'x', 'x', 'x')",
    "INSERT INTO runs (label, scheme, version, rules_digest, input_digest, published)"
    " VALUES ('2016Q1', 'x', 'x', 'x', 'x', 1)",
    "UPDATE OR REPLACE runs SET id = 1 WHERE id = 2",
    "UPDATE runs SET published = 0 WHERE id = 1",
    "DELETE FROM runs WHERE id = 1",
    "UPDATE results SET total = '100' WHERE run_id = 1",
    "DELETE FROM results WHERE run_id = 1",
    "INSERT OR REPLACE INTO results SELECT * FROM results WHERE run_id = 1",
    "UPDATE OR REPLACE results SET run_id = 1 WHERE run_id = 2",
    "UPDATE run_data SET digest = 'sha256:0' WHERE run_id = 1",
    "UPDATE OR REPLACE run_data SET run_id = 1 WHERE run_id = 2",
    "INSERT INTO run_data (run_id, name, digest) SELECT 1, 'extra.csv', digest FROM run_data"
    " WHERE run_id = 1 LIMIT 1",
    "INSERT OR REPLACE INTO run_data SELECT * FROM run_data WHERE run_id = 1",
    "DELETE FROM run_data WHERE run_id = 1",
    "DELETE FROM data_files",
    "UPDATE data_files SET content = X'00'",
    "INSERT OR REPLACE INTO data_files (digest, content) SELECT digest, X'00' FROM data_files",
    "DELETE FROM seals",
    "UPDATE seals SET results_digest = 'x'",
    "INSERT OR REPLACE INTO seals (run_id, results_digest) VALUES (1, 'x')",
    # Submissions: corrections are new submissions, never edits (issue #12).
    "UPDATE submissions SET assessor = '办公室' WHERE id = 1",
    "UPDATE submissions SET submitted_at = '2016-09-30T09:00'",
    "DELETE FROM submissions WHERE id = 2",
    "DELETE FROM submissions",
    "INSERT OR REPLACE INTO submissions SELECT * FROM submissions WHERE id = 1",
    "REPLACE INTO submissions (id, scheme, period, assessor, submitted_at, file_name, digest,"
    " indicators, subjects) VALUES (1, 'x', 'x', 'x', 'x', 'x', 'x', '[]', '[]')",
    "INSERT OR REPLACE INTO submissions (id, scheme, period, assessor, submitted_at, file_name,"
    " digest, indicators, subjects) SELECT 2, scheme, period, assessor, submitted_at, file_name,"
    " digest, indicators, subjects FROM submissions WHERE id = 1",
    "UPDATE OR REPLACE submissions SET id = 1 WHERE id = 2",
    "DELETE FROM data_files WHERE digest IN (SELECT digest FROM submissions)",
    "UPDATE data_files SET content = X'00' WHERE digest IN (SELECT digest FROM submissions)",
    "INSERT OR REPLACE INTO data_files (digest, content) SELECT digest, X'00' FROM submissions",
]


@pytest.mark.parametrize("statement", HOSTILE)
def test_no_statement_changes_a_published_run(published: Path, statement: str) -> None:
    before = _dump(published)
    connection = sqlite3.connect(published)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            with connection:
                connection.execute(statement)
    finally:
        connection.close()
    assert _dump(published) == before
    assert run("runs", "--store", str(published), "--verify")[0] == 0


def test_recursive_triggers_change_nothing(published: Path) -> None:
    """With recursive triggers on, REPLACE fires the delete triggers: still refused."""
    connection = sqlite3.connect(published)
    try:
        connection.execute("PRAGMA recursive_triggers = ON")
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            with connection:
                connection.execute("REPLACE INTO results SELECT * FROM results WHERE run_id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            with connection:
                connection.execute(
                    "REPLACE INTO submissions SELECT * FROM submissions WHERE id = 1"
                )
    finally:
        connection.close()


def test_verify_finds_changes_made_past_the_triggers(published: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(published.read_bytes())
    connection = sqlite3.connect(copy)
    with connection:
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            connection.execute(f"DROP TRIGGER {name}")
        connection.execute("UPDATE results SET total = '100.00' WHERE run_id = 1 AND rank = 1")
        connection.execute("UPDATE data_files SET content = X'00' WHERE rowid = 1")
    connection.close()
    # Opening the store (as any command does) puts the triggers back.
    code, out, err = run(
        "runs", "--store", str(copy), "--verify", "--lang", "en", "--output-format", "concise"
    )
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert [line.split(": ", 2)[1] for line in lines] == [
        "error[E0915]", "error[E0915]", "error[E0915]",
    ]  # fmt: skip
    kinds = [line.split("integrity check: ", 1)[1].split(" ", 1)[0] for line in lines]
    assert kinds == ["data_file", "input", "results"]
    assert lines[0].startswith(f"{copy}: ")
    assert lines[1].startswith(f"{copy} (run 1): ")
    triggers = sqlite3.connect(copy).execute(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"
    )
    assert triggers.fetchone()[0] > 0


@pytest.mark.parametrize("run_id", ["99999999999999999999", "-1", "0", "77"])
def test_deleting_a_run_that_is_not_there(published: Path, run_id: str) -> None:
    code, out, err = run(
        "runs", "--store", str(published), "--delete", run_id, "--lang", "en",
        "--output-format", "concise",
    )  # fmt: skip
    assert code == 1 and out == ""
    assert err.splitlines()[0] == (
        f"{published}: error[E0914]: the results store has no run {run_id}"
    )


def test_an_unpublished_run_can_still_be_deleted(published: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(published.read_bytes())
    assert run("runs", "--store", str(copy), "--delete", "2")[0] == 0
    assert [r.id for r in Store(str(copy)).runs()] == [1]
