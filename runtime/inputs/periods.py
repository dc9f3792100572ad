"""Assessment periods: quarters, and ranges of them.

A period is written ``2016Q3``; a range ``2016Q1..2016Q3``; a year ``2016``
(its four quarters).  An indicator is in force for a quarter when it is in
force on the quarter's last day, so a revision taking effect on 2016-04-01
applies from the second quarter on.

Offices write periods as their documents do, so these are read too:
``2016q3``, ``2016年第三季度`` (or ``第3季度``), ``2016年1-9月`` (also with
``—``, ``–`` or ``～``) for the quarters those months make up, and
``2016年`` or ``2016年度`` for the year.  Months must start and end a
quarter: ``2016年2-9月`` is refused rather than silently widened, because
the assessment would then cover months nobody asked for.

An annual rule set (manifest ``period: year``) assesses whole years: its
periods are years, written ``2016`` (``Period(2016, 0)``, the year itself,
read from data rows whose period is ``2016``), never quarters or their
roll-ups.  For a quarterly rule set ``2016`` stays the roll-up of its four
quarters: ``parse_periods`` says which by its ``annual`` argument.

A data row may also be one month's (``2016-07``, ``2016年7月``) for the
inputs of monthly indicators: ``parse_month`` reads those, and the data
reader combines a quarter's three months as the rules declare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_CHINESE_QUARTER = re.compile(r"^(\d{4})年第([1-4一二三四])季度?$")
_MONTHS = re.compile(r"^(\d{4})年(\d{1,2})\s*[-—–～~至到]\s*(\d{1,2})月(份)?$")
_YEAR = re.compile(r"^(\d{4})(年度?)?$")
_CANONICAL = re.compile(r"^\d{4}(Q[1-4](\.\.\d{4}Q[1-4])?)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$|^(\d{4})年(\d{1,2})月份?$")
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4}
_QUARTER_ENDS = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


class PeriodError(ValueError):
    """Text that is not a period or a range of periods.

    ``months`` is set when the text is a month range that does not start and
    end on quarters, so the message can say so rather than list spellings;
    ``annual`` when the text names quarters but the rules assess years."""

    def __init__(self, text: str, months: bool = False, annual: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.months = months
        self.annual = annual


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A quarter (``quarter`` 1-4) or, for annual rule sets, a whole year
    (``quarter`` 0: ``2016``, from 1 January to 31 December)."""

    year: int
    quarter: int

    @property
    def annual(self) -> bool:
        return self.quarter == 0

    @classmethod
    def of_label(cls, text: str) -> Period:
        """One evaluated period as results label it: a quarter (``2016Q3``)
        or a year (``2016``, an annual rule set's period)."""
        year = _YEAR.match(text.strip())
        return cls(int(year.group(1)), 0) if year else cls.parse(text)

    @classmethod
    def parse(cls, text: str) -> Period:
        """One quarter: ``2016Q3``, ``2016q3``, ``2016年第三季度``, ``2016年第3季度``."""
        stripped = text.strip()
        match = _QUARTER.match(stripped) or _CHINESE_QUARTER.match(stripped)
        if match is None:
            raise PeriodError(text)
        number = match.group(2)
        return cls(int(match.group(1)), _NUMERALS.get(number) or int(number))

    @property
    def start(self) -> date:
        return date(self.year, max(3 * self.quarter - 2, 1), 1)

    @property
    def end(self) -> date:
        month, day = _QUARTER_ENDS[self.quarter or 4]
        return date(self.year, month, day)

    def next(self) -> Period:
        if self.annual:
            return Period(self.year + 1, 0)
        return Period(self.year + self.quarter // 4, self.quarter % 4 + 1)

    def __str__(self) -> str:
        return str(self.year) if self.annual else f"{self.year}Q{self.quarter}"


def period_of(day: date, annual: bool = False) -> Period:
    """The period ``day`` falls in: its quarter, or (annual rules) its year."""
    return Period(day.year, 0) if annual else Period(day.year, (day.month - 1) // 3 + 1)


def period_end(label: str) -> date:
    """The last day of an evaluated period's label: a quarter, a year (annual
    or the four quarters' roll-up: 31 December either way) or a range."""
    return parse_periods(label)[-1].end


def parse_month(text: str) -> tuple[int, int] | None:
    """``(year, month)`` of a month row's period (``2016-07``, two digits,
    ``2016年7月``), None when the text is not written as a month.  A month
    number outside 1-12 raises ``PeriodError``."""
    match = _MONTH.match(text.strip())
    if match is None:
        return None
    year, month = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
    if not 1 <= int(month) <= 12:
        raise PeriodError(text)
    return int(year), int(month)


def month_label(year: int, month: int) -> str:
    """The canonical spelling of a month: ``2016-07``."""
    return f"{year}-{month:02d}"


def parse_periods(text: str, annual: bool = False) -> list[Period]:
    """``2016Q3``, ``2016Q1..2016Q3``, ``2016`` or an office's spelling of
    one of them (see the module's docstring), as the quarters they cover.

    ``annual`` (rules that assess years): ``2016`` is the year itself, one
    period; anything else (quarters, months, a range of years) is refused
    with ``annual`` set on the error, so the message can say to write a year."""
    text = text.strip()
    year = _YEAR.match(text)
    if year and annual:
        return [Period(int(year.group(1)), 0)]
    if year:
        return [Period(int(year.group(1)), q) for q in range(1, 5)]
    if annual:  # quarters, months, a range of years or no period: write a year
        raise PeriodError(text, annual=True)
    months = _MONTHS.match(text)
    if months:
        return _month_range(text, int(months.group(1)), int(months.group(2)), int(months.group(3)))
    if ".." in text:
        first_text, last_text = text.split("..", 1)
        first, last = Period.parse(first_text), Period.parse(last_text)
        if last < first:
            raise PeriodError(text)
        return _through(first, last)
    return [Period.parse(text)]


def period_label(text: str) -> str:
    """The canonical spelling of what ``text`` names (``2016Q3``,
    ``2016Q1..2016Q3`` or ``2016``): results, stores and file names use it
    whichever way the period was typed.  Text already written that way is
    kept as it is (``2016Q1..2016Q4`` stays a range)."""
    text = text.strip()
    if _CANONICAL.match(text):
        return text
    periods = parse_periods(text)
    if len(periods) == 1:
        return str(periods[0])
    if len(periods) == 4 and periods[0].quarter == 1 and periods[-1].quarter == 4:
        return str(periods[0].year)
    return f"{periods[0]}..{periods[-1]}"


def _month_range(text: str, year: int, first: int, last: int) -> list[Period]:
    if not (1 <= first <= last <= 12) or first % 3 != 1 or last % 3 != 0:
        raise PeriodError(text, months=True)
    return _through(Period(year, (first + 2) // 3), Period(year, last // 3))


def _through(first: Period, last: Period) -> list[Period]:
    periods = [first]
    while periods[-1] < last:
        periods.append(periods[-1].next())
    return periods
