"""The compiler as one call: rule source -> AST -> IR -> generated Python.

``STAGES`` is the pipeline, in order; each stage takes the compilation as the
one before left it and adds its own part, and each is dumpable by its name
(``jixiao compile --emit ast|ir|py``: the CLI offers whatever stages are
listed here).  The run stops after the first stage that reported errors, with
all of that stage's problems.

The rules assess up to two kinds of subject, each with its own program:
sections (组织绩效) and, when the rules assess them, people (个人绩效).
``Compilation.programs`` and ``.modules`` hold them by kind, in evaluation
order (sections first: a person's total may read the section's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from compiler import ir
from compiler.codegen import GeneratedModule, generate
from compiler.dump import dump_ast, dump_ir
from compiler.passes.state import Kind
from compiler.program import build_program
from dsl import ast
from dsl.diagnostics import Diagnostic
from dsl.ruleset import RuleSource, load_ruleset

__all__ = ["KINDS", "STAGES", "Compilation", "Kind", "Stage", "check", "compile_rules", "emit"]

# The kinds of subject, in evaluation order.
KINDS: tuple[Kind, ...] = ("section", "person")


@dataclass
class Compilation:
    ruleset: ast.RuleSet | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # One program per kind the rules assess, in the order of KINDS; empty when
    # checking found an error.
    programs: dict[Kind, ir.Program] = field(default_factory=dict)
    # The generated Python of each program, once generated.
    modules: dict[Kind, GeneratedModule] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


@dataclass(frozen=True)
class _Request:
    source: RuleSource
    as_of: date | None
    every_context: bool


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline: what it adds, and its readable dump."""

    name: str  # the ``--emit`` name
    run: Callable[[Compilation, _Request], bool]  # False: nothing for the next stage
    dump: Callable[[Compilation], str]


def _load(result: Compilation, request: _Request) -> bool:
    """Rule files -> syntax tree (``ruleset``)."""
    loaded = load_ruleset(request.source)
    result.diagnostics.extend(loaded.diagnostics)
    result.ruleset = loaded.ruleset
    # Type-check even when loading reported problems: one run shows them all.
    return loaded.ruleset is not None


def _lower(result: Compilation, request: _Request) -> bool:
    """Syntax tree -> one checked IR program per kind (``programs``)."""
    ruleset = result.ruleset
    assert ruleset is not None
    outside = _as_of_outside(ruleset, request.as_of)
    if outside is not None:
        result.diagnostics.append(outside)
        return False
    built: dict[Kind, ir.Program | None] = {}
    for kind in KINDS:
        if kind == "person" and not _assesses_people(ruleset):
            result.diagnostics.extend(_person_parts_without_people(ruleset))
            continue
        program, problems = build_program(ruleset, kind, request.as_of, request.every_context)
        _merge(result.diagnostics, problems)
        built[kind] = program
    if result.ok:
        result.programs = {kind: p for kind, p in built.items() if p is not None}
    return bool(result.programs)


def _as_of_outside(ruleset: ast.RuleSet, as_of: date | None) -> Diagnostic | None:
    """``PATH#DAY`` on a day of a year the rules do not cover (E0536): no
    rules are in force then, and the rules of another year are not guessed."""
    manifest = ruleset.manifest
    if as_of is None or not manifest.year:
        return None
    first, last = manifest.years or (manifest.year, manifest.year)
    if first <= as_of.year <= last:
        return None
    years = str(first) if first == last else f"{first}..{last}"
    return Diagnostic("E0536", {"day": as_of.isoformat(), "years": years}, manifest.span)


def _generate(result: Compilation, request: _Request) -> bool:
    """IR -> generated Python per kind (``modules``)."""
    assert result.ruleset is not None
    manifest_file = result.ruleset.files[0].path
    result.modules = {kind: generate(p, manifest_file) for kind, p in result.programs.items()}
    return True


def _dump_ast(result: Compilation) -> str:
    assert result.ruleset is not None
    return dump_ast(result.ruleset)


STAGES: tuple[Stage, ...] = (
    Stage("ast", _load, _dump_ast),
    Stage("ir", _lower, lambda result: dump_ir(result.programs["section"])),
    Stage("py", _generate, lambda result: result.modules["section"].source),
)


def emit(result: Compilation, stage: str) -> str:
    """The dump of one stage (by name) of a compilation that reached it."""
    return next(s for s in STAGES if s.name == stage).dump(result)


def _run(request: _Request, last: str) -> Compilation:
    result = Compilation()
    for stage in STAGES:
        if not stage.run(result, request) or stage.name == last:
            break
    return result


def _assesses_people(ruleset: ast.RuleSet) -> bool:
    return ruleset.people is not None or any(i.subjects == "person" for i in ruleset.indicators)


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


def check(
    source: RuleSource, as_of: date | None = None, every_context: bool = False
) -> Compilation:
    """Load and check a rule set (as in force on ``as_of``) up to the IR."""
    return _run(_Request(source, as_of, every_context), "ir")


def compile_rules(
    source: RuleSource, as_of: date | None = None, every_context: bool = False
) -> Compilation:
    """Check, lower and generate Python for a rule set (as in force on ``as_of``).

    ``every_context``: give every indicator a context flag, so data absent for
    it can leave it unscored instead of failing (dry-runs on past periods).
    """
    return _run(_Request(source, as_of, every_context), STAGES[-1].name)
