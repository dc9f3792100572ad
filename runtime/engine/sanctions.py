"""Sanctions: what raised veto items do to a subject's grade, rank and later periods.

A veto item with an outcome (``ir.Sanction``) is raised for a subject by an
occurrence in the events or by its ``raised_by`` formula (the item's flag
slot, computed by the compiled code like any other value).  It may hold
longer than the period it is raised in (``lasts``): a later evaluation learns
of it from earlier published results, which list it with its outcome and the
last day it holds (``Sanctioned.until``) - the store's published runs, the
``published/`` files of a data folder, or a rule test's ``history``.

Several sanctions may hold at once.  One of them decides the grade: the first
in ``sanctions.precedence`` when it lists any of them, otherwise the harshest
by grade order (the grades file, best first; a forced grade beats a cap at
the same grade).  Likewise for scoring: the first listed, else ``not_scored``
before ``ranked_last``.  The population stage (``runtime.engine.population``)
asks this module which subjects it ranks, with which key, and which grades
each subject may get; nothing here ranks or counts quotas itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compiler import ir
from runtime.engine.results import Sanctioned, SubjectResult, replaced
from runtime.inputs.periods import PeriodError, parse_periods
from semantics.calendar import last_day_of_years

# (label, kind) -> earlier published subjects, as ``runtime.engine.links.History``
# (spelt out here so this module needs nothing of the links).
History = Callable[[str, str], Sequence[Mapping[str, object]] | None]

UNTIL_LOOKBACK = 3  # years an ``until`` sanction is looked for in earlier results
# Years a per-event duration is looked for: its cell gives at most 5 years or
# 60 months (runtime.inputs.events.MOST); an ``until`` cell is looked for as far.
COLUMN_LOOKBACK = 5


@dataclass(frozen=True, slots=True)
class Ruling:
    """What the sanctions holding for one subject decide."""

    applied: tuple[Sanctioned, ...]
    grade: Sanctioned | None  # the sanction that decides the grade (force or cap)
    scoring: Sanctioned | None  # the sanction that decides scoring

    @property
    def forced(self) -> str | None:
        return self.grade.grade if self.grade is not None else None

    @property
    def cap(self) -> str | None:
        return self.grade.at_most if self.grade is not None else None

    @property
    def not_scored(self) -> bool:
        return self.scoring is not None and self.scoring.scoring == "not_scored"

    @property
    def ranked_last(self) -> bool:
        return self.scoring is not None and self.scoring.scoring == "ranked_last"


def has_sanctions(program: ir.Program) -> bool:
    return any(item.sanction is not None for item in program.items)


# subject -> item -> the last day (ISO) its events' sanction holds, for items
# whose duration each event gives (``lasts: {column, unit}``).
Durations = Mapping[str, Mapping[str, str]]


def raised(
    program: ir.Program,
    values: Sequence[object],
    period: str,
    durations: Mapping[str, str] | None = None,
) -> list[Sanctioned]:
    """The sanctions a subject's values raise in ``period`` (a quarter or a
    roll-up label), each with the last day it holds (``durations``: the
    subject's per-event durations, the latest of each item's events)."""
    found = []
    for item in program.items:
        if item.sanction is None or item.raised is None or not values[item.raised]:
            continue
        found.append(_record(item, period, (durations or {}).get(item.id)))
    return found


def durations_of(events: Iterable[tuple[str, date | None]]) -> dict[str, str]:
    """Each item's latest last day over (item, last day) of one subject's
    events or records (per-event durations; those without one left out)."""
    found: dict[str, str] = {}
    for item, lasts in events:
        if lasts is not None and lasts.isoformat() > found.get(item, ""):
            found[item] = lasts.isoformat()
    return found


def _record(item: ir.Item, period: str, until: str | None = None) -> Sanctioned:
    assert item.sanction is not None
    s = item.sanction
    return Sanctioned(
        item.id, item.name, s.grade, s.at_most, s.scoring,
        until if s.column is not None else _until(s, period), period,
        f"{item.span.file.path}:{item.span.line}",
    )  # fmt: skip


def _until(sanction: ir.Sanction, period: str) -> str | None:
    """The last day a sanction raised in ``period`` holds: ``until``, or the
    end of the year ``years - 1`` after the raising year; None when it holds
    for the period it is raised in only."""
    if sanction.until is not None:
        return sanction.until.isoformat()
    if sanction.years is None:
        return None
    try:
        year = parse_periods(period)[-1].year
    except PeriodError:
        return None
    return last_day_of_years(year, sanction.years).isoformat()


def carried(
    program: ir.Program, label: str, history: History | None
) -> dict[str, list[Sanctioned]]:
    """Sanctions raised in earlier periods that still hold in ``label``, by
    subject: read from the earlier results ``history`` gives (quarters, the
    year and its roll-ups of this year and earlier ones); an entry may be a
    full record or, in a rule test, the item's id (its outcome and duration
    then come from the current rules)."""
    if history is None:
        return {}
    lasting = [i.sanction for i in program.items if i.sanction is not None]
    back = max(
        [s.years - 1 for s in lasting if s.years is not None]
        + [UNTIL_LOOKBACK for s in lasting if s.until is not None]
        + [COLUMN_LOOKBACK for s in lasting if s.column is not None],
        default=-1,
    )
    if back < 0:
        return {}
    try:
        start = parse_periods(label)[0].start
    except PeriodError:
        return {}
    items = {i.id: i for i in program.items if i.sanction is not None}
    found: dict[str, dict[str, Sanctioned]] = {}
    for year in range(start.year - back, start.year + 1):
        for earlier in _labels(year):
            if parse_periods(earlier)[-1].end >= start:
                continue
            for subject in history(earlier, program.kind) or ():
                entries = subject.get("sanctions")
                for entry in entries if isinstance(entries, list) else ():
                    record = _read(entry, earlier, items)
                    if record is None or record.until is None or record.until < start.isoformat():
                        continue
                    mine = found.setdefault(str(subject.get("id")), {})
                    known = mine.get(record.item)
                    if known is None or (known.until or "") < record.until:
                        mine[record.item] = record
    return {ident: list(records.values()) for ident, records in found.items()}


def _labels(year: int) -> list[str]:
    quarters = [f"{year}Q{q}" for q in range(1, 5)]
    return [*quarters, *(f"{year}Q1..{year}Q{q}" for q in range(2, 5)), str(year)]


def _read(entry: object, period: str, items: Mapping[str, ir.Item]) -> Sanctioned | None:
    if isinstance(entry, str):
        item = items.get(entry)
        return None if item is None else _record(item, period)
    if not isinstance(entry, Mapping) or not isinstance(entry.get("item"), str):
        return None

    def field(key: str) -> str | None:
        value = entry.get(key)
        return None if value is None else str(value)

    ident = str(entry["item"])
    known = items.get(ident)
    until = field("until")
    if until is None and known is not None:  # a record without its duration
        until = _record(known, field("period") or period).until
    grade, at_most, scoring = field("grade"), field("at_most"), field("scoring")
    if known is not None and known.sanction is not None and not (grade or at_most or scoring):
        # A rule test's {item, until}: the outcome is the current rules' (a
        # published record always has its own, as every sanction has one).
        grade, at_most, scoring = (
            known.sanction.grade,
            known.sanction.at_most,
            known.sanction.scoring,
        )
    return Sanctioned(
        ident, field("name") or (known.name if known else ident), grade, at_most, scoring, until,
        field("period") or period, f"{known.span.file.path}:{known.span.line}" if known else "",
    )  # fmt: skip


def rule(
    program: ir.Program, applied: Sequence[Sanctioned], vetoes: Sequence[str] = ()
) -> Ruling | None:
    """Which of the sanctions holding for a subject decides its grade and its
    scoring (module docstring); None when none holds.  A forced grade whose
    band a raised veto blocks (force 优秀 beside 一票否优) does not decide:
    the veto is harsher."""
    if not applied:
        return None
    order = {grade: n for n, grade in enumerate(program.grade_order)}
    listed = {ident: n for n, ident in enumerate(program.sanction_precedence)}
    never = len(listed)

    blocked = {b.grade for b in program.grades if set(b.blocked_by) & set(vetoes)}

    def graded(s: Sanctioned) -> bool:
        return (s.grade or s.at_most or "") in order and s.grade not in blocked

    def harshness(s: Sanctioned) -> tuple[int, int, int]:
        grade = s.grade or s.at_most or ""
        return (listed.get(s.item, never), -order[grade], 0 if s.grade else 1)

    grading = sorted((s for s in applied if graded(s)), key=harshness)
    scoring = sorted(
        (s for s in applied if s.scoring in ("not_scored", "ranked_last")),
        key=lambda s: (listed.get(s.item, never), 0 if s.scoring == "not_scored" else 1),
    )
    return Ruling(tuple(applied), grading[0] if grading else None, scoring[0] if scoring else None)


def rulings(
    program: ir.Program,
    subjects: Sequence[tuple[str, Sequence[object]]],
    label: str,
    earlier: Mapping[str, Sequence[Sanctioned]] | None,
    durations: Durations | None = None,
) -> dict[str, Ruling]:
    """Each sanctioned subject's ruling: what its values raise in ``label``
    (lasting as ``durations`` say for per-event durations) and what
    ``earlier`` periods carry into it."""
    found: dict[str, Ruling] = {}
    if not has_sanctions(program) and not earlier:
        return found
    for ident, values in subjects:
        now = raised(program, values, label, (durations or {}).get(ident))
        mine = {s.item for s in now}
        applied = [*now, *(s for s in (earlier or {}).get(ident, ()) if s.item not in mine)]
        vetoes = [kind.removeprefix("veto:") for kind, slot in program.vetoes if values[slot]]
        ruling = rule(program, applied, vetoes)
        if ruling is not None:
            found[ident] = ruling
    return found


def rank_key(ruling: Ruling | None, key: tuple[object, ...]) -> tuple[object, ...]:
    """A ranking key with "ranked last" first: such subjects follow all others."""
    last = ruling is not None and ruling.ranked_last
    return ((last, Decimal(0)), *key)


def allows(program: ir.Program, ruling: Ruling | None, grade: str) -> bool:
    """Whether a band may give ``grade``: not when a forced grade decides,
    nor when it is better than the deciding cap."""
    if ruling is None or ruling.grade is None:
        return True
    if ruling.forced is not None:
        return False
    order = program.grade_order
    return order.index(grade) >= order.index(ruling.cap or grade)


def ungraded_label(program: ir.Program, fallback: str) -> str:
    """What a subject taken out of scoring is graded when no sanction forces
    a grade: the declared ungraded value, else ``fallback``."""
    return program.ungraded or fallback


def with_ruling(result: SubjectResult, ruling: Ruling | None) -> SubjectResult:
    """``result`` with the sanctions holding for it and what they decided
    (none: the fields cleared, as a roll-up starts from its last quarter's)."""
    if ruling is None:
        return replaced(result, sanctions=(), decided_by="", decision="", scoring="", scoring_by="")
    grade, scoring = ruling.grade, ruling.scoring
    return replaced(
        result,
        sanctions=ruling.applied,
        decided_by=grade.item if grade is not None else "",
        decision=("forced" if grade.grade else "capped") if grade is not None else "",
        scoring=(scoring.scoring or "") if scoring is not None else "",
        scoring_by=scoring.item if scoring is not None else "",
    )
