"""Supervision items (督办事项): the table read with every bad cell located,
left alone by the period data reader, and counted into the bulletin."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from runtime.inputs.supervision import read_supervision
from tests.clirun import run

HEADER = "id,letter,issued,subject,matter,due,closed,corrected,evidence\n"
SECTIONS = {"s01": "办公室", "s12": "督查内审科"}


def _table(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "supervision.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_good_rows_are_read_with_their_closure(tmp_path: Path) -> None:
    path = _table(
        tmp_path,
        "D1,督〔2016〕1号,2016-07-03,s01,事项,2016-07-23,2016-07-20,是,整改报告\n"
        "D2,督〔2016〕1号,2016-07-03,s12,事项,2016-07-23,2016-08-02,否,\n"
        "D3,督〔2016〕2号,2016-08-08,s12,事项,2016-08-28,,,\n",
    )
    items, problems = read_supervision(str(path), SECTIONS)
    assert problems == []
    on_time, late, still_open = items
    assert (
        on_time.closed_on_time() and on_time.corrected and not on_time.overdue_on(date(2016, 9, 30))
    )
    assert not late.closed_on_time() and late.overdue_on(date(2016, 9, 30)) and not late.corrected
    assert still_open.closed is None and still_open.overdue_on(date(2016, 9, 30))
    assert not still_open.overdue_on(date(2016, 8, 28))  # due that day: not yet overdue
    assert on_time.source == f"{path}:2"


def test_every_bad_cell_is_located(tmp_path: Path) -> None:
    path = _table(
        tmp_path,
        "D1,督〔2016〕1号,2016/7/3,s01,事项,2016-07-23,,,\n"  # row 2: issued not a date
        "D2,督〔2016〕1号,2016-07-03,s99,事项,2016-07-23,,,\n"  # row 3: unknown section
        "D3,督〔2016〕1号,2016-07-03,s01,事项,2016-07-01,,,\n"  # row 4: due before issued
        "D4,督〔2016〕1号,2016-07-03,s01,事项,2016-07-23,,也许,\n"  # row 5: corrected
        "D1,督〔2016〕1号,2016-07-03,s01,事项,2016-07-23,,,\n"  # row 6: id again
        "D6,督〔2016〕1号,2016-07-03,s01,,,,,\n",  # row 7: matter and due empty
    )
    items, problems = read_supervision(str(path), SECTIONS)
    assert items == []
    found = [(d.code, d.location) for d in problems]
    assert found == [
        ("E0831", f"{path}:2 [issued]"),
        ("E0832", f"{path}:3 [subject]"),
        ("E0833", f"{path}:4 [due]"),
        ("E0834", f"{path}:5 [corrected]"),
        ("E0835", f"{path}:6 [id]"),
        ("E0830", f"{path}:7 [matter]"),
        ("E0830", f"{path}:7 [due]"),
    ]
    assert problems[4].args["first"] == f"{path}:2"


def test_a_missing_column_is_located_at_the_header(tmp_path: Path) -> None:
    path = tmp_path / "supervision.csv"
    path.write_text("id,letter,issued,subject,due\nD1,L,2016-07-03,s01,2016-07-23\n", "utf-8")
    _, problems = read_supervision(str(path), SECTIONS)
    assert [(d.code, d.location) for d in problems] == [("E0804", f"{path}:1 [matter]")]


def test_bad_supervision_data_stops_the_bulletin_with_located_errors(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree("examples/yongzhou", data, ignore=shutil.ignore_patterns("*.py"))
    table = data / "supervision.csv"
    lines = table.read_text("utf-8").splitlines()
    lines[5] = lines[5].replace(",s01,", ",s1,")
    table.write_text("\n".join(lines) + "\n", "utf-8")
    code, out, err = run(
        "report", "bulletin", "rules/yongzhou", "--data", str(data), "--period", "2016Q3",
        "--lang", "en",
    )  # fmt: skip
    assert code == 1 and out == "" and "Traceback" not in err
    assert f"{table}:6 [subject]" in err and "E0832" in err and "did you mean" in err


def test_evaluate_ignores_the_supervision_table() -> None:
    """The period data reader leaves supervision tables alone (no W0801 for their columns)."""
    code, _, err = run(
        "evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3"
    )
    assert code == 0 and "supervision.csv" not in err
