"""Declared properties: statements staff expect to always hold.

``always`` is a formula over one subject's results: its inputs, values and
indicator scores (by id), ``base`` and ``total``, and, from the population
stage, ``rank``, ``count``, ``grade``, ``vetoed`` and ``excellence_vetoed``
(slots numbered after the program's own).  ``monotone`` says a score never
moves against an input.  Both are checked and lowered like any formula; the
property tester (``runtime.tools.properties``) evaluates them on generated data.
"""

from __future__ import annotations

import dataclasses

from compiler import ir
from compiler.lower import Binding, Lowerer, Scope, SlotBinding, require_condition
from dsl import ast
from dsl.diagnostics import Diagnostic, suggest
from dsl.spans import Span
from semantics.types import BOOL, NUMBER, TEXT, Type

POPULATION_NAMES: tuple[tuple[str, Type], ...] = (
    ("rank", NUMBER),
    ("count", NUMBER),
    ("grade", TEXT),
    ("vetoed", BOOL),
    ("excellence_vetoed", BOOL),
)


def build_properties(
    ruleset: ast.RuleSet,
    kind: str,
    slots: list[ir.Slot],
    names: dict[str, Binding],
    diagnostics: list[Diagnostic],
) -> tuple[ir.Property, ...]:
    population = {
        name: SlotBinding(len(slots) + index, type_)
        for index, (name, type_) in enumerate(POPULATION_NAMES)
    }
    scope = Scope({**names, **population})

    width = len(slots) + len(POPULATION_NAMES)  # one subject's values
    others = {
        f"other({name})": SlotBinding(binding.slot + width, binding.type)
        for name, binding in {**names, **population}.items()
        if isinstance(binding, SlotBinding)
    }
    pair_scope = Scope({**names, **population, **others})

    def slot_type(slot: int) -> Type:
        if slot >= width:
            return slot_type(slot - width)
        return slots[slot].type if slot < len(slots) else POPULATION_NAMES[slot - len(slots)][1]

    lowerer = Lowerer(diagnostics, slot_type)
    found: list[ir.Property] = []
    inputs = {s.name: s.index for s in slots if s.kind == "input"}
    for decl in ruleset.properties:
        if decl.subjects != kind:
            continue
        if decl.always is not None:
            formula = _other_names(decl.always, diagnostics) if decl.pairwise else decl.always
            condition, refs = lowerer.lower_formula(formula, pair_scope if decl.pairwise else scope)
            require_condition(condition, diagnostics)
            reads = tuple(sorted({slot for slot, _ in refs}))
            found.append(
                ir.Property(decl.id.name, decl.name, condition, reads, None, None, True,
                            decl.span, decl.pairwise)
            )  # fmt: skip
            continue
        target, source = decl.monotone_of, decl.monotone_input
        if target is None or source is None:
            continue
        binding = names.get(target.name)
        scores = [
            name
            for name, b in names.items()
            if isinstance(b, SlotBinding) and slots[b.slot].kind in ("score", "base", "total")
        ]
        if not isinstance(binding, SlotBinding) or slots[binding.slot].kind not in (
            "score",
            "base",
            "total",
        ):
            what = ("E0419.monotone", {"name": target.name})
            diagnostics.append(
                Diagnostic("E0419", {"what": what, "allowed": ("E0419.monotone_keys", {})},
                           target.span,
                           help=suggest(target.name, scores, ("E0419.monotone_help", {})))
            )  # fmt: skip
            continue
        subjects: tuple[str, dict[str, object]] = (f"subjects.{kind}", {})
        if source.name not in inputs or slots[inputs[source.name]].type != NUMBER:
            numeric = [n for n, slot in inputs.items() if slots[slot].type == NUMBER]
            help_ = (
                suggest(source.name, numeric, ("E0435.help", {"subjects": subjects}))
                if source.name not in inputs
                else ("E0435.type", {"name": source.name,
                                     "type": slots[inputs[source.name]].type.describe()})
            )  # fmt: skip
            diagnostics.append(
                Diagnostic("E0435", {"name": source.name, "subjects": subjects}, source.span,
                           help=help_)
            )  # fmt: skip
            continue
        found.append(
            ir.Property(decl.id.name, decl.name, None, (), binding.slot, inputs[source.name],
                        decl.increasing, decl.span)
        )  # fmt: skip
    return tuple(found)


def _other_names(expr: ast.Expr, diagnostics: list[Diagnostic]) -> ast.Expr:
    """``other(total)`` as the name ``other(total)``, bound to the second
    subject's value; anything but one name inside ``other()`` is an error."""

    def rewrite(node: object) -> object:
        if isinstance(node, ast.Call) and node.func == "other":
            if len(node.args) == 1 and isinstance(node.args[0], ast.Name):
                return ast.Name(f"other({node.args[0].name})", node.span)
            diagnostics.append(Diagnostic("E0437", {}, node.span, help=("E0437.help", {})))
            return ast.Bool(True, node.span)
        if isinstance(node, tuple):
            return tuple(rewrite(item) for item in node)
        if dataclasses.is_dataclass(node) and not isinstance(node, type | Span):
            changes = {f.name: rewrite(getattr(node, f.name)) for f in dataclasses.fields(node)}
            return dataclasses.replace(node, **changes)
        return node

    rewritten = rewrite(expr)
    return rewritten  # type: ignore[return-value]
