"""The compiler as one call: rule source -> AST -> IR -> generated Python.

Every stage is also reachable on its own (``jixiao compile --emit
ast|ir|py``); this module strings them together and stops after the first
stage that reported errors, with all of that stage's problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from compiler import ir
from compiler.codegen import GeneratedModule, generate
from compiler.program import build_program
from dsl import ast
from dsl.diagnostics import Diagnostic
from dsl.ruleset import RuleSource, load_ruleset


@dataclass
class Compilation:
    ruleset: ast.RuleSet | None = None
    program: ir.Program | None = None  # sections (组织绩效)
    module: GeneratedModule | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    people: ir.Program | None = None  # individuals (个人绩效), when the rules assess them
    people_module: GeneratedModule | None = None

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def check(
    source: RuleSource, as_of: date | None = None, every_context: bool = False
) -> Compilation:
    """Load and check a rule set (as in force on ``as_of``) up to the IR."""
    result = Compilation()
    loaded = load_ruleset(source)
    result.diagnostics.extend(loaded.diagnostics)
    result.ruleset = loaded.ruleset
    if loaded.ruleset is None:
        return result
    # Type-check even when loading reported problems: one run shows them all.
    program, problems = build_program(loaded.ruleset, "section", as_of, every_context)
    _merge(result.diagnostics, problems)
    people = None
    if loaded.ruleset.people is not None or any(
        i.subjects == "person" for i in loaded.ruleset.indicators
    ):
        people, person_problems = build_program(loaded.ruleset, "person", as_of, every_context)
        _merge(result.diagnostics, person_problems)
    else:
        result.diagnostics.extend(_person_parts_without_people(loaded.ruleset))
    if result.ok:
        result.program = program
        result.people = people
    return result


def _person_parts_without_people(ruleset: ast.RuleSet) -> list[Diagnostic]:
    """Items, properties and links for people in rules that assess no people
    (no person indicators, no ``people:``): nothing would ever apply them."""
    parts: list[tuple[str, ast.Ident]] = [
        *(("kind.item", i.id) for i in ruleset.items if i.subjects == "person"),
        *(("kind.property", p.id) for p in ruleset.properties if p.subjects == "person"),
        *(("kind.link", link.id) for link in ruleset.links if link.subjects == "person"),
    ]
    return [
        Diagnostic("E0438", {"kind": (kind, {}), "id": ident.name}, ident.span,
                   help=("E0438.help", {}))
        for kind, ident in parts
    ]  # fmt: skip


def _merge(into: list[Diagnostic], found: list[Diagnostic]) -> None:
    """Add diagnostics not already reported (both programs check shared parts)."""
    seen = {(d.code, d.span, repr(sorted(d.args.items()))) for d in into}
    for diagnostic in found:
        key = (diagnostic.code, diagnostic.span, repr(sorted(diagnostic.args.items())))
        if key not in seen:
            seen.add(key)
            into.append(diagnostic)


def compile_rules(
    source: RuleSource, as_of: date | None = None, every_context: bool = False
) -> Compilation:
    """Check, lower and generate Python for a rule set (as in force on ``as_of``).

    ``every_context``: give every indicator a context flag, so data absent for
    it can leave it unscored instead of failing (dry-runs on past periods).
    """
    result = check(source, as_of, every_context)
    if result.program is not None and result.ruleset is not None:
        manifest_file = result.ruleset.files[0].path
        result.module = generate(result.program, manifest_file)
        if result.people is not None:
            result.people_module = generate(result.people, manifest_file)
    return result
