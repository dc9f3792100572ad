"""Loading a rule set: files -> YAML nodes -> schema -> AST, all problems at once.

A rule set is a folder with a manifest, ``ruleset.yaml`` (scheme, version,
year, places, rounding) and any number of other ``.yaml`` files holding rule
sections; a single manifest file holding everything is also a rule set.  Each
file is loaded and validated on its own, so one broken file does not hide the
problems of the others.

Files are read through a ``RuleSource`` so the same loader reads a working
copy or (later) a git revision without touching the working tree.
"""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from dsl import ast, schema
from dsl.diagnostics import Diagnostic, Label
from dsl.expressions import KEYWORDS, parse_expression
from dsl.spans import SourceFile, Span
from dsl.yamlsource import YNode, YScalar, load_yaml, node_at, to_plain

MANIFEST = "ruleset.yaml"


class RuleSource(Protocol):
    """Where rule files come from (a folder, or a git revision)."""

    root: str

    def exists(self) -> bool: ...
    def manifest_name(self) -> str: ...
    def list_yaml(self) -> list[str]: ...
    def list_yaml_in(self, folder: str) -> list[str]: ...
    def read_text(self, name: str) -> str: ...
    def display(self, name: str) -> str: ...


@dataclass
class DirectorySource:
    """Rule files in a folder (or a single manifest file) on disk."""

    root: str

    def _base(self) -> Path:
        path = Path(self.root)
        return path.parent if path.is_file() else path

    def exists(self) -> bool:
        return Path(self.root).exists()

    def manifest_name(self) -> str:
        path = Path(self.root)
        return path.name if path.is_file() else MANIFEST

    def list_yaml(self) -> list[str]:
        path = Path(self.root)
        if path.is_file():
            return [path.name]
        return sorted(
            p.name for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
        )

    def list_yaml_in(self, folder: str) -> list[str]:
        """``folder/name.yaml`` of each YAML file in a sub-folder (rule tests)."""
        path = self._base() / folder
        if not path.is_dir():
            return []
        return sorted(
            f"{folder}/{p.name}"
            for p in path.iterdir()
            if p.suffix in (".yaml", ".yml") and p.is_file()
        )

    def read_text(self, name: str) -> str:
        return (self._base() / name).read_bytes().decode("utf-8")

    def display(self, name: str) -> str:
        return str(self._base() / name)


@dataclass
class _FileSections:
    file: SourceFile
    root: YNode | None
    model: schema.RuleFile
    indicator_positions: list[int]  # index in the file of each valid indicator


@dataclass
class LoadResult:
    ruleset: ast.RuleSet | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def load_ruleset(source: RuleSource) -> LoadResult:
    """Read, validate and build the AST of a rule set, collecting every problem."""
    diagnostics: list[Diagnostic] = []
    if not source.exists():
        return LoadResult(
            None, [Diagnostic("E0901", {"path": source.root}, None, location=source.root)]
        )
    manifest_name = source.manifest_name()
    names = source.list_yaml()
    if manifest_name not in names:
        diagnostics.append(
            Diagnostic("E0204", {}, None, location=source.root, help=("E0204.help", {}))
        )
        return LoadResult(None, diagnostics)
    manifest = _load_file(source, manifest_name, diagnostics)
    if manifest is not None and manifest.model.files is not None:
        names = [manifest_name, *[n for n in manifest.model.files if n != manifest_name]]
    else:
        names = [manifest_name, *[n for n in names if n != manifest_name]]
    loaded = [manifest] + [_load_file(source, name, diagnostics) for name in names[1:]]
    files = [f for f in loaded if f is not None]
    if manifest is None:
        return LoadResult(None, diagnostics)
    builder = _AstBuilder(diagnostics)
    ruleset = builder.build(source.root, manifest, files)
    return LoadResult(ruleset, diagnostics)


def _load_file(
    source: RuleSource, name: str, diagnostics: list[Diagnostic]
) -> _FileSections | None:
    display = source.display(name)
    try:
        text = source.read_text(name)
    except UnicodeDecodeError:
        diagnostics.append(Diagnostic("E0903", {"path": display}, None, location=display))
        return None
    except OSError as error:
        diagnostics.append(
            Diagnostic(
                "E0902", {"path": display, "problem": error.strerror}, None, location=display
            )
        )
        return None
    file = SourceFile(display, text)
    root, problems = load_yaml(file)
    diagnostics.extend(problems)
    if problems:
        return None
    data = to_plain(root)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        diagnostics.append(
            Diagnostic(
                "E0203",
                {"problem": _problem_text({"type": "dict_type", "msg": ""})},
                root.span if root else Span(file, 0, 0),
            )
        )
        return None
    positions: list[int] = []
    model = _validate_partially(data, file, root, diagnostics, positions)
    return _FileSections(file, root, model, positions)


def _validate_partially(
    data: dict[str, Any],
    file: SourceFile,
    root: YNode | None,
    diagnostics: list[Diagnostic],
    positions: list[int],
) -> schema.RuleFile:
    """Validate section by section (and indicator by indicator), keeping what is valid.

    A schema error in one indicator must not hide a formula error in the next
    one: every valid part goes on to the compiler, so one run reports all.
    """
    valid: dict[str, Any] = {}
    for key, value in data.items():
        if key == "indicators" and isinstance(value, list):
            items = []
            for index, item in enumerate(value):
                indicator = _validate_indicator(item, file, root, index, diagnostics)
                if indicator is not None:
                    items.append(indicator)
                    positions.append(index)
            valid[key] = items
            continue
        try:
            part = schema.RuleFile.model_validate({key: value})
        except ValidationError as error:
            diagnostics.extend(_schema_diagnostics(error, file, root))
            continue
        valid[key] = getattr(part, key)
    return schema.RuleFile.model_construct(**valid)


_PROBLEMS: dict[str, tuple[str, str]] = {
    "string_type": ("应为文字", "text expected"),
    "int_type": ("应为整数", "a whole number expected"),
    "int_parsing": ("应为整数", "a whole number expected"),
    "int_from_float": ("应为整数", "a whole number expected"),
    "decimal_parsing": ("应为数值，如 20、0.5 或 85%", "a number expected, such as 20, 0.5 or 85%"),
    "decimal_type": ("应为数值，如 20、0.5 或 85%", "a number expected, such as 20, 0.5 or 85%"),
    "bool_type": ("应为 true 或 false", "true or false expected"),
    "dict_type": ("应为映射（键: 值）", "a mapping (key: value) expected"),
    "list_type": ("应为列表", "a list expected"),
    "model_type": ("应为映射（键: 值）", "a mapping (key: value) expected"),
    "model_attributes_type": ("应为映射（键: 值）", "a mapping (key: value) expected"),
    "literal_error": ("应为以下之一：{expected}", "expected one of: {expected}"),
    "number_text": ("应为数值，如 20、0.5 或 85%", "a number expected, such as 20, 0.5 or 85%"),
    "number_range": (
        "数值超出允许范围（应为 0，或绝对值在 10^-12 至 10^12 之间）",
        "number out of range (zero, or between 10^-12 and 10^12 in size)",
    ),
    "date_from_datetime_parsing": (
        "应为日期，如 2016-04-01",
        "a date expected, such as 2016-04-01",
    ),
    "date_parsing": ("应为日期，如 2016-04-01", "a date expected, such as 2016-04-01"),
    "date_type": ("应为日期，如 2016-04-01", "a date expected, such as 2016-04-01"),
    "greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "less_than_equal": ("不能大于 {le}", "must be at most {le}"),
}


def _validate_indicator(
    item: Any, file: SourceFile, root: YNode | None, index: int, diagnostics: list[Diagnostic]
) -> schema.Indicator | None:
    """An indicator whose only problems are unknown keys is still checked
    without them, so its formulas get their own diagnostics in the same run."""
    try:
        return schema.Indicator.model_validate(item)
    except ValidationError as error:
        diagnostics.extend(_schema_diagnostics(error, file, root, ("indicators", index)))
        problems = error.errors()
        if not isinstance(item, dict) or any(
            p["type"] != "extra_forbidden" or len(p["loc"]) != 1 for p in problems
        ):
            return None
        unknown = {p["loc"][0] for p in problems}
        try:
            return schema.Indicator.model_validate(
                {k: v for k, v in item.items() if k not in unknown}
            )
        except ValidationError:
            return None


def _problem_text(error: Any) -> tuple[str, dict[str, str]]:
    """The problem in both languages, as a nested message argument."""
    ctx = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    zh, en = _PROBLEMS.get(error["type"], (str(error["msg"]), str(error["msg"])))
    return ("text.bilingual", {"zh": zh.format_map(ctx), "en": en.format_map(ctx)})


def _schema_diagnostics(
    error: ValidationError, file: SourceFile, root: YNode | None, prefix: tuple[str | int, ...] = ()
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for item in error.errors():
        loc = prefix + tuple(item["loc"])
        node, key = node_at(root, loc)
        span = node.span if node is not None else Span(file, 0, 0)
        kind = item["type"]
        if kind == "extra_forbidden":
            name = str(loc[-1])
            allowed = _allowed_keys(loc[:-1])
            suggestion = difflib.get_close_matches(name, allowed, n=1, cutoff=0.5)
            help_line = (
                ("E0201.didyoumean", {"suggestion": suggestion[0]})
                if suggestion
                else ("E0201.help", {"allowed": ", ".join(allowed)})
            )
            found.append(
                Diagnostic("E0201", {"key": name}, key.span if key else span, help=help_line)
            )
        elif kind == "missing":
            parent, _ = node_at(root, loc[:-1])
            where = parent.span if parent is not None else span
            where = (
                Span(where.file, where.start, where.start + 1) if where.end > where.start else where
            )
            found.append(Diagnostic("E0202", {"key": str(loc[-1])}, where))
        else:
            found.append(Diagnostic("E0203", {"problem": _problem_text(item)}, span))
    return found


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the model at ``loc`` allows, for "did you mean" and help.

    Walks the schema along the path: a key names a field of the current model;
    list indexes and dict keys (names chosen by the user) step into the items.
    """
    model: type[BaseModel] = schema.RuleFile
    annotation: Any = None
    for step in loc:
        if annotation is None:
            if not isinstance(step, str) or step not in model.model_fields:
                break
            annotation = model.model_fields[step].annotation
        else:
            annotation = _inner(annotation)
        found = _model_in(annotation)
        if found is not None and not _is_container(annotation):
            model, annotation = found, None
        elif found is None:
            break
    return list(model.model_fields)


def _is_container(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, dict):
        return True
    return any(_is_container(arg) for arg in typing.get_args(annotation) if arg is not type(None))


def _inner(annotation: Any) -> Any:
    """The item type of a list or the value type of a dict (through Optional)."""
    for arg in (annotation, *typing.get_args(annotation)):
        origin = typing.get_origin(arg)
        if origin is list:
            return typing.get_args(arg)[0]
        if origin is dict:
            return typing.get_args(arg)[1]
    return annotation


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


class _AstBuilder:
    """Validated models + YAML nodes -> AST with spans; semantic shape checks."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics

    def build(self, root: str, manifest: _FileSections, files: list[_FileSections]) -> ast.RuleSet:
        m = manifest.model
        for key in schema.REQUIRED_MANIFEST_KEYS:
            written, _ = node_at(manifest.root, (key,))
            absent = written is manifest.root
            empty = isinstance(written, YScalar) and written.value is None
            if getattr(m, key) is None and (absent or empty):  # not merely invalid
                where = Span(manifest.file, 0, 0) if absent or written is None else written.span
                self.error("E0202", {"key": key}, where)
        for part in files[1:]:
            for key in schema.MANIFEST_KEYS:
                if getattr(part.model, key) is not None:
                    self.error("E0205", {"key": key}, self.key_span(part, (key,)))
        manifest_ast = ast.Manifest(
            scheme=m.scheme or "",
            version=m.version or "",
            year=m.year or 0,
            places=2 if m.places is None else m.places,
            rounding=m.rounding or "half_up",
            full_marks=m.full_marks,
            assessment_days=5 if m.assessment_days is None else m.assessment_days,
            # The manifest's place in messages: its `scheme:` key (or the file start).
            span=self.key_span(manifest, ("scheme",))
            if m.scheme is not None
            else Span(manifest.file, 0, 0),
        )
        levels: list[ast.LevelEnum] = []
        inputs: list[ast.InputDecl] = []
        values: list[ast.Definition] = []
        collections: list[ast.Collection] = []
        indicators: list[ast.IndicatorDecl] = []
        total: ast.Expr | None = None
        organization: ast.OrganizationDecl | None = None
        items: list[ast.ItemDecl] = []
        caps: dict[str, ast.Located] = {}
        ranking: ast.RankingDecl | None = None
        grades: tuple[ast.GradeDecl, ...] | None = None
        people: ast.PeopleDecl | None = None
        rollup: ast.RollupDecl | None = None
        links: list[ast.LinkDecl] = []
        properties: list[ast.PropertyDecl] = []
        for part in files:
            model = part.model
            for name, members in model.levels.items():
                levels.append(
                    ast.LevelEnum(
                        self.ident(part, ("levels", name), name, key=True),
                        tuple(
                            self.ident(part, ("levels", name, i), member)
                            for i, member in enumerate(members)
                        ),
                    )
                )
            inputs.extend(self.inputs(part, ("inputs",), model.inputs, owner=None))
            values.extend(self.definitions(part, ("values",), model.values))
            for name, members in model.collections.items():
                collections.append(
                    ast.Collection(
                        self.ident(part, ("collections", name), name, key=True),
                        tuple(
                            self.ident(part, ("collections", name, i), member)
                            for i, member in enumerate(members)
                        ),
                    )
                )
            for index, indicator in zip(part.indicator_positions, model.indicators, strict=True):
                indicators.append(self.indicator(part, ("indicators", index), indicator))
            if model.total is not None:
                if total is not None:
                    self.error(
                        "E0206",
                        {"kind": ("kind.total", {}), "name": "total"},
                        self.key_span(part, ("total",)),
                        labels=(Label(total.span, "E0206.first"),),
                    )
                else:
                    total = self.formula(part, ("total",), model.total)
            for key, seen in (("ranking", ranking), ("grades", grades), ("people", people),
                              ("rollup", rollup)):  # fmt: skip
                if getattr(model, key) is not None and seen is not None:
                    self.error(
                        "E0206", {"kind": ("kind.section_block", {}), "name": key},
                        self.key_span(part, (key,)),
                    )  # fmt: skip
            if model.ranking is not None and ranking is None:
                ranking = self.ranking(part, model.ranking, ("ranking",))
            if model.people is not None and people is None:
                people = self.people(part, model.people)
            for index, prop in enumerate(model.properties):
                path = ("properties", index)
                given = (prop.always, prop.pairwise, prop.monotone)
                if sum(1 for part_ in given if part_ is not None) != 1:
                    self.error("E0434", {"id": prop.id}, self.key_span(part, (*path, "id")))
                monotone = prop.monotone
                properties.append(
                    ast.PropertyDecl(
                        id=self.ident(part, (*path, "id"), prop.id),
                        name=prop.name,
                        subjects=prop.subjects,
                        always=None
                        if prop.always is None and prop.pairwise is None
                        else self.formula(
                            part,
                            (*path, "always" if prop.always is not None else "pairwise"),
                            prop.always if prop.always is not None else str(prop.pairwise),
                        ),
                        monotone_of=None
                        if monotone is None
                        else ast.Ident(monotone.of, self.span(part, (*path, "monotone", "of"))),
                        monotone_input=None
                        if monotone is None
                        else ast.Ident(
                            monotone.input, self.span(part, (*path, "monotone", "input"))
                        ),
                        increasing=monotone is None or monotone.direction == "increasing",
                        span=self.span(part, path),
                        pairwise=prop.always is None and prop.pairwise is not None,
                    )
                )
            for index, link in enumerate(model.links):
                path = ("links", index)
                links.append(
                    ast.LinkDecl(
                        id=self.ident(part, (*path, "id"), link.id),
                        name=link.name,
                        subjects=link.subjects,
                        when=self.formula(part, (*path, "when"), link.when),
                        history_years=link.history.years if link.history else None,
                        consecutive=link.history.consecutive if link.history else True,
                        within=link.history.within if link.history else None,
                        to=link.to,
                        effects=tuple((str(k), str(v)) for k, v in link.effect.items()),
                        span=self.span(part, path),
                    )
                )
            if model.rollup is not None and rollup is None:
                rollup = ast.RollupDecl(
                    method=model.rollup.method,
                    weights=tuple(
                        (
                            self.ident(part, ("rollup", "weights", key), key, key=True),
                            self.located(part, ("rollup", "weights", key), value),
                        )
                        for key, value in (model.rollup.weights or {}).items()
                    ),
                    span=self.key_span(part, ("rollup",)),
                )
            if model.grades is not None and grades is None:
                grades = tuple(
                    self.grade(part, ("grades", i), g) for i, g in enumerate(model.grades)
                )
            for index, item in enumerate(model.items):
                items.append(self.item(part, ("items", index), item))
            if model.adjustments is not None:
                for key in ("bonus_cap", "deduction_cap"):
                    value = getattr(model.adjustments, key)
                    if value is not None:
                        caps[key] = self.located(part, ("adjustments", key), value)
            if model.organization is not None:
                if organization is not None:
                    self.error(
                        "E0206",
                        {"kind": ("kind.organization", {}), "name": "organization"},
                        self.key_span(part, ("organization",)),
                        labels=(Label(organization.span, "E0206.first"),),
                    )
                else:
                    organization = self.organization(part, model.organization)
        return ast.RuleSet(
            root=root,
            manifest=manifest_ast,
            files=tuple(p.file for p in files),
            levels=tuple(levels),
            inputs=tuple(inputs),
            values=tuple(values),
            collections=tuple(collections),
            indicators=tuple(indicators),
            total=total,
            organization=organization,
            items=tuple(items),
            bonus_cap=caps.get("bonus_cap"),
            deduction_cap=caps.get("deduction_cap"),
            ranking=ranking,
            grades=grades,
            people=people,
            rollup=rollup,
            links=tuple(links),
            properties=tuple(properties),
        )

    # -- helpers ----------------------------------------------------------------

    def error(self, code: str, args: dict[str, object], span: Span, **extra: Any) -> None:
        self.diagnostics.append(Diagnostic(code, args, span, **extra))

    def span(self, part: _FileSections, path: tuple[str | int, ...]) -> Span:
        node, _ = node_at(part.root, path)
        if node is None:
            return Span(part.file, 0, 0)
        return node.span

    def key_span(self, part: _FileSections, path: tuple[str | int, ...]) -> Span:
        node, key = node_at(part.root, path)
        if key is not None:
            return key.span
        return node.span if node is not None else Span(part.file, 0, 0)

    def ident(
        self, part: _FileSections, path: tuple[str | int, ...], name: str, key: bool = False
    ) -> ast.Ident:
        span = self.key_span(part, path) if key else self.span(part, path)
        if not schema.is_name(name) or name in KEYWORDS:
            self.error("E0208", {"name": name}, span, help=("E0208.help", {}))
        return ast.Ident(name, span)

    def located(
        self, part: _FileSections, path: tuple[str | int, ...], value: Decimal
    ) -> ast.Located:
        return ast.Located(value, self.span(part, path))

    def formula(
        self, part: _FileSections, path: tuple[str | int, ...], text: str
    ) -> ast.Expr | None:
        node, _ = node_at(part.root, path)
        if not isinstance(node, YScalar):
            return None
        # The scalar exactly as written: `score: 0.0000001` or `score: 007` is
        # parsed as the formula it reads, not as YAML's number turned back to text.
        expr, problems = parse_expression(node.text, node.offsets())
        self.diagnostics.extend(problems)
        return expr

    def definitions(
        self, part: _FileSections, path: tuple[str | int, ...], items: dict[str, str]
    ) -> list[ast.Definition]:
        return [
            ast.Definition(
                self.ident(part, (*path, name), name, key=True),
                self.formula(part, (*path, name), text),
            )
            for name, text in items.items()
        ]

    def inputs(
        self,
        part: _FileSections,
        path: tuple[str | int, ...],
        items: dict[str, schema.InputSpec],
        owner: str | None,
    ) -> list[ast.InputDecl]:
        found = []
        for name, spec in items.items():
            here = (*path, name)
            value_node, _ = node_at(part.root, here)
            shorthand = isinstance(value_node, YScalar)
            type_span = self.span(part, here if shorthand else (*here, "type"))
            found.append(
                ast.InputDecl(
                    name=self.ident(part, here, name, key=True),
                    type_text=spec.type.strip(),
                    type_span=type_span,
                    minimum=None
                    if spec.min is None
                    else self.located(part, (*here, "min"), spec.min),
                    maximum=None
                    if spec.max is None
                    else self.located(part, (*here, "max"), spec.max),
                    missing=spec.missing,
                    default=spec.default,
                    default_span=None
                    if spec.default is None
                    else self.span(part, (*here, "default")),
                    owner=owner,
                )
            )
        return found

    def people(self, part: _FileSections, model: schema.PeopleRules) -> ast.PeopleDecl:
        base = ("people",)
        combine = model.combine
        return ast.PeopleDecl(
            combine_own=self.located(part, (*base, "combine", "own"), combine.own)
            if combine
            else None,
            combine_section=self.located(part, (*base, "combine", "section"), combine.section)
            if combine
            else None,
            full_marks=None
            if model.full_marks is None
            else self.located(part, (*base, "full_marks"), model.full_marks),
            ranking=None
            if model.ranking is None
            else self.ranking(part, model.ranking, (*base, "ranking")),
            grades=None
            if model.grades is None
            else tuple(
                self.grade(part, (*base, "grades", i), g) for i, g in enumerate(model.grades)
            ),
            span=self.key_span(part, base),
        )

    def ranking(
        self, part: _FileSections, model: schema.Ranking, path: tuple[str | int, ...]
    ) -> ast.RankingDecl:
        ties = []
        for index, text in enumerate(model.ties):
            words = text.split()
            descending = not (len(words) == 2 and words[1] == "ascending")
            span = self.span(part, (*path, "ties", index))
            if (
                not words
                or len(words) > 2
                or (len(words) == 2 and words[1] not in ("ascending", "descending"))
            ):
                self.error("E0418", {"text": text}, span)
            ties.append((ast.Ident(words[0] if words else "", span), descending))
        return ast.RankingDecl(
            by=ast.Ident(model.by, self.span(part, (*path, "by"))),
            descending=model.order == "descending",
            ties=tuple(ties),
            span=self.key_span(part, path),
        )

    def grade(
        self, part: _FileSections, path: tuple[str | int, ...], model: schema.Grade
    ) -> ast.GradeDecl:
        quota = None
        if model.quota is not None:
            q = model.quota
            quota = ast.QuotaDecl(
                share=self.located(part, (*path, "quota", "share"), q.share),
                rounding=q.rounding,
                at_least=q.at_least,
                at_most=q.at_most,
                pool=q.pool,
                ties=q.ties,
                span=self.key_span(part, (*path, "quota")),
            )
        return ast.GradeDecl(
            grade=self.ident(part, (*path, "grade"), model.grade),
            minimum=None if model.min is None else self.located(part, (*path, "min"), model.min),
            maximum=None if model.max is None else self.located(part, (*path, "max"), model.max),
            requires=None
            if model.requires is None
            else self.formula(part, (*path, "requires"), model.requires),
            quota=quota,
            blocked_by=tuple(model.blocked_by),
            span=self.span(part, path),
        )

    def item(
        self, part: _FileSections, path: tuple[str | int, ...], model: schema.Item
    ) -> ast.ItemDecl:
        def number(key: str) -> ast.Located | None:
            value = getattr(model, key)
            return None if value is None else self.located(part, (*path, key), value)

        effective = model.effective
        return ast.ItemDecl(
            id=self.ident(part, (*path, "id"), model.id),
            name=model.name,
            kind=model.kind,
            per=number("per"),
            cap=number("cap"),
            when=None if model.when is None else self.formula(part, (*path, "when"), model.when),
            veto=model.veto,
            effective_from=self.date(part, (*path, "effective", "from"), effective.from_)
            if effective
            else None,
            effective_until=self.date(part, (*path, "effective", "until"), effective.until)
            if effective
            else None,
            span=self.span(part, path),
            subjects=model.subjects,
        )

    def organization(self, part: _FileSections, model: schema.Organization) -> ast.OrganizationDecl:
        base = ("organization",)

        def optional(path: tuple[str | int, ...], value: str | None) -> ast.Ident | None:
            return None if value is None else self.ident(part, path, value)

        groups = tuple(
            ast.GroupDecl(self.ident(part, (*base, "groups", i, "id"), g.id), g.name or g.id)
            for i, g in enumerate(model.groups)
        )
        sections = tuple(
            ast.SectionDecl(
                id=self.ident(part, (*base, "sections", i, "id"), s.id),
                name=s.name,
                group=self.ident(part, (*base, "sections", i, "group"), s.group),
                tags=tuple(
                    self.ident(part, (*base, "sections", i, "tags", j), tag)
                    for j, tag in enumerate(s.tags)
                ),
                head=optional((*base, "sections", i, "head"), s.head),
                liaison=optional((*base, "sections", i, "liaison"), s.liaison),
            )
            for i, s in enumerate(model.sections)
        )
        people = tuple(
            ast.PersonDecl(
                id=self.ident(part, (*base, "people", i, "id"), p.id),
                name=p.name,
                section=self.ident(part, (*base, "people", i, "section"), p.section),
                post=p.post,
            )
            for i, p in enumerate(model.people)
        )
        return ast.OrganizationDecl(groups, sections, people, self.key_span(part, base))

    def indicator(
        self, part: _FileSections, path: tuple[str | int, ...], model: schema.Indicator
    ) -> ast.IndicatorDecl:
        span = self.span(part, path)
        methods = [
            name
            for name in ("score", "levels", "machine", "deduct")
            if getattr(model, name) is not None
        ]
        method: ast.ScoreMethod
        if len(methods) != 1:
            self.error(
                "E0207", {"id": model.id, "count": len(methods)}, self.key_span(part, (*path, "id"))
            )
            method = ast.FormulaMethod(None)
        elif model.score is not None:
            method = ast.FormulaMethod(self.formula(part, (*path, "score"), model.score))
        elif model.levels is not None:
            method = ast.LevelsMethod(
                table=tuple(
                    (
                        self.ident(part, (*path, "levels", level), level, key=True),
                        self.located(part, (*path, "levels", level), share),
                    )
                    for level, share in model.levels.items()
                ),
                level_input=None
                if model.level_input is None
                else self.ident(part, (*path, "level_input"), model.level_input),
                span=self.key_span(part, (*path, "levels")),
            )
        elif model.machine is not None:
            method = ast.MachineMethod(self.ident(part, (*path, "machine"), model.machine))
        else:
            assert model.deduct is not None
            deduct = model.deduct
            method = ast.DeductMethod(
                per=self.located(part, (*path, "deduct", "per"), deduct.per),
                count=self.ident(part, (*path, "deduct", "count"), deduct.count),
                cap=None
                if deduct.cap is None
                else self.located(part, (*path, "deduct", "cap"), deduct.cap),
                span=self.key_span(part, (*path, "deduct")),
            )
        return ast.IndicatorDecl(
            id=self.ident(part, (*path, "id"), model.id),
            name=model.name,
            category=model.category,
            points=self.located(part, (*path, "points"), model.points),
            assessor=model.assessor,
            cadence=model.cadence,
            inputs=tuple(self.inputs(part, (*path, "inputs"), model.inputs, owner=model.id)),
            lets=tuple(self.definitions(part, (*path, "let"), model.let)),
            method=method,
            round_places=model.round,
            rounding=model.rounding,
            span=span,
            applies_to=None
            if model.applies_to is None
            else tuple(
                self.ident(part, (*path, "applies_to", i), name)
                for i, name in enumerate(model.applies_to)
            ),
            effective_from=self.date(part, (*path, "effective", "from"), model.effective.from_)
            if model.effective
            else None,
            effective_until=self.date(part, (*path, "effective", "until"), model.effective.until)
            if model.effective
            else None,
            subjects=model.subjects,
            due_days=model.due_days,
        )

    def date(
        self, part: _FileSections, path: tuple[str | int, ...], value: date | None
    ) -> ast.DateValue | None:
        return None if value is None else ast.DateValue(value, self.span(part, path))
