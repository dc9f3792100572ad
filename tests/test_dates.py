"""Dates and working days in formulas (issue #11 item 3).

The calendar arithmetic is checked against the calendar library day by day;
the built-ins through the whole CLI: date cells as offices write them, a
working-day deadline over the 2016 National Day holiday with its make-up
weekend, "days late", the period's first and last day, and located errors
for dates the calendar does not cover and for arithmetic on dates.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semantics import operations
from semantics.calendar import (
    add_working_days,
    covered_range,
    is_working_day,
    parse_date,
    working_days_before,
    working_days_between,
)
from semantics.operations import Fault
from tests.clirun import run

FIRST, LAST = date(2015, 1, 1), date(2020, 12, 31)
DAYS = st.integers(0, (LAST - FIRST).days).map(lambda n: FIRST + timedelta(days=n))


def _library_count(start: date, end: date) -> int:
    """Working days of (start, end] by the library, minus [end, start) backwards."""
    low, high = sorted((start, end))
    days = [low + timedelta(days=k) for k in range((high - low).days + 1)]
    if end >= start:
        return sum(1 for d in days[1:] if chinese_calendar.is_workday(d))
    return -sum(1 for d in days[:-1] if chinese_calendar.is_workday(d))


def test_every_day_of_2015_to_2020_agrees_with_the_library() -> None:
    day = FIRST
    count = 0
    while day <= LAST:
        assert is_working_day(day) == chinese_calendar.is_workday(day), day
        if day > FIRST:
            count += chinese_calendar.is_workday(day)
            assert working_days_between(FIRST, day) == count, day
        day += timedelta(days=1)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(DAYS, DAYS)
def test_working_days_between_agrees_with_the_library(start: date, end: date) -> None:
    assert working_days_between(start, end) == _library_count(start, end)
    # Not antisymmetric when an end is a day off: a walk counts where it lands.
    if chinese_calendar.is_workday(start) == chinese_calendar.is_workday(end):
        assert working_days_between(end, start) == -working_days_between(start, end)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(DAYS.filter(lambda d: date(2015, 3, 1) <= d <= date(2020, 10, 1)), st.integers(-40, 40))
def test_adding_then_counting_back_gives_n(day: date, n: int) -> None:
    moved = add_working_days(day, n)
    assert working_days_between(day, moved) == n
    if n:
        assert chinese_calendar.is_workday(moved)  # a walk ends on a working day
        # no working day is skipped: every day strictly between is counted
        assert abs(working_days_between(day, moved - timedelta(days=1 if n > 0 else -1))) == (
            abs(n) - 1
        )
    if n < 0:
        assert moved == working_days_before(day, -n)  # warn's "n working days before"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(DAYS, DAYS.filter(lambda d: bool(chinese_calendar.is_workday(d))))
def test_counting_then_adding_reaches_a_working_day(start: date, end: date) -> None:
    assert add_working_days(start, working_days_between(start, end)) == end or start == end


def test_a_deadline_over_national_day_2016_lands_on_the_make_up_saturday() -> None:
    # 1-7 October 2016 off; Saturday 8 and Sunday 9 October were working days.
    assert chinese_calendar.is_workday(date(2016, 10, 8))
    assert chinese_calendar.is_workday(date(2016, 10, 9))
    assert date(2016, 10, 8).weekday() == 5
    assert add_working_days(date(2016, 9, 30), 1) == date(2016, 10, 8)
    assert add_working_days(date(2016, 9, 30), 2) == date(2016, 10, 9)
    # 10 working days from Friday 23 September: 26-30 Sep, 8, 9, 10, 11, 12 Oct.
    assert add_working_days(date(2016, 9, 23), 10) == date(2016, 10, 12)
    assert working_days_between(date(2016, 9, 30), date(2016, 10, 9)) == 2
    assert add_working_days(date(2016, 10, 8), -1) == date(2016, 9, 30)


def test_the_helpers_fault_outside_the_calendar_and_on_fractional_days() -> None:
    _, last = covered_range()
    outside = date(last.year + 1, 3, 1)
    with pytest.raises(Fault) as caught:
        operations.add_working_days(outside, Decimal(1), "site")
    assert (caught.value.code, caught.value.site) == ("E0840", "site")
    assert outside.isoformat() in caught.value.detail
    with pytest.raises(Fault):
        operations.working_days_between(date(2016, 1, 4), outside, "site")
    with pytest.raises(Fault):
        operations.is_working_day(outside, "site")
    with pytest.raises(Fault) as caught:
        operations.add_days(date(2016, 1, 4), Decimal("1.5"), "site")
    assert caught.value.code == "E0842"
    with pytest.raises(Fault) as caught:
        operations.add_days(date(9999, 12, 31), Decimal(1), "site")
    assert caught.value.code == "E0842"
    assert operations.add_days(date(2016, 2, 28), Decimal(2), "s") == date(2016, 3, 1)
    assert operations.days_between(date(2016, 7, 5), date(2016, 7, 1)) == -4
    # calendar days need no calendar data
    assert operations.days_between(date(2099, 1, 1), date(2099, 1, 3)) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-07-05", date(2016, 7, 5)),
        ("2016/7/5", date(2016, 7, 5)),
        ("2016/07/05", date(2016, 7, 5)),
        ("2016年7月5日", date(2016, 7, 5)),
        ("2016 年 7 月 5 日", date(2016, 7, 5)),
        ("2016.7.5", date(2016, 7, 5)),
        (" 2016-7-5 ", date(2016, 7, 5)),
        ("2016-02-30", None),
        ("2016/7-5", None),
        ("16/7/5", None),
        ("7/5/2016", None),
        ("2016年7月", None),
        ("明天", None),
    ],
)
def test_dates_as_offices_write_them(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


RULES = """\
scheme: 日期
version: "1"
year: 2016
inputs:
  截止日期: date
  报送日期: date
  请求日期: date
  答复日期: date
indicators:
  - id: 按时报送
    name: 按时报送
    points: 10
    # 0.5 off per day late
    score: 10 - 0.5 * max(0, days_between(截止日期, 报送日期))
  - id: 答复时限
    name: 答复时限
    points: 5
    # an answer within 10 working days of the request
    score: if 答复日期 <= add_working_days(请求日期, 10) then 5 else 0
  - id: 期内
    name: 期内
    points: 2
    score: days_between(period_start, 报送日期) / days_between(period_start, period_end)
"""


def _rule_set(tmp_path: Path, rows: str, rules: str = RULES) -> tuple[str, str]:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "ruleset.yaml").write_text(rules, encoding="utf-8")
    (tmp_path / "data").mkdir()
    head = "period,subject,截止日期,报送日期,请求日期,答复日期\n"
    (tmp_path / "data" / "d.csv").write_text(head + rows, encoding="utf-8")
    return str(tmp_path / "rules"), str(tmp_path / "data")


def test_days_late_and_a_working_day_deadline_through_the_cli(tmp_path: Path) -> None:
    rules, data = _rule_set(
        tmp_path,
        # s1: 3 days late (office spellings), answered on the 10th working day
        # (12 October, over the holiday and its make-up weekend); s2: on time,
        # answered on the 11th working day.
        "2016Q3,s1,2016-07-05,2016/7/8,2016年9月23日,2016-10-12\n"
        "2016Q3,s2,2016-07-05,2016年7月5日,2016/9/23,2016/10/13\n",
    )
    code, out, err = run("--lang", "en", "evaluate", rules, "--data", data, "--period", "2016Q3",
                         "--format", "json")  # fmt: skip
    assert code == 0, err
    assert '"8.50"' in out or '"8.5"' in out, out

    subjects = {s["id"]: s for s in json.loads(out)["subjects"]}
    scores = {k: {i["id"]: i["score"] for i in v["indicators"]} for k, v in subjects.items()}
    assert scores["s1"]["按时报送"] == "8.50" and scores["s2"]["按时报送"] == "10.00"
    assert scores["s1"]["答复时限"] == "5.00" and scores["s2"]["答复时限"] == "0.00"
    # day 8 of 92 days (1 July to 30 September is 91 days apart) and day 5
    assert scores["s1"]["期内"] == str(round(Decimal(7) / Decimal(91), 2))


def test_a_date_the_calendar_does_not_cover_is_a_located_error(tmp_path: Path) -> None:
    _, last = covered_range()
    later = f"{last.year + 1}-03-02"
    rules, data = _rule_set(tmp_path, f"2016Q3,s1,2016-07-05,2016-07-05,{later},2016-10-12\n")
    code, _, err = run("--lang", "en", "evaluate", rules, "--data", data, "--period", "2016Q3")
    assert code != 0
    assert "E0840" in err and later in err and "subject s1" in err, err
    assert "ruleset.yaml:19:23" in err and "add_working_days(请求日期, 10)" in err, err
    code, _, err = run("--lang", "zh", "evaluate", rules, "--data", data, "--period", "2016Q3")
    assert "超出官方工作日历的范围" in err, err


def test_a_cell_that_is_not_a_date_is_located(tmp_path: Path) -> None:
    rules, data = _rule_set(tmp_path, "2016Q3,s1,2016-07-05,2016-07-32,2016-09-23,2016-10-12\n")
    code, _, err = run("--lang", "en", "evaluate", rules, "--data", data, "--period", "2016Q3")
    assert code != 0
    assert "E0551" in err and "d.csv:2 [报送日期]" in err and "2016-07 has 31 days" in err, err


@pytest.mark.parametrize(
    ("formula", "help_word"),
    [
        ("报送日期 - 截止日期", "days_between"),
        ("报送日期 + 3", "add_days"),
        ("3 - 报送日期", "add_days"),
        ("报送日期 * 2", "is_working_day"),
    ],
)
def test_arithmetic_on_dates_says_what_to_write(
    tmp_path: Path, formula: str, help_word: str
) -> None:
    rules = RULES.replace("10 - 0.5 * max(0, days_between(截止日期, 报送日期))", formula)
    path, _ = _rule_set(tmp_path, "", rules)
    code, _, err = run("--lang", "en", "check", path)
    assert code != 0
    assert "E0480" in err and help_word in err, err


def test_period_dates_are_inputs_only_when_read(tmp_path: Path) -> None:
    rules = RULES.replace(
        "days_between(period_start, 报送日期) / days_between(period_start, period_end)", "2"
    )
    path, _ = _rule_set(tmp_path, "", rules)
    code, out, err = run("compile", path, "--emit", "ir")
    assert code == 0, err
    assert "period_start" not in out and "period_end" not in out


RULE_TEST_RULES = """\
scheme: 日期
version: "1"
year: 2016
files: [organization.yaml]
inputs:
  截止日期: date
  报送日期: date
  请求日期: date
  答复日期: date
indicators:
  - id: 按时报送
    name: 按时报送（每迟报一天扣 0.5 分）
    points: 10
    score: max(0, points - 0.5 * max(0, days_between(截止日期, 报送日期)))
  - id: 答复时限
    name: 答复时限（收到请求后 10 个工作日内答复）
    points: 5
    score: if 答复日期 <= add_working_days(请求日期, 10) then points else 0
  - id: 期初报送
    name: 期初报送（本期第一个月内报送）
    points: 1
    score: if days_between(period_start, 报送日期) < 31 then points else 0
"""
ORGANIZATION = """\
organization:
  groups:
    - {id: 科室, name: 科室}
  sections:
    - {id: s1, name: 办公室, group: 科室}
    - {id: s2, name: 法规科, group: 科室}
"""
RULE_TESTS = """\
period: 2016Q3
defaults:
  sections:
    截止日期: 2016-07-05
    报送日期: 2016-07-05
    请求日期: 2016-09-23
    答复日期: 2016-09-23
cases:
  - name: 迟报 3 天扣 1.5 分；8 月报送不算期初
    sections:
      s1: {报送日期: 2016/7/8}
      s2: {报送日期: 2016年8月1日}
    expect:
      s1: {按时报送: 8.5, 期初报送: 1}
      s2: {按时报送: 0, 期初报送: 0}
  - name: 国庆放假，10 个工作日的答复期限顺延到 10 月 12 日（10 月 8 日、9 日调休上班）
    sections:
      s1: {答复日期: 2016年10月12日}
      s2: {答复日期: 2016-10-13}
    expect:
      s1: {答复时限: 5, total: 16}
      s2: {答复时限: 0, total: 11}
"""


def _rule_test_set(tmp_path: Path, tests: str) -> str:
    folder = tmp_path / "rules"
    (folder / "tests").mkdir(parents=True)
    (folder / "ruleset.yaml").write_text(RULE_TEST_RULES, encoding="utf-8")
    (folder / "organization.yaml").write_text(ORGANIZATION, encoding="utf-8")
    (folder / "tests" / "dates.yaml").write_text(tests, encoding="utf-8")
    return str(folder)


def test_rule_tests_of_days_late_and_a_deadline_over_a_holiday(tmp_path: Path) -> None:
    folder = _rule_test_set(tmp_path, RULE_TESTS)
    code, out, err = run("--lang", "en", "test", folder, "--fail-under", "100")
    assert code == 0, out + err
    assert "2 passed, 0 failed" in out, out


def test_a_rule_test_expecting_a_day_too_few_fails(tmp_path: Path) -> None:
    # Counting 8 and 9 October as holidays would give 14 October as the deadline.
    folder = _rule_test_set(tmp_path, RULE_TESTS.replace("答复时限: 0, total: 11", "答复时限: 5"))
    code, out, _ = run("--lang", "en", "test", folder)
    assert code != 0
    assert "1 passed, 1 failed" in out, out
