"""The results store: runs are recorded with their digests, and a published
run can be changed by no CLI path and by no direct SQL either."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from runtime.store import Store, StoreError
from tests.clirun import run
from tests.golden import only_history_warnings

EVALUATE = ("evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--lang", "en")


def _snapshot(path: Path) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        runs = connection.execute("SELECT * FROM runs ORDER BY id").fetchall()
        results = connection.execute(
            "SELECT * FROM results ORDER BY run_id, kind, subject"
        ).fetchall()
    finally:
        connection.close()
    return [*runs, *results]


def test_published_run_cannot_be_changed_by_any_cli_path(tmp_path: Path) -> None:
    store = tmp_path / "results.sqlite"
    code, out, err = run(*EVALUATE, "--period", "2016Q3", "--publish", "--store", str(store))
    assert code == 0 and only_history_warnings(err)
    before = _snapshot(store)
    runs = Store(str(store)).runs()
    assert [(r.id, r.label, r.published) for r in runs] == [(1, "2016Q3", True)]
    assert runs[0].rules_digest.startswith("sha256:") and runs[0].input_digest.startswith("sha256:")
    # The data the run read is kept with it, byte for byte.
    kept = Store(str(store)).data(1)
    assert sorted(kept) == ["events.csv", "people.csv", "sections.csv", "supervision.csv"]
    assert kept["sections.csv"] == Path("examples/yongzhou/sections.csv").read_bytes()

    # Publishing the same period again is refused, and nothing is written.
    code, out, err = run(
        *EVALUATE,
        "--period",
        "2016Q3",
        "--publish",
        "--store",
        str(store),
        "--output-format",
        "concise",
    )
    assert code == 1 and out == ""
    assert err.splitlines()[-1] == (
        f"{store}: error[E0910]: results for 2016Q3 are already published; "
        "published results are never overwritten"
    )
    assert _snapshot(store) == before

    # Deleting it is refused by the database.
    code, _, err = run(
        "runs", "--store", str(store), "--delete", "1", "--output-format", "concise", "--lang", "en"
    )
    assert code == 1
    assert "E0911" in err and "published run is immutable" in err
    assert _snapshot(store) == before

    # An unpublished evaluation of the same period is a new run beside it.
    code, _, _ = run(*EVALUATE, "--period", "2016Q3", "--store", str(store), "--format", "json")
    assert code == 0
    after = Store(str(store)).runs()
    assert [(r.id, r.published) for r in after] == [(1, True), (2, False)]
    assert _snapshot(store)[:1] == before[:1]
    code, _, _ = run("runs", "--store", str(store), "--delete", "2")
    assert code == 0
    assert _snapshot(store) == before


def test_the_database_itself_refuses_changes_to_published_runs(tmp_path: Path) -> None:
    store = tmp_path / "results.sqlite"
    assert run(*EVALUATE, "--period", "2016Q2", "--publish", "--store", str(store))[0] == 0
    connection = sqlite3.connect(store)
    try:
        for statement in (
            "UPDATE runs SET label = 'x'",
            "UPDATE runs SET published = 0",
            "DELETE FROM runs",
            "UPDATE results SET total = '100.00'",
            "DELETE FROM results",
            "INSERT INTO results VALUES (1, 'new', 'section', '1', 1, NULL, '{}')",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="published run is immutable"):
                connection.execute(statement)
    finally:
        connection.close()


def test_stored_documents_match_the_printed_json(tmp_path: Path) -> None:
    store = tmp_path / "results.sqlite"
    code, out, _ = run(*EVALUATE, "--period", "2016Q3", "--store", str(store), "--format", "json")
    assert code == 0
    printed = json.loads(out)["subjects"]
    stored = Store(str(store)).results(1)
    assert sorted(stored, key=lambda s: (s["kind"], s["id"])) == sorted(
        printed, key=lambda s: (s["kind"], s["id"])
    )
    with pytest.raises(StoreError):
        document = json.loads(out)
        first = Store(str(store))
        first.record(document, None, "sha256:x", publish=True)
        first.record(document, None, "sha256:x", publish=True)
