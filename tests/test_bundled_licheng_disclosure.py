"""The fifth bundled real scheme, rules/licheng_disclosure, end to end.

政务公开绩效考评 of 泉州市鲤城区 (2020), its first four categories: the
依申请公开 part deducts 6 points for every request answered after the deadline
of 《政府信息公开条例》 art. 33 — 20 official working days after receipt, 40
when extended — counted on the official calendar with its make-up days.
Checked here: the rules are clean and proven in bounds, their own rule tests
pass at full coverage, the example year evaluates without warnings, every
request's lateness agrees with a day-by-day walk over chinesecalendar, the
generator reproduces the bundled file, and the year's table is a golden file.

What every bundled set must pass (check, verify, its rule tests at full
coverage, the generator, a golden table) is in tests/test_bundled_sets.py.
"""

from __future__ import annotations

import csv
import datetime
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]

from tests.bundled import evaluate

RULES = "rules/licheng_disclosure"
DATA = "examples/licheng_disclosure"


def _evaluate() -> dict[str, Any]:
    return {s["id"]: s for s in evaluate(RULES, DATA, "2020")}


def _deadline(received: datetime.date, days: int) -> datetime.date:
    """Walk the calendar day by day, counting official working days."""
    day = received
    while days:
        day += datetime.timedelta(days=1)
        days -= chinese_calendar.is_workday(day)
    return day


def _late_by_hand(row: dict[str, str]) -> int:
    late = 0
    for n in (1, 2, 3):
        received = row[f"申请{n}收到日期"]
        if received:
            allowed = 40 if row[f"申请{n}延期"] == "是" else 20
            deadline = _deadline(datetime.date.fromisoformat(received), allowed)
            late += datetime.date.fromisoformat(row[f"申请{n}答复日期"]) > deadline
    return late


def test_late_answers_are_those_of_the_calendar() -> None:
    with open(f"{DATA}/sections.csv", encoding="utf-8", newline="") as handle:
        rows = {r["subject"]: r for r in csv.DictReader(handle)}
    departments = _evaluate()
    assert sorted(departments) == sorted(rows)
    lates = {}
    for department, result in departments.items():
        (on_request,) = (i for i in result["indicators"] if i["id"] == "on_request")
        lates[department] = _late_by_hand(rows[department])
        if lates[department]:
            assert on_request["score"] in ("0", "0.00"), department
    assert lates["d2"] >= 1  # the request placed across National Day 2020
    assert any(n == 0 for n in lates.values())
