"""Working days of the Chinese official calendar (make-up working days
included), counted back from a due date; dates without calendar data are an
error, never a guess."""

from __future__ import annotations

import datetime
from datetime import date

import pytest

from runtime.inputs.workdays import (
    CalendarRangeError,
    covered_range,
    is_working_day,
    working_days_before,
)


def test_make_up_working_day_on_a_saturday() -> None:
    # National Day 2016: 1-7 October off, Saturday 8 and Sunday 9 October worked.
    assert date(2016, 10, 8).weekday() == 5
    assert is_working_day(date(2016, 10, 8))
    assert is_working_day(date(2016, 10, 9))


def test_holidays_and_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2016, 10, 3))  # a Monday of the National Day holiday
    assert not is_working_day(date(2016, 9, 15))  # Mid-autumn, a Thursday
    assert not is_working_day(date(2016, 9, 24))  # an ordinary Saturday
    assert is_working_day(date(2016, 9, 28))  # an ordinary Wednesday


def test_three_working_days_before_a_holiday_due_date() -> None:
    # 5 October is itself a holiday; 1-4 October too: 30, 29, 28 September.
    assert working_days_before(date(2016, 10, 5), 3) == date(2016, 9, 28)


def test_three_working_days_before_counts_make_up_days() -> None:
    # 10 October is not counted; 9 and 8 October are make-up working days.
    assert working_days_before(date(2016, 10, 10), 3) == date(2016, 9, 30)


def test_the_day_itself_is_not_counted() -> None:
    assert working_days_before(date(2016, 9, 29), 1) == date(2016, 9, 28)
    assert working_days_before(date(2016, 9, 26), 1) == date(2016, 9, 23)  # over a weekend


def test_a_datetime_counts_as_its_day() -> None:
    assert is_working_day(datetime.datetime(2016, 10, 8, 9, 30))


def test_a_year_without_data_is_a_clear_error() -> None:
    first, last = covered_range()
    with pytest.raises(CalendarRangeError) as caught:
        is_working_day(date(2099, 1, 1))
    assert caught.value.day == date(2099, 1, 1)
    assert (caught.value.first, caught.value.last) == (first, last)
    assert "2099-01-01" in str(caught.value)
    with pytest.raises(CalendarRangeError):
        working_days_before(date(2099, 1, 1), 3)


def test_the_covered_range_comes_from_the_package() -> None:
    first, last = covered_range()
    assert (first.month, first.day, last.month, last.day) == (1, 1, 12, 31)
    assert first <= date(2016, 1, 1) and date(2016, 12, 31) <= last
    assert is_working_day(last) in (True, False)  # the last covered day is answered
    with pytest.raises(CalendarRangeError):
        is_working_day(first - datetime.timedelta(days=1))
    with pytest.raises(CalendarRangeError):
        is_working_day(last + datetime.timedelta(days=1))


def test_counting_back_out_of_the_data_is_an_error() -> None:
    first, _ = covered_range()
    with pytest.raises(CalendarRangeError) as caught:
        working_days_before(first, 1)
    assert caught.value.day < first


def test_n_must_be_positive() -> None:
    with pytest.raises(ValueError):
        working_days_before(date(2016, 10, 10), 0)
