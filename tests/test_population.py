"""Ranking with declared tie-breaks, and grades by threshold, quota and veto."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from compiler import ir
from compiler.pipeline import compile_rules
from dsl.ruleset import DirectorySource
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.population import UNGRADED, quota_size, standings


def _quota(rounding: str, **extra: object) -> ir.Quota:
    return ir.Quota(Decimal("0.2"), rounding, None, None, "group", "exclude", **extra)


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        ("half_up", 8),
        ("half_even", 8),
        ("half_down", 8),
        ("down", 8),
        ("floor", 8),
        ("up", 9),
        ("ceiling", 9),
    ],
)
def test_quota_of_41_people_at_20_percent(rounding: str, expected: int) -> None:
    # 41 * 20% = 8.2
    assert quota_size(_quota(rounding), 41) == expected


def test_quota_half_modes_differ_at_a_half() -> None:
    # 45 * 10% = 4.5
    def q(mode: str) -> ir.Quota:
        return ir.Quota(Decimal("0.1"), mode, None, None, "group", "exclude")

    assert [quota_size(q(m), 45) for m in ("half_up", "half_even", "half_down")] == [5, 4, 4]
    assert quota_size(ir.Quota(Decimal("0.2"), "half_up", 10, None, "group", "exclude"), 41) == 10
    assert quota_size(ir.Quota(Decimal("0.2"), "half_up", None, 5, "group", "exclude"), 41) == 5


RULES = """\
scheme: 测试
version: "1"
year: 2016
places: 2
organization:
  groups: [{{id: g}}]
  sections:
{sections}
items:
  - {{id: fail_case, name: 否决, kind: veto, veto: fail}}
  - {{id: notice, name: 否优, kind: veto, veto: no_excellent}}
indicators:
  - {{id: a, name: 甲, points: 60, inputs: {{a分: number}}, machine: a分}}
  - {{id: b, name: 乙, points: 40, inputs: {{b分: number}}, machine: b分}}
ranking:
  by: total
  ties: [b]
grades:
  - grade: 优秀
    min: 90
    quota: {{share: 20%, rounding: {rounding}, ties: {ties}}}
    blocked_by: [fail, no_excellent]
  - grade: 良好
    min: 80
    blocked_by: [fail]
  - grade: 不合格
    blocked_by: []
"""


def _evaluate(tmp_path: Path, scores: list[tuple[str, int, int]], rounding: str = "half_up",
              ties: str = "exclude", vetoes: dict[str, str] | None = None) -> dict[str, tuple[int, str | None]]:  # fmt: skip
    sections = "\n".join(f"    - {{id: {s}, name: {s}, group: g}}" for s, _, _ in scores)
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "ruleset.yaml").write_text(
        RULES.format(sections=sections, rounding=rounding, ties=ties), encoding="utf-8"
    )
    result = compile_rules(DirectorySource(str(folder)))
    assert result.ok and "section" in result.programs and "section" in result.modules
    program = result.programs["section"]
    evaluator = CompiledEvaluator(program, result.modules["section"])
    rows = []
    for subject, a, b in scores:
        values = {"a分": Decimal(a), "b分": Decimal(b)}
        for item in program.items:
            values[f"{item.id}.count"] = Decimal(1 if (vetoes or {}).get(subject) == item.id else 0)
        row = tuple(values[f.name] for f in program.inputs)
        rows.append((subject, evaluator.evaluate(row)))
    return {k: (v.rank, v.grade) for k, v in standings(program, rows).items()}


def test_ties_broken_by_declared_key_then_shared(tmp_path: Path) -> None:
    result = _evaluate(tmp_path, [("s1", 50, 40), ("s2", 55, 35), ("s3", 55, 35), ("s4", 40, 30)])
    # s1 and s2/s3 all total 90; b breaks: s1 (40) first; s2 and s3 stay tied.
    assert {k: v[0] for k, v in result.items()} == {"s1": 1, "s2": 2, "s3": 2, "s4": 4}


def test_quota_line_ties_excluded_or_included(tmp_path: Path) -> None:
    # 10 subjects, 20% -> 2 places; 2nd and 3rd tied at the line.
    scores = (
        [("s01", 60, 39)]
        + [(f"s{i:02d}", 58, 37) for i in (2, 3)]
        + [(f"s{i:02d}", 50, 31) for i in range(4, 11)]
    )
    excluded = _evaluate(tmp_path, scores, ties="exclude")
    assert [s for s, (_, g) in sorted(excluded.items()) if g == "优秀"] == ["s01"]
    assert excluded["s02"][1] == excluded["s03"][1] == "良好"
    included = _evaluate(tmp_path, scores, ties="include")
    assert [s for s, (_, g) in sorted(included.items()) if g == "优秀"] == ["s01", "s02", "s03"]


def test_thresholds_vetoes_and_fall_through(tmp_path: Path) -> None:
    scores = [("s1", 60, 40), ("s2", 58, 39), ("s3", 50, 35), ("s4", 40, 30), ("s5", 58, 38)]
    result = _evaluate(tmp_path, scores, vetoes={"s1": "notice", "s5": "fail_case"})
    # 5 subjects at 20% -> 1 place: s1 is vetoed from 优秀, so s2 takes it.
    assert result["s1"] == (1, "良好")
    assert result["s2"] == (2, "优秀")
    assert result["s3"] == (4, "良好")  # 85
    assert result["s4"][1] == "不合格"  # 70: below 良好, caught by the last band
    assert result["s5"] == (3, "不合格")  # one-vote veto: only the last band takes it


def test_ungraded_is_distinct_from_missing(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    text = RULES.format(
        sections="    - {id: s1, name: s1, group: g}", rounding="half_up", ties="exclude"
    )
    text = text.replace("  - grade: 不合格\n    blocked_by: []\n", "")
    (folder / "ruleset.yaml").write_text(text, encoding="utf-8")
    result = compile_rules(DirectorySource(str(folder)))
    assert "section" in result.programs and "section" in result.modules
    evaluator = CompiledEvaluator(result.programs["section"], result.modules["section"])
    values = {
        "a分": Decimal(10),
        "b分": Decimal(10),
        "fail_case.count": Decimal(0),
        "notice.count": Decimal(0),
    }
    row = tuple(values[f.name] for f in result.programs["section"].inputs)
    ranked = standings(result.programs["section"], [("s1", evaluator.evaluate(row))])
    assert ranked["s1"].grade == UNGRADED
