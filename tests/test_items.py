"""Bonus, deduction and veto items: per-occurrence points, per-item and overall
caps, gating on the base score, vetoes, and event-table errors."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.pipeline import compile_rules
from dsl.ruleset import DirectorySource
from runtime import cli
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.interpreter import Interpreter
from runtime.engine.subjects import evaluate_period
from runtime.inputs.data import load_data

RULES = """\
scheme: 测试
version: "1"
year: 2016
places: 2
adjustments: {bonus_cap: 1.5, deduction_cap: 2}
organization:
  groups: [{id: g}]
  sections:
    - {id: s1, name: 甲科, group: g}
    - {id: s2, name: 乙科, group: g}
    - {id: s3, name: 丙科, group: g}
items:
  - {id: award, name: 表彰, kind: bonus, per: 1, cap: 2}
  - {id: promoted, name: 推广, kind: bonus, per: 0.5, when: base >= 90}
  - {id: issue, name: 问题, kind: deduction, per: 0.3, cap: 0.9}
  - {id: late, name: 逾期, kind: deduction, per: 1, effective: {until: 2016-04-30}}
  - {id: incident, name: 案件, kind: veto, veto: fail}
  - {id: notice, name: 通报, kind: veto, veto: no_excellent}
indicators:
  - id: a
    name: 甲
    points: 100
    inputs: {得分: number}
    machine: 得分
"""
DATA = "period,subject,得分\n2016Q1,s1,95\n2016Q1,s2,80\n2016Q1,s3,70\n"
EVENTS = (
    "date,subject,item,count,reason,evidence\n"
    "2016-01-05,s1,award,3,省表彰,文件一\n"  # 3 points, item cap 2
    "2016-02-01,s1,promoted,1,推广,简报\n"  # base 95 >= 90: counts; bonus total capped at 1.5
    "2016-02-01,s2,promoted,1,推广,简报\n"  # base 80: gated out
    "2016-03-01,s2,issue,4,整改逾期,通知书\n"  # 1.2, item cap 0.9
    "2016-03-02,s2,late,2,逾期,推进表\n"  # 2, deduction total capped at 2
    "2016-03-03,s3,incident,1,案件,通报\n"
    "2016-03-04,s3,notice,1,通报,通报\n"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ruleset.yaml").write_text(RULES, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "wide.csv").write_text(DATA, encoding="utf-8")
    (data / "events.csv").write_text(EVENTS, encoding="utf-8")
    return tmp_path


def test_items_caps_gates_and_vetoes(folder: Path) -> None:
    result = compile_rules(DirectorySource(str(folder / "rules")))
    assert result.ok and "section" in result.programs and "section" in result.modules
    program = result.programs["section"]
    dataset = load_data(program, str(folder / "data"))
    assert dataset.diagnostics == []
    evaluator = CompiledEvaluator(program, result.modules["section"])
    for row in dataset.rows:
        assert evaluator.evaluate(row.values) == Interpreter(program).evaluate(row.values)
    results, faults = evaluate_period(program, evaluator, dataset.rows, "2016Q1")
    assert faults == []
    by_id = {r.id: r for r in results}
    s1, s2, s3 = by_id["s1"], by_id["s2"], by_id["s3"]
    assert [(a.item, a.points) for a in s1.adjustments] == [
        ("award", Decimal(2)), ("promoted", Decimal("0.5")), ("bonus_cap", Decimal("-1.0")),
    ]  # fmt: skip
    assert s1.total == Decimal("96.50")
    assert [(a.item, a.points) for a in s2.adjustments] == [
        ("promoted", Decimal(0)), ("issue", Decimal("-0.9")), ("late", Decimal(-2)),
        ("deduction_cap", Decimal("0.9")),
    ]  # fmt: skip
    assert s2.total == Decimal("78.00")
    assert s3.vetoes == ("fail", "no_excellent")
    for r in results:
        assert r.base is not None
        assert r.total == (r.base + sum(a.points for a in r.adjustments)).quantize(Decimal("0.01"))
    reasons = {a.item: a.reasons for a in s1.adjustments}
    assert reasons["award"] == ("省表彰",)
    assert s1.adjustments[0].events[0].evidence == "文件一"


BAD_EVENTS = (
    "date,subject,item,count,reason,evidence\n"
    "2016-13-01,s1,award,1,,\n"
    "2016-01-02,s9,award,1,,\n"
    "2016-01-03,s1,awrd,1,,\n"
    "2016-05-04,s1,late,1,,\n"
    "2016-01-05,s1,award,0,,\n"
    "2016-05-06,s1,award,1,,\n"
)


def test_event_table_errors_are_located(folder: Path) -> None:
    events = folder / "data" / "events.csv"
    events.write_text(BAD_EVENTS, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["evaluate", str(folder / "rules"), "--data", str(folder / "data"), "--period", "2016Q2",
         "--lang", "en", "--output-format", "concise"],
        stdout=out, stderr=err,
    )  # fmt: skip
    assert code == 1
    assert out.getvalue() == ""
    assert err.getvalue() == (
        f"{events}:2 [date]: error[E0551]: row 2, column date: `2016-13-01` is not a day of the "
        "calendar (there is no month 13) (help: check the record and write a day that exists, "
        "such as 2016-03-05)\n"
        f"{events}:5 [date]: error[E0816]: row 5: item `late` is not in force on 2016-05-04\n"
        f"{events}:7: error[E0814]: subject `s1` has item events in 2016Q2 but no data row for that period\n"
    )
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["evaluate", str(folder / "rules"), "--data", str(folder / "data"), "--period", "2016Q1",
         "--lang", "en", "--output-format", "concise"],
        stdout=out, stderr=err,
    )  # fmt: skip
    assert code == 1
    assert err.getvalue() == (
        f"{events}:2 [date]: error[E0551]: row 2, column date: `2016-13-01` is not a day of the "
        "calendar (there is no month 13) (help: check the record and write a day that exists, "
        "such as 2016-03-05)\n"
        f"{events}:3 [subject]: error[E0809]: row 3: there is no subject `s9` in the organization "
        "(help: did you mean `s3`?)\n"
        f"{events}:4 [item]: error[E0815]: row 4: there is no item `awrd` in the rules "
        "(help: did you mean `award`?)\n"
        f"{events}:6 [count]: error[E0808]: row 6, column count: `0` is not a valid count\n"
    )


POINTS_RULES = RULES.replace(
    "  - {id: incident,",
    "  - {id: merit, name: 创新成果, kind: bonus, points: from_data, cap: 1}\n"
    "  - {id: audit, name: 审计问题, kind: deduction, points: from_data, when: base < 90}\n"
    "  - {id: incident,",
)
POINTS_EVENTS = (
    "date,subject,item,count,reason,evidence,points\n"
    "2016-01-05,s1,merit,1,成果一,文件一,0.4\n"
    "2016-01-06,s1,merit,2,成果二,文件二,0.35\n"  # 0.4 + 2 x 0.35 = 1.1, item cap 1
    "2016-01-07,s2,audit,1,审计,报告,0.25\n"
    "2016-01-08,s2,audit,1,审计,报告,1.5\n"
    "2016-01-09,s1,audit,1,审计,报告,3\n"  # base 95: gated out
)


def test_items_with_points_from_data(folder: Path) -> None:
    """Issue #11: bonus and deduction points given per event in the `points`
    column (summed, bounded by the item's cap, gated by `when`)."""
    (folder / "rules" / "ruleset.yaml").write_text(POINTS_RULES, encoding="utf-8")
    (folder / "data" / "events.csv").write_text(POINTS_EVENTS, encoding="utf-8")
    result = compile_rules(DirectorySource(str(folder / "rules")))
    assert result.ok, result.diagnostics
    program = result.programs["section"]
    dataset = load_data(program, str(folder / "data"))
    assert dataset.diagnostics == []
    evaluator = CompiledEvaluator(program, result.modules["section"])
    for row in dataset.rows:
        assert evaluator.evaluate(row.values) == Interpreter(program).evaluate(row.values)
    results, faults = evaluate_period(program, evaluator, dataset.rows, "2016Q1")
    assert faults == []
    by_id = {r.id: r for r in results}
    points = {(r.id, a.item): a.points for r in results for a in r.adjustments}
    assert points[("s1", "merit")] == 1
    assert points[("s2", "audit")] == Decimal("-1.75")
    assert points.get(("s1", "audit"), Decimal(0)) == 0
    assert by_id["s2"].total == Decimal("78.25")


def test_points_from_data_errors_are_located(folder: Path) -> None:
    (folder / "rules" / "ruleset.yaml").write_text(
        POINTS_RULES.replace("points: from_data, cap: 1}", "points: from_data, per: 1}"),
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["check", str(folder / "rules"), "--lang", "en", "--output-format", "concise"],
        stdout=out, stderr=err,
    )  # fmt: skip
    assert code == 1 and "error[E0471]: item `merit` takes its points from data" in err.getvalue()
    (folder / "rules" / "ruleset.yaml").write_text(POINTS_RULES, encoding="utf-8")
    events = folder / "data" / "events.csv"
    events.write_text(
        "date,subject,item,count,reason,evidence,points\n"
        "2016-01-05,s1,merit,1,,,\n"
        "2016-01-06,s1,merit,1,,,-1\n"
        "2016-01-07,s1,merit,1,,,2\n"
        "2016-01-08,s1,award,1,,,1\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["evaluate", str(folder / "rules"), "--data", str(folder / "data"), "--period", "2016Q1",
         "--lang", "en", "--output-format", "concise"],
        stdout=out, stderr=err,
    )  # fmt: skip
    assert code == 1
    lines = err.getvalue().splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        f"{events}:{n} [points]" for n in (2, 3, 4, 5)
    ]
    assert [line.split("error[")[1][:5] for line in lines] == ["E0472", "E0472", "E0473", "E0474"]
