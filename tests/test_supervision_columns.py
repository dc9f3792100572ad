"""A large supervision table checked a column at a time (``supervision._by_column``)
gives exactly what reading it row by row gives: the same items, problems, their
order and what the other readers see of the table; and any file that is not
plain, or has a problem anywhere, is read row by row (the column path declines).

Every test runs both paths on the same bytes: the column path from a file of
any size (``BY_COLUMN_FROM = 0``) and never (a limit no file reaches)."""

from __future__ import annotations

import csv
import tempfile
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.inputs import plaincsv, supervision
from runtime.inputs.supervision import due_in, read_supervision
from runtime.inputs.tables import EncodingProblem, TableError, data_files, read_once, read_tables

HEADER = "id,letter,issued,subject,matter,due,closed,corrected,evidence"
SECTIONS = {"s01": "办公室", "s12": "督查内审科", "s03": "征管科"}
QUARTER = [(date(2016, 7, 1), date(2016, 9, 30))]
CLEAN = [
    "D1,督〔2016〕1号,2016-07-03,s01,事项,2016-07-23,2016-07-20,是,整改报告",
    "D2,督〔2016〕1号,2016-07-03,s12,事项,2016-07-23,2016-08-02,否,",
    "D3,督〔2016〕2号,2016-01-08,s12,事项,2016-01-28,,,",
    "D4,督〔2016〕2号,2016-08-08,s03,“两会”事项,2016-08-28,,yes,证据",
]


def _both(
    monkeypatch: pytest.MonkeyPatch, folder: Path, spans: object = QUARTER
) -> tuple[object, object, list[bool]]:
    """(column path allowed, row by row), each the items and problems read
    inside ``read_once()`` and the tables the other readers then get; and
    for each file, whether the column path read it."""
    used: list[bool] = []
    real = supervision._by_column

    def spy(*args: object, **kwargs: object) -> object:
        made = real(*args, **kwargs)  # type: ignore[arg-type]
        used.append(made is not None)
        return made

    monkeypatch.setattr(supervision, "_by_column", spy)
    seen = []
    for start in (0, 1 << 62):
        monkeypatch.setattr(supervision, "BY_COLUMN_FROM", start)
        with read_once(), due_in(spans):  # type: ignore[arg-type]
            found = read_supervision(str(folder), SECTIONS)
            kept = [_tables(file) for file in data_files(folder)]
        seen.append((found, kept))
    assert not any(used[len(used) // 2 :])  # never taken when the limit says no
    return seen[0], seen[1], used[: len(used) // 2]


def _tables(file: Path) -> object:
    try:
        return read_tables(file)
    except (EncodingProblem, TableError) as error:  # the period data reader reports it
        return repr(error)


def _write(folder: Path, lines: list[str], *, eol: str = "\n", prefix: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "supervision.csv"
    path.write_bytes((prefix + eol.join([HEADER, *lines]) + eol).encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("name", "eol", "prefix", "header"),
    [
        ("lf", "\n", "", HEADER),
        ("crlf", "\r\n", "", HEADER),
        ("bom", "\n", "\ufeff", HEADER),
        ("extra_column", "\n", "", HEADER + ",备注"),
        ("unnamed_column", "\n", "", HEADER + ","),
    ],
)
def test_a_plain_table_is_read_by_column_with_the_items_read_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, eol: str, prefix: str, header: str
) -> None:
    lines = [line + ("," if header != HEADER else "") for line in CLEAN]
    folder = tmp_path / name
    folder.mkdir()
    (folder / "supervision.csv").write_bytes(
        (prefix + eol.join([header, *lines]) + eol).encode("utf-8")
    )
    for spans in ([], None, QUARTER):
        by_column, by_row, used = _both(monkeypatch, folder, spans)
        assert used == [True], name
        assert by_column == by_row, name
    items, problems = by_column[0]  # type: ignore[index]
    # The first item whatever its due date, then those due in the quarter.
    assert [i.id for i in items] == ["D1", "D2", "D4"] and problems == []


def test_cells_with_blanks_and_other_spellings_give_the_same_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blanks around cells (U+3000 and U+00A0 too), dates written 2016/7/3
    or 2016年7月3日, YES and N: accepted by both, the same items."""
    lines = [
        " D9 ,\u3000督〔2016〕3号 ,2016/7/3,s01\u00a0,事项 ,2016年7月23日, 2016-7-20 , YES ,\t证据",
        "D1,L,2016.7.3,s12,m,2016-07-05,,N,",
        "C0,L,2016-07-03,s03,m,2016-09-30,2016-09-30,0,e",  # ids not in order
    ]
    folder = tmp_path / "spellings"
    _write(folder, lines)
    for spans in (None, QUARTER):
        by_column, by_row, used = _both(monkeypatch, folder, spans)
        assert used == [True] and by_column == by_row
    items = by_column[0][0]  # type: ignore[index]
    first = items[0]
    assert (first.id, first.letter, first.subject, first.evidence) == (
        "D9", "督〔2016〕3号", "s01", "证据",
    )  # fmt: skip
    assert [i.corrected for i in items] == [True, False, False]
    assert [i.uncorrected for i in items] == [False, True, True]


# Each file is read row by row: a problem somewhere in it, or bytes the two
# readers could split differently.
DECLINED = {
    "empty_id": ",L,2016-07-03,s01,m,2016-07-23,,,",
    "blank_id": " \u3000,L,2016-07-03,s01,m,2016-07-23,,,",
    "empty_letter": "D9,,2016-07-03,s01,m,2016-07-23,,,",
    "empty_matter": "D9,L,2016-07-03,s01, ,2016-07-23,,,",
    "unknown_section": "D9,L,2016-07-03,s99,m,2016-07-23,,,",
    "ambiguous_date": "D9,L,7/3/2016,s01,m,2016-07-23,,,",
    "no_such_day": "D9,L,2016-07-03,s01,m,2016-02-30,,,",
    "bare_number": "D9,L,2016-07-03,s01,m,2016-07-23,42556,,",
    "empty_due": "D9,L,2016-07-03,s01,m,,,,",
    "due_before_issued": "D9,L,2016-07-03,s01,m,2016-07-01,,,",
    "closed_before_issued": "D9,L,2016-07-03,s01,m,2016-07-23,2016-07-02,,",
    "corrected": "D9,L,2016-07-03,s01,m,2016-07-23,,也许,",
    "id_again": "D2,L,2016-07-03,s01,m,2016-07-23,,,",
    "short_row": "D9,L,2016-07-03,s01,m,2016-07-23",
    "long_row": "D9,L,2016-07-03,s01,m,2016-07-23,,,,x",
    "blank_row": ",,,,,,,,",
    "empty_line": "",
    "quoted": 'D9,"督〔2016〕1号",2016-07-03,s01,m,2016-07-23,,,',
    "multi_line": 'D9,L,2016-07-03,s01,"两行\n的事项",2016-07-23,,,',
    "bare_cr": "D9,L,2016-07-03,s01,m\r,2016-07-23,,,",
    "nul": "D9,L,2016-07-03,s01,m\x00,2016-07-23,,,",
    "vertical_tab": "D9,L,2016-07-03,s01,m\x0b,2016-07-23,,,",
    "line_separator": "D9,L,2016-07-03,s01,m\u2028n,2016-07-23,,,",
    "next_line": "D9,L,2016-07-03,s01,m\u0085n,2016-07-23,,,",
    "too_long": "D9,L,2016-07-03,s01," + "x" * (csv.field_size_limit() + 1) + ",2016-07-23,,,",
}


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_a_table_with_any_problem_or_odd_byte_is_read_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    for at in (0, 2, len(CLEAN)):  # first, middle, last row
        lines = [*CLEAN[:at], DECLINED[name], *CLEAN[at:]]
        folder = tmp_path / f"{name}-{at}"
        _write(folder, lines)
        for spans in (None, QUARTER):
            by_column, by_row, used = _both(monkeypatch, folder, spans)
            assert used == [False], name
            assert by_column == by_row, name


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("gb18030", (HEADER + "\n" + "\n".join(CLEAN) + "\n").encode("gb18030")),
        ("not_utf8_late", (HEADER + "\n" + "\n".join(CLEAN) + "\n").encode() + b"D9,\xff\n"),
        ("header_only", (HEADER + "\n").encode()),
        ("header_only_no_eol", HEADER.encode()),
        ("period_column", (HEADER + ",period\n" + CLEAN[0] + ",2016Q3\n").encode()),
        ("name_twice", (HEADER + ",due\n" + CLEAN[0] + ",2016-07-23\n").encode()),
        ("missing_column", b"id,letter,issued,subject,due\nD1,L,2016-07-03,s01,2016-07-23\n"),
    ],
)
def test_other_files_are_read_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, raw: bytes
) -> None:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "supervision.csv").write_bytes(raw)
    by_column, by_row, used = _both(monkeypatch, folder)
    assert used == [False] and by_column == by_row, name


def test_a_later_table_repeating_an_id_of_a_table_read_by_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``seen`` is filled from the column-read table only when another table
    is read: the repeated id is located at its first row, as row by row."""
    folder = tmp_path / "two"
    _write(folder, CLEAN)
    (folder / "z_more.csv").write_text(
        HEADER + "\nD3,L,2016-07-03,s01,m,2016-07-23,,,\nD8,L,2016-07-03,s01,m,2016-07-23,,,\n",
        encoding="utf-8",
    )
    by_column, by_row, used = _both(monkeypatch, folder)
    assert by_column == by_row
    assert used == [True, False]  # the second file: a problem, read row by row
    problems = by_column[0][1]  # type: ignore[index]
    assert [(p.code, p.args["first"]) for p in problems] == [
        ("E0835", f"{folder / 'supervision.csv'}:4")
    ]


def test_blocks_read_one_after_another_give_the_same_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of a few rows: the first item, row numbers and ids in order
    across blocks (a repeated id two blocks apart declines)."""
    monkeypatch.setattr(plaincsv, "_BLOCK", 200)
    lines = [
        f"D{n:03d},督〔2016〕{n}号,2016-0{1 + n % 9}-01,s0{1 + n % 3},事项{n % 4},2016-0{1 + n % 9}-20,,,"
        .replace("s02", "s12")
        for n in range(60)
    ]  # fmt: skip
    folder = tmp_path / "blocks"
    _write(folder, lines)
    for spans in (None, QUARTER, []):
        by_column, by_row, used = _both(monkeypatch, folder, spans)
        assert used == [True] and by_column == by_row
    again = tmp_path / "again"
    _write(again, [*lines, lines[1].replace("事项1", "其他")])
    by_column, by_row, used = _both(monkeypatch, again)
    assert used == [False] and by_column == by_row


# Rows of good cells (other spellings and blanks included), and rows of any cells.
_GOOD = {
    "id": [f"D{n}" for n in range(40)] + [" D40", "D41\u3000"],
    "letter": ["L", " L ", "督〔2016〕1号"],
    "issued": ["2016-07-03", "2016/7/3", " 2016-06-30", "2016年7月1日"],
    "subject": ["s01", "s12", " s03"],
    "matter": ["事项", "m "],
    "due": ["2016-07-23", "2016年7月23日", "2016-09-30 ", "2016-10-01"],
    "closed": ["", "2016-07-23", "2016-10-01"],
    "corrected": ["", "是", "否", "yes", "No", " Y ", "TRUE"],
    "evidence": ["", "证据", " e "],
}
_ANY = {
    "id": ["D1", "D2", "", "\u3000"],
    "letter": ["", "\u3000L"],
    "issued": ["2016-02-30", "7/3/2016", "", "20160705", "2016-10-01"],
    "subject": ["s99", ""],
    "matter": ["", " "],
    "due": ["2016-02-30", "", "2016-06-30", "42556"],
    "closed": ["2016-06-30", "7/3/2016"],
    "corrected": ["也许", "yes!"],
    "evidence": ["证据"],
}
_FIELDS = list(_GOOD)
_GOOD_ROW = st.tuples(*(st.sampled_from(_GOOD[name]) for name in _FIELDS))
_ANY_ROW = st.tuples(*(st.sampled_from(_GOOD[name] + _ANY[name]) for name in _FIELDS))
_PATHS: list[bool] = []


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    rows=st.lists(st.one_of(*[_GOOD_ROW] * 5, _ANY_ROW), min_size=1, max_size=8),
    crlf=st.booleans(),
    block=st.sampled_from([200, 1 << 20]),
)
def _agree(rows: list[tuple[str, ...]], crlf: bool, block: int) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch, tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        monkeypatch.setattr(plaincsv, "_BLOCK", block)
        _write(folder, [",".join(row) for row in rows], eol="\r\n" if crlf else "\n")
        for spans in (None, QUARTER):
            by_column, by_row, used = _both(monkeypatch, folder, spans)
            assert by_column == by_row
            _PATHS.extend(used)


def test_both_paths_agree_on_generated_tables() -> None:
    """Generated tables, mostly of good rows: the same items and problems
    on either path; both paths taken many times."""
    _PATHS.clear()
    _agree()
    assert _PATHS.count(True) >= 40 and _PATHS.count(False) >= 40


def test_plain_bytes() -> None:
    assert plaincsv.plain("a,b\n督〔2016〕“两会”·\r\n".encode())
    for odd in ('"', "\x00", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r", "\x85", "\u2028",
                "\u2029"):  # fmt: skip
        assert not plaincsv.plain(f"a,b{odd}c\n".encode()), repr(odd)


def test_pyarrow_strips_what_python_strips() -> None:
    """``utf8_trim_whitespace`` and ``str.strip`` agree on every code point,
    at either end (the column path strips cells with the first)."""
    texts = [
        text
        for point in range(0x110000)
        if not 0xD800 <= point <= 0xDFFF
        for text in (f"a{chr(point)}", f"{chr(point)}a")
    ]
    assert pc.utf8_trim_whitespace(pa.array(texts)).to_pylist() == [t.strip() for t in texts]


@pytest.mark.parametrize(
    "cell",
    [b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\xff", b"\x80",
     b"\xe0\x80\xaf", b"\xf8\x88\x80\x80\x80", "督".encode("gb18030"), b"\xf0\x9f\x98\x80",
     b"\xef\xbb\xbf", "督".encode()],
)  # fmt: skip
def test_pyarrow_takes_as_utf8_what_python_decodes(cell: bytes) -> None:
    raw = b"a,b\nx," + cell + b"\n"
    try:
        raw.decode("utf-8")
        python = True
    except UnicodeDecodeError:
        python = False
    try:
        list(plaincsv.columns(raw, 2))
        arrow = True
    except plaincsv.NotPlain:
        arrow = False
    assert arrow == python
