"""The syntax tree: what the user wrote, with a span on every node.

Frozen, slotted dataclasses with no parent pointers; the Lark parse tree never
leaves ``dsl``.  Expression nodes say only what was written (``Name`` does not
know what it names); the compiler resolves and types them into the IR.

The rule-set declarations below are built from the validated rule file by
``dsl.astbuilder``, field by field: a field holds the rule-file key of its own
name, converted by its type (``Ident``, ``Located``, ``Expr``, ``DateValue``,
a nested declaration, a tuple of them), unless ``field(metadata=key(...))``
says otherwise (another key, a key inside a block such as ``effective.from``,
the value when the key is absent).  The few fields no key fills directly
(``method``, ``owner``, ``descending``, a property's ``always``...) are worked
out in ``dsl.astbuilder.DERIVED``.  They stay explicit classes rather than being
generated from ``dsl.schema``: the compiler reads these names and types, and
several fields deliberately differ from the file's shape (one ``method`` for
four scoring keys, ``effective.from`` flattened into ``effective_from``).
``tests/test_keys.py`` fails when a schema key has no field here or a field
reads a key the schema does not have, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from dsl.spans import SourceFile, Span
from semantics.rounding import DEFAULT_ROUNDING

# -- expressions ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Number:
    value: Decimal
    text: str  # as written, e.g. "85%" or "0.50"
    span: Span


@dataclass(frozen=True, slots=True)
class String:
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class Bool:
    value: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" or "not"
    operand: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # "+", "-", "*", "/", "and", "or"
    left: Expr
    right: Expr
    span: Span
    op_span: Span


@dataclass(frozen=True, slots=True)
class Compare:
    """``a < b`` or a chain ``60 <= x < 80`` (all comparisons must hold)."""

    ops: tuple[str, ...]
    operands: tuple[Expr, ...]
    span: Span
    op_spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class In:
    item: Expr
    options: tuple[Expr, ...]
    negated: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Conditional:
    """``if c then a elif d then b else e`` or ``case when c then a ... else e end``."""

    branches: tuple[tuple[Expr, Expr], ...]
    otherwise: Expr
    form: str  # "if" or "case"
    span: Span


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    func_span: Span
    args: tuple[Expr, ...]
    span: Span


Expr = Number | String | Bool | Name | Unary | Binary | Compare | In | Conditional | Call


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions, in evaluation order."""
    match expr:
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Compare(operands=operands):
            return operands
        case In(item=item, options=options):
            return (item, *options)
        case Conditional(branches=branches, otherwise=otherwise):
            return (*[part for branch in branches for part in branch], otherwise)
        case Call(args=args):
            return args
    return ()


# -- rule sets -------------------------------------------------------------------


def key(name: str = "", *, absent: object = None, check_name: bool = True) -> dict[str, Any]:
    """Where a field's value comes from, as ``field`` metadata for ``dsl.astbuilder``.

    ``name``: the rule-file key, dotted through blocks (``history.years``),
    when it is not the field's own name; ``absent``: the value when the key
    is not written (else the field's default, else None or an empty tuple);
    ``check_name``: an ``Ident`` must be a valid name (E0208).
    """
    return {"key": name, "absent": absent, "check_name": check_name}


@dataclass(frozen=True, slots=True)
class Ident:
    """A name as written in a YAML key or value, with its span."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Located:
    """A literal value from YAML with the span of its node."""

    value: Decimal
    span: Span


@dataclass(frozen=True, slots=True)
class InputDecl:
    name: Ident
    type_text: str
    type_span: Span
    minimum: Located | None = field(metadata=key("min"))
    maximum: Located | None = field(metadata=key("max"))
    missing: str  # "error" or "exempt"
    default: object
    default_span: Span | None
    owner: str | None  # indicator id, or None for rule-set inputs
    # ``from: supervision.due``: counted from the supervision table, not a data column.
    source: Ident | None = field(default=None, metadata=key("from", check_name=False))

    monthly: str | None = None  # sum, average, last, min, max; None: by type


@dataclass(frozen=True, slots=True)
class Definition:
    """``name: formula`` in ``let`` or ``values``; ``expr`` None if it did not parse."""

    name: Ident
    expr: Expr | None


@dataclass(frozen=True, slots=True)
class FormulaMethod:
    expr: Expr | None = field(metadata=key("score"))


@dataclass(frozen=True, slots=True)
class LevelsMethod:
    table: tuple[tuple[Ident, Located], ...] = field(metadata=key("levels"))
    level_input: Ident | None
    span: Span = field(metadata=key("levels"))


@dataclass(frozen=True, slots=True)
class MachineMethod:
    field: Ident = field(metadata=key("machine"))


@dataclass(frozen=True, slots=True)
class DeductMethod:
    per: Located = field(metadata=key("deduct.per"))
    count: Ident = field(metadata=key("deduct.count"))
    cap: Located | None = field(metadata=key("deduct.cap"))
    span: Span = field(metadata=key("deduct"))


ScoreMethod = FormulaMethod | LevelsMethod | MachineMethod | DeductMethod


@dataclass(frozen=True, slots=True)
class DateValue:
    value: date
    span: Span
    # The revision the date was written as (``effective: {from: r2016_q2}``), if any.
    revision: str | None = None


@dataclass(frozen=True, slots=True)
class RevisionDecl:
    """A revision of the manifest: its notice, the day it takes effect, why."""

    id: Ident
    document: str | None
    day: DateValue | None = field(metadata=key("date"))
    reason: str | None
    changes: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class IndicatorDecl:
    id: Ident
    name: str
    category: str | None
    points: Located
    assessor: str | None
    cadence: str | None
    inputs: tuple[InputDecl, ...]
    lets: tuple[Definition, ...] = field(metadata=key("let"))
    method: ScoreMethod
    round_places: int | None = field(metadata=key("round"))
    rounding: str | None
    span: Span
    applies_to: tuple[Ident, ...] | None = None
    effective_from: DateValue | None = field(default=None, metadata=key("effective.from"))
    effective_until: DateValue | None = field(default=None, metadata=key("effective.until"))
    subjects: str = "section"
    due_days: int | None = None
    working_days: bool | None = None  # None: the manifest's
    move_off_holidays: bool | None = None  # None: the manifest's


@dataclass(frozen=True, slots=True)
class ItemDecl:
    id: Ident
    name: str
    kind: str  # bonus, deduction, veto
    per: Located | None
    cap: Located | None
    when: Expr | None
    veto: str | None
    effective_from: DateValue | None = field(metadata=key("effective.from"))
    effective_until: DateValue | None = field(metadata=key("effective.until"))
    span: Span
    subjects: str = "section"
    points: str | None = None  # "from_data": each event's points are in its table
    # ``from: supervision.uncorrected``: occurrences counted from the supervision table.
    source: Ident | None = field(default=None, metadata=key("from", check_name=False))

    # Sanctions (veto items): raised by data as well as events; their outcome.
    raised_by: Expr | None = None
    grade: Ident | None = None  # forced grade (may be the declared ungraded one)
    at_most: Ident | None = None  # grade cap
    scoring: str | None = None  # not_scored, ranked_last
    lasts_years: Located | None = field(default=None, metadata=key("lasts.years"))
    lasts_until: DateValue | None = field(default=None, metadata=key("lasts.until"))
    # Per event: the event table's column holding each event's duration, and its unit.
    lasts_column: Ident | None = field(default=None, metadata=key("lasts.column", check_name=False))
    lasts_unit: str | None = field(default=None, metadata=key("lasts.unit"))


@dataclass(frozen=True, slots=True)
class RankingDecl:
    by: Ident = field(metadata=key(check_name=False))  # total, base, a value or an indicator id
    descending: bool
    ties: tuple[tuple[Ident, bool], ...]  # (key, descending)
    span: Span


@dataclass(frozen=True, slots=True)
class QuotaDecl:
    share: Located
    rounding: str
    at_least: int | None
    at_most: int | None
    pool: str
    ties: str
    span: Span


@dataclass(frozen=True, slots=True)
class GradeDecl:
    grade: Ident
    minimum: Located | None = field(metadata=key("min"))
    requires: Expr | None
    quota: QuotaDecl | None
    blocked_by: tuple[str, ...]
    span: Span
    maximum: Located | None = field(default=None, metadata=key("max"))
    ungraded: bool = False  # the declared ungraded value: only sanctions give it


@dataclass(frozen=True, slots=True)
class PeopleDecl:
    combine_own: Located | None = field(metadata=key("combine.own"))
    combine_section: Located | None = field(metadata=key("combine.section"))
    full_marks: Located | None
    ranking: RankingDecl | None
    grades: tuple[GradeDecl, ...] | None
    span: Span


@dataclass(frozen=True, slots=True)
class RollupDecl:
    method: str
    weights: tuple[tuple[Ident, Located], ...]
    span: Span


@dataclass(frozen=True, slots=True)
class LinkDecl:
    id: Ident
    name: str
    subjects: str
    when: Expr | None
    history_years: int | None = field(metadata=key("history.years"))
    consecutive: bool = field(metadata=key("history.consecutive", absent=True))
    to: str
    effects: tuple[tuple[str, str], ...] = field(metadata=key("effect"))
    span: Span
    within: int | None = field(default=None, metadata=key("history.within"))
    reads: str = "period"
    roles: tuple[Ident, ...] = field(default=(), metadata=key(check_name=False))
    excepted: tuple[Ident, ...] = field(default=(), metadata=key("except", check_name=False))
    overrides: tuple[Ident, ...] = ()
    # The history window restarts after the last earlier year this held.
    since: Expr | None = field(default=None, metadata=key("history.since"))


@dataclass(frozen=True, slots=True)
class PropertyDecl:
    id: Ident
    name: str
    subjects: str
    always: Expr | None
    monotone_of: Ident | None = field(metadata=key("monotone.of", check_name=False))
    monotone_input: Ident | None = field(metadata=key("monotone.input", check_name=False))
    increasing: bool
    span: Span
    pairwise: bool = False  # ``always`` holds the formula, over any two subjects


@dataclass(frozen=True, slots=True)
class GroupDecl:
    id: Ident
    name: str


@dataclass(frozen=True, slots=True)
class SectionDecl:
    id: Ident
    name: str
    group: Ident
    tags: tuple[Ident, ...]
    head: Ident | None
    liaison: Ident | None


@dataclass(frozen=True, slots=True)
class PersonDecl:
    id: Ident
    name: str
    section: Ident
    post: Ident | None = field(metadata=key(check_name=False))  # free text without posts


@dataclass(frozen=True, slots=True)
class PostDecl:
    id: Ident
    name: str | None
    duties: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrganizationTablesDecl:
    """Where parts of the organization are read from: each a table's path
    as written (an ``Ident`` for its span; ``dsl.rostertables`` reads them)."""

    groups: Ident | None = field(default=None, metadata=key(check_name=False))
    sections: Ident | None = field(default=None, metadata=key(check_name=False))
    people: Ident | None = field(default=None, metadata=key(check_name=False))
    posts: Ident | None = field(default=None, metadata=key(check_name=False))


@dataclass(frozen=True, slots=True)
class OrganizationDecl:
    groups: tuple[GroupDecl, ...]
    sections: tuple[SectionDecl, ...]
    people: tuple[PersonDecl, ...]
    span: Span
    posts: tuple[PostDecl, ...] = ()
    tables: OrganizationTablesDecl | None = None


@dataclass(frozen=True, slots=True)
class LevelEnum:
    name: Ident
    members: tuple[Ident, ...]


@dataclass(frozen=True, slots=True)
class Collection:
    name: Ident
    members: tuple[Ident, ...]


@dataclass(frozen=True, slots=True)
class Manifest:
    scheme: str = field(metadata=key(absent=""))
    version: str = field(metadata=key(absent=""))
    year: int = field(metadata=key(absent=0))
    places: int = field(metadata=key(absent=2))
    rounding: str = field(metadata=key(absent=DEFAULT_ROUNDING))
    full_marks: Decimal | None
    span: Span
    assessment_days: int = 5
    revisions: tuple[RevisionDecl, ...] = ()

    working_days: bool = False
    move_off_holidays: bool = False
    period: str = "quarter"  # what one assessment covers: "quarter" or "year"
    # The years the rules cover (``years: 2016..2018``; ``year`` is then the
    # first); None: ``year`` alone.
    years: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A whole rule set as written: every file's sections, merged in file order."""

    root: str
    manifest: Manifest
    files: tuple[SourceFile, ...]
    levels: tuple[LevelEnum, ...]
    inputs: tuple[InputDecl, ...]
    values: tuple[Definition, ...]
    collections: tuple[Collection, ...]
    indicators: tuple[IndicatorDecl, ...]
    total: Expr | None
    organization: OrganizationDecl | None = None
    items: tuple[ItemDecl, ...] = ()
    bonus_cap: Located | None = field(default=None, metadata=key("adjustments.bonus_cap"))
    deduction_cap: Located | None = field(default=None, metadata=key("adjustments.deduction_cap"))
    ranking: RankingDecl | None = None
    grades: tuple[GradeDecl, ...] | None = None
    people: PeopleDecl | None = None
    rollup: RollupDecl | None = None
    links: tuple[LinkDecl, ...] = ()
    properties: tuple[PropertyDecl, ...] = ()
    sanction_precedence: tuple[Ident, ...] = field(default=(), metadata=key("sanctions.precedence"))
