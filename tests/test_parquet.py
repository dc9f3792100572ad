"""Parquet data files and organization tables (``dsl/parquetfiles.py``).

A Parquet file is read as the table the CSV with the same content gives:
typed cells become the text the XLSX reader gives for the same value, rows
are numbered as the CSV's lines (header row 1), so the bundled data
converted to typed Parquet evaluates byte for byte as the CSV does (only the
file names in sources differ), its bad cells get the CSV's messages at the
same rows (golden), and a column that is not cells or a file that is not
Parquet is one located error, never a traceback.
"""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dsl import parquetfiles
from dsl.tablefiles import ColumnProblem, TableError, read_table_bytes
from dsl.tablefiles import _text as cell_text  # the workbook reader's cell text
from tests.clirun import run
from tests.golden import assert_golden
from tests.parquetdata import csv_to_parquet, folder_to_parquet
from tests.test_roster_tables import BUNDLED, as_tables

DATA = Path("examples/yongzhou")
GOLDEN = Path("tests/cases/parquet")


def _bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())


def test_typed_cells_read_as_the_workbook_reader_gives_them() -> None:
    day = datetime.date(2016, 3, 31)
    midnight = datetime.datetime(2016, 3, 31)
    moment = datetime.datetime(2016, 3, 31, 8, 30, 5)
    columns = {
        "subject": pa.array(["s01", "s02", "s03"]),  # the last row's other cells all null
        "int": pa.array([85, -3, None], pa.int64()),
        "uint8": pa.array([0, 255, None], pa.uint8()),
        "decimal": pa.array([Decimal("12.50"), Decimal("-0.05"), None], pa.decimal128(10, 2)),
        "wide": pa.array([Decimal("1.000000000000000000001"), None, None], pa.decimal256(40, 21)),
        "double": pa.array([0.1, 85.0, None], pa.float64()),
        "single": pa.array([0.1, 2.5, None], pa.float32()),
        "bool": pa.array([True, False, None]),
        "date": pa.array([day, None, None], pa.date32()),
        "stamp": pa.array([midnight, moment, None], pa.timestamp("ns")),
        "zoned": pa.array([midnight, None, None], pa.timestamp("us", "Asia/Shanghai")),
        "time": pa.array([datetime.time(8, 30), None, None], pa.time64("us")),
        "text": pa.array(["  好 ", "", None]),
        "large": pa.array(["较好", None, None], pa.large_string()),
        "levels": pa.array(["好", "一般", None]).dictionary_encode(),
        "nothing": pa.array([None, None, None], pa.null()),
    }
    [table] = read_table_bytes(_bytes(pa.table(columns)), "data.parquet")
    assert table.shown == "data.parquet"
    assert table.header == list(columns)
    got = {name: [cells[i] for _, cells in table.rows] for i, name in enumerate(table.header)}
    assert [number for number, _ in table.rows] == [2, 3, 4]
    assert got["int"] == ["85", "-3", ""]
    assert got["uint8"] == ["0", "255", ""]
    assert got["decimal"] == ["12.50", "-0.05", ""]  # the exact text with its scale
    assert got["wide"] == ["1.000000000000000000001", "", ""]
    assert got["double"] == ["0.1", "85.0", ""]
    assert got["single"] == ["0.1", "2.5", ""]  # shortest for 32 bits, not 0.10000000149…
    assert got["bool"] == ["true", "false", ""]
    assert got["date"] == ["2016-03-31", "", ""]
    assert got["stamp"] == ["2016-03-31", "2016-03-31T08:30:05", ""]
    assert got["zoned"][0].startswith("2016-03-31")
    assert got["time"] == ["08:30:00", "", ""]
    assert got["text"] == ["好", "", ""]
    assert got["large"] == ["较好", "", ""]
    assert got["levels"] == ["好", "一般", ""]
    assert got["nothing"] == ["", "", ""]
    # The same values as the workbook reader gives them.
    for value, text in ((85, "85"), (0.1, "0.1"), (85.0, "85.0"), (True, "true"), (day, "2016-03-31"),
                        (midnight, "2016-03-31"), (moment, "2016-03-31T08:30:05")):  # fmt: skip
        assert cell_text(value) == text


def test_hive_int96_timestamps_and_other_widths() -> None:
    """Hive writes timestamps as INT96; dates, times and floats come in other widths."""
    columns = {
        "issued": pa.array([datetime.datetime(2016, 1, 2), None], pa.timestamp("ns")),
        "day": pa.array([datetime.date(2016, 1, 2), None], pa.date64()),
        "at": pa.array([datetime.time(8, 30), None], pa.time32("s")),
        "half": pa.array([0.1, None], pa.float16()),
        "view": pa.array([" x ", None], pa.string_view()),
    }
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(columns), sink, use_deprecated_int96_timestamps=True)
    assert pq.read_metadata(sink.getvalue()).schema.column(0).physical_type == "INT96"
    [table] = read_table_bytes(bytes(sink.getvalue().to_pybytes()), "hive.parquet")
    assert table.rows == [(2, ["2016-01-02", "2016-01-02", "08:30:00", "0.1", "x"])]


def test_rows_are_numbered_as_the_csv_lines_and_empty_records_skipped() -> None:
    table = pa.table({"subject": ["s01", None, "s02", " "], "n": [1, None, 2, None]})
    [read] = read_table_bytes(_bytes(table), "x.parquet")
    assert read.rows == [(2, ["s01", "1"]), (4, ["s02", "2"])]
    [empty] = read_table_bytes(_bytes(pa.table({"a": pa.array([], pa.string())})), "e.parquet")
    assert (empty.header, empty.rows) == (["a"], [])


def test_rows_are_numbered_across_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parquetfiles, "_BATCH", 2)  # records are read two at a time
    subjects = ["s01", None, "s03", "s04", None, "s06", "s07"]
    days = [datetime.date(2016, 1, n) for n in range(1, 8)]
    table = pa.table(
        {
            "subject": subjects,
            "day": pa.array([d if s else None for d, s in zip(days, subjects, strict=True)]),
        }
    )
    [read] = read_table_bytes(_bytes(table), "x.parquet")
    assert read.rows == [
        (2, ["s01", "2016-01-01"]), (4, ["s03", "2016-01-03"]), (5, ["s04", "2016-01-04"]),
        (7, ["s06", "2016-01-06"]), (8, ["s07", "2016-01-07"]),
    ]  # fmt: skip
    periods = pa.table({"period": ["2016Q1"] * 5, "n": [0, 1, 0, 1, 0]})
    [read] = read_table_bytes(_bytes(periods), "x.parquet")
    texts = [cells[0] for _, cells in read.rows] + [cells[1] for _, cells in read.rows]
    # Equal cells are one string across batches (as in the CSV reader).
    assert len({id(text) for text in texts}) == 3


@pytest.mark.parametrize(
    "kind",
    [pa.list_(pa.int64()), pa.struct([("a", pa.int64())]), pa.binary(), pa.duration("s"),
     pa.map_(pa.string(), pa.int64())],
    ids=str,
)  # fmt: skip
def test_a_column_that_is_not_cells_is_named(kind: pa.DataType) -> None:
    values = pa.array([None], kind)
    with pytest.raises(ColumnProblem) as raised:
        read_table_bytes(_bytes(pa.table({"subject": ["s01"], "得分": values})), "x.parquet")
    assert raised.value.column == "得分"
    assert raised.value.kind.split("<")[0] == str(kind).split("<")[0]  # as the file declares it


@pytest.mark.parametrize("raw", [b"", b"period,subject\n2016Q3,s01\n", b"PAR1" + b"\0" * 40])
def test_a_file_that_is_not_parquet_is_a_table_error(raw: bytes) -> None:
    with pytest.raises(TableError) as raised:
        read_table_bytes(raw, "x.parquet")
    assert str(raised.value).startswith("not a readable Parquet file (")
    assert not isinstance(raised.value, ColumnProblem)


def _sources_renamed(text: str, folder: Path) -> str:
    """Output of the Parquet folder with its file names as the CSV folder's."""
    text = text.replace(str(folder), str(DATA))
    for stem in ("events", "people", "sections", "supervision"):
        text = text.replace(f"{stem}.parquet", f"{stem}.csv")
    return text


@pytest.mark.parametrize("typed", [True, False], ids=["typed", "text"])
def test_the_bundled_data_as_parquet_evaluates_identically(tmp_path: Path, typed: bool) -> None:
    folder = tmp_path / "data"
    written = folder_to_parquet(DATA, folder, typed)
    assert len(written) == 4
    shutil.copytree(DATA / "published", folder / "published")  # earlier years' results
    if typed:  # the columns are typed as a warehouse would type them
        schema = pq.read_schema(folder / "people.parquet")
        assert schema.field("学习得分").type == pa.decimal128(18, 2)
        assert schema.field("差错次数").type == pa.int64()
        assert pq.read_schema(folder / "events.parquet").field("date").type == pa.date32()
    forms = ("table", "json") if typed else ("json",)
    for period in ("2016Q3", "2016Q1..2016Q3"):
        for form in forms:
            argv = ("--period", period, "--format", form)
            code, expected, err = run("evaluate", str(BUNDLED), "--data", str(DATA), *argv)
            assert (code, err) == (0, "")
            code, got, err = run("evaluate", str(BUNDLED), "--data", str(folder), *argv)
            assert (code, err) == (0, "")
            assert _sources_renamed(got, folder) == expected


def _bad_folder(tmp_path: Path, name: str) -> Path:
    """The bundled data with bad cells in 2016Q3: a level not in the
    enumeration, a negative count, a count with a fraction (its column
    becomes DECIMAL(18,1) as Parquet: every other cell ``0.0``)."""
    folder = tmp_path / name
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("published", "*.py"))
    sections = folder / "sections.csv"
    text = sections.read_text(encoding="utf-8")
    good = "2016Q3,s01,办公室,,,,一般,7,6,0,,,好,1,0,,,好,好,98%,,0,0"
    assert good in text
    text = text.replace(good, "2016Q3,s01,办公室,,,,很好,7,6,-1,,,好,1,0,,,好,好,98%,,0,0")
    sections.write_text(text, encoding="utf-8")
    people = folder / "people.csv"
    text = people.read_text(encoding="utf-8")
    good = "2016Q3,p0101,邹琪旭,好,1,1,13.29,一般,"
    assert good in text
    people.write_text(text.replace(good, "2016Q3,p0101,邹琪旭,好,1.5,1,13.29,一般,"), "utf-8")
    return folder


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bad_cells_have_the_csv_messages_at_the_same_rows(tmp_path: Path, lang: str) -> None:
    csv_folder = _bad_folder(tmp_path, "csv")
    folder = tmp_path / "parquet"
    folder_to_parquet(csv_folder, folder)
    argv = ("--period", "2016Q3", "--lang", lang, "--output-format", "concise")
    code, out, expected = run("evaluate", str(BUNDLED), "--data", str(csv_folder), *argv)
    assert (code, out) == (1, "")
    code, out, err = run("evaluate", str(BUNDLED), "--data", str(folder), *argv)
    assert (code, out) == (1, "")
    assert "Traceback" not in err
    assert err.replace(str(folder), str(csv_folder)).replace(".parquet", ".csv") == expected
    assert_golden(GOLDEN / f"bad_cells.{lang}.txt", err.replace(str(tmp_path), "DATA"))


def _one_error(folder: Path, lang: str = "en") -> str:
    code, out, err = run(
        "evaluate", str(BUNDLED), "--data", str(folder), "--period", "2016Q3",
        "--lang", lang, "--output-format", "concise",
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if "[E" in line]
    assert len(errors) == 1, err
    return errors[0]


def test_a_file_that_is_not_parquet_is_one_located_error(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder_to_parquet(DATA, folder)
    broken = folder / "people.parquet"
    broken.write_bytes(b"period,subject\n2016Q3,p0101\n")  # a CSV file named .parquet
    line = _one_error(folder)
    assert line.startswith(f"{broken}: error[E0902]: cannot read {broken}: not a readable Parquet")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_list_column_is_one_located_error_naming_it(tmp_path: Path, lang: str) -> None:
    folder = tmp_path / "data"
    folder_to_parquet(DATA, folder)
    people = folder / "people.parquet"
    table = pq.read_table(people)
    tags = pa.array([["a", "b"]] * table.num_rows, pa.list_(pa.string()))
    pq.write_table(table.append_column("标签", tags), people)
    line = _one_error(folder, lang)
    assert_golden(GOLDEN / f"list_column.{lang}.txt", line.replace(str(tmp_path), "DATA") + "\n")
    assert line.startswith(f"{people}:1 [标签]: ")
    assert "E0961" in line and "list<" in line


def test_the_organization_as_parquet_tables_evaluates_identically(tmp_path: Path) -> None:
    rules = as_tables(tmp_path / "rules")
    organization = rules / "organization.yaml"
    for part in ("sections", "people", "posts"):
        csv_to_parquet(rules / "org" / f"{part}.csv", rules / "org" / f"{part}.parquet")
        (rules / "org" / f"{part}.csv").unlink()
    text = organization.read_text(encoding="utf-8")
    organization.write_text(text.replace(".csv", ".parquet"), encoding="utf-8")
    argv = ("--data", str(DATA), "--period", "2016Q3", "--format", "table")
    code, expected, err = run("evaluate", str(BUNDLED), *argv)
    assert (code, err) == (0, "")
    code, got, err = run("evaluate", str(rules), *argv)
    assert (code, err) == (0, "")
    assert got == expected


def test_an_organization_table_with_a_struct_column_is_named(tmp_path: Path) -> None:
    rules = as_tables(tmp_path / "rules")
    people = rules / "org" / "people.parquet"
    csv_to_parquet(rules / "org" / "people.csv", people)
    table = pq.read_table(people)
    extra = pa.array([{"x": 1}] * table.num_rows, pa.struct([("x", pa.int64())]))
    pq.write_table(table.append_column("履历", extra), people)
    organization = rules / "organization.yaml"
    text = organization.read_text(encoding="utf-8")
    organization.write_text(text.replace("org/people.csv", "org/people.parquet"), "utf-8")
    code, _, err = run("check", str(rules), "--lang", "en", "--output-format", "concise")
    assert code == 1 and "Traceback" not in err
    assert f"{rules}/org/people.parquet:1 [履历]: error[E0961]: column 履历 of" in err
