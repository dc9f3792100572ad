"""Validating a rule file against the schema, part by part, with located problems.

A file is validated section by section, and the indicators one by one, so a
mistake in one part does not hide the problems of the next: every valid part
goes on to the AST builder (``dsl.astbuilder``).  pydantic's error locations
are turned into spans of the YAML nodes they name; an unknown key gets a
"did you mean" from the keys the schema allows at that place.
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from dsl import schema
from dsl.diagnostics import Diagnostic
from dsl.spans import SourceFile, Span
from dsl.yamlsource import YNode, node_at


def validate_partially(
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
            diagnostics.extend(schema_diagnostics(error, file, root))
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
        diagnostics.extend(schema_diagnostics(error, file, root, ("indicators", index)))
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


def problem_text(error: Any) -> tuple[str, dict[str, str]]:
    """The problem in both languages, as a nested message argument."""
    ctx = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    zh, en = _PROBLEMS.get(error["type"], (str(error["msg"]), str(error["msg"])))
    return ("text.bilingual", {"zh": zh.format_map(ctx), "en": en.format_map(ctx)})


def schema_diagnostics(
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
            found.append(Diagnostic("E0203", {"problem": problem_text(item)}, span))
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
