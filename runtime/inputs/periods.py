"""Assessment periods: quarters, and ranges of them.

A period is written ``2016Q3``; a range ``2016Q1..2016Q3``; a year ``2016``
(its four quarters).  An indicator is in force for a quarter when it is in
force on the quarter's last day, so a revision taking effect on 2016-04-01
applies from the second quarter on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_QUARTER_ENDS = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


class PeriodError(ValueError):
    """Text that is not a period or a range of periods."""


@dataclass(frozen=True, slots=True, order=True)
class Period:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _QUARTER.match(text.strip())
        if match is None:
            raise PeriodError(text)
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        month, day = _QUARTER_ENDS[self.quarter]
        return date(self.year, month, day)

    def next(self) -> Period:
        return Period(self.year + self.quarter // 4, self.quarter % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"


def parse_periods(text: str) -> list[Period]:
    """``2016Q3``, ``2016Q1..2016Q3`` or ``2016``, as the quarters they cover."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return [Period(int(text), q) for q in range(1, 5)]
    if ".." in text:
        first_text, last_text = text.split("..", 1)
        first, last = Period.parse(first_text), Period.parse(last_text)
        if last < first:
            raise PeriodError(text)
        periods = [first]
        while periods[-1] < last:
            periods.append(periods[-1].next())
        return periods
    return [Period.parse(text)]
