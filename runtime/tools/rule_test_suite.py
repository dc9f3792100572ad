"""Loading a rule set's tests for running: the one entry point that
``jixiao test`` and the pytest plugin share.

Every problem of every test file (YAML, schema, unknown names, bad values)
is found before any case runs, and reported together as a ``UserError``;
only a suite without problems runs.  The evaluation itself is
``runtime.tools.rule_tests``.
"""

from __future__ import annotations

from compiler.pipeline import Compilation
from compiler.ruletests import CheckedCase, check_tests
from dsl.diagnostics import Diagnostic, UserError
from dsl.ruleset import RuleSource
from dsl.ruletests import load_tests
from runtime.tools.rule_tests import CaseOutcome, TestRun, run_tests


def load_cases(
    source: RuleSource, compilation: Compilation, only: list[str] | None = None, where: str = ""
) -> list[CheckedCase]:
    """The checked cases of the rule set's tests/ folder (or of the files
    ``only`` names, paths in the rule set); ``where`` names the rules in E1011
    when there are no test files at all."""
    assert "section" in compilation.programs
    loaded = load_tests(source, only)
    if not loaded.files and not loaded.diagnostics:
        raise UserError(
            [Diagnostic("E1011", {"path": where}, None, location=where, help=("E1011.help", {}))]
        )
    cases, problems = check_tests(
        loaded.cases, compilation.programs["section"], compilation.programs.get("person")
    )
    if loaded.diagnostics or problems:
        raise UserError([*loaded.diagnostics, *problems])
    return cases


def load_and_run(
    source: RuleSource, compilation: Compilation, only: list[str] | None = None, where: str = ""
) -> TestRun:
    """Load, check and run the rule tests: what ``jixiao test`` reports."""
    return run_tests(compilation, load_cases(source, compilation, only, where))


def run_case(compilation: Compilation, case: CheckedCase) -> CaseOutcome:
    """One case on its own: a pytest item."""
    return run_tests(compilation, [case]).outcomes[0]
