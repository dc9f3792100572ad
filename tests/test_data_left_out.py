"""Rows of periods not evaluated are left out of a CSV file as it is read
(``dsl.tablefiles.LeftOut``, ``runtime.inputs.data._left_out``): the period
data read so is the data read whole, row for row and problem for problem,
and a table is read whole whenever leaving rows out could change anything."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.tablefiles import read_table_bytes
from runtime.inputs.data import _left_out, load_data
from runtime.inputs.periods import Period
from runtime.inputs.tables import read_once, read_tables
from tests.datasets import bundled_compilation, dataset_summary
from tests.parquetdata import csv_to_parquet, folder_to_parquet

DATA = Path("examples/yongzhou")
QUARTER = Period(2016, 3)


def _both(folder: Path, wanted: list[Period], leave_out: bool) -> tuple[object, ...]:
    compilation = bundled_compilation()
    with read_once(leave_out=leave_out):
        found = [
            load_data(compilation.programs[kind], str(folder), wanted)
            for kind in ("section", "person")
        ]
    return tuple(dataset_summary(dataset) for dataset in found)


def _left(text: str, wanted: list[Period] | None = None) -> tuple[list[str], list[object]]:
    """The table ``text`` read with the rows of periods not ``wanted`` left out."""
    left_out = _left_out(frozenset(wanted or [QUARTER]), False)
    (table,) = read_table_bytes(text.encode(), "t.csv", left_out=left_out)
    return table.header, [number for number, _ in table.rows]


def test_rows_of_other_quarters_are_left_out_and_the_rest_read_as_before() -> None:
    text = "period,subject,x\n2016Q2,s01,1\n2016Q3,s01, 2\n\n ,, \n2016Q2,s01,3\n2016Q3,s02,4\n"
    assert _left(text) == (["period", "subject", "x"], [3, 7])
    (whole,) = read_table_bytes(text.encode(), "t.csv")
    (left,) = read_table_bytes(
        text.encode(), "t.csv", left_out=_left_out(frozenset([QUARTER]), False)
    )
    assert left.rows == [row for row in whole.rows if row[1][0] == "2016Q3"]


def test_a_table_is_read_whole_when_leaving_rows_out_could_change_what_it_is() -> None:
    head = "period,subject,x\n"
    cases = {
        "a month row": head + "2016Q2,s01,1\n2016-07,s01,2\n",
        "a period that is not one": head + "2016Q2,s01,1\n2016Q5,s01,2\n",
        "a year in quarterly data": head + "2016Q2,s01,1\n2016,s01,2\n",
        "a quoted cell": head + '2016Q2,s01,"1"\n2016Q3,s01,2\n',
        "a form feed": head + "2016Q2,s01,1\x0c\n2016Q3,s01,2\n",
        "a lone carriage return": head + "2016Q2,s01,1\r2016Q3,s01,2\n",
        "no row left": head + "2016Q2,s01,1\n2016Q1,s01,2\n",
        "a subject named in other quarters only": head + "2016Q2,s09,1\n2016Q3,s01,2\n",
        "a row short of the subject": head + "2016Q2\n2016Q3,s01,2\n",
        "no subject column": "period,who,x\n2016Q2,s01,1\n2016Q3,s01,2\n",
        "an event table with periods": "date,subject,item,count,reason,evidence,period\n2016Q2,s01,a,1,,,2016Q2\n2016Q3,s01,a,1,,,2016Q3\n",
        "an event date that does not read": "date,subject,item\n2016-04-31,s01,a\n2016-07-01,s01,a\n",
        "an event date of no day": "date,subject,item\n2016-04-01,s01,a\n,s01,a\n2016-07-01,s01,a\n",
        "a supervision table": "id,letter,issued,subject,matter,due,closed,corrected,evidence,period,x\n"
        "D1,L,2016-04-01,s01,m,2016-04-20,,,,2016Q2,1\nD2,L,2016-07-01,s01,m,2016-07-20,,,,2016Q3,1\n",
        "a repeated column": "period,subject,subject\n2016Q2,s01,1\n2016Q3,s01,2\n",
    }
    for case, text in cases.items():
        (whole,) = read_table_bytes(text.encode(), "t.csv")
        assert _left(text) == (whole.header, [number for number, _ in whole.rows]), case
        assert len(whole.rows) > 1, case


def test_events_dated_in_other_quarters_are_left_out() -> None:
    text = "date,subject,item\n2016-04-01,s01,a\n 2016-07-01 ,s09,b\n2016年6月30日,s07,c\n2016-09-30,s01,a\n"
    assert _left(text) == (["date", "subject", "item"], [3, 5])


def test_line_ends_and_a_byte_order_mark_are_read_as_the_csv_module_reads_them() -> None:
    text = "\ufeffperiod,subject,x\r\n2016Q2,s01,1\r\n2016Q3,s01,2\r\n2016Q3,s02,3"
    assert _left(text) == (["period", "subject", "x"], [3, 4])


def test_gbk_data_is_left_out_as_utf8_is() -> None:
    text = "period,subject,名称\n2016Q2,s01,办公室\n2016Q3,s01,办公室\n"
    left_out = _left_out(frozenset([QUARTER]), False)
    (table,) = read_table_bytes(text.encode("gb18030"), "t.csv", left_out=left_out)
    assert table.rows == [(3, ["2016Q3", "s01", "办公室"])]


def _variant(folder: Path, changes: list[tuple[int, int, str]]) -> None:
    """The bundled data with some cells of sections.csv, people.csv and
    events.csv changed (``changes``: file, row, "column=text")."""
    folder.mkdir(exist_ok=True)
    for file in DATA.iterdir():
        if file.is_file():
            (folder / file.name).write_bytes(file.read_bytes())
    for index, name in enumerate(("sections.csv", "people.csv", "events.csv")):
        rows = list(csv.reader(io.StringIO((DATA / name).read_text("utf-8"))))
        for which, row, text in changes:
            if which % 3 == index:
                cells = rows[1 + row % (len(rows) - 1)]
                column, value = text.split("=", 1)
                cells[int(column)] = value
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)


CHANGES = st.tuples(
    st.integers(0, 2),
    st.integers(0, 500),
    st.sampled_from([
        "0=2016Q1", "0=2016Q3", "0=2016q3", "0= 2016Q3 ", "0=2015Q3", "0=2016-08", "0=2016Q9",
        "0=2016", "0=", "0=2016年第三季度", "1=s01", "1=s99", "1=p0101", "1= s02", "1=",
        "2=名,称", '2=引"号', "0=2016-08-01", "0=2016-02-30", "0=2015-08-01", "0= 2016/7/1",
    ]),
)  # fmt: skip


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CHANGES, max_size=6), st.sampled_from([[QUARTER], [Period(2016, 1), QUARTER]]))
def test_data_read_with_rows_left_out_is_the_data_read_whole(
    changes: list[tuple[int, int, str]], wanted: list[Period]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        _variant(data, changes)
        assert _both(data, wanted, leave_out=True) == _both(data, wanted, leave_out=False)


def test_the_bundled_data_is_read_with_rows_left_out() -> None:
    """Not a test that passes because nothing is ever left out."""
    left_out = _left_out(frozenset([QUARTER]), False)
    with read_once(leave_out=True):
        (left,) = read_tables(DATA / "sections.csv", left_out=left_out)
    (whole,) = read_tables(DATA / "sections.csv")
    assert 0 < len(left.rows) < len(whole.rows)
    assert left.rows == [row for row in whole.rows if row[1][0] == "2016Q3"]
    with read_once():  # a block that does not allow it (a dry-run's): whole tables
        (kept,) = read_tables(DATA / "sections.csv", left_out=left_out)
    assert kept.rows == whole.rows


def _parquet(text: str, tmp: Path, typed: bool = True) -> bytes:
    source, target = tmp / "t.csv", tmp / "t.parquet"
    source.write_text(text, encoding="utf-8")
    csv_to_parquet(source, target, typed)
    return target.read_bytes()


def test_parquet_rows_of_other_quarters_are_left_out_and_tables_read_whole_as_csv_ones(
    tmp_path: Path,
) -> None:
    left_out = _left_out(frozenset([QUARTER]), False)
    head = "period,subject,x\n"
    cases = {
        "rows left out": (
            head + "2016Q2,s01,1\n2016Q3,s01,2\n2016Q1,s01,3\n2016Q3,s02,4\n",
            [3, 5],
        ),
        "a month row": (head + "2016Q2,s01,1\n2016-07,s01,2\n", [2, 3]),
        "a subject named in other quarters only": (head + "2016Q2,s09,1\n2016Q3,s01,2\n", [2, 3]),
        "no row left": (head + "2016Q2,s01,1\n2016Q1,s01,2\n", [2, 3]),
        "a null period": (head + "2016Q2,s01,1\n,s01,2\n2016Q3,s01,3\n", [2, 3, 4]),
        "events": ("date,subject,item\n2016-04-01,s01,a\n2016-07-01,s09,b\n", [3]),
        "an event date of no day": (
            "date,subject,item\n2016-04-01,s01,a\n2016年4月31日,s01,b\n",
            [2, 3],
        ),
    }
    for case, (text, numbers) in cases.items():
        for typed in (True, False):
            raw = _parquet(text, tmp_path, typed)
            (whole,) = read_table_bytes(raw, "t.parquet")
            (left,) = read_table_bytes(raw, "t.parquet", left_out=left_out)
            assert [n for n, _ in left.rows] == numbers, (case, typed)
            assert left.rows == [row for row in whole.rows if row[0] in numbers], (case, typed)


def test_parquet_data_read_with_rows_left_out_is_the_data_read_whole(tmp_path: Path) -> None:
    _variant(tmp_path / "csv", [(0, 3, "1=p0101"), (1, 7, "0=2015Q3"), (2, 5, "0=2016-08-01")])
    folder_to_parquet(tmp_path / "csv", tmp_path / "parquet")
    (tmp_path / "parquet" / "supervision.parquet").unlink()
    for wanted in ([QUARTER], [Period(2016, 1), QUARTER]):
        whole = _both(tmp_path / "parquet", wanted, leave_out=False)
        assert _both(tmp_path / "parquet", wanted, leave_out=True) == whole
