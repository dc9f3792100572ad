"""Every rule-file key has exactly one home: a schema field (``dsl.schema``)
that some AST field (``dsl.ast``) holds, as ``dsl.astbuilder`` builds it.

The walk pairs each AST class with the schema model it is built from, starting
at the rule set and the rule file, and fails when a schema key reaches no AST
field (a key that would be validated, then silently dropped) or an AST field
reads a key the schema does not have (a field that would never be filled).
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

import pytest
from pydantic import BaseModel

from dsl import ast, schema
from dsl.astbuilder import DERIVED, NOT_IN_AST, field_types, key_of
from dsl.spans import Span


def _written(model: type[BaseModel], key: str) -> str | None:
    """The attribute of ``key`` as written in a rule file (``from`` is ``from_``)."""
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return name
    return None


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [found for arg in typing.get_args(annotation) for found in _models_in(arg)]


# Values with a span, not declarations built from a model.
_LEAVES = {ast.Ident, ast.Located, ast.DateValue, Span, *typing.get_args(ast.Expr)}


def _classes_in(annotation: Any) -> list[type[Any]]:
    """The declaration classes in an AST field's type."""
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return [] if annotation in _LEAVES else [annotation]
    return [found for arg in typing.get_args(annotation) for found in _classes_in(arg)]


def _is_mapping(annotation: Any) -> bool:
    if typing.get_origin(annotation) is dict:
        return True
    return any(_is_mapping(arg) for arg in typing.get_args(annotation))


class _Walk:
    """Which keys of which schema models the AST classes read, and what went wrong."""

    def __init__(self) -> None:
        self.read: dict[type[BaseModel], set[str]] = {}
        self.problems: list[str] = []
        self.done: set[tuple[type[Any], type[BaseModel]]] = set()

    def pair(
        self, cls: type[Any], model: type[BaseModel], skip: frozenset[str] = frozenset()
    ) -> None:
        if (cls, model) in self.done:
            return
        self.done.add((cls, model))
        self.read.setdefault(model, set())
        for item in dataclasses.fields(cls):
            if item.name in skip:
                continue
            derived = DERIVED.get((cls, item.name))
            if derived is not None:
                for path in derived.reads:
                    self.path(cls, item.name, model, path)
                for variant in _classes_in(field_types(cls)[item.name]):
                    self.pair(variant, model)  # the scoring methods read the indicator's keys
                continue
            if field_types(cls)[item.name] is Span:  # where a key (or the node) is written
                if key_of(item):
                    self.path(cls, item.name, model, key_of(item))
                continue
            annotation = self.path(cls, item.name, model, key_of(item) or item.name)
            if annotation is None:
                continue
            inner = frozenset({"name"}) if _is_mapping(annotation) else frozenset()
            for sub_class in _classes_in(field_types(cls)[item.name]):
                for sub_model in _models_in(annotation):
                    self.pair(sub_class, sub_model, inner)

    def path(self, cls: type[Any], field: str, model: type[BaseModel], path: str) -> Any:
        """Mark the keys along a dotted path as read; their annotation, or None."""
        current: type[BaseModel] | None = model
        annotation: Any = None
        for step in path.split("."):
            name = None if current is None else _written(current, step)
            if current is None or name is None:
                where = model.__name__
                self.problems.append(f"ast.{cls.__name__}.{field} reads `{path}`, not in {where}")
                return None
            self.read.setdefault(current, set()).add(name)
            annotation = current.model_fields[name].annotation
            models = _models_in(annotation)
            current = models[0] if models else None
        return annotation

    def unread(self) -> list[str]:
        return [
            f"{model.__name__}.{name} has no AST field"
            for model, read in self.read.items()
            for name, info in model.model_fields.items()
            if name not in read and (info.alias or name) not in NOT_IN_AST
        ]


def _walk_rule_file() -> _Walk:
    walk = _Walk()
    walk.pair(ast.Manifest, schema.RuleFile)
    walk.pair(ast.RuleSet, schema.RuleFile, frozenset({"root", "manifest", "files"}))
    return walk


def test_every_schema_key_has_an_ast_field_and_back() -> None:
    walk = _walk_rule_file()
    assert walk.problems == []
    assert walk.unread() == []


def test_every_schema_model_is_reached() -> None:
    walk = _walk_rule_file()
    models = {
        value
        for value in vars(schema).values()
        if isinstance(value, type) and issubclass(value, schema.Model) and value is not schema.Model
    }
    assert models <= set(walk.read)


def test_the_manifest_keys_are_the_manifest_fields() -> None:
    written = {key_of(f) or f.name for f in dataclasses.fields(ast.Manifest)} - {"span"}
    assert set(schema.MANIFEST_KEYS) - NOT_IN_AST == written


class _QuotaWithNewKey(schema.Quota):
    spread: int | None = None


@dataclasses.dataclass(frozen=True)
class _QuotaWithNewField:
    share: ast.Located
    rounding: str
    at_least: int | None
    at_most: int | None
    pool: str
    ties: str
    span: Span
    spread: int | None


@pytest.mark.parametrize(
    ("cls", "model", "expected"),
    [
        (ast.QuotaDecl, _QuotaWithNewKey, "_QuotaWithNewKey.spread has no AST field"),
        (_QuotaWithNewField, schema.Quota, "ast._QuotaWithNewField.spread reads `spread`"),
    ],
)
def test_a_key_without_a_field_is_found(
    cls: type[Any], model: type[BaseModel], expected: str
) -> None:
    walk = _Walk()
    walk.pair(cls, model)
    assert any(problem.startswith(expected) for problem in [*walk.problems, *walk.unread()])
