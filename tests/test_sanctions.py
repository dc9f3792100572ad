"""Sanctions (issue #11 item 2): veto items raised by data, forced and capped
grades, the declared ungraded value, "not scored" and "ranked last", effects
lasting into later periods and years, precedence and contradictions."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import openpyxl
from hypothesis import given, settings

from compiler import ir
from compiler.pipeline import compile_rules
from dsl.ruleset import DirectorySource
from runtime.engine.results import Sanctioned
from runtime.engine.sanctions import rule
from tests.clirun import run
from tests.golden import assert_golden
from tests.strategies import RuleSetCase, rule_sets
from tests.test_properties import SETTINGS, check_agreement

RULES = "tests/cases/sanctions/rules"
DATA = "tests/cases/sanctions/data"
CONFLICTS = "tests/cases/sanctions/conflicts"
GOLDEN = Path("tests/cases/sanctions")


def _program(rules: str = RULES) -> ir.Program:
    compilation = compile_rules(DirectorySource(rules))
    program = compilation.programs["section"]
    assert program is not None
    return program


def test_rule_tests_pass_with_full_coverage() -> None:
    code, out, err = run("test", RULES, "--lang", "en", "--fail-under", "100")
    assert code == 0, out + err
    assert "7 case(s): 7 passed" in out
    code, out, err = run("test", CONFLICTS, "--lang", "en")
    assert code == 0, out + err


def test_a_wrong_expectation_fails() -> None:
    """The sanction keys of rule tests can fail: a wrong deciding item is T0001."""
    folder = Path("tests/cases/sanctions/rules/tests/sanctions.yaml")
    text = folder.read_text(encoding="utf-8")
    wrong = text.replace("sanction: warned}", "sanction: unreachable}", 1)
    assert wrong != text
    target = Path("/tmp") / f"sanction_rules_{id(text)}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(RULES, target)
    (target / "tests" / "sanctions.yaml").write_text(wrong, encoding="utf-8")
    try:
        code, out, _ = run("test", str(target), "--lang", "en")
    finally:
        shutil.rmtree(target, ignore_errors=True)
    assert code == 1
    assert "T0001" in out or "expected unreachable" in out


def test_evaluate_shows_the_sanction_and_leaves_a_not_scored_total_blank() -> None:
    code, out, err = run("evaluate", RULES, "--data", DATA, "--lang", "en")
    assert code == 0, err
    assert_golden(GOLDEN / "evaluate.en.txt", out)
    code, out, err = run("evaluate", RULES, "--data", DATA, "--format", "csv", "--lang", "zh")
    assert code == 0, err
    assert_golden(GOLDEN / "evaluate.zh.csv", out)
    row = next(line for line in out.splitlines() if ",s1," in line)
    assert ",不称职,," in row and "定为不称职，不计分" in row  # no rank, no total


def test_json_lists_sanctions_with_their_outcome_and_duration() -> None:
    code, out, _ = run("evaluate", RULES, "--data", DATA, "--format", "json")
    assert code == 0
    subjects = {s["id"]: s for s in json.loads(out)["subjects"]}
    s1 = subjects["s1"]
    assert s1["scoring"] == "not_scored" and s1["decided_by"] == "unreachable"
    assert s1["decision"] == "forced" and s1["rank"] == 4  # after the three ranked
    assert s1["sanctions"][0]["grade"] == "不称职"
    assert subjects["s4"]["decision"] == "capped" and subjects["s4"]["grade"] == "称职"
    assert "sanctions" not in subjects["s2"]


def test_explain_says_which_item_decided() -> None:
    code, out, _ = run("explain", RULES, "--data", DATA, "--subject", "s4", "--lang", "en")
    assert code == 0
    assert "grade capped at 称职 by item warned (受到诫勉, " in out
    assert "tests/cases/sanctions/rules/ruleset.yaml:27)" in out


def test_an_ungraded_year_carries_into_the_next_from_published_results(tmp_path: Path) -> None:
    """A sanction lasting two years, published with 2016's results (here a
    data folder's published/2016.json, as the store's history would give),
    holds in 2017: the 2017 evaluation reads it, grades 不定等次 and says
    which item decided."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "published").mkdir()
    earlier = {
        "scheme": "处分示例",
        "period": "2016",
        "subjects": [
            {
                "id": "s2",
                "kind": "section",
                "total": "80",
                "rank": 2,
                "grade": "不定等次",
                "sanctions": [
                    {
                        "item": "disciplined",
                        "name": "受到党纪处分",
                        "grade": "不定等次",
                        "until": "2017-12-31",
                        "period": "2016Q3",
                    }
                ],
            },
            {
                "id": "s3",
                "kind": "section",
                "total": "80",
                "rank": 2,
                "grade": "不定等次",
                "sanctions": [
                    {
                        "item": "disciplined",
                        "name": "受到党纪处分",
                        "grade": "不定等次",
                        "until": "2016-12-31",
                        "period": "2016Q3",
                    }
                ],
            },
        ],
    }
    (data / "published" / "2016.json").write_text(json.dumps(earlier), encoding="utf-8")
    code, out, err = run("evaluate", RULES, "--data", str(data), "--format", "json")
    assert code == 0, err
    subjects = {s["id"]: s for s in json.loads(out)["subjects"]}
    assert subjects["s2"]["grade"] == "不定等次"
    assert subjects["s2"]["decided_by"] == "disciplined"
    assert subjects["s2"]["sanctions"][0]["period"] == "2016Q3"
    assert subjects["s3"]["grade"] == "优秀"  # its sanction ended with 2016
    assert "sanctions" not in subjects["s3"]


def test_a_store_publishes_the_sanction_and_the_next_year_reads_it(tmp_path: Path) -> None:
    """Published through the store: 2017Q1 raises a two-year sanction; the
    2018 rules (a copy) evaluated with the store see it in 2018Q1."""
    store = tmp_path / "runs.db"
    data = tmp_path / "data"
    data.mkdir()
    (data / "sections.csv").write_text(
        "period,subject,得分\n2017Q1,s1,95\n2017Q1,s2,80\n2018Q1,s1,95\n2018Q1,s2,80\n",
        encoding="utf-8",
    )
    (data / "events.csv").write_text(
        "date,subject,item,count,reason,evidence\n2017-02-01,s1,disciplined,1,处分,\n",
        encoding="utf-8",
    )
    code, out, err = run(
        "evaluate", RULES, "--data", str(data), "--period", "2017Q1",
        "--store", str(store), "--publish", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    raised = next(s for s in json.loads(out)["subjects"] if s["id"] == "s1")
    assert raised["sanctions"][0]["until"] == "2018-12-31"
    rules_2018 = tmp_path / "rules"
    shutil.copytree(RULES, rules_2018)
    manifest = rules_2018 / "ruleset.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("year: 2017", "year: 2018"), encoding="utf-8"
    )
    shutil.rmtree(rules_2018 / "tests")
    code, out, err = run(
        "evaluate", str(rules_2018), "--data", str(data), "--period", "2018Q1",
        "--store", str(store), "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    s1 = next(s for s in json.loads(out)["subjects"] if s["id"] == "s1")
    assert s1["grade"] == "不定等次" and s1["decided_by"] == "disciplined"


def test_a_sanction_raised_in_one_quarter_holds_in_the_later_ones(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "sections.csv").write_text(
        "period,subject,得分\n2017Q1,s1,95\n2017Q2,s1,95\n2017Q1,s2,80\n2017Q2,s2,80\n",
        encoding="utf-8",
    )
    (data / "events.csv").write_text(
        "date,subject,item,count,reason,evidence\n2017-02-01,s1,disciplined,1,处分,\n"
        "2017-02-01,s2,warned,1,诫勉,\n",
        encoding="utf-8",
    )
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    with (rules / "ruleset.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write("rollup: {method: average}\n")
    code, out, err = run(
        "evaluate", str(rules), "--data", str(data), "--period", "2017Q1..2017Q2",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    subjects = {s["id"]: s for s in json.loads(out)["subjects"]}
    assert subjects["s1"]["grade"] == "不定等次"  # the range, raised in Q1
    code, out, err = run(
        "explain", str(rules), "--data", str(data), "--period", "2017Q1..2017Q2",
        "--subject", "s1", "--lang", "en",
    )  # fmt: skip
    assert code == 0, err
    q2 = out[out.index("一科 (s1) · 2017Q2 · ") :]  # the second quarter's own tree
    assert "grade 不定等次 forced by item disciplined" in q2  # Q2 learnt of Q1's
    assert "raised 2017Q1, lasts until 2018-12-31" in q2
    # warned lasts only its quarter: s2's Q2 is not capped, though the range is
    code, out, err = run(
        "explain", str(rules), "--data", str(data), "--period", "2017Q1..2017Q2",
        "--subject", "s2", "--lang", "en",
    )  # fmt: skip
    assert code == 0, err
    first = out.index("二科 (s2) · 2017Q1 · ")
    second = out.index("二科 (s2) · 2017Q2 · ")
    assert "capped at 称职 by item warned" in out[:first]  # the range: raised in one quarter
    assert "warned" in out[first:second] and "warned" not in out[second:]


def test_precedence_overrides_the_harshest() -> None:
    program = _program()
    warned = Sanctioned("warned", "诫勉", at_most="称职")
    unreachable = Sanctioned("unreachable", "不可达", grade="不称职", scoring="not_scored")
    disciplined = Sanctioned("disciplined", "党纪", grade="不定等次")
    ruling = rule(program, [warned, unreachable])
    assert ruling is not None and ruling.grade == unreachable  # harshest by grade order
    ruling = rule(program, [unreachable, disciplined])
    assert ruling is not None and ruling.grade == disciplined  # listed first
    relisted = dataclasses.replace(program, sanction_precedence=("warned",))
    ruling = rule(relisted, [warned, unreachable])
    assert ruling is not None and ruling.grade == warned and ruling.not_scored


def test_verify_reports_contradictions_with_a_witness() -> None:
    code, _, err = run("verify", CONFLICTS, "--lang", "en", "--output-format", "concise")
    assert code == 0, err
    found = [line for line in err.splitlines() if "V0115" in line]
    assert_golden(GOLDEN / "verify_conflicts.en.txt", "\n".join(found) + "\n")
    assert len(found) == 2  # late's `when` never holds: no witness, no finding
    _, _, err = run("verify", CONFLICTS, "--lang", "zh")
    found = [block for block in err.split("\n\n") if "V0115" in block]
    assert_golden(GOLDEN / "verify_conflicts.zh.txt", "\n\n".join(found) + "\n")
    _, _, err = run("verify", RULES, "--lang", "en", "--output-format", "concise")
    assert "V0115" not in err  # disciplined is listed in precedence


def test_yongzhou_has_no_sanctions() -> None:
    program = _program("rules/yongzhou")
    assert all(item.sanction is None and item.raised is None for item in program.items)
    assert program.ungraded is None and program.sanction_precedence == ()


def test_a_data_raised_veto_counts_only_while_in_force(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    text = (rules / "ruleset.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    scoring: not_scored\n", "    scoring: not_scored\n    effective: {from: 2017-07-01}\n"
    )
    (rules / "ruleset.yaml").write_text(text, encoding="utf-8")
    shutil.rmtree(rules / "tests")
    code, out, err = run("evaluate", str(rules), "--data", DATA, "--format", "json")
    assert code == 0, err
    s1 = next(s for s in json.loads(out)["subjects"] if s["id"] == "s1")
    assert "sanctions" not in s1 and s1["rank"] == 1  # 2017Q2: not yet in force


@settings(max_examples=60, **SETTINGS)
@given(rule_sets(exempt_values=False, sanctions=True))
def test_backends_agree_on_raise_formulas(case: RuleSetCase) -> None:
    """Compiled == interpreted on generated rule sets with data-raised vetoes."""
    check_agreement(case)


def test_xlsx_has_the_sanction_column_and_no_total_when_not_scored(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    code, _, err = run(
        "evaluate", RULES, "--data", DATA, "--format", "xlsx", "--out", str(out), "--lang", "zh"
    )
    assert code == 0, err
    sheet = openpyxl.load_workbook(out).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    head = next(r for r in rows if "处分" in r)
    s1 = next(r for r in rows if "s1" in r)
    assert s1[head.index("总分")] is None and s1[head.index("名次")] is None
    assert s1[head.index("处分")] == "检查时不可达超过一成（定为不称职，不计分）"


def test_explain_shows_a_not_scored_subject_without_total() -> None:
    code, out, _ = run("explain", RULES, "--data", DATA, "--subject", "s1", "--lang", "en")
    assert code == 0
    assert out.splitlines()[0] == "一科 (s1) · 2017Q2 · not scored (grade 不称职)"
    assert "not scored and not ranked: item unreachable (检查时不可达超过一成)" in out


def test_people_have_sanctions_too() -> None:
    """Person items force and cap people's grades, the ungraded value declared
    in people.grades; a carried sanction counts as covering its item."""
    code, out, err = run("test", "tests/cases/sanctions/people", "--lang", "en")
    assert code == 0, out + err
    assert "1 passed" in out and "vetoes              2/2" in out
