"""The third bundled real scheme, rules/chuzhou_quarterly, end to end.

县域经济运行季度考核: a city (滁州) scores its 8 county units every quarter on
cumulative figures by the 功效系数法 (between the group's worst and best: group
functions) and by their distance from the city level (the growth rate of the
units' sum), minus the city's 约谈.  Checked here: the rules are clean and
proven in bounds, their own rule tests pass at full coverage, the example data
evaluates without warnings in every reporting period, the population values
are those of the data, the generator reproduces the bundled files, and the
全年 table is a golden file.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import run
from tests.golden import assert_golden

RULES = "rules/chuzhou_quarterly"
DATA = "examples/chuzhou_quarterly"
GOLDEN = Path("tests/cases/chuzhou_quarterly")
INDICATORS = ["财政收入", "固定资产投资", "社会消费品零售总额", "进出口总额"]


def _evaluate(period: str) -> dict[str, Any]:
    code, out, err = run("evaluate", RULES, "--data", DATA, "--period", period, "--format", "json")
    assert code == 0 and err == "", err
    document = json.loads(out)
    assert isinstance(document, dict)
    return {s["id"]: s for s in document["subjects"]}


def test_check_is_clean() -> None:
    code, out, err = run("--lang", "en", "check", RULES)
    assert code == 0 and err == "", err
    assert "4 indicators" in out


def test_verify_proves_every_score_within_its_points() -> None:
    """The clamp around each 功效系数 position lets verify bound the scores (no V0110)."""
    code, out, err = run("--lang", "en", "verify", RULES)
    assert code == 0 and "warning" not in out + err, out + err


def test_rule_tests_pass_at_full_coverage() -> None:
    code, out, err = run("--lang", "en", "test", RULES, "--fail-under", "100")
    assert code == 0, out + err
    assert "0 failed" in out and "100%" in out


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


def test_the_bundled_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("chuzhou_generate", f"{DATA}/generate.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.write_all(tmp_path)
    for name in ["sections.csv", "events.csv"]:
        assert (tmp_path / name).read_bytes() == (Path(DATA) / name).read_bytes(), name


def test_the_full_year_table_is_golden() -> None:
    code, out, err = run("--lang", "zh", "evaluate", RULES, "--data", DATA, "--period", "2022Q4")
    assert code == 0 and err == ""
    assert_golden(GOLDEN / "evaluate_2022Q4.zh.txt", out)
