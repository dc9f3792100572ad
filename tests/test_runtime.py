"""Evaluation semantics and located faults: exact decimals, half-up rounding,
exemption with normalization, and every fault reported at the rule position
with the subject and period, by the CLI, never as a traceback."""

from __future__ import annotations

import decimal
import io
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.pipeline import compile_rules
from dsl.ruleset import DirectorySource
from runtime import cli
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.interpreter import Interpreter
from semantics.operations import CONTEXT, Fault

RULES = """\
scheme: 测试
version: "1"
year: 2016
places: 2
inputs:
  实际: {type: money, missing: exempt}
  计划: {type: money, missing: exempt}
  次数: {type: count, default: 0}
indicators:
  - id: rate
    name: 完成率
    points: 60
    let:
      率: 实际 / 计划
    score: min(points, points * 率)
    round: 1
  - id: count
    name: 次数
    points: 40
    score: max(0, points - 次数 * 0.125)
"""


@pytest.fixture
def compiled(tmp_path: Path) -> tuple[object, object, Path]:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(RULES, encoding="utf-8")
    result = compile_rules(DirectorySource(str(folder)))
    assert result.ok
    return result.programs["section"], result.modules["section"], folder


def _row(program: object, **values: object) -> tuple[object, ...]:
    return tuple(values.get(f.name) for f in program.inputs)  # type: ignore[attr-defined]


def test_half_up_rounding_and_exact_decimals(compiled: tuple[object, object, Path]) -> None:
    program, module, _ = compiled
    evaluator = CompiledEvaluator(program, module)  # type: ignore[arg-type]
    # 60 * 0.99125 = 59.475 -> round 1 half-up -> 59.5
    values = evaluator.evaluate(
        _row(program, 实际=Decimal("99.125"), 计划=Decimal(100), 次数=Decimal(1))
    )
    rate = values[program.indicators[0].score]  # type: ignore[attr-defined]
    assert rate == Decimal("59.5") and str(rate) == "59.5"
    values = evaluator.evaluate(
        _row(program, 实际=Decimal("118.9"), 计划=Decimal(120), 次数=Decimal(2))
    )
    # 60 * 118.9 / 120 = 59.45 exactly: half-up gives 59.5 (half-even would give 59.4)
    assert values[program.indicators[0].score] == Decimal("59.5")  # type: ignore[attr-defined]
    # total = 59.5 + 39.75 = 99.25, two places
    assert values[program.total] == Decimal("99.25")  # type: ignore[attr-defined]


def test_exempt_indicator_is_not_scored_and_total_is_normalized(
    compiled: tuple[object, object, Path],
) -> None:
    program, module, _ = compiled
    row = _row(program, 实际=None, 计划=None, 次数=Decimal(3))
    compiled_values = CompiledEvaluator(program, module).evaluate(row)  # type: ignore[arg-type]
    assert compiled_values == Interpreter(program).evaluate(row)  # type: ignore[arg-type]
    assert compiled_values[program.indicators[0].score] is None  # type: ignore[attr-defined]
    # count scores 40 - 0.375 = 39.625 of 40 applicable points -> 99.0625 of 100 -> 99.06
    assert compiled_values[program.total] == Decimal("99.06")  # type: ignore[attr-defined]


def test_division_by_zero_is_located_in_both_backends(
    compiled: tuple[object, object, Path],
) -> None:
    program, module, folder = compiled
    row = _row(program, 实际=Decimal(5), 计划=Decimal(0), 次数=Decimal(0))
    faults = []
    for backend in (CompiledEvaluator(program, module), Interpreter(program)):  # type: ignore[arg-type]
        with pytest.raises(Fault) as caught:
            backend.evaluate(row)
        faults.append(caught.value)
    assert faults[0].code == faults[1].code == "E0701"
    assert faults[0].site == faults[1].site
    assert faults[0].site.location() == f"{folder / 'ruleset.yaml'}:14:15"  # type: ignore[attr-defined]
    assert faults[0].site.text == "计划"  # type: ignore[attr-defined]


def test_cli_reports_runtime_fault_with_subject_and_period(
    compiled: tuple[object, object, Path], tmp_path: Path
) -> None:
    _, _, folder = compiled
    data = tmp_path / "data.csv"
    data.write_text(
        "period,subject,实际,计划,次数\n2016Q1,办公室,5,0,0\n2016Q1,政工科,5,10,0\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["evaluate", str(folder), "--data", str(data), "--lang", "zh"], stdout=out, stderr=err
    )
    assert code == 1
    assert out.getvalue() == ""
    path = folder / "ruleset.yaml"
    assert err.getvalue() == (
        "错误[E0701]: 除数为零（考核对象 办公室，期间 2016Q1）\n"
        f"  --> {path}:14:15\n"
        "   |\n"
        "14 |       率: 实际 / 计划\n"
        "   |                  ^^^^\n"
        "   |\n"
        "   = 提示: 如果除数可能为零，改用 safe_div(被除数, 除数, 为零时的值)\n"
        "\n"
        "共发现 1 个错误。\n"
    )


BAD_DATA = (
    "period,subject,实际,计划,次数\n"
    "2016Q1,办公室,abc,10,0\n"
    "2016Q1,政工科,5,10,-1\n"
    "2016Q1,政工科,5,10,0\n"
    "2016Q1,法制科,5,10,1.5\n"
)


def test_bad_data_is_reported_all_at_once_with_locations(
    compiled: tuple[object, object, Path], tmp_path: Path
) -> None:
    _, _, folder = compiled
    data = tmp_path / "data.csv"
    data.write_text(BAD_DATA, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["evaluate", str(folder), "--data", str(data), "--lang", "en", "--output-format", "concise"],
        stdout=out, stderr=err,
    )  # fmt: skip
    assert code == 1
    assert out.getvalue() == ""
    assert err.getvalue() == (
        f"{data}:2 [实际]: error[E0802]: row 2, column 实际: `abc` is not a number"
        " (help: write digits with an optional sign, decimal point and %, thousands may be grouped with commas (1,234.5); no exponents, full-width digits or decimal commas)\n"
        f"{data}:3 [次数]: error[E0807]: row 3, column 次数: `-1` is outside the allowed range 0 to ∞\n"
        f"{data}:4 [subject]: error[E0805]: row 4: subject `政工科` appears twice for the period (first at {data}:3)\n"
        f"{data}:5 [次数]: error[E0808]: row 5, column 次数: `1.5` is not a valid count\n"
    )


def test_bundled_rules_agree_with_interpreter_on_every_bundled_row() -> None:
    """Both backends on the real rule set and data, every quarter of 2016."""
    from runtime.inputs.data import load_data
    from runtime.inputs.periods import parse_periods

    result = compile_rules(DirectorySource("rules/yongzhou"))
    assert "section" in result.programs and "section" in result.modules
    program = result.programs["section"]
    dataset = load_data(program, "examples/yongzhou", parse_periods("2016Q1..2016Q3"))
    assert dataset.diagnostics == []
    assert len(dataset.rows) == 3 * 17
    compiled = CompiledEvaluator(program, result.modules["section"])
    interpreter = Interpreter(program)
    for row in dataset.rows:
        assert compiled.evaluate(row.values) == interpreter.evaluate(row.values)


def test_effective_dates_and_applies_to_select_indicators() -> None:
    from runtime.engine.subjects import evaluate_period
    from runtime.inputs.data import load_data
    from runtime.inputs.periods import parse_periods

    result = compile_rules(DirectorySource("rules/yongzhou"))
    assert "section" in result.programs and "section" in result.modules
    program = result.programs["section"]
    evaluator = CompiledEvaluator(program, result.modules["section"])
    dataset = load_data(program, "examples/yongzhou", parse_periods("2016Q1..2016Q2"))
    q1, _ = evaluate_period(program, evaluator, dataset.rows, "2016Q1")
    q2, _ = evaluate_period(program, evaluator, dataset.rows, "2016Q2")
    q1_ids = {i.id for i in q1[0].indicators}
    q2_ids = {i.id for i in q2[0].indicators}
    assert q1_ids - q2_ids == {"publicity", "stability", "training"}
    assert q2_ids - q1_ids == {
        "sanitary_city", "civilized_city", "opinion_survey", "poverty_alleviation", "on_duty",
        "public_security",
    }  # fmt: skip
    office = next(r for r in q2 if r.id == "s01")  # 办公室: not a business section
    revenue = next(i for i in office.indicators if i.id == "revenue")
    assert (revenue.score, revenue.status) == (None, "not_applicable")
    # Normalized over the 65 applicable points: total = sum * 100 / 65.
    scored = sum(i.score for i in office.indicators if i.score is not None)
    with decimal.localcontext(CONTEXT):
        assert office.base == scored * 100 / 65


UNKNOWN_SUBJECT = (
    "period,subject,依法行政评价,督办事项,按期办结,违纪违规次数,机关管理评价,迟报次数,漏报次数,参训率\n"
    "2016Q1,s99,好,1,1,0,好,0,0,90%\n"
    "2016Q1,办公室,好,1,1,0,好,0,0,90%\n"
    "2016-3,s01,好,1,1,0,好,0,0,90%\n"
)


def test_unknown_subjects_and_bad_periods_are_located(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text(UNKNOWN_SUBJECT, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["evaluate", "rules/yongzhou", "--data", str(data), "--period", "2016Q1",
         "--lang", "en", "--output-format", "concise"],
        stdout=out, stderr=err,
    )  # fmt: skip
    assert code == 1
    assert out.getvalue() == ""
    assert err.getvalue() == (
        f"{data}:2 [subject]: error[E0809]: row 2: there is no subject `s99` in the organization "
        "(help: did you mean `s09`?)\n"
        f"{data}:3 [subject]: error[E0809]: row 3: there is no subject `办公室` in the organization "
        "(help: did you mean `s01`?)\n"
        f"{data}:4 [period]: error[E0810]: row 4: `2016-3` is not a period "
        "(write a quarter such as 2016Q3)\n"
    )


def test_period_outside_the_rule_year_is_an_error() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2015Q3",
         "--lang", "en", "--output-format", "concise"],
        stdout=out, stderr=err,
    )  # fmt: skip
    assert code == 1
    assert (
        err.getvalue()
        == "2015Q3: error[E0811]: period 2015Q3 is outside the rule set's year 2016\n"
    )
