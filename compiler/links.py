"""Result links (结果运用): conditions over a subject's results and consequences.

A link's condition is a formula over the population results of a subject in
a period: ``total``, ``base``, ``rank``, ``count`` (subjects in its group),
``grade`` (text), ``vetoed`` and ``excellence_vetoed`` (yes/no) and ``lost``
(points lost on indicators).  It is checked and typed like any formula and
lowered to the same IR; the runtime evaluates it with the shared semantics.
"""

from __future__ import annotations

from compiler import ir
from compiler.lower import Lowerer, Scope, SlotBinding, require_condition
from dsl import ast
from dsl.diagnostics import Diagnostic, Label
from dsl.spans import Span
from dsl.yamlsource import YMap, YNode, YSeq, load_yaml
from semantics.types import BOOL, NUMBER, TEXT, Type

# The names a link condition can read, in the order of the values vector.
LINK_INPUTS: tuple[tuple[str, Type], ...] = (
    ("total", NUMBER),
    ("base", NUMBER),
    ("rank", NUMBER),
    ("count", NUMBER),
    ("grade", TEXT),
    ("vetoed", BOOL),
    ("excellence_vetoed", BOOL),
    ("lost", NUMBER),
)


def build_links(
    ruleset: ast.RuleSet, kind: str, diagnostics: list[Diagnostic]
) -> tuple[ir.Link, ...]:
    scope = Scope(
        {name: SlotBinding(index, type_) for index, (name, type_) in enumerate(LINK_INPUTS)}
    )
    lowerer = Lowerer(diagnostics, rounding=ruleset.manifest.rounding)
    links: list[ir.Link] = []
    seen: dict[str, ast.Ident] = {}
    for decl in ruleset.links:
        if decl.subjects != kind:
            continue
        if decl.id.name in seen:
            diagnostics.append(
                Diagnostic(
                    "E0206",
                    {"kind": ("kind.link", {}), "name": decl.id.name},
                    decl.id.span,
                    labels=(Label(seen[decl.id.name].span, "E0206.first"),),
                )
            )
            continue
        seen[decl.id.name] = decl.id
        if decl.when is None:
            continue
        condition, _ = lowerer.lower_formula(decl.when, scope)
        require_condition(condition, diagnostics)
        if decl.to in ("head", "liaison", "members") and kind != "section":
            diagnostics.append(Diagnostic("E0432", {"to": decl.to}, decl.id.span))
        if decl.within is not None and decl.consecutive:
            # An error, not a warning: the link would be applied with a consecutive
            # history while `within` says the author meant a cumulative one, and
            # its consequences (talks, reorganization) are not to be guessed.
            args = {"years": decl.history_years, "within": decl.within}
            diagnostics.append(
                Diagnostic("E0436", args, _within_key(decl), help=("E0436.help", args))
            )
        links.append(
            ir.Link(
                decl.id.name,
                decl.name,
                condition,
                decl.history_years,
                decl.consecutive,
                decl.to,  # type: ignore[arg-type]  # checked by the schema
                decl.effects,
                decl.id.span,
                decl.within,
            )
        )
    return tuple(links)


def _within_key(decl: ast.LinkDecl) -> Span:
    """The ``within`` key of a link's ``history``, found again in the link's file
    (the syntax tree keeps the span of the whole link only); else the link."""
    root, _ = load_yaml(decl.span.file)
    pending: list[YNode | None] = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, YSeq):
            pending.extend(node.items)
        elif isinstance(node, YMap):
            if (node.span.start, node.span.end) != (decl.span.start, decl.span.end):
                pending.extend(value for _, value in node.items)
                continue
            history = node.get("history")
            within = history[1].get("within") if history and isinstance(history[1], YMap) else None
            return within[0].span if within is not None else decl.span
    return decl.span
