"""A large plain CSV data file's kept rows split by column (``runtime.inputs.plainrows``)
are the rows the careful reader keeps (``dsl.tablefiles._csv_leaving_out``), or
nothing: whenever the careful reader would read the table whole, so does it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.tablefiles import Deciding, LeftOut, _csv_leaving_out, read_table_bytes
from runtime.inputs import plainrows
from runtime.inputs.data import _left_out
from runtime.inputs.periods import Period
from runtime.inputs.tables import read_once, read_tables

DATA = Path("examples/yongzhou")
QUARTER = Period(2016, 3)
HEAD = "period,subject,x\n"


@pytest.fixture(autouse=True)
def _small_files_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plainrows, "BY_COLUMN_FROM", 0)


def _compared(text: str, wanted: list[Period] | None = None) -> object:
    """Both readings of ``text``: the columns' table (None: read the careful
    way) must be the careful reader's, and None wherever that reads whole."""
    left_out = _left_out(frozenset(wanted or [QUARTER]), False)
    raw = text.encode()
    new = plainrows.kept_rows(raw, "t.csv", left_out)
    try:
        old = _csv_leaving_out(raw, "utf-8", "t.csv", left_out)
    except UnicodeDecodeError:
        old = None
    if old is None:
        assert new is None
    if new is not None:
        assert new == old
    return new


KEPT = {
    "rows of other quarters": HEAD + "2016Q2,s01,1\n2016Q3,s01, 2\n ,, \n2016Q2,s01,3\n2016Q3,s02,4\n",
    "an empty line": HEAD + "2016Q3,s01,1\n\n2016Q3,s02,2\n",
    "a blank row": HEAD + "2016Q3,s01,1\n,,\n2016Q2,s01,3\n",
    "blanks around a period": HEAD + " 2016Q3 ,s01,1\n\t2016Q2,s01,3\n",
    "a subject with blanks left out": HEAD + "2016Q3,s01,1\n2016Q2, s01 ,3\n",
    "line ends and a BOM": "\ufeffperiod,subject,x\r\n2016Q2,s01,1\r\n2016Q3,s01,2\r\n2016Q3,s02,3",
    "events": "date,subject,item\n2016-04-01,s01,a\n 2016-07-01 ,s09,b\n2016年6月30日,s07,c\n2016-09-30,s01,a\n",
    "Chinese text": "period,subject,名称\n2016Q2,s01,办公室\n2016Q3,s01,办公室\n",
}  # fmt: skip

WHOLE = {
    "a month row": HEAD + "2016Q2,s01,1\n2016-07,s01,2\n",
    "a period that is not one": HEAD + "2016Q2,s01,1\n2016Q5,s01,2\n",
    "a year in quarterly data": HEAD + "2016Q2,s01,1\n2016,s01,2\n",
    "a blank period in a row that is not blank": HEAD + "2016Q3,s01,1\n ,s01,2\n",
    "no row left": HEAD + "2016Q2,s01,1\n2016Q1,s01,2\n",
    "a subject named in other quarters only": HEAD + "2016Q2,s09,1\n2016Q3,s01,2\n",
    "no subject column": "period,who,x\n2016Q2,s01,1\n2016Q3,s01,2\n",
    "an event date that does not read": "date,subject,item\n2016-04-31,s01,a\n2016-07-01,s01,a\n",
    "an event date of no day": "date,subject,item\n2016-04-01,s01,a\n,s01,a\n2016-07-01,s01,a\n",
    "a repeated column": "period,subject,subject\n2016Q2,s01,1\n2016Q3,s01,2\n",
    "a header alone": HEAD,
    "a blank header": "\n2016Q3,s01,1\n",
}  # fmt: skip

# Not plain, or not as wide as the header: the careful reader decides.
CAREFUL = {
    "a quoted cell": HEAD + '2016Q2,s01,"1"\n2016Q3,s01,2\n',
    "a form feed": HEAD + "2016Q2,s01,1\x0c\n2016Q3,s01,2\n",
    "a lone carriage return": HEAD + "2016Q2,s01,1\r2016Q3,s01,2\n",
    "a short row": HEAD + "2016Q2,s01\n2016Q3,s01,2\n",
    "a long row": HEAD + "2016Q2,s01,1,2\n2016Q3,s01,2\n",
    "a line separator": HEAD + "2016Q3,s01,1\u2028\n2016Q3,s02,2\n",
}


@pytest.mark.parametrize("case", list(KEPT))
def test_the_rows_kept_are_the_careful_readers(case: str) -> None:
    assert _compared(KEPT[case]) is not None, case


@pytest.mark.parametrize("case", list(WHOLE) + list(CAREFUL))
def test_a_table_the_careful_reader_reads_whole_or_might_is_left_to_it(case: str) -> None:
    text = {**WHOLE, **CAREFUL}[case]
    assert _compared(text) is None, case


def test_gbk_is_left_to_the_careful_reader() -> None:
    text = "period,subject,名称\n2016Q2,s01,办公室\n2016Q3,s01,办公室\n"
    left_out = _left_out(frozenset([QUARTER]), False)
    assert plainrows.kept_rows(text.encode("gb18030"), "t.csv", left_out) is None


def test_a_small_file_is_left_to_the_careful_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plainrows, "BY_COLUMN_FROM", 1 << 20)
    left_out = _left_out(frozenset([QUARTER]), False)
    assert plainrows.kept_rows(KEPT["rows of other quarters"].encode(), "t.csv", left_out) is None


def test_blocks_keep_their_row_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many blocks: the rows' numbers run on across them."""
    from runtime.inputs import plaincsv

    monkeypatch.setattr(plaincsv, "_BLOCK", 64)
    lines = [f"2016Q{1 + n % 4},s{n % 7:02},{n}" for n in range(300)]
    assert _compared(HEAD + "\n".join(lines) + "\n") is not None


def test_the_bundled_files_read_by_column_are_those_read_by_line(tmp_path: Path) -> None:
    for name in ("sections.csv", "people.csv", "events.csv"):
        text = (DATA / name).read_text("utf-8")
        for wanted in ([QUARTER], [Period(2016, 1), QUARTER]):
            assert _compared(text, wanted) is not None, name
        path = tmp_path / name
        path.write_text(text, "utf-8")
        left_out = _left_out(frozenset([QUARTER]), False)
        with read_once(leave_out=True):
            assert read_tables(path, left_out=left_out) == read_table_bytes(
                text.encode(), str(path), left_out=left_out
            )


def test_a_file_not_plain_is_read_the_careful_way(tmp_path: Path) -> None:
    """The fallback: ``read_tables`` gives the careful reader's table."""
    text = HEAD + "2016Q2,s01,1\n2016Q3,s01,2\n2016Q3,s02\n"
    path = tmp_path / "t.csv"
    path.write_text(text, "utf-8")
    left_out = _left_out(frozenset([QUARTER]), False)
    with read_once(leave_out=True):
        (table,) = read_tables(path, left_out=left_out)
    assert table.rows == [(3, ["2016Q3", "s01", "2"]), (4, ["2016Q3", "s02"])]


CELLS = {
    0: ["2016Q3", "2016Q2", " 2016Q3", "2016Q3 ", "2016q3", "2016Q1", "", " ", "2016-08",
        "2016Q9", "2016", "2015Q3"],
    1: ["s01", "s02", " s01", "s03 ", "", " ", "s09"],
    2: ["1", "", " ", "名称", "2.5"],
}  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(*(st.sampled_from(CELLS[n]) for n in range(3))), min_size=1, max_size=30),
    st.sampled_from([[QUARTER], [Period(2016, 2), QUARTER]]),
    st.sampled_from(["\n", "\r\n"]),
)
def test_any_table_read_by_column_is_the_table_read_by_line(
    rows: list[tuple[str, str, str]], wanted: list[Period], end: str
) -> None:
    text = HEAD.replace("\n", end) + "".join(",".join(row) + end for row in rows)
    _compared(text, wanted)


def test_blank_rows_are_dropped_whatever_their_deciding_cell_says() -> None:
    """A filter that keeps rows of a blank deciding cell: blank rows still go."""
    keep_all = LeftOut("all", lambda header: Deciding(0, None, lambda text: False))
    text = HEAD + "2016Q3,s01,1\n , ,\n ,s02,\n,,\n"
    new = plainrows.kept_rows(text.encode(), "t.csv", keep_all)
    assert new == _csv_leaving_out(text.encode(), "utf-8", "t.csv", keep_all)
    assert new is not None and [number for number, _ in new.rows] == [2, 4]
