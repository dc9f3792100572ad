"""Issue #11's smaller gaps: conditional aggregates, median, power, present and
fallback, another indicator's named values; each checked, compiled and
interpreted alike, bounded by verify's interval rules."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from compiler import ir
from compiler.intervals import bounds
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.interpreter import Interpreter
from semantics import operations as op
from semantics.builtins import FUNCTIONS
from semantics.intervals import Interval
from tests.clirun import run
from tests.strategies import RuleSetCase
from tests.test_properties import check_agreement, compile_files

D = Decimal
HEADER = 'scheme: s\nversion: "1"\nyear: 2024\n'

RULES = (
    HEADER
    + """\
inputs:
  月度完成率: list(percent)
  配合: bool
  质量: {type: number, min: 0, max: 15, missing: exempt}
  本年: {type: number, min: 0}
  上年: {type: number, min: 1}
collections:
  全部: [a, b]
indicators:
  - id: a
    name: 甲
    points: 10
    let:
      达标月数: count(月度完成率, 项 >= 90%)
    score: 达标月数 + (if 配合 then 5 else 0)
  - id: b
    name: 乙
    points: 10
    score: a.达标月数 + median(1, 2, 3, 4) + power(本年 / 上年, 2) + fallback(质量, 0)
  - id: c
    name: 丙
    points: 10
    score: if present(质量) and all(月度完成率, 项 > 50%) then 10 else 0
total: sum(全部, 项 > 1) + median(全部)
"""
)

ROWS = [
    {"月度完成率": [D("0.95"), D("0.8"), D("0.92")], "配合": True, "质量": None, "本年": D(121), "上年": D(100)},
    {"月度完成率": [D("0.6")], "配合": False, "质量": D(3), "本年": D(0), "上年": D(7)},
    {"月度完成率": [], "配合": False, "质量": D("14.5"), "本年": D(5), "上年": D(3)},
]  # fmt: skip


def _values(text: str, row: dict[str, object]) -> dict[str, object]:
    compilation = compile_files({"ruleset.yaml": text})
    assert compilation.ok, compilation.diagnostics
    program, module = compilation.programs["section"], compilation.modules["section"]
    assert program is not None and module is not None
    values = CompiledEvaluator(program, module).evaluate(tuple(row[f.name] for f in program.inputs))
    assert values == Interpreter(program).evaluate(tuple(row[f.name] for f in program.inputs))
    return {slot.name: values[slot.index] for slot in program.slots}


def test_backends_agree_on_the_new_constructs() -> None:
    check_agreement(RuleSetCase({"ruleset.yaml": RULES}, ROWS))


def test_values_of_the_new_constructs() -> None:
    first = _values(RULES, ROWS[0])
    assert first["a.达标月数"] == 2
    assert first["a"] == 7
    # 2 + median 2.5 + 1.21² exactly + the absent 质量's fallback 0
    assert first["b"] == D("2") + D("2.5") + D("1.4641")
    # c reads 质量 only through present(): it is scored, not exempt
    assert first["c"] == 0
    assert first["total"] == D("19.45")  # (7 + 5.9641) + median(7, 5.9641) = 19.44615
    third = _values(RULES, ROWS[2])
    assert third["c"] == 10  # all() of no items holds


def test_median_and_power_helpers() -> None:
    assert op.median(D(3), D(1), D(2)) == 2
    assert op.median(D(1), D(2)) == D("1.5")
    assert op.agg_median([D(1), None, D(4), D(2), D(10)], None) == 3
    with pytest.raises(op.Fault) as empty:
        op.agg_median([None], None)
    assert empty.value.code == "E0702"
    assert op.power(D("1.1"), D(2), None) == D("1.21")
    assert op.power(D(2), D(-2), None) == D("0.25")
    assert op.power(D(0), D(0), None) == 1
    assert op.power(D(4), D("0.5"), None) == 2
    assert op.power(D("1.331"), D(1) / D(3), None).quantize(D("0.000001")) == D("1.100000")
    for base, exponent, code in [
        (D(-8), D("0.5"), "E0702"), (D(0), D(-1), "E0701"), (D(0), D("-0.5"), "E0701"),
        (D(2), D(1001), "E0702"),
    ]:  # fmt: skip
        with pytest.raises(op.Fault) as fault:
            op.power(base, exponent, None)
        assert fault.value.code == code


def test_interval_rules_of_median_and_power() -> None:
    median, power = FUNCTIONS["median"].interval, FUNCTIONS["power"].interval
    spans = [Interval(D(0), D(10)), Interval(D(5), D(6)), Interval(D(-1), None)]
    assert median(spans, [None] * 3) == Interval(D(0), None)
    assert median(spans[:2], [None] * 2) == Interval(D("2.5"), D(8))
    assert power([Interval(D(1), D(2)), Interval(D(3), D(3))], [None, D(3)]) == Interval(D(1), D(8))
    assert power([Interval(D(1), D(4)), Interval(D(-1), D(-1))], [None, D(-1)]) == Interval(
        D("0.25"), D(1)
    )
    assert power([Interval(D(-1), D(4)), Interval(D(2), D(2))], [None, D(2)]) == Interval(
        None, None
    )


def test_verify_bounds_the_new_constructs() -> None:
    compilation = compile_files({"ruleset.yaml": RULES})
    program = compilation.programs["section"]
    assert program is not None
    found = bounds(program)
    slot = {s.name: s.index for s in program.slots}
    assert found[slot["c"]] == Interval(D(0), D(10))
    assert found[slot["b"]].low is not None  # power of a non-negative ratio, squared


def test_fallback_lets_values_read_exempt_inputs() -> None:
    text = (
        HEADER + "inputs:\n  x: {type: number, missing: exempt}\nvalues:\n  v: fallback(x, 2) + 1\n"
        "indicators:\n  - id: a\n    name: a\n    points: 10\n    score: v\n"
    )
    assert _values(text, {"x": None})["a"] == 3
    assert _values(text, {"x": D(5)})["a"] == 6


def test_an_unscored_indicators_let_is_read_through_fallback() -> None:
    base = (
        HEADER + "inputs:\n  x: {type: number, missing: exempt}\n"
        "indicators:\n  - id: a\n    name: a\n    points: 10\n    let: {r: x * 2}\n"
        "    score: r\n  - id: b\n    name: b\n    points: 10\n    score: {score}\n"
    )
    direct = compile_files({"ruleset.yaml": base.replace("{score}", "a.r + 1")})
    assert [(d.code, d.help) for d in direct.diagnostics] == [
        ("E0411", ("E0411.let", {"name": "a.r"}))
    ]
    text = base.replace("{score}", "fallback(a.r, 0) + 1")
    assert _values(text, {"x": None})["b"] == 1
    assert _values(text, {"x": D(4)})["b"] == 9


def test_a_cycle_through_named_values_is_reported_with_the_chain() -> None:
    text = (
        HEADER + "inputs:\n  x: number\nindicators:\n"
        "  - {id: a, name: a, points: 10, let: {p: b.q + x}, score: p}\n"
        "  - {id: b, name: b, points: 10, let: {q: a.p * 2}, score: q}\n"
    )
    compilation = compile_files({"ruleset.yaml": text})
    assert [d.code for d in compilation.diagnostics] == ["E0601"]
    assert compilation.diagnostics[0].args["chain"] == "a.p → b.q → a.p"


def test_conditional_aggregates_are_typed() -> None:
    program = compile_files({"ruleset.yaml": RULES}).programs["section"]
    assert program is not None
    conditional = [
        node
        for d in program.definitions
        for node in ir.walk(d.expr)
        if isinstance(node, ir.Aggregate) and node.where is not None
    ]
    assert {node.fn for node in conditional} == {"count", "all", "sum"}
    assert all(
        isinstance(n, ir.Element)
        for c in conditional
        if c.where is not None
        for n in ir.walk(c.where)
        if n.type.kind == "number" and not isinstance(n, ir.Const)
    )


SCHEME = """\
scheme: 小缺口示例
version: "1"
year: 2016
organization:
  groups: [{id: 机关}]
  sections:
    - {id: s1, name: 一科, group: 机关}
    - {id: s2, name: 二科, group: 机关}
inputs:
  月度完成率: list(percent)
  质量得分: {type: number, min: 0, max: 15, missing: exempt}
  本年收入: {type: money, min: 0}
  上年收入: {type: money, min: 1}
collections:
  业务: [monthly, growth]
items:
  - {id: innovation, name: 创新成果被采纳, kind: bonus, points: from_data, cap: 2}
indicators:
  - id: monthly
    name: 月度均衡
    points: 10
    let:
      达标月数: count(月度完成率, 项 >= 90%)
    score: if all(月度完成率, 项 >= 60%) then min(points, 达标月数 * 4) else 0
  - id: growth
    name: 收入增长
    points: 10
    let:
      增长率: power(本年收入 / 上年收入, 0.5) - 1    # a two-year average growth rate
    score: clamp(points * (1 + 增长率 * 5), 0, points)
    round: 2
  - id: quality
    name: 征管质量
    points: 15
    score: fallback(质量得分, points * 80%)
  - id: report
    name: 信息报送
    points: 5
    score: min(points, monthly.达标月数 + median(业务) / 10)
"""

SCHEME_TESTS = """\
period: 2016Q2
cases:
  - name: conditional aggregates, power, fallback, id.name, points from data
    sections:
      s1: {月度完成率: "95%;92%;80%", 质量得分: "", 本年收入: 110, 上年收入: 100}
      s2: {月度完成率: "95%;50%;91%", 质量得分: 14, 本年收入: 90, 上年收入: 100}
    events:
      - {subject: s1, item: innovation, points: 0.8, reason: 经验被省局采纳}
      - {subject: s1, item: innovation, count: 2, points: 0.7}
    expect:
      s1: {monthly: 8, growth: 10, quality: 12, report: 2.9, total: 34.90}
      s2: {monthly: 0, growth: 7.43, quality: 14, report: 2.3715, total: 23.80}
"""


def test_a_scheme_using_the_new_constructs_passes_its_rule_tests(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    (rules / "tests").mkdir(parents=True)
    (rules / "ruleset.yaml").write_text(SCHEME, encoding="utf-8")
    (rules / "tests" / "gaps.yaml").write_text(SCHEME_TESTS, encoding="utf-8")
    code, out, err = run("test", str(rules), "--lang", "en")
    assert (code, err) == (0, ""), out + err
    assert "1 case(s): 1 passed" in out


def test_explain_shows_an_empty_cell_read_through_fallback(tmp_path: Path) -> None:
    rules, data = tmp_path / "rules", tmp_path / "data"
    rules.mkdir()
    data.mkdir()
    (rules / "ruleset.yaml").write_text(SCHEME, encoding="utf-8")
    (data / "wide.csv").write_text(
        "period,subject,月度完成率,质量得分,本年收入,上年收入\n"
        "2016Q2,s1,95%;92%;80%,,110,100\n2016Q2,s2,95%,14,90,100\n",
        encoding="utf-8",
    )
    (data / "events.csv").write_text(
        "date,subject,item,count,reason,evidence,points\n2016-05-01,s1,innovation,1,采纳,文件,0.8\n",
        encoding="utf-8",
    )
    code, out, err = run(
        "explain", str(rules), "--data", str(data), "--period", "2016Q2", "--subject", "s1",
        "--lang", "en",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "质量得分 = (empty)" in out
    assert "征管质量 (quality) 12 / of 15 = fallback(质量得分, points * 80%)" in out
    assert "the events' points, 0.8 in all, cap 2" in out
