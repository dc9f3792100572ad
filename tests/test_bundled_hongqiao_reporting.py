"""The sixth bundled real scheme, rules/hongqiao_reporting, end to end.

虹桥镇's assessment of the statisticians of its large industrial enterprises
(规上企业一套表工作考核意见, item 1): the monthly industrial report is due on
the 28th, earns 3 points a month (36 a year) and loses 0.5 points for every
calendar day it is late, down to 0 for the month.  Checked here: the rules are
clean and proven in bounds, their own rule tests pass at full coverage, the
example year evaluates without warnings, every enterprise's total agrees with
a recomputation from the dates by Python's own calendar arithmetic (one late
report across a weekend placed on purpose), the generator reproduces the
bundled file, and the year's table is a golden file.

What every bundled set must pass (check, verify, its rule tests at full
coverage, the generator, a golden table) is in tests/test_bundled_sets.py.
"""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from typing import Any

from tests.bundled import evaluate

RULES = "rules/hongqiao_reporting"
DATA = "examples/hongqiao_reporting"
MONTHS = "一 二 三 四 五 六 七 八 九 十 十一 十二".split()


def _evaluate() -> dict[str, Any]:
    return {s["id"]: s for s in evaluate(RULES, DATA, "2020")}


def _total_by_hand(row: dict[str, str]) -> Decimal:
    """3 a month, 0.5 off per calendar day after the 28th, at least 0; none: 0."""
    total = Decimal(0)
    for number, month in enumerate(MONTHS, 1):
        cell = row[f"{month}月报送日期"]
        if cell:
            late = (datetime.date.fromisoformat(cell) - datetime.date(2020, number, 28)).days
            total += max(Decimal(0), 3 - Decimal("0.5") * max(0, late))
    return total


def test_totals_are_those_of_the_calendar() -> None:
    with open(f"{DATA}/sections.csv", encoding="utf-8", newline="") as handle:
        rows = {r["subject"]: r for r in csv.DictReader(handle)}
    enterprises = _evaluate()
    assert sorted(enterprises) == sorted(rows)
    for enterprise, result in enterprises.items():
        assert Decimal(result["total"]) == _total_by_hand(rows[enterprise]), enterprise
    # the report placed across a weekend: due Saturday 2020-03-28, in on Monday 03-30
    assert datetime.date(2020, 3, 28).weekday() == 5
    assert rows["e3"]["三月报送日期"] == "2020-03-30"
    assert any(_total_by_hand(r) == 36 for r in rows.values())
