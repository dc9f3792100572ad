"""The third bundled real scheme, rules/chuzhou_quarterly, end to end.

县域经济运行季度考核: a city (滁州) scores its 8 county units every quarter on
cumulative figures by the 功效系数法 (between the group's worst and best: group
functions) and by their distance from the city level (the growth rate of the
units' sum), minus the city's 约谈.  Checked here: the rules are clean and
proven in bounds, their own rule tests pass at full coverage, the example data
evaluates without warnings in every reporting period, the population values
are those of the data, the generator reproduces the bundled files, and the
全年 table is a golden file.

What every bundled set must pass (check, verify, its rule tests at full
coverage, the generator, a golden table) is in tests/test_bundled_sets.py.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from tests.bundled import evaluate

RULES = "rules/chuzhou_quarterly"
DATA = "examples/chuzhou_quarterly"
INDICATORS = ["财政收入", "固定资产投资", "社会消费品零售总额", "进出口总额"]


def _evaluate(period: str) -> dict[str, Any]:
    return {s["id"]: s for s in evaluate(RULES, DATA, period)}


@pytest.mark.parametrize("quarter", ["2022Q1", "2022Q2", "2022Q3", "2022Q4"])
def test_every_reporting_period_evaluates_without_warnings(quarter: str) -> None:
    units = _evaluate(quarter)
    assert sorted(units) == [f"c{n}" for n in range(1, 9)]
    assert sorted(u["rank"] for u in units.values()) == list(range(1, 9))


def _rows(period: str) -> list[dict[str, str]]:
    with open(f"{DATA}/sections.csv", encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["period"] == period]


def _rate(now: Decimal, earlier: Decimal) -> Decimal:
    """A growth rate to 0.1 percentage point, as the rules round it."""
    return (now / earlier - 1).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("quarter", ["2022Q1", "2022Q3"])
def test_the_city_level_is_the_growth_of_the_units_sum(quarter: str) -> None:
    """高于（低于）全市水平 from the data by hand: 全市水平 = Σ本期 / Σ上年同期 − 1.

    Each unit's base minus its four indicator scores is the sum of its four
    (rate − city rate) × 100; the scores in the JSON are rounded to 0.01, so the
    comparison allows 0.03 (a wrong city level is off by 0.1 at least).
    """
    rows = _rows(quarter)
    city = {
        name: _rate(
            sum((Decimal(r[name]) for r in rows), Decimal(0)),
            sum((Decimal(r[f"{name}上年同期"]) for r in rows), Decimal(0)),
        )
        for name in INDICATORS
    }
    units = _evaluate(quarter)
    for row in rows:
        unit = units[row["subject"]]
        expected = sum(
            (_rate(Decimal(row[name]), Decimal(row[f"{name}上年同期"])) - city[name]) * 100
            for name in INDICATORS
        )
        scores = sum(Decimal(i["score"]) for i in unit["indicators"])
        assert abs(Decimal(unit["base"]) - scores - expected) <= Decimal("0.03"), row["subject"]


def _deduction(unit: dict[str, Any]) -> Decimal:
    return -sum((Decimal(a["points"]) for a in unit["adjustments"]), Decimal(0))


def test_the_deductions_of_the_example() -> None:
    q1, q2, q3, q4 = (_evaluate(f"2022Q{n}") for n in range(1, 5))
    assert _deduction(q1["c7"]) == Decimal("0.5") and _deduction(q2["c7"]) == 1  # 月度, then 季度
    assert _deduction(q2["c5"]) == Decimal("0.5") and _deduction(q4["c5"]) == Decimal("0.5")
    assert _deduction(q3["c8"]) == Decimal("1.5")  # a 季度 and a 月度 约谈 in one quarter
    assert all(_deduction(u) == 0 for k, u in q1.items() if k != "c7")
    assert Decimal(q3["c8"]["total"]) == Decimal(q3["c8"]["base"]) - Decimal("1.5")
