"""Periods as offices write them (issue #13): every spelling `--period` and
`--periods` accept, the quarters each names, and the refusals with a message
that says which spellings work."""

from __future__ import annotations

import pytest

from runtime.inputs.periods import Period, PeriodError, parse_periods, period_label
from tests.clirun import run

Q1, Q2, Q3, Q4 = (Period(2016, q) for q in range(1, 5))


@pytest.mark.parametrize(
    ("text", "quarters", "label"),
    [
        ("2016Q3", [Q3], "2016Q3"),
        ("2016q3", [Q3], "2016Q3"),
        (" 2016Q3 ", [Q3], "2016Q3"),
        ("2016年第一季度", [Q1], "2016Q1"),
        ("2016年第二季度", [Q2], "2016Q2"),
        ("2016年第三季度", [Q3], "2016Q3"),
        ("2016年第四季度", [Q4], "2016Q4"),
        ("2016年第3季度", [Q3], "2016Q3"),
        ("2016年1-9月", [Q1, Q2, Q3], "2016Q1..2016Q3"),
        ("2016年1—9月", [Q1, Q2, Q3], "2016Q1..2016Q3"),
        ("2016年1～9月", [Q1, Q2, Q3], "2016Q1..2016Q3"),
        ("2016年4-6月", [Q2], "2016Q2"),
        ("2016年7-12月", [Q3, Q4], "2016Q3..2016Q4"),
        ("2016年1-12月", [Q1, Q2, Q3, Q4], "2016"),
        ("2016年", [Q1, Q2, Q3, Q4], "2016"),
        ("2016年度", [Q1, Q2, Q3, Q4], "2016"),
        ("2016", [Q1, Q2, Q3, Q4], "2016"),
        ("2016Q1..2016Q3", [Q1, Q2, Q3], "2016Q1..2016Q3"),
        ("2016q1..2016年第三季度", [Q1, Q2, Q3], "2016Q1..2016Q3"),
        ("2016Q1..2016Q4", [Q1, Q2, Q3, Q4], "2016Q1..2016Q4"),  # kept as typed
    ],
)
def test_spellings(text: str, quarters: list[Period], label: str) -> None:
    assert parse_periods(text) == quarters
    assert period_label(text) == label


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("2016年2-9月", True),  # does not start a quarter
        ("2016年1-8月", True),  # does not end one
        ("2016年9-1月", True),  # backwards
        ("2016年1-13月", True),
        ("2016年第五季度", False),
        ("2016Q5", False),
        ("2016Q3..2016Q1", False),
        ("16Q3", False),
        ("2016年9月", False),
        ("", False),
    ],
)
def test_refusals(text: str, months: bool) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_periods(text)
    assert caught.value.months is months


def test_a_period_in_chinese_evaluates_as_its_quarter() -> None:
    canonical = run("evaluate", "rules/yongzhou", "--data", "examples/yongzhou",
                    "--period", "2016Q3", "--format", "json", "--lang", "en")  # fmt: skip
    chinese = run("evaluate", "rules/yongzhou", "--data", "examples/yongzhou",
                  "--period", "2016年第三季度", "--format", "json", "--lang", "en")  # fmt: skip
    assert canonical[0] == 0
    assert chinese == canonical


@pytest.mark.parametrize(
    ("lang", "period", "expected"),
    [
        (
            "en",
            "2016年2-9月",
            "jixiao: the months of `2016年2-9月` must run from the first month of a quarter "
            "to the last month of one, e.g. 2016年1-9月 or 2016年4-6月; 2016Q3, 2016年第三季度, "
            "2016Q1..2016Q3 and 2016年 work too\n",
        ),
        (
            "zh",
            "2016年2-9月",
            "jixiao: `2016年2-9月` 的月份必须从某季度的第一个月到某季度的最后一个月，例如 "
            "2016年1-9月、2016年4-6月；也可写成 2016Q3、2016年第三季度、2016Q1..2016Q3 或 2016年\n",
        ),
        (
            "zh",
            "2016-3",
            "jixiao: `2016-3` 不是考核期间：应写成 2016Q3、2016年第三季度、2016Q1..2016Q3、"
            "2016年1-9月 或 2016年\n",
        ),
    ],
)
def test_a_refused_period_is_a_usage_error_in_the_chosen_language(
    lang: str, period: str, expected: str
) -> None:
    code, out, err = run("evaluate", "rules/yongzhou", "--data", "examples/yongzhou",
                         "--period", period, "--lang", lang)  # fmt: skip
    assert (code, out, err) == (2, "", expected)
