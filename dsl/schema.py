"""The rule-file schema, as pydantic models.

These models say which keys a rule file may hold and what shape each value
has.  They know nothing of meaning: names are resolved and types checked in
``compiler``.  Every model forbids unknown keys, so a misspelt key is an
error, not a silently ignored line; ``jixiao schema`` prints the JSON Schema of
``RuleFile`` for editors.

Formulas are kept as text here; ``dsl.expressions`` parses them with their
positions.  Numbers arrive as ``int`` or ``Decimal`` from ``dsl.yamlsource``
(never float); a percentage such as ``85%`` arrives as text and is converted
by ``Percentish``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from semantics.numbers import NUMBER_TEXT
from semantics.rounding import DEFAULT_ROUNDING, RoundingMode

NAME_PATTERN = r"^[^\W\d]\w*$"
_NAME = re.compile(NAME_PATTERN)


def _formula_text(value: Any) -> Any:
    """A formula may be written as a bare number (``score: 20``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    return value


# Numbers in rule files are points, shares and thresholds: bounded, so no sum or
# product of them can overflow and no exponent form sneaks in a huge value.


# How a number is written is defined once, for rule files and data cells alike.
_NUMBER_TEXT = NUMBER_TEXT


def number_text(text: str) -> Decimal | None:
    """``20``, ``95.5`` or ``85%`` (-> 0.85) as a Decimal; None for any other
    spelling.  Rule tests write expected values the way rule files write numbers."""
    text = text.strip()
    if not _NUMBER_TEXT.fullmatch(text):
        return None
    return Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)


def _decimal_or_percent(value: Any) -> Any:
    """``85%`` -> Decimal('0.85'); numbers pass if within bounds; text that is
    not a number is left for the schema to reject."""
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER_TEXT.fullmatch(text):  # no 1e3, 1_000 or other spellings
            raise PydanticCustomError("number_text", "a number expected")
        try:
            value = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
        except (InvalidOperation, ArithmeticError):
            raise PydanticCustomError("number_range", "number out of range") from None
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        number = Decimal(value)
        # adjusted() is the exponent of the leading digit; no arithmetic, no overflow.
        if not number.is_finite() or (number != 0 and not -12 <= number.adjusted() < 12):
            raise PydanticCustomError("number_range", "number out of range")
    return value


def _text(value: Any) -> Any:
    """Identifiers and versions written as numbers (``version: 4.0``) are text."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


_NUMBER_JSON = {
    "anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\s*[-+]?\d+(\.\d+)?%?\s*$"}]
}
Formula = Annotated[
    str,
    BeforeValidator(_formula_text),
    WithJsonSchema({"type": ["string", "number", "boolean"], "description": "an expression"}),
]
Number = Annotated[Decimal, BeforeValidator(_decimal_or_percent), WithJsonSchema(_NUMBER_JSON)]
Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": ["string", "number"]})]
Rounding = RoundingMode  # the allowed values: semantics.rounding.ROUNDING
Cadence = Literal["monthly", "quarterly", "half_year", "annual"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, populate_by_name=True)


SupervisionCount = Literal[
    "supervision.due", "supervision.on_time", "supervision.overdue", "supervision.uncorrected"
]


class InputSpec(Model):
    """A data field: its type, allowed range, and what absence means."""

    type: Text = Field(
        description="number, integer, percent, money, count, bool, text, date, "
        "level(ENUM) or list(TYPE)"
    )
    min: Number | None = None
    max: Number | None = None
    missing: Literal["error", "exempt"] = Field(
        "error",
        description="error: an empty cell is a data error; exempt: the indicators "
        "needing this field are not scored for that subject",
    )
    default: Any = Field(None, description="value used when the cell is empty")
    monthly: Literal["sum", "average", "last", "min", "max"] | None = Field(
        None,
        description="how monthly data rows (period 2016-07) combine into the quarter; "
        "default by type: count, integer, money sum; number, percent average; others last",
    )
    description: str | None = None
    from_: SupervisionCount | None = Field(
        None,
        alias="from",
        description="counted from the data's supervision table (督办事项) for the section "
        "and period: supervision.due (items due), supervision.on_time (closed by their "
        "due date), supervision.overdue (not closed by their due date), supervision.uncorrected "
        "(problems it found, not corrected: the `corrected` column says no)",
    )


def _input_shorthand(value: Any) -> Any:
    """``实际收入: money`` is short for ``实际收入: {type: money}``."""
    return {"type": value} if isinstance(value, str) else value


InputField = Annotated[
    InputSpec,
    BeforeValidator(_input_shorthand),
    # pydantic cannot resolve a hand-written $ref here; json_schema() puts it in.
    WithJsonSchema({"anyOf": [{"type": "string"}, {"$comment": "InputSpec"}]}),
]


class Deduction(Model):
    """Per-occurrence deduction: ``per`` points for each counted occurrence."""

    per: Number
    count: Text = Field(description="the input holding the number of occurrences")
    cap: Number | None = Field(None, description="most points deducted; default: all points")


_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_or_revision(value: Any) -> Any:
    """``2016-04-01`` is a date; a name (``r2016_q2``) is the id of a revision
    in the manifest, resolved when the rule set is built.  Text that starts
    like a date but is not one is an error here, not an unknown revision."""
    if isinstance(value, str) and value.strip()[:1].isdigit():
        text = value.strip()
        try:
            if _DATE_TEXT.fullmatch(text):
                return date.fromisoformat(text)
        except ValueError:
            pass
        raise PydanticCustomError("date_text", "a date written YYYY-MM-DD expected")
    return value


DateOrRevision = Annotated[
    date | str,
    BeforeValidator(_date_or_revision),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string"}],
         "description": "a date (YYYY-MM-DD) or the id of a revision in the manifest"}
    ),
]  # fmt: skip


class Effective(Model):
    """When a rule is in force: from ``from`` to ``until``, both days included.
    Either may name a revision of the manifest instead of a date: ``from: r2016_q2``
    is the day the revision takes effect, ``until: r2016_q2`` the day before."""

    from_: DateOrRevision | None = Field(None, alias="from")
    until: DateOrRevision | None = None


class Revision(Model):
    """A revision of the rule set (修订): the notice that made it, the day it
    takes effect and why.  What it adds and removes is not declared here but
    read from the indicators' and items' ``effective`` dates."""

    id: Text
    document: str | None = Field(
        None, description="document number of the notice, e.g. 永地税发〔2016〕12号"
    )
    date_: date | None = Field(None, alias="date", description="the day it takes effect")
    reason: str | None = None
    changes: str | None = Field(None, description="what it changes, in words")


class Indicator(Model):
    id: Text
    name: str
    category: str | None = None
    points: Number
    assessor: str | None = None
    applies_to: list[Text] | None = Field(
        None, description="section tags or section ids it applies to (default: all sections)"
    )
    effective: Effective | None = None
    subjects: Literal["section", "person"] = Field(
        "section", description="who is assessed on it: sections (组织绩效) or people (个人绩效)"
    )
    cadence: Cadence | None = None
    due_days: int | None = Field(
        None, ge=0, le=60,
        description="days after each checkpoint (period end) its assessment is due; "
        "default: the manifest's assessment_days",
    )  # fmt: skip
    working_days: bool | None = Field(
        None, description="count due_days in official working days (default: the manifest's)"
    )
    move_off_holidays: bool | None = Field(
        None,
        description="a due date on a holiday or weekend moves to the next official working "
        "day (default: the manifest's)",
    )
    inputs: dict[str, InputField] = Field(default_factory=dict)
    let: dict[str, Formula] = Field(default_factory=dict)
    score: Formula | None = None
    levels: dict[str, Number] | None = Field(
        None, description="graded levels: level -> share of the points, e.g. 好: 100%"
    )
    level_input: Text | None = None
    machine: Text | None = Field(None, description="input whose value is the score as given")
    deduct: Deduction | None = None
    round: int | None = Field(None, ge=0, le=10)
    rounding: Rounding | None = None
    description: str | None = None


class Lasts(Model):
    """How long a sanction's outcome holds: ``years`` years, the year raised
    included (``years: 2``: this year and next), or ``until`` a day."""

    years: int | None = Field(None, ge=1, le=20)
    until: date | None = None
    # Per event: each event row's own duration, in a column of the event table.
    column: Text | None = Field(
        None, description="the event table's column giving each event's duration (处分期)"
    )
    unit: Literal["years", "months", "until"] | None = Field(
        None,
        description="what the column holds: years (the year raised included), months "
        "(from the event's date) or until (the last day, a date)",
    )


class Item(Model):
    """A bonus or deduction item (加减分项目), or a veto (一票否决 / 一票否优).

    Occurrences come from event tables (date, subject, item, count, reason,
    evidence); each counts ``per`` points, at most ``cap`` per period.
    """

    id: Text
    name: str
    kind: Literal["bonus", "deduction", "veto"]
    per: Number | None = Field(None, description="points per occurrence (bonus, deduction)")
    points: Literal["from_data"] | None = Field(
        None, description="from_data: each event gives its points in the `points` column"
    )
    cap: Number | None = Field(None, description="most points of this item in one period")
    when: Formula | None = Field(
        None, description="condition for the item to count, e.g. `base >= 85` (gating)"
    )
    veto: Literal["fail", "no_excellent"] | None = Field(
        None, description="fail: 一票否决 (fails the subject); no_excellent: 一票否优"
    )
    effective: Effective | None = None
    subjects: Literal["section", "person"] = "section"
    description: str | None = None
    from_: SupervisionCount | None = Field(
        None,
        alias="from",
        description="occurrences counted from the data's supervision table (督办事项) "
        "instead of event rows, e.g. supervision.uncorrected for 督查发现问题未按期整改",
    )
    # Sanctions (veto items only; docs/language.md "Sanctions"):
    raised_by: Formula | None = Field(
        None, description="a condition over the subject's data that raises the veto, as events do"
    )
    grade: Text | None = Field(None, description="force this grade (or the declared ungraded one)")
    at_most: Text | None = Field(None, description="cap the grade: at best this one")
    scoring: Literal["not_scored", "ranked_last"] | None = Field(
        None, description="not_scored: no total, not ranked, listed last; ranked_last"
    )
    lasts: Lasts | None = Field(
        None,
        description="the outcome also holds later: {years: N} (this year included) or {until: DATE}",
    )


class Adjustments(Model):
    """Overall caps on bonus and deduction points in one period."""

    bonus_cap: Number | None = None
    deduction_cap: Number | None = None


class Ranking(Model):
    """How subjects are ranked within their group: by total (highest first),
    then each tie-breaker in turn; subjects still equal share a rank."""

    by: Text = Field("total", description="total, base, a value or an indicator id")
    order: Literal["descending", "ascending"] = "descending"
    ties: list[Text] = Field(
        default_factory=list,
        description="tie-breakers in order: base, a value or an indicator id; "
        "append ' ascending' for lowest first",
    )


class Quota(Model):
    """At most ``share`` of the subjects of a pool get the grade (forced distribution)."""

    share: Number
    rounding: Rounding = DEFAULT_ROUNDING
    at_least: int | None = Field(None, ge=0)
    at_most: int | None = Field(None, ge=0)
    pool: Literal["group", "all"] = "group"
    ties: Literal["include", "exclude"] = Field(
        "exclude",
        description="subjects tied at the quota line: include all of them, or none of them",
    )


class Grade(Model):
    """One grade band, best first: a threshold on the total, a prerequisite, a quota."""

    grade: Text
    min: Number | None = Field(None, description="lowest total for this grade")
    max: Number | None = Field(None, description="highest total for this grade (default: none)")
    requires: Formula | None = Field(None, description="a prerequisite, e.g. `integrity >= 8`")
    quota: Quota | None = None
    blocked_by: list[Literal["fail", "no_excellent"]] = Field(
        default_factory=list, description="vetoes that forbid this grade"
    )
    ungraded: bool = Field(
        False, description="the declared ungraded value (e.g. 不定等次): only a sanction gives it"
    )


class Sanctions(Model):
    """How sanctions combine: the first of ``precedence`` that applies decides
    (default: the harshest by grade order)."""

    precedence: list[Text] = Field(default_factory=list, description="veto item ids, first wins")


class Combine(Model):
    """A person's total: their own score and their section's, in proportion."""

    own: Number
    section: Number


class PeopleRules(Model):
    """Individual performance (个人绩效): how people's scores, ranks and grades work."""

    combine: Combine | None = None
    full_marks: Number | None = None
    ranking: Ranking | None = None
    grades: list[Grade] | None = None


class Rollup(Model):
    """How quarter totals combine into a longer period (e.g. January-September)."""

    method: Literal["sum", "average", "weighted"] = "average"
    weights: dict[str, Number] | None = Field(
        None, description="for weighted: quarter (Q1..Q4) -> weight"
    )


class History(Model):
    """The condition must also have held in earlier years' published results."""

    years: int = Field(2, ge=2, le=10, description="how many years, this one included")
    consecutive: bool = True
    within: int | None = Field(
        None, ge=2, le=20,
        description="cumulative (consecutive: false): held in `years` of the last `within` years",
    )  # fmt: skip
    since: Formula | None = Field(
        None,
        description="the window restarts: only years after the last earlier year in which this "
        "condition (over the same names as `when`) held are counted",
    )


class Link(Model):
    """A result link (结果运用): a condition over results that yields consequences."""

    id: Text
    name: str
    subjects: Literal["section", "person"] = "section"
    when: Formula = Field(
        description="over total, base, rank, count (subjects in the group), grade, "
        "vetoed, excellence_vetoed, lost (points lost on indicators)"
    )
    history: History | None = None
    to: Literal["self", "head", "liaison", "members"] = "self"
    effect: dict[
        Literal[
            "annual_grade",
            "promotion",
            "talk",
            "nomination",
            "commendation",
            "training",
            "reorganize",
        ],
        Text,
    ]
    description: str | None = None
    reads: Literal["quarter", "year", "period"] = Field(
        "period",
        description="the results it reads: `quarter` (fires on a quarter only), `year` "
        "(on the whole year only: 2016 or 2016Q1..2016Q4), `period` (on any evaluated period)",
    )
    roles: list[Literal["head", "liaison", "staff"]] | None = Field(
        None, description="only people in these roles receive its consequences"
    )
    except_: list[Literal["head", "liaison", "staff"]] | None = Field(
        None, alias="except", description="people in these roles receive nothing from it"
    )
    overrides: list[Text] = Field(
        default_factory=list,
        description="links whose consequence with a common effect key this one replaces "
        "for the same person or section",
    )


class Monotone(Model):
    """``of`` (an indicator id, base or total) never moves against ``input`` in ``direction``."""

    of: Text
    input: Text
    direction: Literal["increasing", "decreasing"] = "increasing"


class Property(Model):
    """A statement the rules must always satisfy, checked by ``jixiao verify``
    on generated data (hypothesis): ``always`` a formula over a subject's
    inputs, values, scores, base, total, rank, count, grade and vetoes;
    ``pairwise`` one over any two subjects; or a ``monotone`` relation between
    an input and a score."""

    id: Text
    name: str
    subjects: Literal["section", "person"] = "section"
    always: Formula | None = None
    # A relation between any two subjects: names are one subject's values,
    # ``other(name)`` the other's (``total <= other(total) or rank <= other(rank)``).
    pairwise: Formula | None = None
    monotone: Monotone | None = None


class Group(Model):
    id: Text
    name: str | None = None


class Section(Model):
    id: Text
    name: str
    group: Text
    tags: list[Text] = Field(default_factory=list)
    head: Text | None = Field(None, description="person id of the section head (主要负责人)")
    liaison: Text | None = Field(
        None, description="person id of the performance liaison (绩效联络员)"
    )


class Person(Model):
    id: Text
    name: str
    section: Text
    post: Text | None = Field(
        None, description="the person's post (岗位): a declared post's id when posts are declared"
    )


class Post(Model):
    """A post (岗位) of the post-duty system (岗责体系): its duties, and, through
    people's indicators' ``applies_to``, the indicators it is assessed on."""

    id: Text
    name: str | None = None
    duties: list[str] = Field(default_factory=list, description="the post's duties (岗位职责)")


class OrganizationTables(Model):
    """Parts of the organization read from tables of the rule set (an HR
    system's export, CSV or XLSX), each a path relative to the rule set's
    folder; a part comes from a table or is written inline, not both."""

    groups: str | None = Field(None, description="table of groups: 编号, 名称")
    sections: str | None = Field(
        None, description="table of sections: 科室编号, 科室名称, 考核组, 标签, 负责人, 联络员"
    )
    people: str | None = Field(None, description="table of people: 工号, 姓名, 科室, 岗位")
    posts: str | None = Field(None, description="table of posts: 岗位, 名称, 岗位职责")


class Organization(Model):
    """Who is assessed: sections in groups (ranked within their group), and people."""

    groups: list[Group] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    posts: list[Post] = Field(default_factory=list)
    tables: OrganizationTables | None = Field(
        None, description="parts of the organization read from CSV or XLSX tables"
    )


class RuleFile(Model):
    """One YAML file of a rule set.  The manifest (ruleset.yaml) also names
    the scheme, version and year; other files hold only rule sections."""

    scheme: str | None = Field(None, description="name of the assessment scheme")
    version: Text | None = None
    # Years a calendar, a store and a person can mean: beyond them a year is a typo.
    year: int | None = Field(None, ge=1949, le=2199, description="the year the rules assess")
    places: int | None = Field(None, ge=0, le=10, description="decimal places of final scores")
    rounding: Rounding | None = Field(None, description="default rounding mode: half_up")
    full_marks: Number | None = None
    assessment_days: int | None = Field(
        None, ge=0, le=60,
        description="checkpoints are assessed within this many days after they end (default 5)",
    )  # fmt: skip
    working_days: bool | None = Field(
        None, description="assessment_days are official working days (default: calendar days)"
    )
    move_off_holidays: bool | None = Field(
        None,
        description="a due date on a holiday or weekend moves to the next official working day",
    )
    files: list[str] | None = Field(None, description="the rule files, in order (default: all)")
    revisions: list[Revision] | None = Field(
        None, description="the revisions of the rules during the year, each with its notice"
    )
    period: Literal["quarter", "year"] | None = Field(
        None,
        description="what one assessment covers: a quarter (default; `2016` is then the roll-up "
        "of its quarters) or a whole year from its own annual data rows (`2016`)",
    )
    years: str | None = Field(
        None,
        description="instead of `year`: the years the rules cover, `2016..2018` "
        "(indicators' effective dates say which rules are in force when)",
    )
    description: str | None = None
    levels: dict[str, list[Text]] = Field(
        default_factory=dict, description="level enumerations: name -> levels, best first"
    )
    inputs: dict[str, InputField] = Field(default_factory=dict)
    values: dict[str, Formula] = Field(default_factory=dict)
    collections: dict[str, list[Text]] = Field(default_factory=dict)
    indicators: list[Indicator] = Field(default_factory=list)
    total: Formula | None = None
    organization: Organization | None = None
    items: list[Item] = Field(default_factory=list)
    adjustments: Adjustments | None = None
    sanctions: Sanctions | None = None
    ranking: Ranking | None = None
    grades: list[Grade] | None = None
    people: PeopleRules | None = None
    rollup: Rollup | None = None
    links: list[Link] = Field(default_factory=list)
    properties: list[Property] = Field(default_factory=list)


MANIFEST_KEYS = (
    "scheme", "version", "year", "places", "rounding", "full_marks", "assessment_days", "files",
    "revisions",

    "working_days", "move_off_holidays",
    "period", "years",
)  # fmt: skip
REQUIRED_MANIFEST_KEYS = ("scheme", "version", "year")


def is_name(text: str) -> bool:
    return bool(_NAME.match(text))


def _link_input_spec(node: Any) -> Any:
    if isinstance(node, dict):
        if node == {"$comment": "InputSpec"}:
            return {"$ref": "#/$defs/InputSpec"}
        return {key: _link_input_spec(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_link_input_spec(item) for item in node]
    return node


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file, for yaml-language-server and friends."""
    schema: dict[str, Any] = _link_input_spec(RuleFile.model_json_schema())
    spec = InputSpec.model_json_schema(ref_template="#/$defs/{model}")
    schema.setdefault("$defs", {})["InputSpec"] = spec
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "jixiao rule file"
    return schema
