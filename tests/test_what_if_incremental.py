"""The workbench's incremental what-if equals evaluating the period again.

``Prepared.what_if`` evaluates again only what a change to one subject can
reach (``Prepared.incremental``: its stage 1, its pools' later stages when
formulas read group functions, the people of a section whose total moved,
ranks and grades over everyone, the links of the results whose link inputs
moved) and takes the rest from the period's evaluation.  Here it is compared
with the full path (``Prepared.full``: every subject through every stage,
``evaluate_datasets`` as ``jixiao evaluate`` runs it) over many random
single-subject changes — cells, item occurrences added and removed — on
bundled sets that exercise links and people (yongzhou), population-aware
scores (chuzhou_quarterly's ``group_min``/``group_max``/``group_sum``,
econ_monthly's ``rank_in_group``), vetoes (gov_website) and sanctions
carried from earlier years' published results (staff_annual).  The whole
``Evaluation`` is compared: every subject's values, scores, total, rank,
grade, vetoes, sanctions, consequences, their order and the warnings.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from compiler.pipeline import compile_rules
from dsl.diagnostics import UserError
from dsl.ruleset import DirectorySource
from runtime.inputs.periods import Period
from runtime.tools.runs import with_bundled
from runtime.tools.what_if import (
    Added,
    Prepared,
    cells,
    data_reader,
    data_tables,
    duration_columns,
    what_if_data,
)
from tests.test_properties import SETTINGS

SETS = {
    "yongzhou": ("rules/yongzhou", "examples/yongzhou", Period(2016, 3)),
    "chuzhou_quarterly": ("rules/chuzhou_quarterly", "examples/chuzhou_quarterly", Period(2022, 2)),
    "econ_monthly": ("rules/econ_monthly", "examples/econ_monthly", Period(2020, 0)),
    "gov_website": ("rules/gov_website", "examples/gov_website", Period(2020, 3)),
    "staff_annual": ("rules/staff_annual", "examples/staff_annual", Period(2023, 0)),
}
_NUMBER = re.compile(r"(-?)(\d+)(?:\.(\d+))?(%?)")


@dataclass
class World:
    """A bundled set's period, prepared as the workbench prepares it, and
    what random changes are drawn from."""

    prepared: Prepared
    subjects: list[str]
    kinds: dict[str, list[str]]  # section, person -> the subjects of that kind
    cells: dict[str, dict[str, str]]  # subject -> column -> cell
    columns: dict[str, list[str]]  # column -> the values the period's rows hold
    items: dict[str, list[str]]  # subject -> items it may be given (no per-event duration)
    events: dict[str, list[str]]  # subject -> its occurrences' sources (file:row)


@cache
def world(name: str) -> World:
    rules, data, period = SETS[name]
    compilation = compile_rules(DirectorySource(rules), None)
    assert compilation.ok, compilation.diagnostics
    scheme = compilation.programs["section"].scheme
    history = with_bundled(None, data, scheme)
    prepared = Prepared.of(
        compilation, period, data, data_reader(compilation, data, period), history
    )
    rows = prepared.sections.rows + (prepared.people.rows if prepared.people is not None else [])
    rows = [row for row in rows if row.period == str(period)]
    tables = data_tables(data)
    # Cells counted from the supervision table must agree with it (E0935): left as they are.
    counted = {f.name for p in compilation.programs.values() for f in p.inputs if f.source}
    found = {
        row.subject: {
            c: v for c, v in cells(tables, row.subject, period).items() if c not in counted
        }
        for row in rows
    }
    columns: dict[str, list[str]] = {}
    for mine in found.values():
        for column, value in mine.items():
            columns.setdefault(column, []).append(value)
    timed = duration_columns(compilation)
    kinds = {
        kind: [i.id for i in p.items if i.id not in timed]
        for kind, p in compilation.programs.items()
    }
    section_ids = {row.subject for row in prepared.sections.rows}
    kinds_of = {
        "section": sorted(s for s in found if s in section_ids),
        "person": sorted(s for s in found if s not in section_ids),
    }
    return World(
        prepared,
        sorted(found),
        {kind: ids for kind, ids in kinds_of.items() if ids},
        found,
        {c: sorted(set(v)) for c, v in columns.items()},
        {s: kinds["section" if s in section_ids else "person"] for s in found},
        {row.subject: [e.source for e in row.events] for row in rows},
    )


def _nearby(cell: str) -> st.SearchStrategy[str]:
    """A number near a numeric cell, written as the cell is (places, ``%``)."""
    match = _NUMBER.fullmatch(cell.strip())
    if match is None:
        return st.just(cell)
    sign, whole, places, percent = match.groups()
    digits = len(places or "")
    value = Decimal(sign + whole + ("." + places if places else ""))
    step = Decimal(1).scaleb(-digits)
    return st.integers(-30, 30).map(
        lambda n: f"{max(value + n * step, Decimal(0)):.{digits}f}{percent}"
    )


def _copied(model: dict[str, str], mine: dict[str, str]) -> dict[str, str]:
    """The model's cells where both it and the subject have one (a column
    the subject leaves empty is one its indicators do not read)."""
    return {c: v for c, v in model.items() if v.strip() and mine.get(c, "").strip()}


@st.composite
def scenario(draw: st.DrawFn, name: str) -> tuple[str, dict[str, str], list[Added], list[str]]:
    """One subject, some of its cells changed (to another subject's value or
    one near its own), some of its occurrences removed and items added."""
    found = world(name)
    kind = draw(st.sampled_from(sorted(found.kinds)))  # sections as often as people
    subject = draw(st.sampled_from(found.kinds[kind]))
    mine = found.cells[subject]
    changes: dict[str, str] = {}
    copying: bool = draw(st.booleans())
    if mine and copying:
        # Another subject's cells copied: a large move, ties with that subject.
        other = draw(st.sampled_from(found.kinds[kind]))
        changes = _copied(found.cells[other], mine)
    elif mine:
        for column in draw(st.lists(st.sampled_from(sorted(mine)), max_size=3, unique=True)):
            changes[column] = draw(st.sampled_from(found.columns[column]) | _nearby(mine[column]))
    removed: list[str] = []
    if found.events[subject]:
        removed = draw(st.lists(st.sampled_from(found.events[subject]), max_size=2, unique=True))
    added: list[Added] = []
    if found.items[subject]:
        added = draw(
            st.lists(
                st.tuples(st.sampled_from(found.items[subject]), st.sampled_from(["1", "2"]),
                          st.just("")),
                max_size=2,
            )
        )  # fmt: skip
    assume(changes or removed or added)
    return subject, changes, added, removed


def _compare(name: str, asked: tuple[str, dict[str, str], list[Added], list[str]]) -> None:
    prepared = world(name).prepared
    subject, changes, added, removed = asked
    try:
        sections, people = prepared.changed_rows(subject, changes, added, removed)
    except UserError:
        assume(False)  # a cell the data reader refuses: the same for both paths (read first)
        return
    fast = prepared.incremental(subject, sections, people)
    try:
        slow = prepared.full(sections, people)
    except UserError:
        assert fast is None  # a fault: the full path reports it, located
        return
    assert fast is not None  # the incremental path was taken, not fallen back from
    assert fast == slow
    # And through what the workbench calls:
    assert prepared.what_if(subject, changes, added, removed) == slow


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_period_prepares(name: str) -> None:
    found = world(name)
    evaluation = found.prepared.evaluation
    assert found.subjects and (evaluation.sections or evaluation.people)


@settings(max_examples=60, **SETTINGS)
@given(asked=scenario("yongzhou"))
def test_incremental_equals_full_yongzhou(
    asked: tuple[str, dict[str, str], list[Added], list[str]],
) -> None:
    _compare("yongzhou", asked)


@settings(max_examples=60, **SETTINGS)
@given(asked=scenario("chuzhou_quarterly"))
def test_incremental_equals_full_chuzhou(
    asked: tuple[str, dict[str, str], list[Added], list[str]],
) -> None:
    _compare("chuzhou_quarterly", asked)


@settings(max_examples=40, **SETTINGS)
@given(asked=scenario("econ_monthly"))
def test_incremental_equals_full_econ_monthly(
    asked: tuple[str, dict[str, str], list[Added], list[str]],
) -> None:
    _compare("econ_monthly", asked)


@settings(max_examples=40, **SETTINGS)
@given(asked=scenario("gov_website"))
def test_incremental_equals_full_gov_website(
    asked: tuple[str, dict[str, str], list[Added], list[str]],
) -> None:
    _compare("gov_website", asked)


@settings(max_examples=40, **SETTINGS)
@given(asked=scenario("staff_annual"))
def test_incremental_equals_full_staff_annual(
    asked: tuple[str, dict[str, str], list[Added], list[str]],
) -> None:
    _compare("staff_annual", asked)


def _consequences(evaluation: object) -> dict[str, tuple[object, ...]]:
    from runtime.engine.run import Evaluation

    assert isinstance(evaluation, Evaluation)
    return {r.id: r.consequences for r in (*evaluation.sections, *evaluation.people)}


def test_links_follow_ranks_that_a_change_moves() -> None:
    """yongzhou with a 2015Q3 in which every section was last (the history
    the "bottom two in consecutive years" links read): each section made
    the worst or the best in turn, so sections are pushed into and out of
    the last two without their own totals moving, and their heads receive
    or lose the talk.  The incremental what-if equals the full path in
    every case, and the cases do move consequences of subjects other than
    the changed one."""
    _, data, period = SETS["yongzhou"]
    compilation = world("yongzhou").prepared.compilation
    real = with_bundled(None, data, compilation.programs["section"].scheme)
    assert real is not None

    def history(label: str, kind: str) -> list[dict[str, object]] | None:
        found = real(label, kind)
        if found is None or label != "2015Q3" or kind != "section":
            return None if found is None else [dict(s) for s in found]
        return [{**s, "rank": len(found)} for s in found]

    prepared = Prepared.of(
        compilation, period, data, data_reader(compilation, data, period), history
    )
    cells_of = world("yongzhou").cells
    before = _consequences(prepared.evaluation)
    worst = {"违纪违规次数": "6", "迟报次数": "6", "漏报次数": "6", "脱岗次数": "6"}
    best = {"违纪违规次数": "0", "迟报次数": "0", "漏报次数": "0", "脱岗次数": "0",
            "依法行政评价": "好", "机关管理评价": "好", "满意率": "100%"}  # fmt: skip
    moved_others = 0
    for subject in world("yongzhou").kinds["section"]:
        for model in (worst, best):
            changes = {c: v for c, v in model.items() if cells_of[subject].get(c, "").strip()}
            sections, people = prepared.changed_rows(subject, changes)
            fast = prepared.incremental(subject, sections, people)
            slow = prepared.full(sections, people)
            assert fast is not None and fast == slow, (subject, changes)
            after = _consequences(slow)
            moved_others += any(after[s] != before[s] for s in after if s != subject)
    assert moved_others >= 10


@pytest.mark.parametrize(
    ("name", "subject", "changes"),
    [
        ("chuzhou_quarterly", "c3", {"财政收入": "99999.9", "固定资产投资": "100.0"}),
        ("econ_monthly", "c2", {"四月评估总分": "99.9", "五月评估总分": "50.0"}),
    ],
)
def test_incremental_equals_evaluating_the_changed_folder(
    name: str, subject: str, changes: dict[str, str], tmp_path: Path
) -> None:
    """On sets whose scores read their group (function-coefficient scores
    between the group's worst and best, a month's rank): the incremental
    what-if equals ``what_if_data``, which changes a copy of the data folder
    and evaluates it as ``jixiao evaluate`` does."""
    _, data, period = SETS[name]
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    prepared = world(name).prepared
    fast = prepared.what_if(subject, changes)
    slow = what_if_data(prepared.compilation, str(copy), period, None, subject, changes)
    assert [r.total for r in fast.sections] == [r.total for r in slow.sections]
    others = [r for r in fast.sections if r.id != subject]
    was = {r.id: r for r in prepared.evaluation.sections}
    assert any(r.values != was[r.id].values for r in others)  # the group's values moved
    for mine, theirs in zip(fast.sections, slow.sections, strict=True):
        assert (mine.id, mine.rank, mine.grade, mine.indicators, mine.values) == (
            theirs.id, theirs.rank, theirs.grade, theirs.indicators, theirs.values,
        )  # fmt: skip


def test_a_fault_evaluating_again_takes_the_full_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where evaluating the changed subject again meets a problem, the
    incremental path gives up (None) and ``what_if`` answers with the full
    path, which reports the problem located as ``evaluate`` does."""
    import runtime.tools.what_if as module
    from dsl.diagnostics import Diagnostic

    prepared = world("yongzhou").prepared
    sections, people = prepared.changed_rows("s04", {"迟报次数": "3"})
    expected = prepared.full(sections, people)

    def faulty(*args: object, **kwargs: object) -> tuple[list[object], list[Diagnostic]]:
        return [], [Diagnostic("E0703", {}, None, location="here")]

    monkeypatch.setattr(module, "evaluate_period", faulty)
    assert prepared.incremental("s04", sections, people) is None
    assert prepared.what_if("s04", {"迟报次数": "3"}) == expected
