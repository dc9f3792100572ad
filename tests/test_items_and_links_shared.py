"""What the cheaper paths of supervision items, adjustments and links make
equals what the careful ones make (items set a column at a time:
tests/test_frozen.py): adjustments with
their shortcut for a subject without events or points against the
per-item loop they replaced; link inputs and training effects worked out
once per shared indicators tuple against each result's own."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler import ir
from runtime.engine import links
from runtime.engine.results import Adjustment, IndicatorResult, SubjectResult
from runtime.engine.subjects import adjustments_of
from runtime.inputs import supervision
from runtime.inputs.events import Event
from runtime.inputs.supervision import SupervisionItem, counted_items, read_supervision
from runtime.inputs.tables import read_once
from tests.datasets import bundled_compilation


def _reference(
    program: ir.Program,
    values: tuple[object, ...],
    events: tuple[Event, ...],
    period: str,
    supervision: tuple[SupervisionItem, ...],
) -> tuple[Adjustment, ...]:
    """``adjustments_of`` as it was written before its shortcut: every item
    with points looked at for every subject."""
    tabled = {f.name.removesuffix(".count"): f.source for f in program.inputs
              if f.kind == "events" and f.source is not None}  # fmt: skip
    kinds = {i.id: i.kind for i in program.items}
    found: list[Adjustment] = []
    for item in program.items:
        if item.points is None:
            continue
        points = values[item.points]
        assert isinstance(points, Decimal)
        mine = tuple(e for e in events if e.item == item.id)
        if not points and not mine:
            continue
        signed = points if item.kind == "bonus" else -points
        reasons = tuple(e.reason for e in mine if e.reason)
        occurrences = sum((e.count for e in mine), Decimal(0))
        source = tabled.get(item.id)
        if source is not None and supervision:
            matters = counted_items(source, supervision)
            reasons, occurrences = tuple(i.matter for i in matters), Decimal(len(matters))
        found.append(Adjustment(item.id, item.name, signed, reasons, mine, period, occurrences))
    per_item = list(found)
    for kind, slot in (("bonus", program.bonus), ("deduction", program.deduction)):
        if slot is None:
            continue
        counted = sum((a.points for a in per_item if kinds[a.item] == kind), Decimal(0))
        capped = values[slot] if kind == "bonus" else -values[slot]  # type: ignore[operator]
        assert isinstance(capped, Decimal)
        if capped != counted:
            name = "加分合计封顶" if kind == "bonus" else "扣分合计封顶"
            found.append(Adjustment(f"{kind}_cap", name, capped - counted, (), (), period))
    return tuple(found)


_POINTS = st.sampled_from([Decimal(0), Decimal("0.00"), Decimal("1.5"), Decimal(2), Decimal("-0")])


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_adjustments_with_and_without_events_or_points(data: st.DataObject) -> None:
    for program in bundled_compilation().programs.values():
        slots = [i.points for i in program.items if i.points is not None]
        slots += [s for s in (program.bonus, program.deduction) if s is not None]
        values: list[object] = [None] * len(program.slots)
        for slot in slots:
            values[slot] = data.draw(_POINTS)
        chosen = data.draw(st.lists(st.sampled_from([i.id for i in program.items]), max_size=3))
        events = tuple(
            Event(date(2016, 7, 1), "s01", item, Decimal(1), data.draw(st.sampled_from(["", "r"])),
                  "", f"events.csv:{n + 2}")
            for n, item in enumerate(chosen)
        )  # fmt: skip
        supervision = tuple(
            SupervisionItem("D1", "L", date(2016, 7, 1), "s01", "事项", date(2016, 7, 9), None,
                            False, "", "supervision.csv", 2, uncorrected=True)
            for _ in range(data.draw(st.integers(0, 2)))
        )  # fmt: skip
        got = adjustments_of(program, tuple(values), events, "2016Q3", supervision)
        assert got == _reference(program, tuple(values), events, "2016Q3", supervision)


def _result(ident: str, indicators: tuple[IndicatorResult, ...], rank: int) -> SubjectResult:
    return SubjectResult(
        ident, ident, "2016Q3", Decimal(90), rank, indicators, (), "x", group="g", kind="person"
    )


def test_link_inputs_and_training_lists_shared_by_indicators() -> None:
    """Results sharing one indicators tuple, and others with equal or other
    indicators: each result's inputs and training list are its own."""
    lost = (IndicatorResult("a", "甲", Decimal(10), Decimal("8.5")),)
    other = (IndicatorResult("a", "甲", Decimal(10), Decimal(7)),)
    full = (IndicatorResult("a", "甲", Decimal(10), Decimal(10)),)
    results = [
        _result("p1", lost, 1), _result("p2", other, 2), _result("p3", lost, 3),
        _result("p4", tuple(lost), 4), _result("p5", full, 5), _result("p6", other, 6),
    ]  # fmt: skip
    sizes = {"g": len(results)}
    assert links._every_input(results, sizes) == [
        links._result_inputs(r, len(results)) for r in results
    ]
    program = bundled_compilation().programs["person"]
    training = [link for link in program.links if link.id == "training_list"]
    assert training, "the bundled rules' training list"
    found = links.apply_links(_with_links(program, training), results, "2016Q3", None, [], None)
    shown: dict[Decimal, str] = {}
    assert [(c.source, c.effect) for c in found] == [
        (r.id, links._effect(program, "training", "lost_points", r, shown))
        for r in results
        if links._lost_of(r.indicators) > 0
    ]


def _with_links(program: ir.Program, kept: list[ir.Link]) -> ir.Program:
    return dataclasses.replace(program, links=tuple(kept))


_TABLE = (
    "id,letter,issued,subject,matter,due,closed,corrected,evidence\n"
    "D1,L1,2016-07-03,s01,事项,2016-07-23,,,\n"
    "D2,L1,2016-07-03,s09,事项,2016-07-23,,,\n"  # an unknown section: a problem
)


@pytest.mark.parametrize(
    ("name", "text", "skipped"),
    [
        ("supervision", _TABLE, False),
        ("crlf", _TABLE.replace("\n", "\r\n"), False),
        # The header is the first record: a quoted cell takes the next line too.
        ("quoted_header", '"备\n注",' + _TABLE.replace("\nD", "\nx,D"), False),
        ("other", "period,subject,name\n2016Q3,s01,letter issued due\n", True),
        ("no_line_break", "period,subject,letter,issued", False),
        ("blank_first_line", "\n" + _TABLE, True),
    ],
)
def test_a_file_whose_first_line_lacks_a_marker_is_not_read_for_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, skipped: bool
) -> None:
    """Files told apart by their first line give the items and problems of
    files read whole to tell."""
    (tmp_path / f"{name}.csv").write_bytes(text.encode())
    sections = {"s01": "办公室"}
    assert supervision._headed_otherwise(tmp_path / f"{name}.csv") is skipped
    with read_once():
        quick = read_supervision(str(tmp_path), sections)
    monkeypatch.setattr(supervision, "_headed_otherwise", lambda file: False)
    with read_once():
        whole = read_supervision(str(tmp_path), sections)
    assert repr(quick) == repr(whole)
    assert bool(quick[0]) is (name in ("supervision", "crlf", "quoted_header"))


def test_columns_refuse_a_quote() -> None:
    """pyarrow is told no quote is there to look for: a file with one is
    not read by it (``plain`` already says so)."""
    from runtime.inputs import plaincsv

    with pytest.raises(plaincsv.NotPlain):
        list(plaincsv.columns(b'a,b\n"x,y",z\n', 2))
    assert [[c.to_pylist() for c in b] for b in plaincsv.columns(b"a,b\nx,y\n", 2)] == [
        [["x"], ["y"]]
    ]
