"""The batch engine computes what the Python engine computes, digit for digit.

A differential test: generated rule sets and rows (tests/strategies.py) are
evaluated row by row by the generated Python code and all at once by the batch
engine (runtime/engine/batch.py); every slot must be the same Decimal (same
value and exponent; only the sign of a zero may differ, which no output shows),
truth value or text.  Where the Python engine faults on some row, the batch
engine must not give numbers: it falls back (and the caller runs the Python
engine, which locates the fault).  The bundled rules give byte-identical
``evaluate`` output on both engines.
"""

from __future__ import annotations

import json
import tempfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from compiler.pipeline import Compilation, compile_rules
from dsl.ruleset import DirectorySource
from runtime.engine.batch import BatchEvaluator, unique
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.subjects import Fallback, evaluate_period
from runtime.inputs.data import Row
from semantics.operations import Fault
from semantics.rounding import ROUNDING_MODES
from tests.clirun import run
from tests.strategies import RuleSetCase, batch_cases, rule_sets
from tests.test_properties import SETTINGS


def _compiled(files: dict[str, str]) -> Compilation:
    with tempfile.TemporaryDirectory() as folder:
        for name, content in files.items():
            Path(folder, name).write_text(content, encoding="utf-8")
        return compile_rules(DirectorySource(folder))


def _key(value: object) -> object:
    if isinstance(value, Decimal):
        return ("Decimal", str(value.copy_abs() if not value else value))
    return (type(value).__name__, value)


def check_batch(case: RuleSetCase, must_run: bool = False) -> None:
    """Python row by row and the batch engine over every row agree (or the batch falls back)."""
    compilation = _compiled(case.files)
    assert compilation.ok, case.dump()
    program, module = compilation.programs["section"], compilation.modules["section"]
    assert program is not None and module is not None
    rows = [tuple(row.get(f.name) for f in program.inputs) for row in case.rows]
    evaluator = CompiledEvaluator(program, module)
    python: list[tuple[object, ...] | str] = []
    for row in rows:
        try:
            python.append(tuple(evaluator.evaluate(row)))
        except Fault as fault:
            python.append(fault.code)
    python_all = list(python)
    batch = BatchEvaluator(program)
    faulted = any(isinstance(p, str) for p in python)
    if faulted:
        # A row the Python engine faults on: the batch engine must not give numbers.
        with pytest.raises(Fallback):
            batch.evaluate(rows)
        # The other rows by themselves are a period the batch engine computes.
        python = [p for p in python if not isinstance(p, str)]
        rows = [r for r, p in zip(rows, python_all, strict=True) if not isinstance(p, str)]
    try:
        values = batch.evaluate(rows)
    except Fallback as fallback:
        event("fallback: " + fallback.reason.split(" (")[0])
        assert not must_run, (fallback.reason, case.dump())
        return
    event("batch ran" + (" on the rows without a fault" if faulted else ""))
    for n, (mine, theirs) in enumerate(zip(values, python, strict=True)):
        assert isinstance(theirs, tuple)
        assert [_key(v) for v in mine] == [_key(v) for v in theirs], (n, case.dump())


@settings(max_examples=150, **SETTINGS)
@given(rule_sets(exempt_values=False, max_rows=6))
def test_batch_agrees_on_generated_rule_sets(case: RuleSetCase) -> None:
    check_batch(case)


@settings(max_examples=200, **SETTINGS)
@given(batch_cases())
@example(
    # 60 * (118.9 / 120): the quotient has 34 digits, the product rounds back
    # to 59.45 at 34 digits, which rounds half-up to 59.5 (exact arithmetic
    # without that rounding would give 59.4).
    RuleSetCase(
        {
            "ruleset.yaml": 'scheme: s\nversion: "1"\nyear: 2024\nplaces: 1\n'
            "inputs:\n  x: number\n  y: number\n  z: number\nindicators:\n"
            '  - id: i0\n    name: i0\n    points: 60\n    score: "60 * (x / y)"\n'
        },
        [{"x": Decimal("118.9"), "y": Decimal(120), "z": Decimal(0)}],
    )
)
def test_batch_agrees_on_rounding_boundaries_and_long_quotients(case: RuleSetCase) -> None:
    """Half-up (and every other mode) at x.xx5, 1/3 and 2/7 to 34 digits and
    their products: the batch engine runs (unless a row divides by zero) and agrees."""
    check_batch(case, must_run=True)


# The int64 fast path (runtime/engine/batch.py: SAFE = 2**62): coefficients
# on either side of the bounds it checks (2**62, the square root of 2**62 for
# products, 10**18 for an alignment), exponents far apart (alignments beyond
# 18 digits), products past 34 digits, and rounding of all of them.
_EDGE_COEFFICIENTS = (
    2**62 - 1, 2**62, 2**62 + 1, 2**63 - 1, 2**63, 2**31 - 1, 2**31, 2147483647,
    3037000499, 3037000500, 10**17, 10**18 - 1, 10**18, 10**18 + 5, 10**34 - 1,
    5, 15, 25, 1, 0, 999_999_999_999_999_995,
)  # fmt: skip
_EDGE_FORMULAS = (
    "x + y - z",
    "x * y",
    "x * y * z",
    'round(x * y, 2, "{mode}")',
    'round(x + y, 0, "{mode}") - z',
    "max(x, y) - min(y, z)",
    "if x > y then x * z else z - x",
    "abs(x - y) + -z",
    "x / y + z",
)


@st.composite
def int64_edge_cases(draw: st.DrawFn) -> RuleSetCase:
    """Rows of ``_EDGE_COEFFICIENTS`` at exponents -30..6 (signed) through
    ``_EDGE_FORMULAS``."""
    formula = draw(st.sampled_from(_EDGE_FORMULAS)).replace(
        "{mode}", draw(st.sampled_from(ROUNDING_MODES))
    )
    text = (
        f'scheme: s\nversion: "1"\nyear: 2024\nplaces: {draw(st.integers(0, 4))}\n'
        "inputs:\n  x: number\n  y: number\n  z: number\nindicators:\n"
        f"  - id: i0\n    name: i0\n    points: 50\n    score: {json.dumps(formula)}\n"
    )
    number = st.builds(
        lambda c, e, negative: Decimal(-c if negative else c).scaleb(e),
        st.sampled_from(_EDGE_COEFFICIENTS),
        st.integers(-30, 6),
        st.booleans(),
    )
    rows: list[dict[str, object]] = draw(
        st.lists(
            st.fixed_dictionaries({"x": number, "y": number, "z": number}), min_size=1, max_size=8
        )
    )
    return RuleSetCase({"ruleset.yaml": text}, rows)


@settings(max_examples=200, **SETTINGS)
@given(int64_edge_cases())
def test_batch_agrees_at_the_edges_of_its_int64_fast_path(case: RuleSetCase) -> None:
    """Where int64 coefficients would overflow, the columns go to Python
    integers first: the values stay the Python engine's, digit for digit."""
    check_batch(case)


def test_unsupported_constructs_are_named_and_fall_back() -> None:
    files = {
        "ruleset.yaml": 'scheme: s\nversion: "1"\nyear: 2024\ninputs:\n  x: number\n'
        "indicators:\n  - id: a\n    name: a\n    points: 10\n    score: median(x, 1, 2)\n"
    }
    program = _compiled(files).programs["section"]
    assert program is not None
    batch = BatchEvaluator(program)
    assert (
        batch.reason is not None and "median()" in batch.reason and "ruleset.yaml:" in batch.reason
    )
    with pytest.raises(Fallback):
        batch.evaluate([(Decimal(1),)])


def test_a_fault_on_one_subject_falls_back() -> None:
    files = {
        "ruleset.yaml": 'scheme: s\nversion: "1"\nyear: 2024\ninputs:\n  x: number\n'
        "indicators:\n  - id: a\n    name: a\n    points: 10\n    score: 10 / x\n"
    }
    program = _compiled(files).programs["section"]
    assert program is not None
    batch = BatchEvaluator(program)
    assert batch.evaluate([(Decimal(4),)])[0][program.total] == Decimal("2.5")
    with pytest.raises(Fallback, match="E0701"):
        batch.evaluate([(Decimal(4),), (Decimal(0),)])


def test_level_tables_look_each_row_up_and_a_level_outside_falls_back() -> None:
    files = {
        "ruleset.yaml": 'scheme: s\nversion: "1"\nyear: 2024\nlevels:\n  档: [好, 中, 差]\n'
        "indicators:\n  - id: a\n    name: a\n    points: 10\n"
        "    inputs:\n      评: level(档)\n    levels: {好: 100%, 中: 75%, 差: 45%}\n"
    }
    compilation = _compiled(files)
    program, module = compilation.programs["section"], compilation.modules["section"]
    assert program is not None and module is not None
    python, batch = CompiledEvaluator(program, module), BatchEvaluator(program)
    rows: list[tuple[object, ...]] = [("差",), ("好",), ("中",), ("差",)]
    expected = [tuple(map(_key, python.evaluate(row))) for row in rows]
    assert [tuple(map(_key, values)) for values in batch.evaluate(rows)] == expected
    with pytest.raises(Fallback, match="E0704"):  # the Python engine's fault to locate
        batch.evaluate([*rows, ("外",)])


@pytest.mark.parametrize("period", ["2016Q1", "2016Q2", "2016Q3", "2016Q1..2016Q3"])
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_bundled_rules_give_identical_output_on_the_batch_engine(period: str, fmt: str) -> None:
    common = ("evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", period)
    python = run(*common, "--format", fmt)
    batch = run(*common, "--format", fmt, "--engine", "batch")
    assert python[0] == 0 and "W0960" not in batch[2]
    assert batch == python


def test_dry_run_on_the_batch_engine_gives_the_same_report() -> None:
    common = (
        "dry-run", "--baseline", "rules/yongzhou#2016-03-31", "--candidate", "rules/yongzhou",
        "--data", "examples/yongzhou", "--periods", "2016Q1..2016Q3", "--format", "json",
        "--quiet",
    )  # fmt: skip
    python = run(*common)
    batch = run(*common, "--engine", "batch")
    assert python[0] == 0 and "W0960" not in batch[2]
    assert batch == python


def _period_results(
    text: str, values: list[Decimal]
) -> tuple[list[object], list[object], list[str]]:
    """Stage 1 and 2 of one period on both engines: (python results, batch
    results, fallback reasons); a fault makes both report the same diagnostics."""
    compilation = _compiled({"ruleset.yaml": text})
    program, module = compilation.programs["section"], compilation.modules["section"]
    assert program is not None and module is not None
    rows = [
        Row("2024Q1", f"s{n}", f"s{n}", (value,), f"data.csv:{n + 2}")
        for n, value in enumerate(values)
    ]
    evaluator = CompiledEvaluator(program, module)
    python, python_faults = evaluate_period(program, evaluator, rows, "2024Q1")
    reasons: list[str] = []
    batch, batch_faults = evaluate_period(
        program, evaluator, rows, "2024Q1", None, None, BatchEvaluator(program), reasons
    )
    assert [d.code for d in batch_faults] == [d.code for d in python_faults]
    return [*python, *python_faults], [*batch, *batch_faults], reasons


def test_a_period_the_batch_engine_cannot_compute_is_computed_by_the_python_engine() -> None:
    header = 'scheme: s\nversion: "1"\nyear: 2024\ninputs:\n  x: number\nindicators:\n'
    indicator = "  - id: a\n    name: a\n    points: 10\n    score: "
    python, batch, reasons = _period_results(
        header + indicator + "median(x, 1, 2)\n", [Decimal(1), Decimal(5)]
    )
    assert batch == python and len(reasons) == 1 and "median()" in reasons[0]
    python, batch, reasons = _period_results(
        header + indicator + "10 / x\n", [Decimal(4), Decimal(0), Decimal(3)]
    )
    assert batch == python and len(reasons) == 1 and "E0701" in reasons[0]
    python, batch, reasons = _period_results(
        header + indicator + "10 / x\n", [Decimal(4), Decimal(3)]
    )
    assert batch == python and not reasons


@given(
    st.lists(st.integers(-(2**62), 2**62 - 1), max_size=40)
    | st.lists(st.integers(-70_000, 70_000), max_size=40)
    | st.lists(st.integers(0, 5), max_size=400)
)
def test_unique_is_numpys(values: list[int]) -> None:
    # Narrow ranges are marked in a table, wide ones sorted: both as np.unique.
    column = np.array(values, dtype=np.int64)
    distinct, inverse = unique(column)
    expected, places = np.unique(column, return_inverse=True)
    assert distinct.tolist() == expected.tolist()
    assert inverse.tolist() == places.reshape(-1).tolist()
    assert distinct.dtype == np.int64 and inverse.dtype == np.int64
