"""Validated rule files + their YAML nodes -> the AST, driven by the classes' fields.

No declaration is copied field by field by hand.  ``AstBuilder.build`` walks
the fields of an AST class (``dsl.ast``); each holds the rule-file key of its
own name (or the one its ``field(metadata=ast.key(...))`` names) from the
validated model (``dsl.schema``), converted by the field's type, with the
span of the YAML node that carried the value (``dsl.yamlsource`` keeps one on
every node):

* ``Ident``: a name, checked (E0208) unless ``key(check_name=False)``;
* ``Located`` and ``DateValue``: the number or date with its span;
* ``Expr``: the formula, parsed from the scalar exactly as written;
* ``Span``: where the node (or the key ``key`` names) is written;
* a declaration class: built from the nested model the same way;
* a tuple: one element per list item, or per ``name: value`` entry (the
  entry's ``name`` is the key, the rest its value); absent, an empty tuple;
* anything else: the value itself; a key not written gives ``key(absent=...)``,
  else the field's default, else None.

The conversion is chosen by the AST field's type rather than by a marker on
the schema field: the AST type already says what is wanted, and one schema
type becomes different things (``Text`` is an ``Ident`` in ``group:`` but
plain text in ``name:``), so the schema keeps saying only what is valid.

The fields that need real work (which scoring method, the ranking
tie-breakers, a property's one statement, a few spans) are the small
functions of ``DERIVED``, each naming the keys it reads.  Adding a rule-file
key therefore touches the schema, one AST field, its meaning in the compiler
and the docs, and the builder only when the key needs real work;
``tests/test_keys.py`` fails when a key and the fields disagree.
``build_ruleset`` merges the files of a rule set: lists are concatenated, a
block written in two files is E0206.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from dsl import ast, schema
from dsl.diagnostics import Diagnostic, Label, suggest
from dsl.expressions import KEYWORDS, parse_expression
from dsl.spans import SourceFile, Span
from dsl.yamlsource import YNode, YScalar, node_at

Path = tuple[str | int, ...]
_EXPR_TYPES = frozenset(typing.get_args(ast.Expr))
_NONE = type(None)


@dataclass
class FilePart:
    """One validated rule file: its YAML nodes and its model."""

    file: SourceFile
    root: YNode | None
    model: schema.RuleFile
    positions: dict[Path, list[int]]  # list -> index in the file of each valid item


@dataclass(frozen=True)
class At:
    """A declaration being built: its model, where it is written, what encloses it."""

    part: FilePart
    path: Path
    model: Any
    outer: At | None = None


class AstBuilder:
    """Converts validated models to AST declarations, reporting name and formula problems."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        # The manifest's revisions by id, once the manifest is built.
        self.revisions: dict[str, ast.RevisionDecl] = {}

    # -- one declaration ---------------------------------------------------------

    def build(self, cls: type[Any], at: At, given: dict[str, Any] | None = None) -> Any:
        """The ``cls`` declaration of ``at.model``, field by field in field order
        (``given``: fields already known, such as the name of a mapping entry)."""
        check = CHECKS.get(cls)
        if check is not None:
            check(self, at)
        values: dict[str, Any] = dict(given or {})
        for slot in slots(cls):
            if slot.name in values:
                continue
            if slot.derived is not None:
                values[slot.name] = slot.derived.make(self, at)
            else:
                values[slot.name] = self.field_value(slot, at)
        return cls(**values)

    def field_value(self, slot: Slot, at: At) -> Any:
        """The field's key, read from the model through any blocks, and converted."""
        if slot.kind is Span:
            return self.key_span(at.part, (*at.path, *slot.steps))
        value: Any = at.model
        for step in slot.steps:
            value = None if value is None else getattr(value, _attribute(type(value), step))
        if value is None:
            return slot.absent
        return self.convert(slot.kind, value, at, (*at.path, *slot.steps), slot.check_name)

    def convert(self, kind: Any, value: Any, at: At, path: Path, check_name: bool = True) -> Any:
        """``value`` (from the model, written at ``path``) as an AST value of type ``kind``."""
        options = [arg for arg in typing.get_args(kind) if arg is not _NONE]
        if typing.get_origin(kind) in (typing.Union, type(int | None)):
            if set(options) == _EXPR_TYPES:
                return self.formula(at.part, path)
            (kind,) = options  # X | None; the one union of declarations is derived
        if kind is ast.Ident:
            return self.ident(at.part, path, value, check=check_name)
        if kind is ast.Located:
            return ast.Located(value, self.span(at.part, path))
        if kind is ast.DateValue:
            if isinstance(value, str):  # a revision's id (``effective: {from: r2016_q2}``)
                return self.revision_date(at.part, path, value)
            return ast.DateValue(value, self.span(at.part, path))
        if dataclasses.is_dataclass(kind) and isinstance(value, BaseModel):
            return self.build(typing.cast(type[Any], kind), At(at.part, path, value, at))
        if typing.get_origin(kind) is tuple:
            element = typing.get_args(kind)[0]
            if isinstance(value, dict):
                return tuple(
                    self.entry(element, name, item, at, (*path, name))
                    for name, item in value.items()
                )
            # Items that failed validation were dropped; the others keep their place.
            places = at.part.positions.get(path, range(len(value)))
            return tuple(
                self.convert(element, item, at, (*path, index))
                for index, item in zip(places, value, strict=True)
            )
        return value

    def entry(self, kind: Any, name: str, value: Any, at: At, path: Path) -> Any:
        """One ``name: value`` entry of a mapping: a pair, or a declaration named by its key."""
        if typing.get_origin(kind) is tuple:
            key_kind, value_kind = typing.get_args(kind)
            written: object
            if key_kind is ast.Ident:
                written = self.ident(at.part, path, name, key=True)
            else:
                written = str(name)
            return written, self.convert(value_kind, value, at, path)
        ident = self.ident(at.part, path, name, key=True)
        if isinstance(value, BaseModel):
            return self.build(kind, At(at.part, path, value, at), {"name": ident})
        _, other = slots(kind)  # the name, and what the value is
        return kind(ident, self.convert(other.kind, value, at, path, other.check_name))

    def revision_date(self, part: FilePart, path: Path, name: str) -> ast.DateValue | None:
        """The date an ``effective`` bound names by a revision's id: ``from`` the
        day it takes effect, ``until`` the day before (E0450 unknown, E0453 undated)."""
        span = self.span(part, path)
        revision = self.revisions.get(name)
        if revision is None:
            help_line = suggest(name, self.revisions, ("E0450.help", {}))
            self.error("E0450", {"name": name}, span, help=help_line)
            return None
        if revision.day is None:
            labels = (Label(revision.id.span, "E0453.label"),)
            self.error("E0453", {"name": name}, span, labels=labels)
            return None
        day = revision.day.value
        if path[-1] == "until":
            day -= timedelta(days=1)
        return ast.DateValue(day, span, revision=name)

    # -- spans, names, formulas -------------------------------------------------

    def error(self, code: str, args: dict[str, object], span: Span, **extra: Any) -> None:
        self.diagnostics.append(Diagnostic(code, args, span, **extra))

    def span(self, part: FilePart, path: Path) -> Span:
        node, _ = node_at(part.root, path)
        if node is None:
            return Span(part.file, 0, 0)
        return node.span

    def key_span(self, part: FilePart, path: Path) -> Span:
        node, key = node_at(part.root, path)
        if key is not None:
            return key.span
        return node.span if node is not None else Span(part.file, 0, 0)

    def ident(
        self, part: FilePart, path: Path, name: str, key: bool = False, check: bool = True
    ) -> ast.Ident:
        span = self.key_span(part, path) if key else self.span(part, path)
        if check and (not schema.is_name(name) or name in KEYWORDS):
            self.error("E0208", {"name": name}, span, help=("E0208.help", {}))
        return ast.Ident(name, span)

    def formula(self, part: FilePart, path: Path) -> ast.Expr | None:
        node, _ = node_at(part.root, path)
        if not isinstance(node, YScalar):
            return None
        # The scalar exactly as written: `score: 0.0000001` or `score: 007` is
        # parsed as the formula it reads, not as YAML's number turned back to text.
        expr, problems = parse_expression(node.text, node.offsets())
        self.diagnostics.extend(problems)
        return expr


# -- the fields' keys and types ----------------------------------------------------


def key_of(item: dataclasses.Field[Any]) -> str:
    """The rule-file key an AST field names in ``ast.key`` ("" for its own name)."""
    return str(item.metadata.get("key", ""))


def field_types(cls: type[Any]) -> dict[str, Any]:
    """The resolved type of each field of an AST class."""
    return typing.get_type_hints(cls)


@dataclass(frozen=True)
class Slot:
    """One field of an AST class, as the builder fills it."""

    name: str
    kind: Any  # the field's type
    steps: tuple[str, ...]  # its key, through blocks; for a span, where it points
    absent: Any  # the value when the key is not written
    check_name: bool
    derived: Derived | None


_SLOTS: dict[type[Any], tuple[Slot, ...]] = {}


def slots(cls: type[Any]) -> tuple[Slot, ...]:
    """How each field of ``cls`` is filled (worked out once per class)."""
    if cls not in _SLOTS:
        _SLOTS[cls] = tuple(
            _slot(cls, item, field_types(cls)[item.name]) for item in dataclasses.fields(cls)
        )
    return _SLOTS[cls]


def _slot(cls: type[Any], item: dataclasses.Field[Any], kind: Any) -> Slot:
    written = key_of(item)
    steps = tuple(written.split(".")) if written else ()
    if kind is not Span:
        steps = steps or (item.name,)
    if item.metadata.get("absent") is not None:
        absent = item.metadata["absent"]
    elif item.default is not dataclasses.MISSING:
        absent = item.default
    else:
        absent = () if typing.get_origin(kind) is tuple else None
    check_name = bool(item.metadata.get("check_name", True))
    return Slot(item.name, kind, steps, absent, check_name, DERIVED.get((cls, item.name)))


_ATTRIBUTES: dict[tuple[type[BaseModel], str], str] = {}


def _attribute(model: type[BaseModel], key: str) -> str:
    """The attribute of a rule-file key (``from`` is ``from_``)."""
    if (model, key) not in _ATTRIBUTES:
        (name,) = [name for name, info in model.model_fields.items() if key in (name, info.alias)]
        _ATTRIBUTES[model, key] = name
    return _ATTRIBUTES[model, key]


# -- fields that need real work ----------------------------------------------------


@dataclass(frozen=True)
class Derived:
    """A field computed by a function; ``reads`` are the rule-file keys it uses."""

    make: Callable[[AstBuilder, At], Any]
    reads: tuple[str, ...] = ()


_METHODS: dict[str, type[Any]] = {
    "score": ast.FormulaMethod,
    "levels": ast.LevelsMethod,
    "machine": ast.MachineMethod,
    "deduct": ast.DeductMethod,
}


def _method(builder: AstBuilder, at: At) -> ast.ScoreMethod:
    """Exactly one of score, levels, machine and deduct (E0207)."""
    written = [name for name in _METHODS if getattr(at.model, name) is not None]
    if len(written) != 1:
        span = builder.key_span(at.part, (*at.path, "id"))
        builder.error("E0207", {"id": at.model.id, "count": len(written)}, span)
        return ast.FormulaMethod(None)
    method: ast.ScoreMethod = builder.build(_METHODS[written[0]], at)
    return method


def _ties(builder: AstBuilder, at: At) -> tuple[tuple[ast.Ident, bool], ...]:
    """``base`` or ``base ascending``: a key and its direction (E0418)."""
    ties = []
    for index, text in enumerate(at.model.ties):
        words = text.split()
        descending = not (len(words) == 2 and words[1] == "ascending")
        span = builder.span(at.part, (*at.path, "ties", index))
        if (
            not words
            or len(words) > 2
            or (len(words) == 2 and words[1] not in ("ascending", "descending"))
        ):
            builder.error("E0418", {"text": text}, span)
        ties.append((ast.Ident(words[0] if words else "", span), descending))
    return tuple(ties)


def _one_statement(builder: AstBuilder, at: At) -> None:
    """A property states exactly one of always, pairwise and monotone (E0434)."""
    model = at.model
    given = (model.always, model.pairwise, model.monotone)
    if sum(1 for part in given if part is not None) != 1:
        builder.error("E0434", {"id": model.id}, builder.key_span(at.part, (*at.path, "id")))


def _statement(builder: AstBuilder, at: At) -> ast.Expr | None:
    """``always`` holds the formula of ``always`` or, failing that, ``pairwise``."""
    model = at.model
    if model.always is None and model.pairwise is None:
        return None
    return builder.formula(
        at.part, (*at.path, "always" if model.always is not None else "pairwise")
    )


def _input_type_span(builder: AstBuilder, at: At) -> Span:
    """The type as written: the whole value of ``name: money``, else its ``type:``."""
    value_node, _ = node_at(at.part.root, at.path)
    shorthand = isinstance(value_node, YScalar)
    return builder.span(at.part, at.path if shorthand else (*at.path, "type"))


def _default_span(builder: AstBuilder, at: At) -> Span | None:
    return None if at.model.default is None else builder.span(at.part, (*at.path, "default"))


def _owner(builder: AstBuilder, at: At) -> str | None:
    """The indicator an input belongs to (None for the rule set's own inputs)."""
    outer = at.outer.model if at.outer is not None else None
    return outer.id if isinstance(outer, schema.Indicator) else None


def _manifest_span(builder: AstBuilder, at: At) -> Span:
    """The manifest's place in messages: its `scheme:` key (or the file start)."""
    if at.model.scheme is None:
        return Span(at.part.file, 0, 0)
    return builder.key_span(at.part, ("scheme",))


# A rule set may cover this many years at most: a longer span is a typo (or
# a scheme that should be split into versions).
MAX_YEARS = 20


def _years(builder: AstBuilder, at: At) -> tuple[int, int] | None:
    """``years: 2016..2018`` as (first, last): two years of 1949-2199 in
    order, at most ``MAX_YEARS`` of them (E0530 otherwise, at the value)."""
    text = at.model.years
    if text is None:
        return None
    first, dots, last = str(text).strip().partition("..")
    span = builder.span(at.part, ("years",))
    if not (dots and first.isascii() and last.isascii() and first.isdigit() and last.isdigit()):
        builder.error("E0530", {"text": text}, span, help=("E0530.help", {}))
        return None
    low, high = int(first), int(last)
    if not 1949 <= low <= high <= 2199 or high - low + 1 > MAX_YEARS:
        builder.error("E0530", {"text": text}, span, help=("E0530.help", {}))
        return None
    return low, high


DERIVED: dict[tuple[type[Any], str], Derived] = {
    (ast.Manifest, "years"): Derived(_years, ("years",)),
    (ast.IndicatorDecl, "method"): Derived(_method, tuple(_METHODS)),
    (ast.RankingDecl, "descending"): Derived(
        lambda _, at: at.model.order == "descending", ("order",)
    ),
    (ast.RankingDecl, "ties"): Derived(_ties, ("ties",)),
    (ast.PropertyDecl, "always"): Derived(_statement, ("always", "pairwise")),
    (ast.PropertyDecl, "pairwise"): Derived(
        lambda _, at: at.model.always is None and at.model.pairwise is not None, ("pairwise",)
    ),
    (ast.PropertyDecl, "increasing"): Derived(
        lambda _, at: at.model.monotone is None or at.model.monotone.direction == "increasing",
        ("monotone.direction",),
    ),
    (ast.InputDecl, "type_text"): Derived(lambda _, at: at.model.type.strip(), ("type",)),
    (ast.InputDecl, "type_span"): Derived(_input_type_span),
    (ast.InputDecl, "default_span"): Derived(_default_span),
    (ast.InputDecl, "owner"): Derived(_owner),
    (ast.GroupDecl, "name"): Derived(lambda _, at: at.model.name or at.model.id, ("name",)),
    (ast.Manifest, "span"): Derived(_manifest_span),
}

CHECKS: dict[type[Any], Callable[[AstBuilder, At], None]] = {
    ast.PropertyDecl: _one_statement,
}

# Rule-file keys that no AST field holds: documentation, and the loader's file list.
NOT_IN_AST = frozenset({"description", "files"})


# -- a whole rule set ----------------------------------------------------------------

# A block (any section that is not a list) may be written in one file only:
# how E0206 names a second one, and whether it points at the first.  Blocks
# not listed here are "section"s, unlabelled.
_ONCE: dict[str, tuple[str, bool]] = {
    "total": ("kind.total", True),
    "organization": ("kind.organization", True),
}
# Keys inside a block that a later file may set again (the adjustment caps).
_LATER_WINS = frozenset({"bonus_cap", "deduction_cap"})
_NOT_SECTIONS = frozenset({"root", "manifest", "files"})


def build_ruleset(
    root: str, manifest: FilePart, files: list[FilePart], diagnostics: list[Diagnostic]
) -> ast.RuleSet:
    """The rule set of ``files`` (the manifest first), every file's sections merged."""
    builder = AstBuilder(diagnostics)
    _check_manifest_keys(builder, manifest, files)
    manifest_ast = builder.build(ast.Manifest, At(manifest, (), manifest.model))
    if manifest_ast.years is not None:  # `year` is the first of `years`
        manifest_ast = dataclasses.replace(manifest_ast, year=manifest_ast.years[0])
    builder.revisions = _revisions(builder, manifest_ast)
    sections = [slot for slot in slots(ast.RuleSet) if slot.name not in _NOT_SECTIONS]
    merged: dict[str, Any] = {slot.name: slot.absent for slot in sections}
    for part in files:
        for slot in sections:
            _merge_section(builder, part, slot, merged)
    ruleset = ast.RuleSet(
        root=root, manifest=manifest_ast, files=tuple(p.file for p in files), **merged
    )
    _check_counts(builder, ruleset)
    _check_revision_dates(builder, ruleset)
    return ruleset


def _revisions(builder: AstBuilder, manifest: ast.Manifest) -> dict[str, ast.RevisionDecl]:
    """The manifest's revisions by id, each id once (E0451).  A revision dated
    outside the rules' year is allowed: it takes effect before or after the
    year (a copy of the rules made for another year keeps the revisions)."""
    found: dict[str, ast.RevisionDecl] = {}
    for revision in manifest.revisions:
        name = revision.id.name
        if name in found:
            labels = (Label(found[name].id.span, "E0206.first"),)
            builder.error("E0451", {"name": name}, revision.id.span, labels=labels)
            continue
        found[name] = revision
    return found


def _check_revision_dates(builder: AstBuilder, ruleset: ast.RuleSet) -> None:
    """Once revisions are declared, every change of the rules during the year
    is one of them: an effective date written as a date must be a revision's
    day (``until``: the day before one), or the year's first or last day (E0454)."""
    declared = {r.day.value for r in ruleset.manifest.revisions if r.day is not None}
    year = ruleset.manifest.year
    if not declared or not year:
        return
    first, last = ruleset.manifest.years or (year, year)
    boundaries = {date(y, 1, 1) for y in range(first, last + 2)}  # years: each new year's day
    dated: list[tuple[ast.DateValue | None, ast.DateValue | None]] = [
        (d.effective_from, d.effective_until) for d in ruleset.indicators
    ] + [(d.effective_from, d.effective_until) for d in ruleset.items]
    for start, end in dated:
        for bound, day in (
            (start, start.value if start else None),
            (end, end.value + timedelta(days=1) if end else None),
        ):
            if bound is None or day is None or bound.revision is not None:
                continue
            if day in declared or day in boundaries:
                continue
            days = ", ".join(str(d) for d in sorted(declared))
            builder.error(
                "E0454", {"date": bound.value, "days": days}, bound.span,
                help=("E0454.help", {}),
            )  # fmt: skip


# How many of each a rule set may hold.  Real schemes have tens of indicators
# and items; the limits stop a generated or pasted file from turning into
# generated code no one can review long before any resource runs out.
MAX_INDICATORS = 2_000
MAX_ITEMS = 2_000
MAX_SUBJECTS = 20_000  # sections and people of the organization


def _check_counts(builder: AstBuilder, ruleset: ast.RuleSet) -> None:
    """E0210 at the first declaration past a limit."""
    organization = ruleset.organization
    subjects: list[ast.SectionDecl | ast.PersonDecl] = (
        [*organization.sections, *organization.people] if organization is not None else []
    )
    for what, declared, limit in (
        ("kind.indicator", ruleset.indicators, MAX_INDICATORS),
        ("kind.item", ruleset.items, MAX_ITEMS),
        ("kind.subject", subjects, MAX_SUBJECTS),
    ):
        if len(declared) > limit:
            builder.error(
                "E0210",
                {"kind": (what, {}), "count": len(declared), "limit": limit},
                declared[limit].id.span,
                help=("E0210.help", {}),
            )


def _check_manifest_keys(builder: AstBuilder, manifest: FilePart, files: list[FilePart]) -> None:
    """Required keys in the manifest (E0202); manifest keys nowhere else (E0205)."""
    for key in schema.REQUIRED_MANIFEST_KEYS:
        if key == "year" and manifest.model.years is not None:
            if manifest.model.year is not None:  # one or the other (E0531)
                builder.error("E0531", {}, builder.key_span(manifest, ("years",)))
            continue  # `years` stands for `year`
        written, _ = node_at(manifest.root, (key,))
        absent = written is manifest.root
        empty = isinstance(written, YScalar) and written.value is None
        if getattr(manifest.model, key) is None and (absent or empty):  # not merely invalid
            where = Span(manifest.file, 0, 0) if absent or written is None else written.span
            builder.error("E0202", {"key": key}, where)
    for part in files[1:]:
        for key in schema.MANIFEST_KEYS:
            if getattr(part.model, key) is not None:
                builder.error("E0205", {"key": key}, builder.key_span(part, (key,)))


def _merge_section(builder: AstBuilder, part: FilePart, slot: Slot, merged: dict[str, Any]) -> None:
    """One section of one file into the rule set: lists add up, blocks come once."""
    at = At(part, (), part.model)
    if typing.get_origin(slot.kind) is tuple:  # lists: every file's entries, in file order
        merged[slot.name] += builder.field_value(slot, at)
        return
    block = slot.steps[0]
    if getattr(part.model, block) is None:
        return
    if slot.name in _LATER_WINS:
        value = builder.field_value(slot, at)
        if value is not None:
            merged[slot.name] = value
        return
    first = merged[slot.name]
    if first is None:
        merged[slot.name] = builder.field_value(slot, at)
        return
    what, labelled = _ONCE.get(block, ("kind.section_block", False))
    labels = (Label(first.span, "E0206.first"),) if labelled else ()
    span = builder.key_span(part, (block,))
    builder.error("E0206", {"kind": (what, {}), "name": block}, span, labels=labels)
