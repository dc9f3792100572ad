"""The syntax tree: what the user wrote, with a span on every node.

Frozen, slotted dataclasses with no parent pointers; the Lark parse tree never
leaves ``dsl``.  Expression nodes say only what was written (``Name`` does not
know what it names); the compiler resolves and types them into the IR.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dsl.spans import SourceFile, Span

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
    minimum: Located | None
    maximum: Located | None
    missing: str  # "error" or "exempt"
    default: object
    default_span: Span | None
    owner: str | None  # indicator id, or None for rule-set inputs


@dataclass(frozen=True, slots=True)
class Definition:
    """``name: formula`` in ``let`` or ``values``; ``expr`` None if it did not parse."""

    name: Ident
    expr: Expr | None


@dataclass(frozen=True, slots=True)
class FormulaMethod:
    expr: Expr | None


@dataclass(frozen=True, slots=True)
class LevelsMethod:
    table: tuple[tuple[Ident, Located], ...]
    level_input: Ident | None
    span: Span


@dataclass(frozen=True, slots=True)
class MachineMethod:
    field: Ident


@dataclass(frozen=True, slots=True)
class DeductMethod:
    per: Located
    count: Ident
    cap: Located | None
    span: Span


ScoreMethod = FormulaMethod | LevelsMethod | MachineMethod | DeductMethod


@dataclass(frozen=True, slots=True)
class DateValue:
    value: date
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
    lets: tuple[Definition, ...]
    method: ScoreMethod
    round_places: int | None
    rounding: str | None
    span: Span
    applies_to: tuple[Ident, ...] | None = None
    effective_from: DateValue | None = None
    effective_until: DateValue | None = None
    subjects: str = "section"
    due_days: int | None = None


@dataclass(frozen=True, slots=True)
class ItemDecl:
    id: Ident
    name: str
    kind: str  # bonus, deduction, veto
    per: Located | None
    cap: Located | None
    when: Expr | None
    veto: str | None
    effective_from: DateValue | None
    effective_until: DateValue | None
    span: Span
    subjects: str = "section"


@dataclass(frozen=True, slots=True)
class RankingDecl:
    by: Ident
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
    minimum: Located | None
    requires: Expr | None
    quota: QuotaDecl | None
    blocked_by: tuple[str, ...]
    span: Span
    maximum: Located | None = None


@dataclass(frozen=True, slots=True)
class PeopleDecl:
    combine_own: Located | None
    combine_section: Located | None
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
    history_years: int | None
    consecutive: bool
    to: str
    effects: tuple[tuple[str, str], ...]
    span: Span
    within: int | None = None


@dataclass(frozen=True, slots=True)
class PropertyDecl:
    id: Ident
    name: str
    subjects: str
    always: Expr | None
    monotone_of: Ident | None
    monotone_input: Ident | None
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
    post: str | None


@dataclass(frozen=True, slots=True)
class OrganizationDecl:
    groups: tuple[GroupDecl, ...]
    sections: tuple[SectionDecl, ...]
    people: tuple[PersonDecl, ...]
    span: Span


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
    scheme: str
    version: str
    year: int
    places: int
    rounding: str
    full_marks: Decimal | None
    span: Span
    assessment_days: int = 5


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
    bonus_cap: Located | None = None
    deduction_cap: Located | None = None
    ranking: RankingDecl | None = None
    grades: tuple[GradeDecl, ...] | None = None
    people: PeopleDecl | None = None
    rollup: RollupDecl | None = None
    links: tuple[LinkDecl, ...] = ()
    properties: tuple[PropertyDecl, ...] = ()
