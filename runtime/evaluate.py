"""Evaluating a compiled rule set over period data.

Per subject: the compiled evaluator computes every slot.  Per population: the
subjects of a period are ranked by total (standard competition ranking, ties
share a rank: 1, 2, 2, 4) until the rule set declares its own ranking.
A fault names the rule position, the subject and the period.
"""

from __future__ import annotations

import decimal
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from compiler import ir
from dsl.diagnostics import Diagnostic
from dsl.spans import SourceFile
from runtime import helpers
from runtime.compiled import CompiledEvaluator
from runtime.data import Row
from runtime.helpers import Fault
from runtime.periods import Period


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    id: str
    name: str
    points: Decimal
    score: Decimal | None  # None: not scored (see status)
    status: str = "scored"  # scored, not_applicable (applies_to), exempt (data absent)


@dataclass(frozen=True, slots=True)
class SubjectResult:
    id: str
    name: str
    period: str
    total: Decimal
    rank: int
    indicators: tuple[IndicatorResult, ...]
    values: tuple[object, ...]  # every slot, for explain
    source: str


def rules_digest(files: tuple[SourceFile, ...]) -> str:
    """A digest of the rule files' names and texts: which rules produced a result."""
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.path):
        name = file.path.replace("\\", "/").rsplit("/", 1)[-1]
        digest.update(name.encode("utf-8") + b"\0" + file.text.encode("utf-8") + b"\0")
    return "sha256:" + digest.hexdigest()


def _decimal(value: object) -> Decimal:
    assert isinstance(value, Decimal)
    return value


def _status(indicator: ir.Indicator, values: tuple[object, ...], row: Row) -> str:
    if values[indicator.score] is not None:
        return "scored"
    if indicator.context is not None and not values[indicator.context]:
        return "not_applicable"
    return "exempt"


def evaluate_period(
    program: ir.Program, evaluator: CompiledEvaluator, rows: list[Row], period: str
) -> tuple[list[SubjectResult], list[Diagnostic]]:
    """Evaluate every subject of ``period``; collect every fault."""
    end = Period.parse(period).end
    diagnostics: list[Diagnostic] = []
    evaluated: list[tuple[Row, tuple[object, ...]]] = []
    with decimal.localcontext(helpers.CONTEXT):
        for row in rows:
            if row.period != period:
                continue
            try:
                evaluated.append((row, evaluator.evaluate_in_context(row.values)))
            except Fault as fault:
                assert not isinstance(fault.site, int)
                diagnostics.append(
                    Diagnostic(
                        fault.code,
                        {
                            "subject": row.subject,
                            "period": period,
                            "problem": fault.detail,
                            "value": fault.detail,
                        },
                        fault.site,  # type: ignore[arg-type]
                        help=("E0701.help", {}) if fault.code == "E0701" else None,
                    )
                )
    totals = sorted((_decimal(values[program.total]) for _, values in evaluated), reverse=True)
    results = []
    for row, values in evaluated:
        total = values[program.total]
        assert isinstance(total, Decimal)
        rank = 1 + sum(1 for other in totals if other > total)
        # Indicators not in force for the period are not part of its result.
        indicators = tuple(
            IndicatorResult(i.id, i.name, i.points, values[i.score], _status(i, values, row))  # type: ignore[arg-type]
            for i in program.indicators
            if i.in_force(end)
        )
        results.append(
            SubjectResult(
                row.subject, row.name, period, total, rank, indicators, tuple(values), row.source
            )
        )
    results.sort(key=lambda r: (r.rank, r.id))
    return results, diagnostics
