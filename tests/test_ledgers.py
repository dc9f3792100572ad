"""The three ledgers and posts with their own indicators (issue #12, point 2).

Posts (岗位) are declared in the organization; people's indicators name the
posts they apply to, so heads, deputies and liaisons are assessed on duties
the other staff are not, and a person's score is normalized over the points
that apply to them.  The ledgers list every indicator's checkpoints, and the
master ledger the submission status ``jixiao status`` computes.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.pipeline import Compilation
from runtime.cli import _compiled
from runtime.inputs.checkpoints import checkpoints
from runtime.inputs.periods import Period
from runtime.store import Store
from runtime.tools.ledgers import build_ledger
from runtime.tools.status import period_status
from tests.clirun import run
from tests.golden import assert_golden
from tests.test_submissions import parts, scripted

__all__ = ["parts", "scripted"]  # fixtures shared with the scripted quarter

RULES = "rules/yongzhou"
Q3 = Period(2016, 3)
CASES = Path(__file__).parent / "cases" / "ledgers"


@pytest.fixture(scope="module")
def compilation() -> Compilation:
    return _compiled(RULES, generate=False)


# -- posts --------------------------------------------------------------------------


def test_people_in_different_posts_are_assessed_on_different_indicators(
    compilation: Compilation,
) -> None:
    ledger = build_ledger(compilation, "duty", Q3)
    assert len(ledger.duty) == 70
    by_id = {line.person: line for line in ledger.duty}
    own = ["duty", "work_quality", "attendance", "learning"]
    assert [e.id for e in by_id["p0101"].indicators] == [*own, "leadership"]  # 科长
    assert [e.id for e in by_id["p0102"].indicators] == [*own, "leadership"]  # 副科长
    assert [e.id for e in by_id["p0106"].indicators] == [*own, "liaison_duty"]  # 绩效联络员
    assert [e.id for e in by_id["p0103"].indicators] == own  # 科员
    assert by_id["p0101"].roles == ("head",) and by_id["p0106"].roles == ("liaison",)
    assert by_id["p0101"].points == 110 and by_id["p0103"].points == 100
    assert by_id["p0106"].duties[0] == "按考评节点报送本科室考评的指标数据"
    # Every section's head holds the 科长 post and every liaison the liaison's.
    for line in ledger.duty:
        assert ("head" in line.roles) == (line.post == "科长")
        assert ("liaison" in line.roles) == (line.post == "绩效联络员")


_POSTS_RULES = """\
scheme: 岗位测试
version: "1"
year: 2016
organization:
  groups: [{id: 机关}]
  sections:
    - {id: s01, name: 办公室, group: 机关, head: p1}
  posts:
    - {id: 科长, duties: [主持工作]}
    - {id: 科员, duties: [完成业务工作]}
  people:
    - {id: p1, name: 甲, section: s01, post: 科长}
    - {id: p2, name: 乙, section: s01, post: 科员}
people:
  full_marks: 100
indicators:
  - id: office
    name: 机关管理
    points: 100
    inputs: {评分: {type: number, min: 0, max: 100}}
    machine: 评分
  - id: work
    name: 工作
    subjects: person
    points: 50
    inputs: {工作得分: {type: number, min: 0, max: 50}}
    machine: 工作得分
  - id: lead
    name: 带队
    subjects: person
    points: 50
    applies_to: [科长]
    inputs: {带队得分: {type: number, min: 0, max: 50}}
    machine: 带队得分
"""


def test_a_person_whose_post_has_fewer_indicators_is_normalized(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ruleset.yaml").write_text(_POSTS_RULES, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "sections.csv").write_text("period,subject,评分\n2016Q1,s01,100\n", encoding="utf-8")
    (data / "people.csv").write_text(
        "period,subject,工作得分,带队得分\n2016Q1,p1,25,50\n2016Q1,p2,25,\n", encoding="utf-8"
    )
    code, out, err = run(
        "evaluate", str(rules), "--data", str(data), "--period", "2016Q1", "--format", "json"
    )
    assert code == 0, err
    people = {s["id"]: s for s in json.loads(out)["subjects"] if s["kind"] == "person"}
    # 科长: (25 + 50) of 100; 科员: 25 of the 50 points that apply, scaled to 100.
    assert Decimal(str(people["p1"]["total"])) == 75
    assert Decimal(str(people["p2"]["total"])) == 50
    lead = {i["id"]: i for i in people["p2"]["indicators"]}["lead"]
    assert lead["score"] is None


def test_posts_in_rule_files_are_checked(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    broken = _POSTS_RULES.replace("post: 科员}", "post: 课员}").replace(
        "applies_to: [科长]", "applies_to: [科场]"
    )
    (rules / "ruleset.yaml").write_text(broken, encoding="utf-8")
    code, _, err = run("check", str(rules), "--lang", "en", "--output-format", "concise")
    assert code == 1
    lines = err.strip().splitlines()
    assert any(":13:" in x and "E0455" in x and "did you mean `科员`" in x for x in lines), err
    assert any(":32:" in x and "E0458" in x and "did you mean `科长`" in x for x in lines), err


# -- the ledgers --------------------------------------------------------------------


def test_the_master_ledger_lists_every_indicators_checkpoints(compilation: Compilation) -> None:
    ledger = build_ledger(compilation, "master", Q3)
    listed = {(line.indicator.subjects, line.indicator.id): line for line in ledger.master}
    expected = {
        (kind, i.id): i
        for kind, program in compilation.programs.items()
        for i in program.indicators
        if i.scored_in(Q3.end)  # a half-year indicator has no checkpoint in Q3
    }
    assert ("section", "poverty_alleviation") not in expected
    assert set(listed) == set(expected)
    for key, indicator in expected.items():
        line = listed[key]
        assert list(line.indicator.checkpoints) == checkpoints(indicator, Q3.start, Q3.end)
        assert line.indicator.assessor == indicator.assessor
        assert line.state is None and line.warnings is None
    assert not {"publicity", "stability", "training"} & {i for _, i in listed}
    assert listed[("section", "revenue")].applies_to == 7  # the business sections
    assert listed[("person", "leadership")].applies_to == 23  # 17 heads, 6 deputies
    assert listed[("person", "liaison_duty")].applies_to == 17


def test_the_master_ledger_reads_the_submission_status(
    compilation: Compilation, scripted: Path
) -> None:
    store = Store(str(scripted), read_only=True)
    try:
        day = date(2016, 10, 6)
        ledger = build_ledger(compilation, "master", Q3, store, day)
        status = period_status(compilation, store, Q3, day)
    finally:
        store.close()
    lines = {(line.indicator.subjects, line.indicator.id): line for line in ledger.master}
    assert len(status.lines) == len(lines)
    for expected in status.lines:
        line = lines[(expected.kind, expected.indicator)]
        assert (line.state, line.window) == (expected.state, expected.due)
        counted = expected.counted
        assert line.submitted_at == (counted.submitted_at if counted else None)
    assert lines[("section", "opinion_survey")].state == "overdue"
    assert lines[("section", "revenue")].submissions == 2
    # The window is the one status uses, also when no store is given.
    plain = build_ledger(compilation, "master", Q3)
    assert [x.window for x in plain.master] == [x.window for x in ledger.master]
    # Warnings issued: read from the store once it records them.
    assert ledger.warnings_recorded == hasattr(Store, "issued_warnings")


def test_the_function_ledger(compilation: Compilation) -> None:
    ledger = build_ledger(compilation, "function", Q3)
    by_id = {line.section: line for line in ledger.function}
    assert len(by_id) == 17
    assert "revenue" in [e.id for e in by_id["s04"].indicators]
    assert "revenue" not in [e.id for e in by_id["s01"].indicators]
    assert (by_id["s01"].head, by_id["s01"].liaison) == ("邹琪旭", "邓娟明")
    office = [(e.subjects, e.id) for e in by_id["s01"].assesses]
    assert ("person", "attendance") in office and ("section", "supervision") in office
    assert [e.id for e in by_id["s04"].assesses] == ["revenue"]


@pytest.mark.parametrize("kind", ["duty", "function", "master"])
def test_text_ledgers_golden_zh(kind: str) -> None:
    code, out, err = run("ledger", RULES, "--period", "2016Q3", "--kind", kind, "--lang", "zh")
    assert (code, err) == (0, "")
    assert_golden(CASES / f"{kind}_2016Q3.zh.txt", out)


def test_master_ledger_with_status_golden_zh(scripted: Path) -> None:
    code, out, err = run(
        "ledger", RULES, "--period", "2016年第三季度", "--kind", "master", "--store",
        str(scripted), "--date", "2016-10-06", "--lang", "zh",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert_golden(CASES / "master_2016Q3_status.zh.txt", out)


def test_html_ledger_prints_on_a4(tmp_path: Path) -> None:
    target = tmp_path / "duty.html"
    code, _, err = run(
        "ledger", RULES, "--period", "2016Q3", "--kind", "duty", "--format", "html",
        "--out", str(target), "--lang", "zh",
    )  # fmt: skip
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    assert "@page { size: A4 landscape" in page and "display: table-header-group" in page
    assert page.count('<section class="block">') == 70
    assert "<script" not in page and "岗位职责：1. 主持科室全面工作" in page


@pytest.mark.parametrize(
    "argv",
    [
        ("--period", "2016Q1..2016Q3", "--kind", "duty"),
        ("--period", "2016Q3", "--kind", "master", "--date", "10/06"),
        ("--period", "2016Q3", "--kind", "master", "--format", "xlsx"),
    ],
)
def test_usage_errors(argv: tuple[str, ...]) -> None:
    code, out, err = run("ledger", RULES, *argv)
    assert code == 2 and out == "" and "Traceback" not in err


def test_a_store_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    code, _, err = run(
        "ledger", RULES, "--period", "2016Q3", "--kind", "master", "--store", str(missing)
    )
    assert code == 1 and "E0953" in err and not missing.exists()
