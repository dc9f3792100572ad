"""A pytest plugin: the rule tests of a rule repository run in its own pytest.

Installed with jixiao (entry point ``pytest11``), it collects every YAML file
in a ``tests/`` folder next to a ``ruleset.yaml``, one pytest item per case,
and runs each case exactly as ``jixiao test`` does: both load, check and run
the tests through ``runtime.tools.rule_test_suite``.  A failing case is
reported with the located diagnostics ``jixiao test`` prints; a test file
with mistakes (unknown names, bad values) fails as one item listing them
all.  Coverage and ``--fail-under`` stay with ``jixiao test``, which sees all
the cases of a rule set at once.  ``--jixiao-lang zh|en`` chooses the language
of the messages (default: from the locale).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.pipeline import Compilation, compile_rules
from compiler.ruletests import CheckedCase
from dsl.diagnostics import Diagnostic, Lang, UserError, detect_lang, render_all
from dsl.ruleset import MANIFEST, DirectorySource
from dsl.ruletests import TESTS_FOLDER
from runtime.tools.rule_test_suite import load_cases, run_case

_COMPILED = pytest.StashKey[dict[Path, Compilation]]()  # per session: each rule set once


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--jixiao-lang",
        choices=("zh", "en"),
        default=None,
        help="language of jixiao rule-test messages (default: from the locale)",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    folder = file_path.parent
    if (
        file_path.suffix in (".yaml", ".yml")
        and folder.name == TESTS_FOLDER
        and (folder.parent / MANIFEST).is_file()
    ):
        return RuleTestFile.from_parent(parent, path=file_path)
    return None


class RuleTestError(Exception):
    """What went wrong in a rule test, already rendered for the report."""


def _lang(config: pytest.Config) -> Lang:
    chosen = config.getoption("--jixiao-lang")
    return chosen if chosen in ("zh", "en") else detect_lang()


class RuleTestFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        rules = self.path.parent.parent
        lang = _lang(self.config)
        compiled = self.config.stash.setdefault(_COMPILED, {})
        compilation = compiled.get(rules)
        if compilation is None:
            compilation = compiled[rules] = compile_rules(DirectorySource(str(rules)))
        if not compilation.ok or "section" not in compilation.programs:
            yield ProblemItem.from_parent(
                self, name="rules", problems=compilation.diagnostics, lang=lang
            )
            return
        source = DirectorySource(str(rules))
        try:
            cases = load_cases(source, compilation, [f"{TESTS_FOLDER}/{self.path.name}"])
        except UserError as error:
            yield ProblemItem.from_parent(
                self, name="test file", problems=list(error.diagnostics), lang=lang
            )
            return
        names = [case.name for case in cases]
        for case in cases:
            # Two cases of the same name stay two tests: the line tells them apart.
            name = case.name if names.count(case.name) == 1 else f"{case.name} (line {case.line})"
            yield RuleTestItem.from_parent(
                self, name=name, case=case, compilation=compilation, lang=lang
            )


class RuleTestItem(pytest.Item):
    def __init__(
        self, *, case: CheckedCase, compilation: Compilation, lang: Lang, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.compilation = compilation
        self.lang = lang

    def runtest(self) -> None:
        outcome = run_case(self.compilation, self.case)
        found = outcome.problems + outcome.failures
        if found:  # with the warnings, which may say why (history a link lacks)
            raise RuleTestError(render_all(found + outcome.warnings, self.lang))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, RuleTestError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.line - 1, f"rule test: {self.case.name}"


class ProblemItem(pytest.Item):
    """Stands for a rule set or test file that cannot run: fails with every problem."""

    def __init__(self, *, problems: list[Diagnostic], lang: Lang, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problems = problems
        self.lang = lang

    def runtest(self) -> None:
        raise RuleTestError(render_all(self.problems, self.lang))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return str(excinfo.value)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.name
