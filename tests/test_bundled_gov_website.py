"""The fourth bundled real scheme, rules/gov_website, end to end.

政府网站季度抽查 after 国办秘函〔2019〕19号 (《政府网站与政务新媒体检查指标》): a
website with a single-veto finding — raised by the week's monitoring data or
recorded as an event — is 不合格 and not scored; the others score the deduction
part (out of 100, 不合格 below 60) and, portals above 80, the bonus part (out of
30).  Checked here: the rules are clean and proven in bounds, their own rule
tests pass at full coverage, the example data evaluates without warnings in
every quarter, the vetoes of the example are the ones its data raises, the
generator reproduces the bundled files, and the 2020Q4 table is a golden file.

What every bundled set must pass (check, verify, its rule tests at full
coverage, the generator, a golden table) is in tests/test_bundled_sets.py.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

import pytest

from tests.bundled import evaluate

RULES = "rules/gov_website"
DATA = "examples/gov_website"


def _evaluate(period: str) -> dict[str, Any]:
    return {s["id"]: s for s in evaluate(RULES, DATA, period)}


@pytest.mark.parametrize("quarter", ["2020Q1", "2020Q2", "2020Q3", "2020Q4"])
def test_every_quarter_evaluates_without_warnings(quarter: str) -> None:
    sites = _evaluate(quarter)
    assert sorted(sites) == [f"w{n}" for n in range(1, 9)]


def _rows(period: str) -> dict[str, dict[str, str]]:
    with open(f"{DATA}/sections.csv", encoding="utf-8", newline="") as handle:
        return {r["subject"]: r for r in csv.DictReader(handle) if r["period"] == period}


def _vetoed_by_hand(row: dict[str, str]) -> set[str]:
    """The single-veto thresholds of the 检查指标, applied to a data row by hand."""
    raised = set()
    visits, failed = Decimal(row["监测次数"]), Decimal(row["无法访问次数"])
    if visits > 0 and failed / visits >= Decimal("0.05"):
        raised.add("unreachable")
    if int(row["首页更新条数"]) == 0:
        raised.add("home_stale")
    if (
        int(row["动态要闻及通知政策未更新栏目数"]) >= 5
        or int(row["长期未更新栏目数"]) >= 10
        or int(row["空白栏目数"]) >= 5
    ):
        raised.add("columns_stale")
    if int(row["超三个月未回应留言数"]) > 0:
        raised.add("no_response")
    return raised


@pytest.mark.parametrize("quarter", ["2020Q1", "2020Q2", "2020Q3", "2020Q4"])
def test_a_vetoed_website_is_not_scored_and_the_others_are_ranked(quarter: str) -> None:
    rows = _rows(quarter)
    sites = _evaluate(quarter)
    serious = {"2020Q3": {"w5"}}.get(quarter, set())
    ranked = []
    for site, result in sites.items():
        expected = _vetoed_by_hand(rows[site]) | ({"serious"} if site in serious else set())
        held = {s["item"] for s in result.get("sanctions", [])}
        assert held == expected, site
        if expected:
            assert result["grade"] == "不合格" and result["scoring"] == "not_scored", site
        else:
            ranked.append(result)
            basic = Decimal(rows[site]["扣分指标得分"])
            bonus = rows[site]["加分指标得分"]
            total = basic + (Decimal(bonus) if bonus and basic > 80 else 0)
            assert Decimal(result["total"]) == total, site
            assert result["grade"] == ("合格" if total >= 60 else "不合格"), site
    assert sorted(r["rank"] for r in ranked) == list(range(1, len(ranked) + 1))
    assert len(ranked) < len(sites)  # every quarter of the example has a vetoed website
