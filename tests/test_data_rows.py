"""The shortcuts of the wide-table reader that make a period's rows
(runtime/inputs/data.py): a row with its events copied field by field, and a
section's supervision items grouped per period once.  Each must give what the
careful way gives: ``dataclasses.replace``, and filtering the items by due date."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from runtime.inputs.data import Dataset, Row, _TableReader, with_events
from runtime.inputs.events import Event
from runtime.inputs.periods import Period
from runtime.inputs.supervision import SupervisionItem
from tests.datasets import bundled_compilation


def _item(n: int, subject: str, due: date) -> SupervisionItem:
    return SupervisionItem(f"i{n}", f"L{n}", date(2016, 1, 4), subject, f"m{n}", due, None,
                           False, "", "supervision.csv", n + 1)  # fmt: skip


def test_a_row_with_events_keeps_every_other_field() -> None:
    # Every field set to something other than its default, so a field the
    # copy forgot (or one added to Row later) shows.
    event = Event(date(2016, 8, 1), "s1", "x", Decimal(1), "r", "e", "f.csv:3", None, None, "")
    row = Row("2016Q3", "s1", "One", (Decimal(1), None), "f.csv:2", (event,),
              (_item(1, "s1", date(2016, 8, 2)),), frozenset({"k"}))  # fmt: skip
    values, events = (Decimal(2), None), (event, event)
    made = with_events(row, values, events)
    assert made == dataclasses.replace(row, values=values, events=events)
    assert [getattr(made, f.name) for f in dataclasses.fields(Row)] == [
        "2016Q3", "s1", "One", values, "f.csv:2", events, row.supervision, frozenset({"k"})
    ]  # fmt: skip


def test_a_sections_supervision_items_are_those_due_in_the_period_in_table_order() -> None:
    program = bundled_compilation().programs["section"]
    reader = _TableReader(program, Dataset(), None)
    days = [date(2016, 9, 30), date(2016, 7, 1), date(2016, 6, 30), date(2016, 10, 1),
            date(2016, 8, 15), date(2016, 4, 1), date(2015, 9, 1)]  # fmt: skip
    items = [_item(n, subject, day) for n, day in enumerate(days) for subject in ("a", "b")]
    reader.supervision = items
    for period in (Period.of_label(t) for t in ("2016Q3", "2016Q2", "2016Q4", "2015Q3", "2016Q1")):
        for subject in ("a", "b", "c"):
            careful = tuple(i for i in items
                            if i.subject == subject and period.start <= i.due <= period.end)  # fmt: skip
            assert reader.mine(subject, period) == careful
    q3 = Period.of_label("2016Q3")
    assert [i.id for i in reader.mine("a", q3)] == ["i0", "i1", "i4"]
    # A new list of items (another table) is grouped afresh.
    reader.supervision = items[:2]
    assert [i.id for i in reader.mine("a", q3)] == ["i0"]
    reader.supervision = None
    assert reader.mine("a", q3) == ()
