"""The compiler's passes and stages are lists the rest of the code reads."""

from __future__ import annotations

from compiler.passes.state import State
from compiler.pipeline import KINDS, STAGES, check
from compiler.program import PASSES, build_program, run_passes
from dsl.ruleset import DirectorySource
from runtime.cli import _parser


def test_every_pass_says_what_it_reads_and_adds() -> None:
    assert len(set(PASSES)) == len(PASSES)
    for step in PASSES:
        assert step.__doc__, f"{step.__name__} has no docstring"


def test_the_cli_offers_every_stage() -> None:
    parser = _parser()
    for stage in STAGES:
        args = parser.parse_args(["compile", "rules/yongzhou", "--emit", stage.name])
        assert args.emit == stage.name
    assert parser.parse_args(["compile", "rules/yongzhou"]).emit == STAGES[-1].name


def test_programs_are_keyed_by_kind_in_evaluation_order() -> None:
    result = check(DirectorySource("rules/yongzhou"))
    assert result.ok, result.diagnostics
    assert list(result.programs) == list(KINDS)
    assert all(program.kind == kind for kind, program in result.programs.items())


def test_running_the_passes_is_building_the_program() -> None:
    ruleset = check(DirectorySource("rules/yongzhou")).ruleset
    assert ruleset is not None
    state = run_passes(State(ruleset, "person"))
    program, diagnostics = build_program(ruleset, "person")
    assert state.program == program and state.diagnostics == diagnostics == []
