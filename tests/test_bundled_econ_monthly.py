"""The seventh bundled real scheme, rules/econ_monthly, end to end.

经济发展指标月度评估办法 (a city's, 2020 edition), its 结果运用: every month the
county units are placed by the month's evaluation total, and the first three
earn 0.5 / 0.3 / 0.1 points in the yearly "四个全面" assessment when their own
GDP, fixed-investment and fiscal-expenditure growth reach 8% / 8% / 10%; the
year's sum is the score.  Checked here: the rules are clean and proven in
bounds, their own rule tests pass at full coverage, every unit's total agrees
with a recomputation that places the units month by month with competition
ranking (one tie for first place planted), the generator reproduces the
bundled file, and the year's table is a golden file.

What every bundled set must pass (check, verify, its rule tests at full
coverage, the generator, a golden table) is in tests/test_bundled_sets.py.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

from tests.bundled import evaluate

RULES = "rules/econ_monthly"
DATA = "examples/econ_monthly"
MONTHS = "一 二 三 四 五 六 七 八 九 十 十一 十二".split()
BONUS = {1: Decimal("0.5"), 2: Decimal("0.3"), 3: Decimal("0.1")}


def _evaluate() -> dict[str, Any]:
    return {s["id"]: s for s in evaluate(RULES, DATA, "2020")}


def _percent(cell: str) -> Decimal:
    return Decimal(cell.rstrip("%")) / 100


def _totals_by_hand(rows: dict[str, dict[str, str]]) -> dict[str, Decimal]:
    """Place the units month by month (1, 1, 3 on ties) and add the bonuses."""
    totals = {unit: Decimal(0) for unit in rows}
    for month in MONTHS:
        scores = {unit: Decimal(row[f"{month}月评估总分"]) for unit, row in rows.items()}
        for unit, row in rows.items():
            place = 1 + sum(other > scores[unit] for other in scores.values())
            eligible = (
                _percent(row[f"{month}月地区生产总值增速"]) >= Decimal("0.08")
                and _percent(row[f"{month}月固定资产投资增速"]) >= Decimal("0.08")
                and _percent(row[f"{month}月财政八项支出增速"]) >= Decimal("0.10")
            )
            if eligible:
                totals[unit] += BONUS.get(place, Decimal(0))
    return totals


def test_totals_are_those_of_the_monthly_places() -> None:
    with open(f"{DATA}/sections.csv", encoding="utf-8", newline="") as handle:
        rows = {r["subject"]: r for r in csv.DictReader(handle)}
    units = _evaluate()
    assert sorted(units) == sorted(rows)
    by_hand = _totals_by_hand(rows)
    for unit, result in units.items():
        assert Decimal(result["total"]) == by_hand[unit], unit
    # the planted tie for first place in June
    june = sorted((Decimal(r["六月评估总分"]), u) for u, r in rows.items())
    assert june[-1][0] == june[-2][0] == Decimal("91.5")
