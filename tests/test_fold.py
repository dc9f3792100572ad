"""The faster kernel: folding (compiler.fold) and the generator's inlined forms
compute exactly what the reference interpreter computes, value, text and
fault alike, on the values where a shortcut would most likely go wrong
(signed zeros, ties, bounds, absent scores, huge and long numbers)."""

from __future__ import annotations

import decimal
import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from compiler import ir
from compiler.codegen import generate_probes
from compiler.fold import fold
from compiler.pipeline import compile_rules
from dsl.ruleset import DirectorySource
from dsl.spans import SourceFile, Span
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.interpreter import Interpreter
from semantics.operations import CONTEXT, Fault
from semantics.types import NUMBER

HEADER = 'scheme: s\nversion: "1"\nyear: 2024\nplaces: 2\n'
NASTY = (
    Decimal(0), Decimal("-0"), Decimal("0.00"), Decimal("-0.00"), Decimal(1), Decimal(-1),
    Decimal("0.005"), Decimal("-0.005"), Decimal("2.5"), Decimal(3), Decimal(6), Decimal(10),
    Decimal("1E+1"), Decimal("1E+30"), Decimal("-1E+30"), Decimal("9.99E+999998"),
    Decimal("123456789012345678901234567890.12345"), Decimal("0.95"), Decimal("0.9499"),
)  # fmt: skip


def _compile(tmp_path: Path, text: str) -> tuple[ir.Program, CompiledEvaluator, str]:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "ruleset.yaml").write_text(HEADER + text, encoding="utf-8")
    result = compile_rules(DirectorySource(str(folder)))
    assert result.ok, result.diagnostics
    program, module = result.programs["section"], result.modules["section"]
    assert program is not None and module is not None
    return program, CompiledEvaluator(program, module), module.source


def _outcome(evaluate: object, row: tuple[object, ...]) -> object:
    assert callable(evaluate)
    try:
        values = evaluate(row)
    except Fault as fault:
        return ("fault", fault.code, str(fault.site))
    return tuple(str(v) if isinstance(v, Decimal) else v for v in values)


def _agree(program: ir.Program, evaluator: CompiledEvaluator, rows: object) -> None:
    interpreter = Interpreter(program)
    assert isinstance(rows, list | tuple | itertools.product)
    every = [tuple(row) for row in rows]
    outcomes = []
    for row in every:
        compiled = _outcome(evaluator.evaluate, row)
        assert compiled == _outcome(interpreter.evaluate, row), row
        outcomes.append(compiled)
    # The runtime's path: the generated loop over every row at once, the
    # same values, or None (row by row) when some row faults.
    with decimal.localcontext(CONTEXT):
        done = evaluator.evaluate_rows(every)
    if any(isinstance(o, tuple) and o[:1] == ("fault",) for o in outcomes):
        assert done is None
    else:
        assert done is not None
        assert [_outcome(lambda values: values, values) for values in done] == outcomes


SCORES = """\
inputs:
  x: {type: number, missing: exempt}
  y: number
indicators:
  - id: floor
    name: a
    points: 10
    score: max(0, points - x * 2)
    round: 2
  - id: cap
    name: b
    points: 5
    score: min(points, y * 0.5 + x)
  - id: bands
    name: c
    points: 5
    score: |
      case
        when y >= 95% then points
        when 85% <= y < 95% then points * 80%
        when y >= 50% and y < 85% then points * y
        else points * 50%
      end
    round: 1
  - id: clamped
    name: d
    points: 10
    score: clamp(points * safe_div(x, y, 1) / 80%, 0, points)
    round: 2
  - id: both
    name: e
    points: 5
    score: max(0, points - min(0.5 * y, 3))
"""


def test_inlined_forms_agree_with_the_interpreter(tmp_path: Path) -> None:
    program, evaluator, source = _compile(tmp_path, SCORES)
    # The shortcuts are in the code: no min/max/clamp calls, constant arms rounded.
    assert "_max(" not in source and "_min(" not in source and "_clamp(" not in source
    assert "_D('10.00')" in source and "_D('4.0')" in source
    rows = [(x, y) for x in (None, *NASTY) for y in NASTY]
    _agree(program, evaluator, rows)


def test_normalized_sum_combinations_agree(tmp_path: Path) -> None:
    text = (
        "inputs:\n  a: {type: number, missing: exempt}\n  b: {type: number, missing: exempt}\n"
        "  c: {type: number, missing: exempt}\n"
        "indicators:\n"
        "  - {id: ia, name: ia, points: 15, machine: a}\n"
        "  - {id: ib, name: ib, points: 7.5, machine: b}\n"
        "  - {id: ic, name: ic, points: 2.5, machine: c}\n"
    )
    program, evaluator, source = _compile(tmp_path, text)
    assert "_rescale(" in source  # every score exempt: the helper's fault
    values = (None, Decimal("-0"), Decimal("1.5"), Decimal("1E+30"), Decimal("0.333"))
    rows = list(itertools.product(values, repeat=3))
    _agree(program, evaluator, rows)
    with pytest.raises(Fault) as raised:
        evaluator.evaluate((None, None, None))
    assert raised.value.code == "E0702"


def test_min_and_max_inside_a_conditional_aggregate(tmp_path: Path) -> None:
    """No ``:=`` inside a comprehension: the helpers are called there."""
    text = (
        "inputs:\n  x: number\n  y: number\nvalues:\n  z: x * 2\ncollections:\n  xs: [x, y, z]\n"
        "indicators:\n  - id: a\n    name: a\n    points: 10\n"
        "    score: min(points, count(xs, max(项, y - 1) >= 1) + max(x, y))\n"
    )
    program, evaluator, _ = _compile(tmp_path, text)
    _agree(program, evaluator, list(itertools.product(NASTY[:12], repeat=2)))


def test_level_tables_are_pre_multiplied_and_faults_stay_located(tmp_path: Path) -> None:
    text = (
        "levels:\n  档: [好, 差]\n"
        "indicators:\n  - id: a\n    name: a\n    points: 10\n"
        "    inputs:\n      评: level(档)\n    levels: {好: 100%, 差: 45%}\n"
    )
    program, evaluator, source = _compile(tmp_path, text)
    # 10 * 45% = 4.50, worked out once, not for every subject.
    assert "_D('0.45')" not in source and "_D('4.50')" in source
    _agree(program, evaluator, [("好",), ("差",)])
    with pytest.raises(Fault) as raised:
        evaluator.evaluate(("中",))
    assert raised.value.code == "E0704"


def test_fold_keeps_faults_for_run_time() -> None:
    """A constant division by zero is not folded: the fault is reported at run
    time at its own position, as before."""
    span = Span(SourceFile("<test>", "1 / 0"), 0, 5)
    zero = ir.Const(Decimal(0), NUMBER, span)
    one = ir.Const(Decimal(1), NUMBER, span)
    division = ir.Arith("/", one, zero, NUMBER, span)
    assert fold(division) is division
    product = ir.Arith("*", ir.Const(Decimal("0.5"), NUMBER, span), one, NUMBER, span)
    folded = fold(product)
    assert isinstance(folded, ir.Const) and str(folded.value) == "0.5"


@pytest.mark.parametrize(
    "first",
    ["max(0, x * -1)", "x * -1", "if x > 1 then points else max(points * 50%, x)", "max(x, 0)"],
)
def test_sums_start_at_zero_unless_the_first_score_is_clean(tmp_path: Path, first: str) -> None:
    """``0 + s`` is ``s`` only for a score rounded to its places that has no
    sign; a score that may be -0.00 (``-0 * 1``) keeps the ``0 +``."""
    text = (
        "inputs:\n  x: number\n  y: {type: number, missing: exempt}\n"
        "indicators:\n"
        f"  - id: ia\n    name: a\n    points: 10\n    score: {first}\n    round: 2\n"
        "  - id: ib\n    name: b\n    points: 10\n    score: y * -1\n    round: 2\n"
        "  - {id: ic, name: c, points: 5, machine: y}\n"
    )
    program, evaluator, source = _compile(tmp_path, text)
    unsigned = first.startswith("max(0") or first.startswith("if")
    lines = [line for line in source.splitlines() if line.endswith(" base'")]
    assert len(lines) == 2  # in ``evaluate`` and in its loop ``evaluate_many``
    for line in lines:
        assert line.split(" = ", 1)[1].startswith("(v") == unsigned, line
    values = (Decimal(0), Decimal("-0"), Decimal("-0.001"), Decimal("0.004"), Decimal(2))
    _agree(program, evaluator, list(itertools.product(values, (None, *values))))


def test_coverage_probes_keep_every_arm_of_a_rounded_case(tmp_path: Path) -> None:
    """The instrumented build (rule-test coverage) marks each arm of a case
    inside ``round(...)``: the rounding is not pushed into probed arms."""
    text = (
        "inputs:\n  x: number\nindicators:\n  - id: a\n    name: a\n    points: 10\n"
        "    score: round(if x > 1 then 1.25 else x, 1) + round(case when x > 2 then 3 "
        "when x > 1 then x else 0 end, 0)\n"
    )
    program, _, _ = _compile(tmp_path, text)
    probed = generate_probes(program, "probes")
    assert len(probed.probes) == 5
