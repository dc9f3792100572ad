"""Golden tests per stage: diagnostics of broken rule sets (Chinese and
English), and the AST, IR and generated Python of correct ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.dump import dump_ast, dump_ir
from compiler.pipeline import check, compile_rules
from dsl.diagnostics import Lang, render_all
from dsl.ruleset import DirectorySource
from tests.golden import assert_golden

CASES = Path("tests/cases")
FAILURES = sorted(p.name for p in (Path(__file__).parent / "cases" / "failure").iterdir())
SUCCESSES = ["tests/cases/success/features", "rules/yongzhou"]


@pytest.mark.parametrize("case", FAILURES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_failure_diagnostics(case: str, lang: Lang) -> None:
    folder = CASES / "failure" / case
    result = check(DirectorySource(str(folder)))
    assert not result.ok, "a failure case must fail"
    assert "section" not in result.programs
    assert_golden(folder / f"expected.{lang}.txt", render_all(result.diagnostics, lang) + "\n")


@pytest.mark.parametrize("case", FAILURES)
def test_failure_concise_and_json(case: str) -> None:
    folder = CASES / "failure" / case
    result = check(DirectorySource(str(folder)))
    text = render_all(result.diagnostics, "en", "concise") + "\n---\n"
    text += render_all(result.diagnostics, "zh", "json") + "\n"
    assert_golden(folder / "expected.other.txt", text)


@pytest.mark.parametrize("rules", SUCCESSES)
def test_success_stages(rules: str) -> None:
    result = compile_rules(DirectorySource(rules))
    assert result.ok, render_all(result.diagnostics, "en")
    assert result.ruleset and "section" in result.programs and "section" in result.modules
    golden = CASES / "success" / Path(rules).name
    assert_golden(golden / "ast.txt", dump_ast(result.ruleset))
    assert_golden(golden / "ir.txt", dump_ir(result.programs["section"]))
    assert_golden(golden / "generated.py.txt", result.modules["section"].source)


@pytest.mark.parametrize("rules", SUCCESSES)
def test_generated_code_is_identical_run_to_run(rules: str) -> None:
    first = compile_rules(DirectorySource(rules))
    second = compile_rules(DirectorySource(rules))
    assert "section" in first.modules and "section" in second.modules
    assert first.modules["section"].source == second.modules["section"].source
    assert "section" in first.programs and "section" in second.programs
    assert dump_ir(first.programs["section"]) == dump_ir(second.programs["section"])
