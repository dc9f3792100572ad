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
from typing import Any

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
    """Hive writes timestamps as INT96 (UTC instants: 16:00 UTC is midnight
    in China); dates, times and floats come in other widths."""
    columns = {
        "issued": pa.array([datetime.datetime(2016, 1, 1, 16), None], pa.timestamp("ns")),
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


# -- values a review found read wrongly (dsl/parquetfiles.py) --------------------------


def _column(values: pa.Array, **options: object) -> list[str]:
    """The cells of a one-column Parquet file of ``values``."""
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"c": values}), sink, **options)
    [table] = read_table_bytes(bytes(sink.getvalue().to_pybytes()), "x.parquet")
    return [cells[0] for _, cells in table.rows]


def test_days_and_moments_past_a_python_date_keep_their_true_year() -> None:
    """A sentinel past the years 1-9999 (year 10183 in a warehouse export) is
    a cell like any other, never an OverflowError: a date column refuses it
    at its row and column (below), a text column reads it."""
    assert _column(pa.array([3_000_000, -1_000_000, 16_891], pa.date32())) == [
        "10183-09-21", "-0768-02-04", "2016-03-31",
    ]  # fmt: skip
    assert _column(pa.array([3_000_000 * 86_400_000], pa.date64())) == ["10183-09-21"]
    late = 253_402_300_800_000_000 + 30_600_000_000  # 10000-01-01 08:30 in microseconds
    assert _column(pa.array([late, late - 30_600_000_000], pa.timestamp("us"))) == [
        "10000-01-01T08:30:00", "10000-01-01",
    ]  # fmt: skip
    assert _column(pa.array([2**31 - 1], pa.date32())) == ["5881580-07-11"]


def test_a_date_past_the_calendar_is_an_error_at_its_cell(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder_to_parquet(DATA, folder)
    events = folder / "events.parquet"
    table = pq.read_table(events)
    days = table.column("date").cast(pa.int32()).to_pylist()
    days[5] = 3_000_000
    index = table.schema.get_field_index("date")
    pq.write_table(table.set_column(index, "date", pa.array(days, pa.date32())), events)
    line = _one_error(folder)
    assert line.startswith(f"{events}:7 [date]: error[E0841]: row 7, column date: `10183-09-21`")


def test_damaged_files_are_table_errors_never_exceptions() -> None:
    """Bits flipped, bytes zeroed, files cut short (seeded): a table or a
    ``TableError``, never an exception of pyarrow or of a conversion (an
    OverflowError from a day count flipped past the calendar, before)."""
    import random

    count = 300
    table = pa.table(
        {
            "period": ["2016Q3"] * count,
            "subject": [f"p{i:04d}" for i in range(count)],
            "score": pa.array([Decimal(i) / 4 for i in range(count)], pa.decimal128(10, 2)),
            "n": pa.array(range(count), pa.int64()),
            "day": pa.array(
                [datetime.date(2016, 1, 1) + datetime.timedelta(i) for i in range(count)]
            ),
            "x": pa.array([i / 3 for i in range(count)]),
        }
    )
    files = {}
    for compression in ("snappy", "zstd", "none", "gzip"):
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression=compression, row_group_size=100)
        files[compression] = bytes(sink.getvalue().to_pybytes())
    rnd = random.Random(1)
    outcomes = {"read": 0, "refused": 0}
    for _ in range(300):
        raw = bytearray(files[rnd.choice(["snappy", "zstd", "none", "gzip"])])
        how = rnd.choice(["flip", "trunc", "zero"])
        if how == "flip":
            for _ in range(rnd.randint(1, 4)):
                raw[rnd.randrange(len(raw))] ^= 1 << rnd.randrange(8)
        elif how == "trunc":
            raw = raw[: rnd.randrange(len(raw))]
        else:
            at = rnd.randrange(len(raw))
            raw[at : at + 16] = bytes(16)
        try:
            read_table_bytes(bytes(raw), "f.parquet")
            outcomes["read"] += 1
        except TableError:
            outcomes["refused"] += 1
    assert outcomes["read"] > 10 and outcomes["refused"] > 100


def test_floats_are_written_positionally_in_workbooks_and_parquet(tmp_path: Path) -> None:
    """1e16 and 1e-7 (a double), 2,000,000 (a FLOAT, whose shortest text
    numpy writes 2e+06) are digits, never 1E+16, 1E-7 or 2E+6 (which the
    number reader refuses); XLSX and Parquet give the same text."""
    import openpyxl

    assert [cell_text(v) for v in (1e16, 1e-7, 85.0, 0.1)] == [
        "10000000000000000", "0.0000001", "85.0", "0.1",
    ]  # fmt: skip
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "数据"
    sheet.append(["big", "small"])
    sheet.append([1e16, 1e-7])
    book.save(tmp_path / "x.xlsx")
    [table] = read_table_bytes((tmp_path / "x.xlsx").read_bytes(), "x.xlsx")
    assert table.rows == [(2, ["10000000000000000", "0.0000001"])]
    assert _column(pa.array([1e16, 1e-7], pa.float64())) == table.rows[0][1]
    assert _column(pa.array([2e6, 1e-7, 0.1, 2.5], pa.float32())) == [
        "2000000", "0.0000001", "0.1", "2.5",
    ]  # fmt: skip
    assert _column(pa.array([2048.0, 0.1], pa.float16())) == ["2048", "0.1"]


def test_a_float_column_of_two_million_reads_as_the_csv_digits(tmp_path: Path) -> None:
    csv_folder = tmp_path / "csv"
    shutil.copytree(DATA, csv_folder)
    people = csv_folder / "people.csv"
    text = people.read_text(encoding="utf-8")
    good = "2016Q3,p0101,邹琪旭,好,1,1,13.29,一般,"
    assert good in text
    people.write_text(text.replace(good, "2016Q3,p0101,邹琪旭,好,2000000,1,13.29,一般,"), "utf-8")
    folder = tmp_path / "parquet"
    folder_to_parquet(csv_folder, folder)
    shutil.copytree(DATA / "published", folder / "published")
    table = pq.read_table(folder / "people.parquet")
    index = table.schema.get_field_index("差错次数")
    single = table.column(index).cast(pa.float32())
    pq.write_table(table.set_column(index, "差错次数", single), folder / "people.parquet")
    argv = ("--period", "2016Q3", "--format", "json")
    code, expected, err = run("evaluate", str(BUNDLED), "--data", str(csv_folder), *argv)
    assert (code, err) == (0, "")
    code, got, err = run("evaluate", str(BUNDLED), "--data", str(folder), *argv)
    assert (code, err) == (0, "")
    assert _sources_renamed(got, folder).replace(str(csv_folder), str(DATA)) == expected.replace(
        str(csv_folder), str(DATA)
    )


def _people_rules(tmp_path: Path, records: int) -> Path:
    rules = as_tables(tmp_path / "rules")
    people = rules / "org" / "people.parquet"
    csv_to_parquet(rules / "org" / "people.csv", people)
    table = pq.read_table(people)
    pq.write_table(pa.concat_tables([table] * (records // table.num_rows + 1)), people)
    organization = rules / "organization.yaml"
    text = organization.read_text(encoding="utf-8")
    organization.write_text(text.replace("org/people.csv", "org/people.parquet"), "utf-8")
    return rules


def test_an_organization_table_of_too_many_records_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few kilobytes of Parquet can declare millions of records: the row
    limit (E0888) is checked on the file's footer, before any is decoded."""
    from dsl import rostertables

    rules = _people_rules(tmp_path, 300)
    monkeypatch.setattr(rostertables, "MAX_ROWS", 200)

    def unread(*_: object) -> None:
        raise AssertionError("records decoded")

    monkeypatch.setattr(parquetfiles, "_rows", unread)
    code, _, err = run("check", str(rules), "--lang", "en", "--output-format", "concise")
    assert code == 1 and "Traceback" not in err
    people = f"{rules}/org/people.parquet"
    records = pq.read_metadata(people).num_rows
    assert f"{people}:202: error[E0888]: the organization table {people} is too large: " in err
    assert f"{records} rows, the limit is 200" in err


def test_a_file_that_does_not_fit_in_memory_is_one_error_at_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    folder_to_parquet(DATA, folder)

    rows = parquetfiles._rows

    def exhausted(file: pq.ParquetFile, *rest: Any) -> Any:
        if file.metadata.num_rows > 800:  # the supervision table only
            raise MemoryError
        return rows(file, *rest)

    monkeypatch.setattr(parquetfiles, "_rows", exhausted)
    line = _one_error(folder)
    supervision = folder / "supervision.parquet"
    assert line.startswith(f"{supervision}: error[E0902]: cannot read {supervision}: its 847 ")
    assert line.endswith(
        "records do not fit in memory (split the file, or leave out the columns that are not read)"
    )


def test_instants_are_read_as_the_time_in_china() -> None:
    """A timestamp with a time zone, and INT96 (which Spark and Hive write as
    UTC), is an instant: read as China Standard Time (UTC+8), so a day
    exported from a session in Asia/Shanghai is that day again."""
    utc = datetime.datetime(2016, 3, 30, 16, tzinfo=datetime.UTC)  # 2016-03-31 00:00 in China
    micros = int(utc.timestamp()) * 1_000_000
    moment = micros + (8 * 3600 + 30 * 60) * 1_000_000  # 08:30 in China
    for zone in ("UTC", "Asia/Shanghai", "+08:00", "America/New_York"):
        assert _column(pa.array([micros, moment], pa.timestamp("us", zone))) == [
            "2016-03-31", "2016-03-31T08:30:00",
        ]  # fmt: skip
    seconds = pa.array([micros // 1_000_000], pa.timestamp("s", "UTC"))
    assert _column(seconds) == ["2016-03-31"]
    naive = pa.array([datetime.datetime(2016, 3, 30, 16), datetime.datetime(2016, 3, 31)])
    assert _column(naive) == ["2016-03-30T16:00:00", "2016-03-31"]  # a local time as written
    spark = _column(naive, use_deprecated_int96_timestamps=True)  # INT96: UTC instants
    assert spark == ["2016-03-31", "2016-03-31T08:00:00"]
    sentinel = pa.array([datetime.datetime(9999, 12, 31)], pa.timestamp("us"))
    assert _column(sentinel, use_deprecated_int96_timestamps=True) == ["9999-12-31T08:00:00"]


def test_nanoseconds_are_kept() -> None:
    midnight = 1_459_382_400_000_000_000  # 2016-03-31 00:00 in nanoseconds
    stamps = pa.array([midnight, midnight + 1, midnight + 5_000, midnight + 8 * 3600 * 10**9])
    assert _column(stamps.cast(pa.timestamp("ns"))) == [
        "2016-03-31", "2016-03-31T00:00:00.000000001", "2016-03-31T00:00:00.000005",
        "2016-03-31T08:00:00",
    ]  # fmt: skip
    times = pa.array([30_600_000_000_001, 30_600_000_000_000], pa.time64("ns"))
    assert _column(times) == ["08:30:00.000000001", "08:30:00"]


@pytest.mark.parametrize("kind", [pa.decimal32(5, 1), pa.decimal64(12, 1)], ids=str)
def test_narrow_decimals_are_read(kind: pa.DataType) -> None:
    values = pa.array([Decimal("12.5"), Decimal("-0.5"), None, Decimal("12.5")], kind)
    assert _column(values, store_schema=True) == ["12.5", "-0.5", "12.5"]


def test_text_that_is_not_utf8_is_read_as_gb18030_or_located() -> None:
    """Older Hive tables hold GBK bytes in string columns: read as GB18030,
    as a CSV file that is not UTF-8 is; bytes in neither name the row and
    the column."""
    gbk = pa.array(["办公室".encode("gbk"), b"s02", None], pa.binary()).view(pa.string())
    assert _column(gbk) == ["办公室", "s02"]
    bad = pa.array([b"s01", b"s02", b"x\xff"], pa.binary()).view(pa.string())
    table = pa.table({"subject": ["s01", "s02", "s03"], "name": bad})
    with pytest.raises(TableError) as raised:
        read_table_bytes(_bytes(table), "x.parquet")
    assert str(raised.value) == "row 4 [name]: byte 0xFF is neither UTF-8 nor GB18030 (GBK)"


def test_a_column_name_is_trimmed_in_its_problem() -> None:
    values = pa.array([["a"]], pa.list_(pa.string()))
    with pytest.raises(ColumnProblem) as raised:
        read_table_bytes(_bytes(pa.table({"subject": ["s01"], " 标签 ": values})), "x.parquet")
    assert raised.value.column == "标签"
    assert str(raised.value).startswith("column 标签: values of type list<")
