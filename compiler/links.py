"""Result links (结果运用): conditions over a subject's results and consequences.

A link's condition is a formula over the population results of a subject in
a period: ``total``, ``base``, ``rank``, ``count`` (subjects in its group),
``grade`` (text), ``vetoed`` and ``excellence_vetoed`` (yes/no) and ``lost``
(points lost on indicators).  It is checked and typed like any formula and
lowered to the same IR; the runtime evaluates it with the shared semantics.
"""

from __future__ import annotations

import dataclasses

from compiler import ir
from compiler.lower import Lowerer, Scope, SlotBinding, require_condition
from dsl import ast
from dsl.diagnostics import Diagnostic, Label, suggest
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
        start = len(diagnostics)
        condition, _ = lowerer.lower_formula(decl.when, scope)
        require_condition(condition, diagnostics)
        since = None
        if decl.since is not None:  # the same names as `when`, over an earlier year's results
            since, _ = lowerer.lower_formula(decl.since, scope)
            require_condition(since, diagnostics)
        _with_link_names(diagnostics, start)
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
        elif (
            decl.within is not None
            and decl.history_years is not None
            and decl.within < decl.history_years
        ):
            # "In N of the last W years" with W < N can never hold: the link would
            # be checked every year and never fire, which no author means.
            args = {"years": decl.history_years, "within": decl.within}
            diagnostics.append(
                Diagnostic("E0439", args, _within_key(decl), help=("E0439.help", args))
            )
        _check_roles(decl, kind, diagnostics)
        _check_overrides(decl, ruleset.links, diagnostics)
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
                decl.reads,  # type: ignore[arg-type]  # checked by the schema
                tuple(r.name for r in decl.roles),
                tuple(r.name for r in decl.excepted),
                tuple(o.name for o in decl.overrides),
                since,
            )
        )
    return tuple(links)


def _with_link_names(diagnostics: list[Diagnostic], start: int) -> None:
    """An unknown name in a link's condition: the help lists the names a link
    reads, instead of telling the author to declare an input, which a link
    could not read anyway."""
    names = ", ".join(name for name, _ in LINK_INPUTS)
    for index in range(start, len(diagnostics)):
        found = diagnostics[index]
        if found.code == "E0401" and found.help == ("E0401.help", {}):
            diagnostics[index] = dataclasses.replace(found, help=("E0401.link", {"names": names}))


def _check_roles(decl: ast.LinkDecl, kind: str, diagnostics: list[Diagnostic]) -> None:
    """``roles`` and ``except`` choose among the people who receive a link's
    consequences: one or the other, and only when people receive them."""
    if decl.roles and decl.excepted:
        diagnostics.append(Diagnostic("E0441", {"id": decl.id.name}, decl.excepted[0].span))
    if (decl.roles or decl.excepted) and kind == "section" and decl.to == "self":
        where = (decl.roles or decl.excepted)[0].span
        diagnostics.append(
            Diagnostic("E0442", {"id": decl.id.name}, where, help=("E0442.help", {}))
        )


def _check_overrides(
    decl: ast.LinkDecl, every: tuple[ast.LinkDecl, ...], diagnostics: list[Diagnostic]
) -> None:
    """Each link ``overrides`` names exists, is another link, shares an effect
    key with this one (else there is nothing to override), and no chain of
    overrides leads back to this link."""
    by_id = {d.id.name: d for d in every}
    keys = {key for key, _ in decl.effects}
    for other in decl.overrides:
        target = by_id.get(other.name)
        if target is None:
            diagnostics.append(
                Diagnostic("E0443", {"link": other.name}, other.span,
                           help=suggest(other.name, sorted(by_id), None))
            )  # fmt: skip
        elif target is decl:
            diagnostics.append(Diagnostic("E0444", {"link": other.name}, other.span))
        elif not keys & {key for key, _ in target.effects}:
            args = {"link": other.name, "keys": "、".join(sorted(keys))}
            diagnostics.append(Diagnostic("E0445", args, other.span))
        elif decl.id.name in overridden_by(other.name, every):
            diagnostics.append(
                Diagnostic("E0446", {"link": decl.id.name, "other": other.name}, other.span)
            )


def overridden_by(link: str, every: tuple[ast.LinkDecl, ...]) -> set[str]:
    """The links ``link`` overrides, directly or through others."""
    by_id = {d.id.name: d for d in every}
    found: set[str] = set()
    pending = [link]
    while pending:
        decl = by_id.get(pending.pop())
        for other in decl.overrides if decl is not None else ():
            if other.name not in found:
                found.add(other.name)
                pending.append(other.name)
    return found


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
