"""The typed IR: the contract every later stage reads.

A ``Program`` is a checked rule set lowered to straight-line definitions over
numbered slots, in an order where every slot is defined before it is read.
Names are resolved (a ``Ref`` names a slot, not text), types are known,
syntactic sugar (level tables, per-occurrence deductions, comparison chains,
collections) is lowered to a small set of nodes, and every node keeps the span
of the rule text it came from.

Backends read only this module: the Python code generator, the reference
interpreter, and later a vectorised batch backend and the verifier.  No node
holds Python code or text to evaluate; constants are values, operators are
names from closed sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from dsl.spans import Span
from semantics.rounding import RoundingMode as RoundingMode
from semantics.types import Type

ConstValue = Decimal | bool | str | date

ArithOp = Literal["+", "-", "*", "/"]
CmpOp = Literal["==", "!=", "<", "<=", ">", ">="]
LogicOp = Literal["and", "or"]
# Names of built-ins are keys of ``semantics.builtins.FUNCTIONS`` / ``AGGREGATES``
# (checked by lowering), rounding modes those of ``semantics.rounding.ROUNDING``.
AggFn = str
Builtin = str


@dataclass(frozen=True, slots=True)
class Const:
    value: ConstValue
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Ref:
    slot: int
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Expr
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Arith:
    op: ArithOp
    left: Expr
    right: Expr
    type: Type
    span: Span  # for "/", the divisor's span: that is what a zero fault points at


@dataclass(frozen=True, slots=True)
class Logic:
    """Short-circuit ``and``/``or``: the right side is evaluated only if needed."""

    op: LogicOp
    left: Expr
    right: Expr
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Cmp:
    op: CmpOp
    left: Expr
    right: Expr
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Member:
    item: Expr
    options: tuple[Expr, ...]
    negated: bool
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Cond:
    """First branch whose condition holds, else ``otherwise``."""

    branches: tuple[tuple[Expr, Expr], ...]
    otherwise: Expr
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Call:
    """A call of the fixed library; ``round`` carries places and mode as Consts."""

    fn: Builtin
    args: tuple[Expr, ...]
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Aggregate:
    """``sum``/``avg``/... over items; ``spread`` means the one item is a list value.

    Items that are not applicable (an exempt indicator's score) are skipped.
    ``where`` is the condition of ``count(c, 项 >= 90%)``, asked of each
    present item as ``Element(depth)``: it filters the items, or for
    ``any``/``all`` is what they test (``semantics.builtins.Aggregate.condition``).
    """

    fn: AggFn
    items: tuple[Expr, ...]
    spread: bool
    type: Type
    span: Span
    where: Expr | None = None
    depth: int = 0  # the Element depth ``where`` reads (nested conditions go deeper)


@dataclass(frozen=True, slots=True)
class Element:
    """The item a condition of an aggregate is asked of (``项``); ``depth``
    names which enclosing conditional aggregate's item."""

    depth: int
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Lookup:
    """A level table: the share of ``points`` for the level ``key`` has."""

    key: Expr
    table: tuple[tuple[str, Decimal], ...]
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class NormalizedSum:
    """Sum of applicable scores, scaled to full marks when some are exempt:
    ``sum(scores) * full / sum(points of applicable indicators)``."""

    scores: tuple[Ref, ...]
    points: tuple[Decimal, ...]
    full: Decimal
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Applicable:
    """Whether every listed input is present (exempt inputs may be absent) and
    every listed context flag holds (in force for the period, applies to the subject)."""

    inputs: tuple[int, ...]
    type: Type
    span: Span
    flags: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Group:
    """A group function's value for the subject (``rank_in_group(完成率)``):
    the value of slot ``slot``, which the runtime fills between evaluation
    stages from every member's value of ``of`` (``runtime.engine.groups``).
    ``of`` is None for ``group_count()``; it is a child, so what reads a
    group value is seen to read the value it is of (absence, applicability)."""

    fn: str  # a key of ``semantics.builtins.GROUP_FUNCTIONS``
    of: Ref | None
    slot: int
    type: Type
    span: Span


Expr = (
    Const | Ref | Neg | Not | Arith | Logic | Cmp | Member | Cond | Call | Aggregate | Lookup
    | NormalizedSum | Applicable | Element | Group
)  # fmt: skip


def children(expr: Expr) -> tuple[Expr, ...]:
    """Direct sub-expressions in evaluation order (for passes and analyses)."""
    match expr:
        case Neg(operand=o) | Not(operand=o):
            return (o,)
        case (
            Arith(left=left, right=right)
            | Logic(left=left, right=right)
            | Cmp(left=left, right=right)
        ):
            return (left, right)
        case Member(item=item, options=options):
            return (item, *options)
        case Cond(branches=branches, otherwise=otherwise):
            return (*[part for branch in branches for part in branch], otherwise)
        case Call(args=args):
            return args
        case Aggregate(items=items, where=where):
            return items if where is None else (*items, where)
        case Lookup(key=key):
            return (key,)
        case NormalizedSum(scores=scores):
            return scores
        case Group(of=of) if of is not None:
            return (of,)
    return ()


def walk(expr: Expr) -> list[Expr]:
    """Every node of an expression (iteratively: deep trees are fine)."""
    found, stack = [], [expr]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(children(node))
    return found


SlotKind = Literal[
    "input",
    "let",
    "value",
    "score",
    "base",
    "condition",
    "item",
    "adjust",
    "veto",
    "total",
    "group",
]


@dataclass(frozen=True, slots=True)
class Slot:
    """One named value computed or read per subject and period."""

    index: int
    name: str  # as users know it: "完成率" is shown as "revenue.完成率" for a let
    kind: SlotKind
    type: Type
    span: Span
    owner: str | None = None  # indicator id for lets and scores


# Input kinds the runtime sets (in force and applies, item occurrences, a
# person's section total, the period's first and last day), never read from
# a data column.
RUNTIME_INPUT_KINDS = ("context", "events", "section_total", "period_start", "period_end")
PERIOD_DATES = ("period_start", "period_end")  # their names in formulas too


@dataclass(frozen=True, slots=True)
class InputField:
    """A data field read per subject: how to read it and what absence means."""

    slot: int
    name: str
    kind: str  # number, integer, percent, money, count, bool, text, date, level, list
    type: Type
    minimum: Decimal | None
    maximum: Decimal | None
    missing: Literal["error", "exempt", "default"]
    default: ConstValue | None
    span: Span
    # Indicators whose evaluation needs this field; None: always needed.  A
    # field needed only by indicators not in force or not applicable to a
    # subject may be absent for that subject and period.
    needed_by: tuple[str, ...] | None = None
    # ``supervision.due``, ``supervision.on_time`` or ``supervision.overdue``: the
    # value is counted from the data's supervision table when it has one.
    source: str | None = None
    # How monthly data rows (period ``2016-07``) of this field combine into the
    # quarter: sum, average, last, min or max; None: given per quarter only
    # (a field read by any indicator that is not monthly).
    monthly: str | None = None


@dataclass(frozen=True, slots=True)
class Definition:
    """``slot := expr``, rounded to ``places`` with ``mode`` when declared."""

    slot: int
    expr: Expr
    places: int | None
    mode: str  # a RoundingMode, checked by the schema
    # Scores of indicators that may be exempt: evaluated only when applicable.
    guard: int | None = None  # slot of the applicability flag
    # The evaluation stage: 1 reads one subject's data only; a definition that
    # reads a group value of stage-k values is of stage k + 1 (``GroupValue``).
    stage: int = 1


@dataclass(frozen=True, slots=True)
class GroupValue:
    """A group slot: ``fn`` over the members of the subject's pool of the value
    in slot ``of`` (None: ``group_count()``), available from stage ``stage``."""

    slot: int
    fn: str
    of: int | None
    stage: int
    span: Span


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    name: str
    category: str | None
    points: Decimal
    assessor: str | None
    cadence: str | None
    score: int  # slot
    applicable: int | None  # slot of the applicability flag; None: always applicable
    lets: tuple[int, ...]
    method: Literal["formula", "levels", "machine", "deduct"]
    span: Span
    # section ids, section tags or (people's indicators) post ids; None: every subject
    applies_to: tuple[str, ...] | None = None
    effective_from: date | None = None
    effective_until: date | None = None
    context: int | None = None  # slot of the context flag input (in force and applies)
    due_days: int = 5  # days after each checkpoint its assessment is due
    working_days: bool = False  # due_days counted in official working days
    move_off_holidays: bool = False  # a due date on a day off moves to the next working day

    def checkpoint_days(self, start: date, end: date) -> list[date]:
        """The checkpoints from ``start`` to ``end``: month ends (monthly),
        quarter ends, 30 June and 31 December (half-year), 31 December
        (annual, or no cadence), and the closing checkpoint of a half-year or
        annual indicator removed before its next one (``closing_day``).  Their
        due dates depend on the official calendar: ``runtime.inputs.checkpoints``
        computes them, in one place."""
        months = {"monthly": range(1, 13), "quarterly": (3, 6, 9, 12), "half_year": (6, 12)}
        found = []
        for year in range(start.year, end.year + 1):
            for month in months.get(self.cadence or "annual", (12,)):
                last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
                if start <= last <= end:
                    found.append(last)
        closing = self.closing_day()
        if closing is not None and start <= closing <= end and closing not in found:
            found.append(closing)
            found.sort()
        return found

    def closing_day(self) -> date | None:
        """The closing checkpoint of a half-year or annual indicator that goes
        out of force before its next checkpoint: the end of its last quarter in
        force (学习培训, half-year, removed after 2016-03-31: 2016-03-31).  It is
        assessed once more there, on its part of the cycle, rather than never.
        None for other indicators, or when that day is a checkpoint anyway."""
        if self.cadence not in ("half_year", "annual") or self.effective_until is None:
            return None
        until = self.effective_until
        month = until.month
        if not (month % 3 == 0 and until == _month_end(until.year, month)):
            month = month - month % 3  # the quarter before the one it leaves during
        day = _month_end(until.year, month) if month else _month_end(until.year - 1, 12)
        if not self.in_force(day):
            return None
        regular = (6, 12) if self.cadence == "half_year" else (12,)
        return None if day.month in regular else day

    def scored_in(self, quarter_end: date) -> bool:
        """Whether the indicator is scored in the quarter ending ``quarter_end``:
        it is in force then and, when it declares ``cadence: half_year`` or
        ``annual``, the quarter ends on one of its checkpoints (Q2 and Q4, or
        Q4 only, or its ``closing_day``): between checkpoints it is unscored,
        as if not in force.  Monthly and quarterly indicators, and those
        declaring no cadence, are scored every quarter."""
        if not self.in_force(quarter_end):
            return False
        if self.cadence == "half_year":
            return quarter_end.month in (6, 12) or quarter_end == self.closing_day()
        if self.cadence == "annual":
            return quarter_end.month == 12 or quarter_end == self.closing_day()
        return True

    def applies(self, section: Section, post: str | None = None) -> bool:
        """Whether the indicator applies to ``section`` (for a person: to the
        person's section or ``post``): ``applies_to`` absent, or naming the
        section's id, one of its tags or the post."""
        targets = self.applies_to
        return (
            targets is None
            or section.id in targets
            or any(t in targets for t in section.tags)
            or (post is not None and post in targets)
        )

    def in_force(self, day: date) -> bool:
        """Whether the indicator is in force on ``day`` (both ends included)."""
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_until is None or day <= self.effective_until
        )


@dataclass(frozen=True, slots=True)
class Sanction:
    """What a raised veto item does besides its ``veto`` flag
    (``runtime.engine.sanctions`` applies it): force a grade (possibly the
    declared ungraded one) or cap it, take the subject out of scoring or rank
    it last, and for how long (``years``, the year raised included, or
    ``until`` a day; neither: the period it is raised in)."""

    grade: str | None
    at_most: str | None
    scoring: Literal["not_scored", "ranked_last"] | None
    years: int | None
    until: date | None
    span: Span
    # Per event (``lasts: {column, unit}``): the event table's column holding
    # each event's duration and what it holds (years, months or until).
    column: str | None = None
    unit: Literal["years", "months", "until"] | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """A bonus, deduction or veto item; its occurrences are counted per period."""

    id: str
    name: str
    kind: Literal["bonus", "deduction", "veto"]
    per: Decimal | None
    cap: Decimal | None
    veto: Literal["fail", "no_excellent"] | None
    count: int  # input slot: occurrences in the period (from event tables)
    points: int | None  # slot of the item's points; None for vetoes
    effective_from: date | None
    effective_until: date | None
    span: Span
    # Points given by each event (the events' `points` column); ``count`` then
    # holds their sum and ``per`` is 1.
    from_data: bool = False
    # A veto item's flag slot when it is raised by data (``raised_by``) or has
    # a sanction outcome: occurrences or the formula, gated by ``when``.
    raised: int | None = None
    sanction: Sanction | None = None

    def in_force(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_until is None or day <= self.effective_until
        )


@dataclass(frozen=True, slots=True)
class Link:
    """A result link: a condition over a subject's results (slots of
    ``LINK_INPUTS`` in ``compiler.links``) and the consequences it yields."""

    id: str
    name: str
    condition: Expr
    history_years: int | None  # None: this period only
    consecutive: bool
    to: Literal["self", "head", "liaison", "members"]
    effects: tuple[tuple[str, str], ...]
    span: Span
    within: int | None = None  # cumulative history: in `history_years` of the last `within`
    reads: Literal["quarter", "year", "period"] = "period"  # the evaluations it fires on
    roles: tuple[str, ...] = ()  # only people in these roles receive it (empty: everyone)
    excepted: tuple[str, ...] = ()  # people in these roles receive nothing from it
    overrides: tuple[str, ...] = ()  # links whose consequence it replaces on a common key
    # ``history.since``: a condition over an earlier year's results; the
    # window counts only the years after the last earlier year it held.
    since: Expr | None = None


@dataclass(frozen=True, slots=True)
class Property:
    """A declared property: ``condition`` holds for every subject (reading the
    program's slots and the population slots after them), or ``of`` never
    moves against ``input`` (``increasing``: in the same direction)."""

    id: str
    name: str
    condition: Expr | None
    reads: tuple[int, ...]
    of: int | None
    input: int | None
    increasing: bool
    span: Span
    # ``condition`` relates two subjects: it reads the first one's values
    # (slots, then population values) and, after them, the second one's.
    pairwise: bool = False


@dataclass(frozen=True, slots=True)
class Revision:
    """A revision of the rules during the year, as the manifest declares it;
    what it changed is read from the indicators' and items' effective dates."""

    id: str
    document: str | None
    day: date | None  # the day it takes effect; None: the source gives none
    reason: str | None
    changes: str | None  # what it changes, in the manifest's words
    span: Span


@dataclass(frozen=True, slots=True)
class Rollup:
    """How quarter totals combine into a longer period."""

    method: Literal["sum", "average", "weighted"]
    weights: tuple[tuple[int, Decimal], ...]  # (quarter, weight), for weighted


@dataclass(frozen=True, slots=True)
class Ranking:
    """Rank by the first key; later keys break ties; still equal: a shared rank."""

    keys: tuple[tuple[int, bool], ...]  # (slot, descending)
    names: tuple[str, ...]  # the keys as written, for explanations


@dataclass(frozen=True, slots=True)
class Quota:
    share: Decimal
    rounding: str
    at_least: int | None
    at_most: int | None
    pool: Literal["group", "all"]
    ties: Literal["include", "exclude"]


@dataclass(frozen=True, slots=True)
class GradeBand:
    """A grade, best first: threshold, prerequisite (a condition slot), quota, vetoes."""

    grade: str
    minimum: Decimal | None
    requires: int | None
    quota: Quota | None
    blocked_by: tuple[str, ...]
    span: Span
    maximum: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    name: str
    group: str
    tags: tuple[str, ...]
    head: str | None
    liaison: str | None
    span: Span | None = None  # where the section is declared (diff shows it)


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    section: str
    post: str | None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """A post (岗位) and its duties (岗责体系); which people's indicators it is
    assessed on is their ``applies_to``."""

    id: str
    name: str
    duties: tuple[str, ...]
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Organization:
    groups: tuple[tuple[str, str], ...]  # (id, name)
    sections: tuple[Section, ...]
    people: tuple[Person, ...]
    posts: tuple[Post, ...] = ()

    def section(self, ident: str) -> Section | None:
        """The section ``ident`` (a dictionary lookup: organizations may be large)."""
        return _lookups(self).sections.get(ident)

    def post(self, ident: str | None) -> Post | None:
        return next((p for p in self.posts if p.id == ident), None)

    def person(self, ident: str) -> Person | None:
        """The person ``ident`` (a dictionary lookup)."""
        return _lookups(self).people.get(ident)

    def people_by_id(self) -> Mapping[str, Person]:
        """Every person by id, as ``person`` finds them: one dictionary for
        many lookups at once (a table of every person)."""
        return _lookups(self).people

    def members(self, section: str) -> tuple[Person, ...]:
        """The people of ``section``, in the organization's order."""
        return _lookups(self).members.get(section, ())

    def applies(self, indicator: Indicator, section: Section, kind: str) -> bool:
        """Whether ``indicator`` applies to ``section`` (sections' programs) or
        to at least one of its members (people's: by section or post)."""
        if kind != "person":
            return indicator.applies(section)
        return any(indicator.applies(section, p.post) for p in self.members(section.id))

    def person_applicable_sums(self, indicators: Sequence[Indicator]) -> set[Decimal]:
        """The sums of the points of ``indicators`` applying to each person."""
        sections = {s.id: s for s in self.sections}
        return {
            sum(
                (i.points for i in indicators if i.applies(sections[p.section], p.post)), Decimal(0)
            )
            for p in self.people
            if p.section in sections
        }

    def assessed_sections(self, kind: str) -> tuple[Section, ...]:
        """The sections whose subjects a kind of program assesses: every
        section, or (people) the sections that have members."""
        if kind != "person":
            return self.sections
        staffed = {p.section for p in self.people}
        return tuple(s for s in self.sections if s.id in staffed)


@dataclass(frozen=True, slots=True)
class _Lookups:
    """An organization's sections and people by id, and members by section."""

    sections: dict[str, Section]
    people: dict[str, Person]
    members: dict[str, tuple[Person, ...]]


# The lookups of the organizations used last, kept beside the (frozen, slotted)
# records rather than in them so that the IR and its dumps stay as they are.
# Keyed by identity and checked with ``is``: a few entries, replaced oldest first.
_LOOKUPS: dict[int, tuple[Organization, _Lookups]] = {}
_LOOKUPS_KEPT = 8


def _lookups(organization: Organization) -> _Lookups:
    found = _LOOKUPS.get(id(organization))
    if found is not None and found[0] is organization:
        return found[1]
    sections: dict[str, Section] = {}
    for section in organization.sections:
        sections.setdefault(section.id, section)  # the first, as a scan would find
    people: dict[str, Person] = {}
    grouped: dict[str, list[Person]] = {}
    for person in organization.people:
        people.setdefault(person.id, person)
        grouped.setdefault(person.section, []).append(person)
    made = _Lookups(sections, people, {k: tuple(v) for k, v in grouped.items()})
    if len(_LOOKUPS) >= _LOOKUPS_KEPT:
        del _LOOKUPS[next(iter(_LOOKUPS))]
    _LOOKUPS[id(organization)] = (organization, made)
    return made


@dataclass(frozen=True, slots=True)
class Program:
    scheme: str
    version: str
    year: int
    places: int
    rounding: RoundingMode
    full_marks: Decimal
    slots: tuple[Slot, ...]
    inputs: tuple[InputField, ...]
    definitions: tuple[Definition, ...]  # in evaluation order
    indicators: tuple[Indicator, ...]
    total: int  # slot
    level_enums: tuple[tuple[str, tuple[str, ...]], ...]
    organization: Organization | None = None
    items: tuple[Item, ...] = ()
    base: int | None = None  # slot: score before bonus and deduction items
    bonus: int | None = None  # slot: capped sum of bonus items
    deduction: int | None = None  # slot: capped sum of deduction items
    vetoes: tuple[tuple[str, int], ...] = ()  # ("veto:fail" | "veto:no_excellent", flag slot)
    ranking: Ranking | None = None
    grades: tuple[GradeBand, ...] = ()
    kind: Literal["section", "person"] = "section"
    rollup: Rollup | None = None
    links: tuple[Link, ...] = ()
    properties: tuple[Property, ...] = ()
    section_total: int | None = None  # input slot: the person's section total (combine)
    revisions: tuple[Revision, ...] = ()  # the manifest's, in the order written
    # What one assessment covers: a quarter, or (``period: year``) a whole
    # year from its own annual rows; ``2016`` then names the year itself.
    period: Literal["quarter", "year"] = "quarter"
    last_year: int | None = None  # ``years: 2016..2018``: 2018; None: ``year`` only

    @property
    def annual(self) -> bool:
        return self.period == "year"

    def covers(self, year: int) -> bool:
        """Whether the rules assess ``year`` (their ``year``, or one of their ``years``)."""
        return self.year <= year <= (self.last_year or self.year)

    def years_text(self) -> str:
        """The years as the manifest wrote them: ``2016`` or ``2016..2018``."""
        last = self.last_year or self.year
        return str(self.year) if last == self.year else f"{self.year}..{last}"

    # Sanctions: every grade best first, the declared ungraded value included
    # (``ungraded``, given only by a sanction); the declared precedence of
    # sanction items (first wins; empty: the harshest by grade order).
    grade_order: tuple[str, ...] = ()
    ungraded: str | None = None
    sanction_precedence: tuple[str, ...] = ()

    # Group values, filled by the runtime between stages; ``stages`` is the
    # last definition's stage (1: no formula reads the group).
    groups: tuple[GroupValue, ...] = ()
    stages: int = 1
