"""The second bundled real scheme, rules/staff_annual, end to end.

事业单位工作人员年度考核: annual grades of a public institution's staff, capped,
forced or left ungraded by disciplinary sanctions (监察部令第18号; 人社部发〔2023〕58号
from 2023-11-06), some of them into the next year.  Checked here: the rules are
clean, their own rule tests pass at full coverage, the example data evaluates
without warnings for every year and gives the sanctions' effects (including those
carried from the bundled published results of the year before), the generator
reproduces the bundled files, and the 2023 table is a golden file.

What every bundled set must pass (check, verify, its rule tests at full
coverage, the generator, a golden table) is in tests/test_bundled_sets.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.bundled import evaluate

RULES = "rules/staff_annual"
DATA = "examples/staff_annual"


def _evaluate(year: int) -> dict[str, Any]:
    return {s["id"]: s for s in evaluate(RULES, DATA, str(year)) if s["kind"] == "person"}


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024])
def test_every_example_year_evaluates_without_warnings(year: int) -> None:
    people = _evaluate(year)
    assert 30 <= len(people) <= 32
    excellent = [p for p in people.values() if p["grade"] == "优秀"]
    assert len(excellent) <= len(people) * 20 // 100  # the 20% quota, rounded down


def test_the_sanctions_of_the_example() -> None:
    y2022, y2023, y2024 = _evaluate(2022), _evaluate(2023), _evaluate(2024)
    # 记过 under the 2012 rules: capped at 基本合格 in the decision year only.
    assert y2022["p302"]["grade"] == "基本合格" and y2022["p302"]["decided_by"] == "demerit_2012"
    assert not y2023["p302"].get("sanctions")
    # 降低岗位等级 (2022-03-01, 24 months): 不合格 in 2022 and, from the published 2022, in 2023.
    assert y2022["p407"]["grade"] == y2023["p407"]["grade"] == "不合格"
    assert y2023["p407"]["total"] is not None  # forced, still scored and ranked
    assert not y2024["p407"].get("sanctions")
    # 警告 and 记过 in one year: the harshest (记过) decides.
    assert y2023["p206"]["grade"] == "基本合格" and y2023["p206"]["decided_by"] == "demerit_2012"
    # Under the 2023 regulation: 记过 leaves the year ungraded; 降低岗位等级 this year and next.
    assert y2023["p104"]["grade"] == "不定等次"
    assert y2023["p402"]["grade"] == y2024["p402"]["grade"] == "不定等次"
    # A refusal to take part (a data column) forces 不合格; 开除 is not scored, then gone.
    assert y2023["p307"]["grade"] == "不合格" and y2023["p307"]["decided_by"] == "refused"
    assert y2022["p504"]["scoring"] == "not_scored" and "p504" not in y2023


def test_the_nomination_count_restarts_after_an_ungraded_year() -> None:
    """links.yaml's advanced_worker on the example: three 优秀 years within five,
    counted again after a 不合格 or 不定等次 year (read from the published results)."""
    y2024 = _evaluate(2024)

    def links(person: str) -> list[str]:
        return sorted(c["link"] for c in y2024[person].get("consequences", []))

    # p105: 优秀 2021, 合格 2022 (a 警告 caps the grade; no restart), 优秀 2023 and 2024.
    assert links("p105") == ["advanced_worker", "commendation"]
    # p104: 优秀 2021 and 2022, 不定等次 2023 (记过), 优秀 2024: the count restarts.
    assert links("p104") == ["commendation"]
    nominated = [p for p in y2024 if "advanced_worker" in links(p)]
    assert nominated == ["p105"]
