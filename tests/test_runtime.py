"""Evaluation semantics and located faults: exact decimals, half-up rounding,
exemption with normalization, and every fault reported at the rule position
with the subject and period, by the CLI, never as a traceback."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.pipeline import compile_rules
from dsl.ruleset import DirectorySource
from runtime import cli
from runtime.compiled import CompiledEvaluator
from runtime.helpers import Fault
from runtime.interpreter import Interpreter

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
    return result.program, result.module, folder


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
        f"{data}:2 [实际]: error[E0802]: row 2, column 实际: `abc` is not a number\n"
        f"{data}:3 [次数]: error[E0807]: row 3, column 次数: `-1` is outside the allowed range 0 to ∞\n"
        f"{data}:4 [subject]: error[E0805]: row 4: subject `政工科` appears twice (first on row {data}:3)\n"
        f"{data}:5 [次数]: error[E0808]: row 5, column 次数: `1.5` is not a valid count\n"
    )
