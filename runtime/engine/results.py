"""Every result record the engine produces, in one place.

Stage 1 (``runtime.engine.subjects``) fills the per-subject parts, stage 2
(``runtime.engine.population``) the rank and grade, the links
(``runtime.engine.links``) the consequences; tools and renderers read these
records and nothing else of the engine's internals.
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass
from decimal import Decimal

from dsl.frozen import maker
from runtime.inputs.events import Event
from runtime.inputs.supervision import SupervisionItem


@dataclass(frozen=True, slots=True)
class Consequence:
    link: str
    name: str
    effect: str  # "annual_grade: 优秀", "talk: head", "training: 工作质量 -1.5; ..."
    target: str  # subject id receiving it
    source: str  # subject id whose results triggered it
    overridden_by: str = ""  # the link whose consequence replaced this one (``overrides``)


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    id: str
    name: str
    points: Decimal
    score: Decimal | None  # None: not scored (see status)
    status: str = "scored"  # scored, not_applicable, exempt (data absent), no_data (dry-runs)


@dataclass(frozen=True, slots=True)
class Adjustment:
    """Points an item added (positive) or deducted (negative) in the period."""

    item: str
    name: str
    points: Decimal
    reasons: tuple[str, ...]
    events: tuple[Event, ...]
    period: str = ""
    # How many occurrences: the events' counts, or the supervision items an
    # item counted from the supervision table counted.
    occurrences: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Sanctioned:
    """A sanction that holds for a subject in a period: a veto item raised in
    it, or carried from an earlier period it ``lasts`` into
    (``runtime.engine.sanctions``).  Its outcome is kept with it, so a later
    year applies what was published even when the rules have changed."""

    item: str
    name: str
    grade: str | None = None  # forced grade (possibly the declared ungraded one)
    at_most: str | None = None  # grade cap
    scoring: str | None = None  # not_scored, ranked_last
    until: str | None = None  # the last day it holds (ISO); None: the period raised only
    period: str = ""  # the period it was raised in
    where: str = ""  # the item's rule position (file:line), "" when the rules lack it


@dataclass(frozen=True, slots=True)
class SubjectResult:
    id: str
    name: str
    period: str
    total: Decimal
    rank: int
    indicators: tuple[IndicatorResult, ...]
    values: tuple[object, ...]  # every slot, for explain
    source: str
    base: Decimal | None = None
    adjustments: tuple[Adjustment, ...] = ()
    vetoes: tuple[str, ...] = ()  # "fail" (一票否决), "no_excellent" (一票否优)
    grade: str | None = None  # None: no grades declared; "ungraded": no band took it
    group: str = ""
    kind: str = "section"
    quarters: tuple[tuple[str, Decimal], ...] = ()  # roll-ups: each quarter's total
    consequences: tuple[Consequence, ...] = ()  # result links it triggered or received
    # Supervision items its inputs were counted from (``from: supervision.…``), for explain.
    supervision: tuple[SupervisionItem, ...] = ()

    overridden: tuple[Consequence, ...] = ()  # consequences another link's replaced
    # Sanctions holding for it (raised now or carried); the one that decided its
    # grade (``decision``: forced, capped) and its scoring (not_scored, ranked_last).
    sanctions: tuple[Sanctioned, ...] = ()
    decided_by: str = ""
    decision: str = ""
    scoring: str = ""
    scoring_by: str = ""


# ``SubjectResult(*values, **named)`` at about a third of its cost: an
# evaluation makes a result per subject several times over (stage 1,
# consequences attached, sanctions, roll-ups: 100,000s at a time).
made = maker(SubjectResult)

_FIELDS = tuple(f.name for f in dataclasses.fields(SubjectResult))
_VALUES = operator.attrgetter(*_FIELDS)  # a result's fields, in the order __init__ takes them
_POSITION = {name: n for n, name in enumerate(_FIELDS)}


def replaced(result: SubjectResult, **changes: object) -> SubjectResult:
    """``dataclasses.replace(result, **changes)`` at half its cost: a large
    evaluation copies most results several times (consequences attached,
    sanctions ruled, roll-ups, a dry-run's slimming), and ``replace`` works
    out the fields by name on every call."""
    values = list(_VALUES(result))
    for name, value in changes.items():
        values[_POSITION[name]] = value
    return made(*values)
