"""The second bundled real scheme, rules/staff_annual, end to end.

事业单位工作人员年度考核: annual grades of a public institution's staff, capped,
forced or left ungraded by disciplinary sanctions (监察部令第18号; 人社部发〔2023〕58号
from 2023-11-06), some of them into the next year.  Checked here: the rules are
clean, their own rule tests pass at full coverage, the example data evaluates
without warnings for every year and gives the sanctions' effects (including those
carried from the bundled published results of the year before), the generator
reproduces the bundled files, and the 2023 table is a golden file.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import run
from tests.golden import assert_golden

RULES = "rules/staff_annual"
DATA = "examples/staff_annual"
GOLDEN = Path("tests/cases/staff_annual")


def _evaluate(year: int) -> dict[str, Any]:
    code, out, err = run(
        "evaluate", RULES, "--data", DATA, "--period", str(year), "--format", "json"
    )
    assert code == 0 and err == "", err
    document = json.loads(out)
    assert isinstance(document, dict)
    return {s["id"]: s for s in document["subjects"] if s["kind"] == "person"}


def test_check_is_clean() -> None:
    code, out, err = run("--lang", "en", "check", RULES)
    assert code == 0 and err == "", err
    assert "1 indicator" in out


def test_verify_finds_no_contradiction() -> None:
    """The precedence is declared, so no two sanctions contradict (no V0115)."""
    code, out, err = run("--lang", "en", "verify", RULES)
    assert code == 0 and "V0115" not in out + err, out + err


def test_rule_tests_pass_at_full_coverage() -> None:
    code, out, err = run("--lang", "en", "test", RULES, "--fail-under", "100")
    assert code == 0, out + err
    assert "0 failed" in out and "100.0%" in out


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024])
def test_every_example_year_evaluates_without_warnings(year: int) -> None:
    people = _evaluate(year)
    assert 30 <= len(people) <= 32
    excellent = [p for p in people.values() if p["grade"] == "优秀"]
    assert len(excellent) <= len(people) * 20 // 100  # the 20% quota, rounded down


def test_the_sanctions_of_the_example() -> None:
    y2022, y2023, y2024 = _evaluate(2022), _evaluate(2023), _evaluate(2024)
    # 记过 under the 2012 rules: capped at 基本合格 in the decision year only.
    assert y2022["p302"]["grade"] == "基本合格" and y2022["p302"]["decided_by"] == "demerit_2012"
    assert not y2023["p302"].get("sanctions")
    # 降低岗位等级 (2022-03-01, 24 months): 不合格 in 2022 and, from the published 2022, in 2023.
    assert y2022["p407"]["grade"] == y2023["p407"]["grade"] == "不合格"
    assert y2023["p407"]["total"] is not None  # forced, still scored and ranked
    assert not y2024["p407"].get("sanctions")
    # 警告 and 记过 in one year: the harshest (记过) decides.
    assert y2023["p206"]["grade"] == "基本合格" and y2023["p206"]["decided_by"] == "demerit_2012"
    # Under the 2023 regulation: 记过 leaves the year ungraded; 降低岗位等级 this year and next.
    assert y2023["p104"]["grade"] == "不定等次"
    assert y2023["p402"]["grade"] == y2024["p402"]["grade"] == "不定等次"
    # A refusal to take part (a data column) forces 不合格; 开除 is not scored, then gone.
    assert y2023["p307"]["grade"] == "不合格" and y2023["p307"]["decided_by"] == "refused"
    assert y2022["p504"]["scoring"] == "not_scored" and "p504" not in y2023


def test_the_bundled_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("staff_generate", f"{DATA}/generate.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.write_all(tmp_path)
    for name in [
        "people.csv",
        "events.csv",
        "published/2021.json",
        "published/2022.json",
        "published/2023.json",
    ]:
        assert (tmp_path / name).read_bytes() == (Path(DATA) / name).read_bytes(), name


def test_the_2023_table_is_golden() -> None:
    code, out, err = run("--lang", "zh", "evaluate", RULES, "--data", DATA, "--period", "2023")
    assert code == 0 and err == ""
    assert_golden(GOLDEN / "evaluate_2023.zh.txt", out)
