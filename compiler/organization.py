"""Checking the organization file: groups, sections, people, heads, liaisons.

Every reference is resolved (a section's group, head and liaison, a person's
section) with "did you mean" for a misspelt id, and every id is unique across
sections and people, so a data row naming a subject is never ambiguous.
"""

from __future__ import annotations

from compiler import ir
from dsl import ast
from dsl.diagnostics import Diagnostic, Label, suggest


def build_organization(
    decl: ast.OrganizationDecl, diagnostics: list[Diagnostic]
) -> ir.Organization:
    seen: dict[str, ast.Ident] = {}
    for ident in (
        [g.id for g in decl.groups] + [s.id for s in decl.sections] + [p.id for p in decl.people]
    ):
        if ident.name in seen:
            diagnostics.append(
                Diagnostic(
                    "E0206",
                    {"kind": ("kind.id", {}), "name": ident.name},
                    ident.span,
                    labels=(Label(seen[ident.name].span, "E0206.first"),),
                )
            )
        else:
            seen[ident.name] = ident
    groups = {g.id.name for g in decl.groups}
    sections = {s.id.name for s in decl.sections}
    people = {p.id.name: p for p in decl.people}

    def unknown(ident: ast.Ident, kind: str, known: set[str] | dict[str, ast.PersonDecl]) -> None:
        diagnostics.append(
            Diagnostic(
                "E0412",
                {"kind": (f"kind.{kind}", {}), "name": ident.name},
                ident.span,
                help=suggest(ident.name, sorted(known)),
            )
        )

    for section in decl.sections:
        if section.group.name not in groups:
            unknown(section.group, "group", groups)
        for role in (section.head, section.liaison):
            if role is None:
                continue
            person = people.get(role.name)
            if person is None:
                unknown(role, "person", people)
            elif person.section.name != section.id.name:
                diagnostics.append(
                    Diagnostic(
                        "E0413",
                        {"person": role.name, "section": section.id.name},
                        role.span,
                        labels=(Label(person.section.span, "E0413.label"),),
                    )
                )
    for person in decl.people:
        if person.section.name not in sections:
            unknown(person.section, "section", sections)
    return ir.Organization(
        groups=tuple((g.id.name, g.name) for g in decl.groups),
        sections=tuple(
            ir.Section(
                s.id.name,
                s.name,
                s.group.name,
                tuple(t.name for t in s.tags),
                s.head.name if s.head else None,
                s.liaison.name if s.liaison else None,
                s.id.span,
            )
            for s in decl.sections
        ),
        people=tuple(
            ir.Person(p.id.name, p.name, p.section.name, p.post, p.id.span) for p in decl.people
        ),
    )


def check_applies_to(
    indicator: ast.IndicatorDecl,
    organization: ir.Organization | None,
    diagnostics: list[Diagnostic],
) -> tuple[str, ...] | None:
    """The section ids and tags an indicator applies to, each checked."""
    if indicator.applies_to is None:
        return None
    known = set()
    if organization is not None:
        known = {s.id for s in organization.sections} | {
            t for s in organization.sections for t in s.tags
        }
    for target in indicator.applies_to:
        if target.name not in known:
            diagnostics.append(
                Diagnostic(
                    "E0414",
                    {"name": target.name},
                    target.span,
                    help=suggest(target.name, sorted(known), ("E0414.help", {})),
                )
            )
    return tuple(t.name for t in indicator.applies_to)
