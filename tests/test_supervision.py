"""Supervision items (督办事项): the table read with every bad cell located,
left alone by the period data reader, and counted into the bulletin."""

from __future__ import annotations

import csv
import itertools
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

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
    # 是: a problem found and corrected; 否: found and not corrected; empty: none found.
    assert [i.uncorrected for i in items] == [False, True, False]
    assert not still_open.overdue_on(date(2016, 8, 28))  # due that day: not yet overdue
    assert on_time.source == f"{path}:2"


def test_every_bad_cell_is_located(tmp_path: Path) -> None:
    path = _table(
        tmp_path,
        "D1,督〔2016〕1号,7/3/2016,s01,事项,2016-07-23,,,\n"  # row 2: issued ambiguous
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
        ("E0550", f"{path}:2 [issued]"),
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


# -- inputs counted from the supervision table (from: supervision.…) ----------------


def _copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree("examples/yongzhou", data, ignore=shutil.ignore_patterns("*.py"))
    return data


def _scores(data: Path, period: str = "2016Q1..2016Q3") -> list[object]:
    """Every subject's scores (not where the data came from, which differs)."""
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", str(data), "--period", period, "--format", "json"
    )
    assert code == 0, err
    return [
        (s["id"], s["total"], s["base"], s["rank"], s["grade"],
         [(i["id"], i["score"]) for i in s["indicators"]])
        for s in json.loads(out)["subjects"]
    ]  # fmt: skip


def test_counts_come_from_the_table_when_the_columns_are_gone(tmp_path: Path) -> None:
    """The bundled sections.csv agrees with supervision.csv, so dropping its
    督办事项/按期办结 columns changes no result: the table feeds the indicator."""
    data = _copy_data(tmp_path)
    table = data / "sections.csv"
    with table.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    keep = [i for i, name in enumerate(rows[0]) if name not in ("督办事项", "按期办结")]
    with table.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([[r[i] for i in keep] for r in rows])
    assert _scores(data) == _scores(Path("examples/yongzhou"))


def test_a_cell_that_disagrees_with_the_table_is_located(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    table = data / "sections.csv"
    lines = table.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    number = next(n for n, line in enumerate(lines) if line.startswith("2016Q3,s12,"))
    cells = lines[number].split(",")
    column = header.index("按期办结")
    assert cells[column] == "2"
    cells[column] = "3"
    lines[number] = ",".join(cells)
    table.write_text("\n".join(lines) + "\n", "utf-8")
    code, _, err = run(
        "evaluate", "rules/yongzhou", "--data", str(data), "--period", "2016Q3", "--lang", "en"
    )
    assert code == 1 and "Traceback" not in err
    assert f"{table}:{number + 1} [按期办结]" in err and "E0935" in err
    assert "counted from the supervision table as 2, but the cell says 3" in err


def test_explain_lists_the_items_an_input_counted() -> None:
    code, out, err = run(
        "explain", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3",
        "--subject", "s12", "--indicator", "supervision", "--lang", "zh",
    )  # fmt: skip
    assert code == 0, err
    assert "按期办结 = 2  [督办事项表：本期到期且按期办结的事项]" in out
    assert "督办事项 = 4  [督办事项表：本期到期的事项]" in out
    assert "DB2016-334 永地税督〔2016〕11号" in out and "尚未办结" in out
    assert "examples/yongzhou/supervision.csv:802" in out


def test_from_on_an_input_that_is_not_a_count_is_located(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree("rules/yongzhou", rules)
    path = rules / "indicators.yaml"
    text = path.read_text("utf-8")
    wrong = text.replace(
        "督办事项: {type: count, default: 0, from: supervision.due}",
        "督办事项: {type: number, default: 0, from: supervision.due}",
    )
    assert wrong != text
    path.write_text(wrong, "utf-8")
    code, _, err = run("check", str(rules), "--lang", "en")
    assert code == 1 and "E0465" in err and "indicators.yaml:" in err
    path.write_text(text.replace("from: supervision.due", "from: supervision.late"), "utf-8")
    code, _, err = run("check", str(rules), "--lang", "en")
    assert code == 1 and "supervision.late" in err and "Traceback" not in err


# -- items counted from the supervision table (督查发现问题未按期整改) ------------------


def test_a_deduction_item_counts_the_uncorrected_problems() -> None:
    """supervision_issue counts s14's 2016Q3 items whose `corrected` is 否: two,
    0.2 each; explain names them and the reasons are their matters."""
    code, out, err = run(
        "explain", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3",
        "--subject", "s14", "--lang", "zh",
    )  # fmt: skip
    assert code == 0, err
    assert "督查发现问题未按期整改 (supervision_issue) -0.4: 2 次 × 0.2, cap 2" in out
    assert "DB2016-341 永地税督〔2016〕9号 政协委员提案办理" in out
    assert "发现问题未整改到位  [examples/yongzhou/supervision.csv:809]" in out
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3",
        "--format", "json",
    )  # fmt: skip
    s14 = next(s for s in json.loads(out)["subjects"] if s["id"] == "s14")
    issue = next(a for a in s14["adjustments"] if a["item"] == "supervision_issue")
    assert issue["points"] == "-0.40" and issue["reason"] == "政协委员提案办理；领导批示件办理"


def test_without_a_table_the_item_counts_event_rows(tmp_path: Path) -> None:
    """The same problems written as event rows, in data without a supervision
    table, give the same scores: the table only replaces the rows."""
    data = _copy_data(tmp_path)
    with (data / "supervision.csv").open(encoding="utf-8") as handle:
        items = list(csv.DictReader(handle))
    (data / "supervision.csv").unlink()
    uncorrected = [i for i in items if i["corrected"] == "否"]
    assert len(uncorrected) == 16  # the example's problems not corrected, 2015-2016
    with (data / "events.csv").open("a", encoding="utf-8") as handle:
        for item in uncorrected:
            handle.write(f"{item['due']},{item['subject']},supervision_issue,1,未整改,通知书\n")
    assert _scores(data, "2016Q1..2016Q3") == _scores(Path("examples/yongzhou"), "2016Q1..2016Q3")


def test_an_event_row_for_an_item_counted_from_the_table_is_located(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    events = data / "events.csv"
    lines = events.read_text("utf-8").splitlines()
    lines.insert(1, "2016-08-01,s03,supervision_issue,1,督查发现问题逾期未整改,通知书")
    events.write_text("\n".join(lines) + "\n", "utf-8")
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", str(data), "--period", "2016Q3", "--lang", "en"
    )
    assert code == 1 and out == "" and "Traceback" not in err
    assert f"{events}:2 [item]" in err and "E0936" in err and "count it twice" in err


def test_from_on_a_veto_item_is_located(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree("rules/yongzhou", rules)
    path = rules / "items.yaml"
    text = path.read_text("utf-8")
    wrong = text.replace("    veto: fail", "    veto: fail\n    from: supervision.overdue", 1)
    assert wrong != text
    path.write_text(wrong, "utf-8")
    code, _, err = run("check", str(rules), "--lang", "en")
    assert code == 1 and "E0466" in err and "items.yaml:" in err and "Traceback" not in err


def test_items_once_made_leave_only_the_header_of_the_table_kept(tmp_path: Path) -> None:
    """Inside ``read_once()`` the supervision table's rows are not kept once
    its items are made (a dry-run read them for every period); a second
    reader of the items (another organization: another key) still gets
    every row, and the period data reader still sees the table's header."""
    from runtime.inputs.tables import read_once, read_tables

    path = _table(
        tmp_path,
        "D1,督〔2016〕1号,2016-07-03,s01,事项,2016-07-23,2016-07-20,是,整改报告\n"
        "D2,督〔2016〕1号,2016-07-03,s12,事项,2016-07-23,2016-08-02,否,\n",
    )
    whole, _ = read_supervision(str(tmp_path), SECTIONS)
    with read_once():
        first, _ = read_supervision(str(tmp_path), SECTIONS)
        (kept,) = read_tables(path)
        assert kept.header == HEADER.strip().split(",") and len(kept.rows) == 1
        other, _ = read_supervision(str(tmp_path), {**SECTIONS, "s02": "人事教育科"})
        (again,) = read_tables(path, whole=True)
    assert first == other == whole and len(whole) == 2 and len(again.rows) == 2


def test_csv_files_without_the_marker_columns_are_not_read_for_items(tmp_path: Path) -> None:
    """The supervision reader leaves a CSV file whose bytes lack a marker
    column name to the period data reader (holding it before its own table
    was the peak memory): inside ``read_once()`` it is not read yet; a GB18030
    supervision table is still found, and the items are the same."""
    from runtime.inputs import tables
    from runtime.inputs.tables import read_once

    body = "D1,督〔2016〕1号,2016-07-03,s01,事项,2016-07-23,2016-07-20,是,整改报告\n"
    (tmp_path / "a_scores.csv").write_text("period,subject,得分\n2016Q3,s01,9\n", encoding="utf-8")
    (tmp_path / "z_supervision.csv").write_bytes((HEADER + body).encode("gb18030"))
    whole, _ = read_supervision(str(tmp_path), SECTIONS)
    with read_once():
        items, problems = read_supervision(str(tmp_path), SECTIONS)
        read = tables._READ.get()
        assert read is not None
        assert sorted(Path(key[0]).name for key in read) == ["z_supervision.csv"]
    assert items == whole and problems == [] and [i.id for i in items] == ["D1"]


def test_a_csv_table_read_row_by_row_gives_the_items_and_problems_of_the_whole_table(
    tmp_path: Path,
) -> None:
    """A UTF-8 supervision CSV is read row by row as it is decoded (never
    held whole: the peak memory at 100,000 people); items, problems, their
    order and what the other readers see of the table are those of the
    table read whole, in UTF-8 and in GB18030 alike.  A file that is not
    simply that (a period column, a CSV problem) is read whole as before."""
    from runtime.inputs.supervision import _header_only, due_in, read_supervision_table
    from runtime.inputs.tables import read_once, read_tables

    bodies = {
        "messy": (
            "D1,督〔2016〕1号,2016-07-03,s01,事项,2016-07-23,2016-07-20,是,整改报告\n"
            ",,,,,,,,\n"  # blanks only: not a row, and not numbered as one
            "  \n"
            'D2,"督〔2016〕1号",2016/7/3,s12,"两行\n的事项",2016-07-23,,否,\n'
            "D1,督〔2016〕1号,2016-07-03,s01,事项,2016-07-23,,,\n"  # id again
            "D3,督〔2016〕2号,2016-13-08,s99,事项,2016-08-28,,也许\n"  # short, bad cells
            "D4,督〔2016〕2号,2016-01-08,s12,事项,2016-01-28,,,\n"
            "D5,督〔2016〕2号,2016-08-08,s12,事项,2016-08-28,2016-08-01,,证据\r\n"
        ),
        "bom": "\ufeff" + HEADER + "D1,督〔2016〕1号,2016-07-03,s01,事项,2016-07-23,,,\n",
        "no_optional": "id,letter,issued,subject,matter,due\nD1,L,2016-07-03,s01,m,2016-07-23\n",
        "missing_column": "id,letter,issued,subject,due\nD1,L,2016-07-03,s01,2016-07-23\n",
        "twice_named": "id,letter,issued,subject,matter,due,due\nD1,L,2016-07-03,s01,m,2016-07-23,\n",
        "header_only": HEADER,
    }
    for (name, body), encoding in itertools.product(bodies.items(), ("utf-8", "gb18030")):
        path = tmp_path / f"{name}-{encoding}" / "supervision.csv"
        path.parent.mkdir()
        path.write_text(HEADER + body if name == "messy" else body, encoding=encoding)
        for spans in (None, [(date(2016, 7, 1), date(2016, 9, 30))]):
            (table,) = read_tables(path)
            wanted = None if spans is None else tuple(spans)
            expected = read_supervision_table(table, SECTIONS, {}, wanted)
            with read_once(), due_in(spans):
                found = read_supervision(str(path.parent), SECTIONS)
                (kept,) = read_tables(path)
                (again,) = read_tables(path, whole=True)
            assert found == expected, name
            assert kept == _header_only(table) and again == table, name
    assert any(read_supervision_table(read_tables(tmp_path / "messy-utf-8" / "supervision.csv")[0],
                                      SECTIONS)[1])  # fmt: skip
    # Read whole as before: a table with a period column.
    for name, raw in (
        ("period", (HEADER.strip() + ",period\nD1,L,2016-07-03,s01,m,2016-07-23,,,,x\n").encode()),
    ):
        path = tmp_path / name / "supervision.csv"
        path.parent.mkdir()
        path.write_bytes(raw)
        (table,) = read_tables(path)
        with read_once():
            found = read_supervision(str(path.parent), SECTIONS)
            (kept,) = read_tables(path)
        assert found == read_supervision_table(table, SECTIONS) and kept == _header_only(table)
    # A CSV problem late in the file: no items and no problems here (the
    # period data reader reports the file), as when the table was read whole.
    path = tmp_path / "too_long" / "supervision.csv"
    path.parent.mkdir()
    path.write_text(HEADER + "D1,L,2016-07-03,s01,m,2016-07-23,,,\n" + "D2,L,2016-07-03,s01,"
                    + "x" * (csv.field_size_limit() + 1) + ",2016-07-23,,,\n", encoding="utf-8")  # fmt: skip
    with read_once():
        assert read_supervision(str(path.parent), SECTIONS) == ([], [])


def test_a_gb18030_table_is_read_row_by_row_never_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A supervision table saved by WPS or Excel on Chinese Windows (GBK)
    is read row by row like a UTF-8 one, even when its first bytes are
    ASCII and UTF-8 fails only further on: the reading starts again."""
    from runtime.inputs import supervision

    rows = "".join(
        f"D{n},督〔2016〕{n}号,2016-07-03,s01,事项{n},2016-07-23,,,\n" for n in range(1, 4)
    )
    path = tmp_path / "supervision.csv"
    path.write_bytes((HEADER + rows).encode("gb18030"))
    whole = supervision.read_supervision(str(tmp_path), SECTIONS)

    def never(*args: object, **kwargs: object) -> object:
        raise AssertionError("the table was read whole")

    monkeypatch.setattr(supervision, "read_tables", never)
    assert supervision.read_supervision(str(tmp_path), SECTIONS) == whole
    assert [item.matter for item in whole[0]] == ["事项1", "事项2", "事项3"]
