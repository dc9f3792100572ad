"""The bundled real example end to end: the source account's figures for
January-September 2016, and the consistency of a quarter's results."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest

from runtime import cli
from tests.golden import only_history_warnings


def _evaluate(period: str) -> dict[str, object]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", period,
         "--format", "json"],
        stdout=out, stderr=err,
    )  # fmt: skip
    assert code == 0 and only_history_warnings(err.getvalue())
    document = json.loads(out.getvalue())
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def january_september() -> dict[str, object]:
    return _evaluate("2016Q1..2016Q3")


@pytest.fixture(scope="module")
def third_quarter() -> dict[str, object]:
    return _evaluate("2016Q3")


def _kind(document: dict[str, object], kind: str) -> list[dict[str, Any]]:
    """The subjects of one kind (JSON objects: typed ``Any`` inside)."""
    subjects = document["subjects"]
    assert isinstance(subjects, list)
    return [s for s in subjects if s["kind"] == kind]


def _deducted(subject: dict[str, object]) -> bool:
    adjustments = subject["adjustments"]
    assert isinstance(adjustments, list)
    return any(Decimal(a["points"]) < 0 for a in adjustments)


def test_source_figures_for_january_to_september(january_september: dict[str, object]) -> None:
    sections = _kind(january_september, "section")
    people = _kind(january_september, "person")
    assert len(sections) == 17
    assert len(people) == 70
    # 11 of the 17 sections received organizational deductions (65%).
    assert sum(_deducted(s) for s in sections) == 11
    assert round(Decimal(11) / 17 * 100) == 65
    # Every individual received some deduction.
    assert all(_deducted(p) for p in people)
    # The largest gap between two individuals' totals is 10 points.
    totals = [Decimal(str(p["total"])) for p in people]
    assert max(totals) - min(totals) == Decimal("10.00")
    assert january_september["period"] == "2016Q1..2016Q3"


def test_quarter_results_are_consistent(third_quarter: dict[str, object]) -> None:
    sections = _kind(third_quarter, "section")
    people = _kind(third_quarter, "person")
    assert len(sections) == 17 and len(people) == 70
    for section in sections:
        indicators = section["indicators"]
        assert isinstance(indicators, list)
        scored = [i for i in indicators if i["score"] is not None]
        applicable = sum((Decimal(i["points"]) for i in scored), Decimal(0))
        base = sum((Decimal(i["score"]) for i in scored), Decimal(0)) * 100 / applicable
        adjustments = sum(Decimal(a["points"]) for a in section["adjustments"])
        # Indicator scores are shown at 2 places; the base is computed from the
        # exact scores, so allow the display rounding of each score.
        assert (
            abs(Decimal(str(section["base"])) - base)
            <= Decimal("0.005") * len(scored) * 100 / applicable
        )
        # total = round(base + adjustments); base and total are each shown rounded.
        total_shown = Decimal(str(section["total"]))
        assert abs(total_shown - Decimal(str(section["base"])) - adjustments) <= Decimal("0.01")
    # Ranks follow totals; equal totals are broken by base, then integrity.
    ordered = sorted(sections, key=lambda s: s["rank"])
    totals = [Decimal(str(s["total"])) for s in ordered]
    assert totals == sorted(totals, reverse=True)
    # Grades: thresholds, the 20% quota (3 of 17) and vetoes.
    excellent = [s for s in sections if s["grade"] == "优秀"]
    assert len(excellent) <= 3
    for section in sections:
        total = Decimal(str(section["total"]))
        grade = section["grade"]
        vetoes = section["vetoes"]
        assert isinstance(vetoes, list)
        if grade == "优秀":
            assert total >= 90 and not vetoes
        elif grade == "良好":
            assert total >= 80 and "fail" not in vetoes
        elif grade == "合格":
            assert total >= 60
    assert any(s["vetoes"] == ["no_excellent"] and s["grade"] != "优秀" for s in sections)
    # People: 20% of 70 rounded down = 14 at most are 优秀.
    assert sum(1 for p in people if p["grade"] == "优秀") <= 14
