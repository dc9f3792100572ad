"""What each assessing section has sent in for a period, and what it still owes.

One line per assessing section and indicator in force in the period: the
submission that counts (who, when), whether the first one holding the
indicator came in within its window, or that none has.  The window of an
indicator closes on the due date of its last checkpoint in the period
(``runtime.inputs.checkpoints``: the checkpoint plus the manifest's
``assessment_days``, on the official calendar when the rules say so).  An
indicator not scored in the period (a half-year indicator in the third
quarter: ``ir.Indicator.scored_in``) owes nothing and is not listed.
``--date`` shows the status as it stood on that day: later submissions are
left out and a missing indicator whose window has closed is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from compiler import ir
from compiler.pipeline import Compilation
from runtime.inputs.checkpoints import checkpoints
from runtime.inputs.periods import Period
from runtime.store import Store, Submission

State = Literal["in", "late", "missing", "overdue"]


@dataclass(frozen=True, slots=True)
class StatusLine:
    assessor: str
    kind: str  # section, person
    indicator: str
    name: str
    cadence: str
    checkpoint: date | None  # None: no checkpoint of the indicator in the period
    due: date
    state: State
    first: Submission | None  # the first submission holding the indicator
    counted: Submission | None  # the latest one: the one that counts
    submissions: int  # how many hold the indicator (corrections included)


@dataclass(frozen=True, slots=True)
class Status:
    period: str
    day: date | None
    lines: list[StatusLine]


def _day(submission: Submission) -> date:
    return date.fromisoformat(submission.submitted_at[:10])


def period_status(
    compilation: Compilation, store: Store, period: Period, day: date | None
) -> Status:
    """Every assessing section's indicators for ``period``, as of ``day``."""
    scheme = compilation.programs["section"].scheme
    submissions = [
        s for s in store.submissions(scheme, str(period)) if day is None or _day(s) <= day
    ]
    lines: list[StatusLine] = []
    for kind, program in compilation.programs.items():
        for indicator in program.indicators:
            if indicator.assessor is None or not indicator.scored_in(period.end):
                continue
            lines.append(_line(kind, indicator, period, submissions, day))
    order = {name: n for n, name in enumerate(dict.fromkeys(line.assessor for line in lines))}
    lines.sort(key=lambda line: order[line.assessor])
    return Status(str(period), day, lines)


def window(indicator: ir.Indicator, period: Period) -> tuple[date | None, date]:
    """The indicator's last checkpoint in ``period`` (None: it has none there)
    and the day its data for the period is due (status, forms)."""
    found = checkpoints(indicator, period.start, period.end)
    if found:
        return found[-1]
    return None, period.end + timedelta(days=indicator.due_days)


def _line(
    kind: str,
    indicator: ir.Indicator,
    period: Period,
    submissions: list[Submission],
    day: date | None,
) -> StatusLine:
    checkpoint, due = window(indicator, period)
    # The latest submission holding the indicator counts (``submissions.latest``).
    holding = [
        s for s in submissions if s.assessor == indicator.assessor and indicator.id in s.indicators
    ]
    first = holding[0] if holding else None
    counted = holding[-1] if holding else None
    state: State
    if first is None:
        state = "overdue" if day is not None and day > due else "missing"
    else:
        state = "late" if _day(first) > due else "in"
    return StatusLine(
        indicator.assessor or "", kind, indicator.id, indicator.name,
        indicator.cadence or "annual", checkpoint, due, state, first, counted, len(holding),
    )  # fmt: skip
