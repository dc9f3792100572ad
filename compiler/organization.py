"""Checking the organization file: groups, sections, people, heads, liaisons.

Every reference is resolved (a section's group, head and liaison, a person's
section) with "did you mean" for a misspelt id, and every id is unique across
sections and people, so a data row naming a subject is never ambiguous.
Posts (岗位), when declared, are checked the same way: a person's ``post``
must name one, and people's indicators may name posts in ``applies_to``, so
people in different posts are assessed on different duties.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from compiler import ir
from dsl import ast
from dsl.collector import collector_paused
from dsl.diagnostics import Diagnostic, Label, suggest

# The last organization built without a problem and what it was built from.
# A dry-run compiles the baseline and the candidate from one folder, and a
# roster read from tables hands both the same declarations
# (``dsl.rostertables``): checking and building a national organization
# twice cost a second per 100,000 people.  Sections and people are compared
# by identity (a table's declarations are shared, never equal copies, and
# comparing 100,000 declarations would cost what building them does), groups
# and posts, written inline and few, by equality.
_LAST_BUILT: tuple[ast.OrganizationDecl, ir.Organization] | None = None


def build_organization(
    decl: ast.OrganizationDecl, diagnostics: list[Diagnostic]
) -> ir.Organization:
    """The organization ``decl`` declares, every reference in it checked."""
    global _LAST_BUILT
    last = _LAST_BUILT
    if last is not None and _same(last[0], decl):
        return last[1]
    before = len(diagnostics)
    with collector_paused():  # a section and a person per row: no cycles
        built = _build(decl, diagnostics)
    if len(diagnostics) == before:
        _LAST_BUILT = (decl, built)
    return built


def _same(built: ast.OrganizationDecl, decl: ast.OrganizationDecl) -> bool:
    return (
        built.sections is decl.sections
        and built.people is decl.people
        and built.groups == decl.groups
        and built.posts == decl.posts
    )


def _build(decl: ast.OrganizationDecl, diagnostics: list[Diagnostic]) -> ir.Organization:
    _check_ids(decl, diagnostics)
    groups = {g.id.name for g in decl.groups}
    sections = {s.id.name for s in decl.sections}
    people = {p.id.name: p for p in decl.people}

    nearby: dict[str, _Nearby] = {}

    def unknown(ident: ast.Ident, kind: str, known: set[str] | dict[str, ast.PersonDecl]) -> None:
        near = nearby.setdefault(kind, _Nearby(known))
        diagnostics.append(
            Diagnostic(
                "E0412",
                {"kind": (f"kind.{kind}", {}), "name": ident.name},
                ident.span,
                help=suggest(ident.name, near.candidates(ident.name)),
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
    # Most people are in a known section: the rest found at once, in order.
    for person in [p for p in decl.people if p.section.name not in sections]:
        unknown(person.section, "section", sections)
    _check_posts(decl, diagnostics)
    return ir.Organization(
        groups=tuple((g.id.name, g.name) for g in decl.groups),
        sections=tuple([_section(s) for s in decl.sections]),
        people=tuple(
            [
                ir.Person(
                    p.id.name, p.name, p.section.name, p.post.name if p.post else None, p.id.span
                )
                for p in decl.people
            ]
        ),
        posts=tuple(
            ir.Post(p.id.name, p.name or p.id.name, p.duties, p.id.span) for p in decl.posts
        ),
    )


def _check_ids(decl: ast.OrganizationDecl, diagnostics: list[Diagnostic]) -> None:
    """Every id unique across groups, sections, people and posts (E0206 at
    each repetition, labelled with the first)."""
    idents = [
        *(g.id for g in decl.groups),
        *(s.id for s in decl.sections),
        *(p.id for p in decl.people),
        *(p.id for p in decl.posts),
    ]
    if len({ident.name for ident in idents}) == len(idents):
        return  # none repeated: nothing to report
    seen: dict[str, ast.Ident] = {}
    for ident in idents:
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


def _section(s: ast.SectionDecl) -> ir.Section:
    tags = tuple([t.name for t in s.tags]) if s.tags else ()
    head, liaison = s.head, s.liaison
    return ir.Section(
        s.id.name,
        s.name,
        s.group.name,
        tags,
        head.name if head is not None else None,
        liaison.name if liaison is not None else None,
        s.id.span,
    )


class _Nearby:
    """The names a misspelt one is compared with for "did you mean".

    A roster read from a table may hold 200,000 people: comparing a misspelt
    id with every one of them, for every bad row, would make checking a bad
    roster quadratic.  Beyond ``_ALL`` names only those sharing the misspelt
    name's beginning (all but its last two characters, found by bisection in
    the names sorted once) are compared, at most ``_AROUND`` of them."""

    _ALL = 2_000
    _AROUND = 200

    def __init__(self, known: Iterable[str]) -> None:
        self.names = sorted(known)

    def candidates(self, name: str) -> list[str]:
        if len(self.names) <= self._ALL:
            return self.names
        prefix = name[: max(1, len(name) - 2)]
        start = bisect.bisect_left(self.names, prefix)
        found = []
        for candidate in self.names[start : start + self._AROUND]:
            if not candidate.startswith(prefix):
                break
            found.append(candidate)
        return found


def _check_posts(decl: ast.OrganizationDecl, diagnostics: list[Diagnostic]) -> None:
    """With posts declared, every person's post names one (E0455), and no post
    is spelt like a section tag, which ``applies_to`` could not tell apart (E0457)."""
    if not decl.posts:
        return
    posts = sorted(p.id.name for p in decl.posts)
    for person in decl.people:
        post = person.post
        if post is not None and post.name not in posts:
            diagnostics.append(
                Diagnostic(
                    "E0455",
                    {"person": person.id.name, "name": post.name},
                    post.span,
                    help=suggest(post.name, posts, ("E0455.help", {})),
                )
            )
    tags = {t.name for s in decl.sections for t in s.tags}
    for post_decl in decl.posts:
        if post_decl.id.name in tags:
            diagnostics.append(Diagnostic("E0457", {"name": post_decl.id.name}, post_decl.id.span))


def check_applies_to(
    indicator: ast.IndicatorDecl,
    organization: ir.Organization | None,
    diagnostics: list[Diagnostic],
    kind: str = "section",
) -> tuple[str, ...] | None:
    """The section ids, tags and (people's indicators) posts an indicator
    applies to, each checked."""
    if indicator.applies_to is None:
        return None
    known = set()
    posts: set[str] = set()
    if organization is not None:
        known = {s.id for s in organization.sections} | {
            t for s in organization.sections for t in s.tags
        }
        posts = {p.id for p in organization.posts}
        if kind == "person":
            known |= posts
    for target in indicator.applies_to:
        if target.name in posts and kind != "person":
            diagnostics.append(
                Diagnostic("E0456", {"name": target.name}, target.span, help=("E0456.help", {}))
            )
        elif target.name not in known:
            # People's indicators may also name posts: the message says so.
            code = "E0458" if kind == "person" and posts else "E0414"
            diagnostics.append(
                Diagnostic(
                    code,
                    {"name": target.name},
                    target.span,
                    help=suggest(target.name, sorted(known), (f"{code}.help", {})),
                )
            )
    return tuple(t.name for t in indicator.applies_to)
