"""A wide table read a column at a time (``_TableReader.rows_by_column``) is the
table read a row at a time (``_TableReader.rows``): the same rows, values
(digit for digit), sources, supervision items and unscored indicators, the
same problems in the same order, on the bundled data with cells of every
column (periods and subjects too) changed, in evaluations and dry-runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.inputs import data as data_module
from runtime.inputs.data import load_data
from runtime.inputs.periods import Period
from runtime.inputs.tables import Table
from tests.datasets import bundled_compilation, dataset_summary

DATA = "examples/yongzhou"
QUARTER = Period(2016, 3)
Reader = data_module._TableReader


@contextmanager
def _row_by_row() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Reader, "rows_by_column", Reader.rows)
        yield


def _read(
    program: Literal["section", "person"],
    edit: Callable[[list[Table]], list[Table]] | None = None,
    wanted: list[Period] | None = None,
    absent_unscores: bool = False,
    collected: frozenset[str] | None = None,
) -> tuple[object, ...]:
    found = load_data(
        bundled_compilation().programs[program], DATA, wanted, absent_unscores, collected, edit
    )
    exact = [tuple(repr(v) if isinstance(v, Decimal) else v for v in r.values) for r in found.rows]
    return dataset_summary(found), exact


def _both(program: Literal["section", "person"], **options: object) -> tuple[object, ...]:
    by_column = _read(program, **options)  # type: ignore[arg-type]
    with _row_by_row():
        by_row = _read(program, **options)  # type: ignore[arg-type]
    assert by_column == by_row
    return by_column


def _changing(changes: list[tuple[int, int, int, str]]) -> Callable[[list[Table]], list[Table]]:
    """An ``edit`` setting cells of the wide tables: (table, row, column, text)."""

    def edit(tables: list[Table]) -> list[Table]:
        made = []
        for table in tables:
            rows = [(n, list(cells)) for n, cells in table.rows]
            if table.header[:2] == ["period", "subject"] and rows:
                which = 0 if "sections" in table.shown else 1
                for kind, row, column, text in changes:
                    if kind == which:
                        cells = rows[row % len(rows)][1]
                        cells[column % len(cells)] = text
            made.append(Table(table.shown, table.header, rows, table.uncached, table.form))
        return made

    return edit


# Texts that mean different things in different columns and rows: periods
# wanted, not wanted, of months, of years and not periods; known, unknown
# and padded subjects (and repeated ones: any subject of another row);
# blanks, padded, bad, fractional, level and percent cells.
TEXTS = ["2016Q3", "2016Q2", " 2016Q3", "2016-08", "2016Q9", "2016", "s01", "s05", "s99",
         " s02", "p0101", "p0203", "", " ", "0", " 0", "1", "2", "1.5", "-1", "x", "好", "差",
         "90%", "1,000", "是", "12.5"]  # fmt: skip
CHANGES = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, 400), st.integers(0, 30), st.sampled_from(TEXTS)),
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    CHANGES,
    st.sampled_from(["section", "person"]),
    st.sampled_from([[QUARTER], [Period(2016, 2), QUARTER], None]),
    st.booleans(),
    st.sampled_from([data_module._SLICE, 5]),
)
def test_tables_read_by_column_are_the_tables_read_by_row(
    changes: list[tuple[int, int, int, str]],
    program: Literal["section", "person"],
    wanted: list[Period] | None,
    dry: bool,
    rows_at_once: int,
) -> None:
    """In slices of any size (a repeat or a problem in another slice)."""
    collected: frozenset[str] | None = frozenset() if dry else None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data_module, "_SLICE", rows_at_once)
        _both(program, edit=_changing(changes), wanted=wanted, absent_unscores=dry,
              collected=collected)  # fmt: skip


@pytest.mark.parametrize("program", ["section", "person"])
def test_the_bundled_data_is_read_by_column_without_a_row_read_in_turn(
    program: Literal["section", "person"],
) -> None:
    """Not a test that passes because every table takes the row reader."""

    def refused(*args: object) -> None:
        raise AssertionError("a row of the bundled data read in turn")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Reader, "_in_turn", refused)
        patch.setattr(Reader, "row", refused)
        rows, _ = _read(program, wanted=[QUARTER])
    assert len(rows[0]) > 10  # type: ignore[index]


CASES = {
    "a repeated subject": (0, 3, 1, "s01", "E0805"),
    "an unknown subject": (0, 3, 1, "s99", "E0809"),
    "a period that is not one": (0, 3, 0, "2016Q9", "E0810"),
    "a year in quarterly data": (0, 3, 0, "2016", "E0534"),
    "a bad number": (0, 3, 5, "x", "E0802"),
    "a count that is not its supervision count": (0, 3, 7, "99", "E0935"),
    "a bad level": (1, 3, 3, "x", "E0806"),
    "a repeated person": (1, 3, 1, "p0101", "E0805"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_table_with_a_row_that_is_not_plain_is_read_in_turn(case: str) -> None:
    """Each such row is read by ``row``, its problem as the row reader finds it."""
    kind, row, column, text, code = CASES[case]
    program: Literal["section", "person"] = "section" if kind == 0 else "person"
    quarter = [n for n, line in enumerate(_lines(kind)) if line.startswith("2016Q3,")]
    found = _both(program, edit=_changing([(kind, quarter[row], column, text)]), wanted=[QUARTER])
    problems = found[0][1]  # type: ignore[index]
    assert problems[0][0] == code, case
    assert problems[0][2].split(":")[1].startswith(str(quarter[row] + 2)), case


def _lines(kind: int) -> list[str]:
    name = "sections.csv" if kind == 0 else "people.csv"
    return (Path(DATA) / name).read_text("utf-8").splitlines()[1:]


def test_a_dry_run_leaves_unscored_what_a_blank_cell_leaves_so() -> None:
    """A blank cell that leaves indicators unscored: the row is read by ``row``."""
    quarter = [n for n, line in enumerate(_lines(0)) if line.startswith("2016Q3,")]
    changes = [(0, quarter[n], column, "") for n in range(4) for column in (3, 4, 5, 10, 11)]
    found = _both("section", edit=_changing(changes), wanted=[QUARTER], absent_unscores=True,
                  collected=frozenset())  # fmt: skip
    rows = found[0][0]  # type: ignore[index]
    assert any(row[-1] for row in rows)  # some indicators left unscored


def _repeating(whole_table: bool) -> Callable[[list[Table]], list[Table]]:
    """An ``edit`` repeating people.csv's first 2016Q3 row, cell for cell:
    at its end, or as a table of its own after it."""

    def edit(tables: list[Table]) -> list[Table]:
        made = []
        for table in tables:
            if not table.shown.endswith("people.csv"):
                made.append(table)
                continue
            first = next(cells for _, cells in table.rows if cells[0] == "2016Q3")
            last = table.rows[-1][0]
            if whole_table:
                made += [table, Table("again.csv", table.header, [(2, list(first))])]
            else:
                made.append(
                    Table(table.shown, table.header, [*table.rows, (last + 1, list(first))])
                )
        return made

    return edit


@pytest.mark.parametrize("rows_at_once", [8192, 3])
@pytest.mark.parametrize("whole_table", [False, True])
def test_a_row_repeated_cell_for_cell_is_reported_as_the_row_reader_reports_it(
    whole_table: bool, rows_at_once: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data_module, "_SLICE", rows_at_once)
    found = _both("person", edit=_repeating(whole_table), wanted=[QUARTER])
    problems = found[0][1]  # type: ignore[index]
    assert [p[0] for p in problems] == ["E0805"]
