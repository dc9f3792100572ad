"""A cell read before is taken as read (``_TableReader._known``) only where
reading it again would give the same: the same rows, values and problems,
in the same order, as reading every cell afresh (``_every_cell_read``), on
the bundled data with cells changed to spellings that mean different things
in different rows (blanks, counted cells, month-held inputs)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.inputs import data as data_module
from runtime.inputs.data import load_data, load_tables
from runtime.inputs.periods import Period
from runtime.inputs.tables import Table, data_files, read_tables
from tests.datasets import bundled_compilation, dataset_summary

DATA = Path("examples/yongzhou")
QUARTER = Period(2016, 3)
# Spellings that read differently by input and by row: blanks (exempt,
# default, required or unread as the indicators in force say), padded
# copies of valid cells, bad numbers, fractions of counts, levels, percents.
SPELLINGS = ["", " ", "0", " 0", "0 ", "1", "2", "3", "1.5", "-1", "x", "好", " 好", "差",
             "90%", "1,000", "是", "12.5"]  # fmt: skip


@cache
def _tables() -> tuple[Table, ...]:
    return tuple(table for file in data_files(DATA) for table in read_tables(file))


def _read(tables: list[Table], program: Literal["section", "person"]) -> tuple[object, ...]:
    found = load_tables(bundled_compilation().programs[program], tables, [QUARTER])
    return dataset_summary(found)


@contextmanager
def _every_cell_read() -> Iterator[None]:
    """Every cell read afresh, a row at a time: what a row knew of cells
    read before is forgotten, and no table is read by column."""
    row = data_module._TableReader.row

    def forgetting(reader: data_module._TableReader, *args: object) -> None:
        for known in reader._known.values():
            known.clear()
        row(reader, *args)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data_module._TableReader, "row", forgetting)
        patch.setattr(data_module._TableReader, "rows_by_column", data_module._TableReader.rows)
        yield


def _changed(changes: list[tuple[int, int, int, str]]) -> list[Table]:
    """The bundled tables with cells of 2016Q3 rows set to other spellings."""
    tables = []
    for position, table in enumerate(_tables()):
        rows = [(n, list(cells)) for n, cells in table.rows]
        quarter = [cells for _, cells in rows if cells and cells[0] == "2016Q3"]
        for which, row, column, text in changes:
            if which % 3 == position % 3 and quarter and table.header[0] == "period":
                cells = quarter[row % len(quarter)]
                cells[2 + column % (len(cells) - 2)] = text
        tables.append(Table(table.shown, table.header, rows, table.uncached, table.form))
    return tables


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2), st.integers(0, 400), st.integers(0, 40), st.sampled_from(SPELLINGS)
        ),
        max_size=30,
    )
)
def test_cells_read_before_read_as_reading_them_again(
    changes: list[tuple[int, int, int, str]],
) -> None:
    tables = _changed(changes)
    for program in ("section", "person"):
        with _every_cell_read():
            expected = _read(tables, program)
        assert _read(tables, program) == expected


def test_every_cell_read_afresh_is_what_the_check_compares_against() -> None:
    """The bundled data read both ways: the same rows (the cells known are used)."""
    tables = list(_tables())
    reader_known: list[int] = []
    rows = data_module._TableReader.rows_by_column

    def counting(reader: data_module._TableReader, *args: object) -> None:
        rows(reader, *args)  # type: ignore[arg-type]
        reader_known.append(sum(len(k) for k in reader._known.values()))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data_module._TableReader, "rows_by_column", counting)
        fast = _read(tables, "section")
    assert reader_known and reader_known[-1] > 0
    with _every_cell_read():
        assert _read(tables, "section") == fast


def _quarter_cells(tables: list[Table], subject: str) -> list[str]:
    sections = next(t for t in tables if t.shown.endswith("sections.csv"))
    return next(c for _, c in sections.rows if c[:2] == ["2016Q3", subject])


def test_a_month_held_input_with_a_cell_known_from_another_row_is_an_error() -> None:
    """s01's 迟报次数 is read (and known) first; s05's quarter row holds the
    same text while s05 gives the input per month: E0824 all the same."""
    tables = [t for t in _tables() if not t.shown.endswith("supervision.csv")]
    header = next(t for t in tables if t.shown.endswith("sections.csv")).header
    column = header.index("迟报次数")
    text = _quarter_cells(tables, "s01")[column]
    assert text != ""
    rows = []
    for number, cells in next(t for t in tables if t.shown.endswith("sections.csv")).rows:
        if cells[:2] == ["2016Q3", "s05"]:
            cells = [*cells[:column], text, *cells[column + 1 :]]
        rows.append((number, cells))
    months = Table("monthly.csv", ["period", "subject", "迟报次数"], [
        (2, ["2016-07", "s05", "0"]), (3, ["2016-08", "s05", "1"]), (4, ["2016-09", "s05", "0"]),
    ])  # fmt: skip
    sections = Table("sections.csv", header, rows)
    others = [t for t in tables if not t.shown.endswith("sections.csv")]
    found = load_tables(
        bundled_compilation().programs["section"], [sections, months, *others], [QUARTER]
    )
    mixed = [d for d in found.diagnostics if d.code == "E0824"]
    assert [(d.args["subject"], d.args["column"]) for d in mixed] == [("s05", "迟报次数")]


def test_a_counted_cell_known_from_another_row_is_checked_against_its_count(
    tmp_path: Path,
) -> None:
    """按期办结 is counted from the supervision table: a cell agreeing with
    its row's count says nothing about the same text in another row."""
    folder = tmp_path / "data"
    folder.mkdir()
    for file in data_files(DATA):
        (folder / file.name).write_bytes(file.read_bytes())
    table = folder / "sections.csv"
    lines = table.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    column = header.index("按期办结")
    quarter = [n for n, line in enumerate(lines) if line.startswith("2016Q3,")]
    first = lines[quarter[0]].split(",")[column]
    later = next(n for n in quarter[1:] if lines[n].split(",")[column] not in ("", first))
    cells = lines[later].split(",")
    cells[column] = first  # read (and agreeing) in an earlier row
    lines[later] = ",".join(cells)
    table.write_text("\n".join(lines) + "\n", "utf-8")
    found = load_data(bundled_compilation().programs["section"], str(folder), [QUARTER])
    wrong = [d for d in found.diagnostics if d.code == "E0935"]
    assert [d.location for d in wrong] == [f"{table}:{later + 1} [按期办结]"]


@pytest.mark.parametrize("program", ["section", "person"])
def test_a_blank_column_reads_as_reading_every_blank_again(
    program: Literal["section", "person"],
) -> None:
    """A blank cell means what the indicators in force in its row say (the
    default, exempt, required, or not read at all): one column blanked in
    every row of the quarter at a time, read both ways."""
    table = next(
        t
        for t in _tables()
        if t.shown.endswith(f"{'sections' if program == 'section' else 'people'}.csv")
    )
    others = [t for t in _tables() if t is not table]
    for column in range(3, len(table.header)):
        rows = [
            (n, [*c[:column], "", *c[column + 1 :]] if c[0] == "2016Q3" else c)
            for n, c in table.rows
        ]
        tables = [Table(table.shown, table.header, rows), *others]
        with _every_cell_read():
            expected = _read(tables, program)
        assert _read(tables, program) == expected, table.header[column]
