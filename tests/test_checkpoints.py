"""Checkpoints and due dates: each cadence's checkpoints within a period, due
the declared number of days after (concentrated assessment within 5 days)."""

from __future__ import annotations

from datetime import date

from compiler import ir
from compiler.pipeline import check
from dsl.ruleset import DirectorySource
from runtime.inputs.checkpoints import checkpoints


def _indicators() -> dict[str, ir.Indicator]:
    program = check(DirectorySource("rules/yongzhou")).programs.get("section")
    assert program is not None
    return {i.id: i for i in program.indicators}


def test_cadences_give_their_checkpoints_in_a_quarter() -> None:
    indicators = _indicators()
    q3 = (date(2016, 7, 1), date(2016, 9, 30))
    monthly = checkpoints(indicators["supervision"], *q3)
    assert monthly == [
        (date(2016, 7, 31), date(2016, 8, 5)),
        (date(2016, 8, 31), date(2016, 9, 5)),
        (date(2016, 9, 30), date(2016, 10, 5)),
    ]
    assert checkpoints(indicators["revenue"], *q3) == [(date(2016, 9, 30), date(2016, 10, 5))]
    # Half-year checkpoints fall on 30 June and 31 December only.
    half = indicators["poverty_alleviation"]
    assert checkpoints(half, *q3) == []
    assert checkpoints(half, date(2016, 1, 1), date(2016, 12, 31)) == [
        (date(2016, 6, 30), date(2016, 7, 5)),
        (date(2016, 12, 31), date(2017, 1, 5)),
    ]
    # February's month end in a leap year.
    feb = checkpoints(indicators["supervision"], date(2016, 2, 1), date(2016, 2, 29))
    assert feb == [(date(2016, 2, 29), date(2016, 3, 5))]
