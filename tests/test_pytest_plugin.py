"""The pytest plugin: a rule repository's own pytest runs its rule tests,
one item per case, failures shown with the located messages of jixiao test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO

# Blocks the plugin's entry point (present when jixiao is installed) so that
# loading it by module name does not register it twice.
PLUGIN = ("-p", "no:jixiao", "-p", "runtime.pytest_plugin", "--jixiao-lang", "en")


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in a subprocess: in-process runs (``runpytest``) restore
    ``sys.modules`` after each run, and the second one then failed to read
    the manifest; a subprocess is what a rule repository's pytest is anyway."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", str(REPO))
        return pytester.runpytest_subprocess(*PLUGIN, *args)


def _repository(pytester: pytest.Pytester) -> Path:
    """A rule repository: the bundled rules (with their tests) under rules/."""
    rules = pytester.path / "rules" / "yongzhou"
    shutil.copytree(REPO / "rules" / "yongzhou", rules)
    return rules


def test_the_bundled_rule_tests_run_as_pytest_items(pytester: pytest.Pytester) -> None:
    _repository(pytester)
    result = _run(pytester, "-v")
    result.assert_outcomes(passed=22)
    result.stdout.fnmatch_lines(
        ["*rules/yongzhou/tests/grades.yaml::名额线上并列的都不评优秀 PASSED*"]
    )


def test_a_failing_case_shows_the_located_message(pytester: pytest.Pytester) -> None:
    rules = _repository(pytester)
    grades = rules / "tests" / "grades.yaml"
    text = grades.read_text(encoding="utf-8")
    grades.write_text(text.replace("s05: {total: 96,", "s05: {total: 97,"), encoding="utf-8")
    result = _run(pytester)
    result.assert_outcomes(passed=21, failed=1)
    out = result.stdout.str()
    assert "error[T0001]: s05 total: expected 97, got 96.00" in out
    assert "rules/yongzhou/tests/grades.yaml:29:20" in out


def test_a_test_file_with_mistakes_fails_as_one_item(pytester: pytest.Pytester) -> None:
    rules = _repository(pytester)
    (rules / "tests" / "typo.yaml").write_text(
        "period: 2016Q2\ncases:\n  - name: typo\n    expect:\n      s04: {revnue: 20}\n",
        encoding="utf-8",
    )
    result = _run(pytester)
    result.assert_outcomes(passed=22, failed=1)
    out = result.stdout.str()
    assert "error[E1005]: `revnue` cannot be expected" in out and "did you mean `revenue`?" in out


def test_yaml_files_elsewhere_are_left_alone(pytester: pytest.Pytester) -> None:
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "config.yaml").write_text("a: 1\n", encoding="utf-8")
    result = _run(pytester)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
