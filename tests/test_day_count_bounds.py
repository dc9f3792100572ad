"""verify bounds day counts of dates in the period (issue #11).

``period_start`` is the period's first day and ``period_end`` lies 89 to 91
days later in a quarter, 364 or 365 in a year, so ``days_between`` and
``working_days_between`` of them (and of dates ``add_days`` moves from them)
are bounded, and so are the scores that use them; a date input stays
unbounded (nothing says it lies in the period).  The bounds are checked
against evaluation over every quarter and year of 2015-2020.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from compiler import ir
from compiler.intervals import bounds
from compiler.pipeline import compile_rules
from compiler.verify import verify
from dsl.ruleset import DirectorySource
from runtime.engine.compiled import CompiledEvaluator
from runtime.inputs.periods import Period

RULES = """\
scheme: 日数
version: "1"
year: 2016
{period}inputs:
  报送日期: date
indicators:
  - id: 进度
    name: 进度
    points: 10
    score: 10 * working_days_between(add_days(period_start, 10), period_end) / {length}
  - id: 期长
    name: 期长
    points: 2
    score: min(2, days_between(period_start, period_end) / {half})
  - id: 报送
    name: 报送
    points: 5
    score: max(0, 5 - days_between(period_end, 报送日期))
"""


def _program(tmp_path: Path, annual: bool) -> tuple[ir.Program, CompiledEvaluator]:
    text = RULES.format(
        period="period: year\n" if annual else "",
        length=365 if annual else 90,
        half=182 if annual else 45,
    )
    (tmp_path / "ruleset.yaml").write_text(text, encoding="utf-8")
    result = compile_rules(DirectorySource(str(tmp_path)))
    assert result.ok and "section" in result.programs, result.diagnostics
    program = result.programs["section"]
    return program, CompiledEvaluator(program, result.modules["section"])


@pytest.mark.parametrize("annual", [False, True])
def test_day_counts_of_period_dates_are_bounded_and_sound(tmp_path: Path, annual: bool) -> None:
    program, evaluator = _program(tmp_path, annual)
    proven = bounds(program)
    scores = {i.id: proven[i.score] for i in program.indicators}
    # at most 81 (a quarter) or 355 (a year) working days after the 10th day
    assert scores["进度"].low == 0 and scores["进度"].high is not None
    assert scores["进度"].high < 10
    assert scores["期长"].low is not None and scores["期长"].high == 2
    # 报送: max(0, ...) keeps it at least 0, but a date input leaves the top open
    assert scores["报送"].low == 0 and scores["报送"].high is None
    findings = {d.args.get("id") for d in verify(program, None).findings if d.code == "V0110"}
    assert "进度" not in findings and "期长" not in findings and "报送" in findings
    periods = (
        [Period.of_label(str(y)) for y in range(2015, 2021)]
        if annual
        else [Period(y, q) for y in range(2015, 2021) for q in range(1, 5)]
    )
    for period in periods:
        inputs = {"period_start": period.start, "period_end": period.end,
                  "报送日期": date(period.end.year, 12, 1)}  # fmt: skip
        values = evaluator.evaluate(tuple(inputs.get(f.name, Decimal(0)) for f in program.inputs))
        for slot, interval in proven.items():
            value = values[slot]
            if isinstance(value, Decimal):
                assert interval.contains(value), (period, slot, value, interval)
