"""Semantic diff: the bundled second-quarter revision, two commits of a rule
set in a temporary git repository (read without touching the work tree), and
one revision of a copy of the bundled rules for each fact diff compares."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.clirun import run
from tests.gitrepo import git, repository_of_bundled_rules
from tests.golden import assert_golden
from tests.variants import variant


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_second_quarter_revision_diff(lang: str) -> None:
    code, out, err = run(
        "diff", "rules/yongzhou#2016-03-31", "rules/yongzhou#2016-04-01", "--lang", lang
    )
    assert (code, err) == (0, "")
    assert_golden(Path(f"tests/cases/diff/q2_revision.{lang}.txt"), out)


def test_second_quarter_revision_is_exactly_three_removed_six_added() -> None:
    code, out, _ = run(
        "diff", "rules/yongzhou#2016-03-31", "rules/yongzhou#2016-04-01", "--format", "json"
    )
    assert code == 0
    changes = json.loads(out)["changes"]
    removed = sorted(c["id"] for c in changes if c["action"] == "removed")
    added = sorted(c["id"] for c in changes if c["action"] == "added")
    assert removed == ["publicity", "stability", "training"]
    assert added == [
        "civilized_city", "on_duty", "opinion_survey", "poverty_alleviation", "public_security",
        "sanitary_city",
    ]  # fmt: skip
    assert [c for c in changes if c["action"] == "changed"] == []
    assert all(c["thing"] == "indicator" for c in changes)
    assert all(c["old_at"] or c["new_at"] for c in changes)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository with two commits of the bundled rules: the second revises them."""
    repo = repository_of_bundled_rules(tmp_path)
    indicators = repo / "rules" / "indicators.yaml"
    text = indicators.read_text(encoding="utf-8")
    text = text.replace("    points: 20\n", "    points: 25\n", 1)
    text = text.replace("(100% - 完成率) * 100 * 0.4", "(100% - 完成率) * 100 * 0.5")
    indicators.write_text(text, encoding="utf-8")
    grades = repo / "rules" / "grades.yaml"
    grades.write_text(grades.read_text(encoding="utf-8").replace("min: 90", "min: 92", 1), "utf-8")
    git(repo, "commit", "-q", "-am", "revise revenue and the excellent threshold")
    # A working-tree edit that must not be seen when reading revisions.
    indicators.write_text(text.replace("points: 25", "points: 99", 1), encoding="utf-8")
    return repo


def test_diff_between_git_revisions(repository: Path) -> None:
    rules = repository / "rules"
    code, out, err = run("diff", f"{rules}@HEAD~1", f"{rules}@HEAD", "--format", "json")
    assert (code, err) == (0, "")
    changes = [
        (c["thing"], c["id"], c["field"], c["old"], c["new"]) for c in json.loads(out)["changes"]
    ]
    assert changes == [
        ("indicator", "revenue", "formula",
         "if 完成率 >= 100% then points else max(0, points - (100% - 完成率) * 100 * 0.4)",
         "if 完成率 >= 100% then points else max(0, points - (100% - 完成率) * 100 * 0.5)"),
        ("indicator", "revenue", "points", "20", "25"),
        ("grade", "优秀", "min", "90", "92"),
    ]  # fmt: skip
    located = json.loads(out)["changes"][1]
    assert located["old_at"] == f"{rules}@HEAD~1/indicators.yaml:5"
    assert located["new_at"] == f"{rules}@HEAD/indicators.yaml:5"
    # The working tree was neither read nor touched.
    assert "points: 99" in (rules / "indicators.yaml").read_text(encoding="utf-8")


def test_unknown_revision_is_a_located_error(repository: Path) -> None:
    rules = repository / "rules"
    code, _, err = run("check", f"{rules}@v9.9", "--lang", "en", "--output-format", "concise")
    assert code == 1
    assert err.startswith(f"{rules}@v9.9: error[E0908]: cannot read the rules {rules}@v9.9: ")


# -- every fact diff compares, one revision at a time ------------------------------

Edit = tuple[str, str, str]  # (file, text, replacement)

# The bundled 优秀 grade of sections (people's grades are indented further).
EXCELLENT = "  - grade: 优秀\n    min: 90\n"
BOTTOM_TWO = "history: {years: 2, consecutive: true}\n    to: head"


def _variant(root: Path, name: str, edits: list[Edit]) -> Path:
    """A copy of the bundled rules as ``root/name`` with each text replaced once.
    Every text must be there: a change to the bundled rules fails the test
    instead of leaving it comparing two identical rule sets."""
    rules = root / name
    shutil.copytree("rules/yongzhou", rules)
    for file, text, replacement in edits:
        path = rules / file
        source = path.read_text(encoding="utf-8")
        assert text in source, f"{text!r} not in {file}"
        path.write_text(source.replace(text, replacement, 1), encoding="utf-8")
    return rules


def _diff_json(root: Path, before: list[Edit], after: list[Edit]) -> list[dict[str, str]]:
    old, new = _variant(root, "old", before), _variant(root, "new", after)
    code, out, err = run("diff", str(old), str(new), "--format", "json")
    assert (code, err) == (0, "")
    changes: list[dict[str, str]] = json.loads(out)["changes"]
    for c in changes:  # locations relative to each side, for brevity
        c["old_at"] = c["old_at"].removeprefix(f"{old}/")
        c["new_at"] = c["new_at"].removeprefix(f"{new}/")
    return changes


def _rows(changes: list[dict[str, str]]) -> list[tuple[str, ...]]:
    keys = ("action", "thing", "id", "field", "old", "new", "old_at", "new_at")
    return [tuple(c[k] for k in keys) for c in changes]


REVISIONS = [
    pytest.param(
        [("grades.yaml", EXCELLENT, EXCELLENT + "    max: 100\n")],
        [("grades.yaml", EXCELLENT, EXCELLENT + "    max: 99\n")],
        [("changed", "grade", "优秀", "max", "100", "99", "grades.yaml:10", "grades.yaml:10")],
        id="grade max",
    ),
    pytest.param(
        [("grades.yaml", EXCELLENT, EXCELLENT + "    requires: base >= 85\n")],
        [("grades.yaml", EXCELLENT, EXCELLENT + "    requires: base >= 80  # lowered\n")],
        [("changed", "grade", "优秀", "requires", "base >= 85", "base >= 80",
          "grades.yaml:12", "grades.yaml:12")],
        id="grade requires",
    ),
    pytest.param(
        [],
        [("grades.yaml", EXCELLENT, EXCELLENT + "    requires: |\n      base >= 85\n      and integrity >= 8\n")],
        [("changed", "grade", "优秀", "requires", "", "base >= 85 and integrity >= 8",
          "grades.yaml:10", "grades.yaml:13")],
        id="grade requires added",
    ),
    pytest.param(
        [],
        [("items.yaml", "when: base >= 85", "when: base >= 80")],
        [("changed", "item", "practice_promoted", "when", "base >= 85", "base >= 80",
          "items.yaml:26", "items.yaml:26")],
        id="item when",
    ),
    pytest.param(
        [],
        [("items.yaml", "bonus_cap: 3", "bonus_cap: 4")],
        [("changed", "setting", "section", "bonus_cap", "3", "4", "items.yaml:5", "items.yaml:5"),
         ("changed", "setting", "person", "bonus_cap", "3", "4", "items.yaml:5", "items.yaml:5")],
        id="bonus cap",
    ),
    pytest.param(
        [],
        [("items.yaml", "  deduction_cap: 5\n", "")],
        [("changed", "setting", "section", "deduction_cap", "5", "", "items.yaml:6", "ruleset.yaml:5"),
         ("changed", "setting", "person", "deduction_cap", "5", "", "items.yaml:6", "ruleset.yaml:5")],
        id="deduction cap removed",
    ),
    pytest.param(
        [],
        [("indicators.yaml", "    cadence: quarterly\n", "    cadence: quarterly\n    due_days: 10\n")],
        [("changed", "indicator", "revenue", "due_days", "5", "10",
          "indicators.yaml:5", "indicators.yaml:5")],
        id="due_days",
    ),
    pytest.param(
        [("grades.yaml", "method: average", "method: weighted\n  weights: {Q1: 1, Q2: 1, Q3: 1}")],
        [("grades.yaml", "method: average", "method: weighted\n  weights: {Q1: 1, Q2: 1, Q3: 1.5}")],
        [("changed", "setting", "section", "rollup", "weighted Q1: 1, Q2: 1, Q3: 1",
          "weighted Q1: 1, Q2: 1, Q3: 1.5", "ruleset.yaml:5", "ruleset.yaml:5"),
         ("changed", "setting", "person", "rollup", "weighted Q1: 1, Q2: 1, Q3: 1",
          "weighted Q1: 1, Q2: 1, Q3: 1.5", "ruleset.yaml:5", "ruleset.yaml:5")],
        id="roll-up weights",
    ),
    pytest.param(
        [],
        [("grades.yaml", "ties: [base, integrity]", "ties: [base, integrity ascending]")],
        [("changed", "setting", "section", "ranking", "total, base, integrity",
          "total, base, integrity ascending", "ruleset.yaml:5", "ruleset.yaml:5")],
        id="ranking ties direction",
    ),
    pytest.param(
        [],
        [("people.yaml", "    by: total\n", "    by: total\n    order: ascending\n")],
        [("changed", "setting", "person", "ranking", "total, base", "total ascending, base",
          "ruleset.yaml:5", "ruleset.yaml:5")],
        id="ranking order",
    ),
    pytest.param(
        [("links.yaml", BOTTOM_TWO, BOTTOM_TWO.replace("true}", "false, within: 3}"))],
        [("links.yaml", BOTTOM_TWO, BOTTOM_TWO.replace("true}", "false, within: 4}"))],
        [("changed", "link", "bottom_two_talk", "history", "2 years cumulative within 3",
          "2 years cumulative within 4", "links.yaml:60", "links.yaml:60")],
        id="history within",
    ),
    pytest.param(
        [],
        [("people.yaml", "{own: 70%, section: 30%}", "{own: 60%, section: 40%}")],
        [("changed", "setting", "person", "combine", "own 70% section 30%", "own 60% section 40%",
          "people.yaml:4", "people.yaml:4")],
        id="combine",
    ),
    pytest.param(
        [],
        [("grades.yaml", "always: total <= 100 + 3", "always: total <= 100 + 4"),
         ("grades.yaml", "name: 评为优秀的个人总分不低于 90 分", "name: 优秀的个人总分不低于 90 分")],
        [("changed", "property", "total_within_caps", "always", "total <= 100 + 3",
          "total <= 100 + 4", "grades.yaml:30", "grades.yaml:30"),
         ("changed", "property", "person_excellent_needs_90", "name", "评为优秀的个人总分不低于 90 分",
          "优秀的个人总分不低于 90 分", "grades.yaml:43", "grades.yaml:43")],
        id="property formula and name",
    ),
    pytest.param(
        [],
        [("grades.yaml", "direction: increasing", "direction: decreasing")],
        [("changed", "property", "revenue_monotone", "monotone",
          "of revenue input 实际入库 increasing", "of revenue input 实际入库 decreasing",
          "grades.yaml:40", "grades.yaml:40")],
        id="property monotone",
    ),
    pytest.param(
        [],
        [("grades.yaml", "id: total_within_caps", "id: total_capped"),
         ("grades.yaml", "id: revenue_monotone", "id: revenue_increasing")],
        [("removed", "property", "revenue_monotone", "monotone",
          "of revenue input 实际入库 increasing", "", "grades.yaml:40", ""),
         ("removed", "property", "total_within_caps", "always", "total <= 100 + 3", "",
          "grades.yaml:28", ""),
         ("added", "property", "revenue_increasing", "monotone", "",
          "of revenue input 实际入库 increasing", "", "grades.yaml:40"),
         ("added", "property", "total_capped", "always", "", "total <= 100 + 3", "",
          "grades.yaml:28")],
        id="property renamed",
    ),
    pytest.param(
        [],
        [("links.yaml", "    reads: period\n    when: rank > count - 2", "    reads: year\n    when: rank > count - 2")],
        [("changed", "link", "bottom_two_talk", "reads", "period", "year", "links.yaml:60",
          "links.yaml:60")],
        id="link reads",
    ),
    pytest.param(
        [],
        [("links.yaml", "    except: [head]\n    when: grade == \"优秀\"", "    when: grade == \"优秀\"")],
        [("changed", "link", "person_excellent_annual", "roles", "except head", "",
          "links.yaml:24", "links.yaml:24")],
        id="link roles",
    ),
    pytest.param(
        [],
        [("links.yaml", "    overrides: [promotion_priority]\n", "")],
        [("changed", "link", "promotion_blocked", "overrides", "promotion_priority", "",
          "links.yaml:49", "links.yaml:49")],
        id="link overrides",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("before", "after", "expected"), REVISIONS)
def test_each_fact_is_reported_located_on_both_sides(
    tmp_path: Path, before: list[Edit], after: list[Edit], expected: list[tuple[str, ...]]
) -> None:
    assert _rows(_diff_json(tmp_path, before, after)) == expected


def test_assessment_days_is_shown_once(tmp_path: Path) -> None:
    """A change of the manifest's `assessment_days` is one change, not one per
    indicator without `due_days` of its own (20 of them: CHANGELOG "Next");
    an indicator's own `due_days` is still its own change."""
    changes = _diff_json(
        tmp_path,
        [("indicators.yaml", "    cadence: quarterly\n", "    cadence: quarterly\n    due_days: 3\n")],
        [("indicators.yaml", "    cadence: quarterly\n", "    cadence: quarterly\n    due_days: 4\n"),
         ("ruleset.yaml", "assessment_days: 5", "assessment_days: 7")],
    )  # fmt: skip
    assert _rows(changes) == [
        ("changed", "manifest", "", "assessment_days", "5", "7", "ruleset.yaml:5", "ruleset.yaml:5"),
        ("changed", "indicator", "revenue", "due_days", "3", "4",
         "indicators.yaml:5", "indicators.yaml:5"),
    ]  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_newly_compared_facts_in_plain_words(tmp_path: Path, lang: str) -> None:
    old = _variant(tmp_path, "old", [])
    new = _variant(tmp_path, "new", [
        ("grades.yaml", EXCELLENT, EXCELLENT + "    max: 100\n    requires: base >= 85\n"),
        ("grades.yaml", "method: average", "method: weighted\n  weights: {Q1: 1, Q2: 1, Q3: 2}"),
        ("grades.yaml", "ties: [base, integrity]", "ties: [base, integrity ascending]"),
        ("grades.yaml", "always: total <= 100 + 3", "always: total <= 100 + 4"),
        ("items.yaml", "bonus_cap: 3", "bonus_cap: 4"),
        ("items.yaml", "when: base >= 85", "when: base >= 80"),
        ("indicators.yaml", "    cadence: quarterly\n", "    cadence: quarterly\n    due_days: 10\n"),
        ("links.yaml", BOTTOM_TWO, BOTTOM_TWO.replace("true}", "false, within: 3}")),
        ("people.yaml", "{own: 70%, section: 30%}", "{own: 60%, section: 40%}"),
    ])  # fmt: skip
    code, out, err = run("diff", str(old), str(new), "--lang", lang)
    assert (code, err) == (0, "")
    assert_golden(
        Path(f"tests/cases/diff/every_fact.{lang}.txt"), out.replace(str(tmp_path), "TMP")
    )


VALUES = """scheme: s
version: "1"
year: 2016
inputs:
  实际: {{type: number, min: 0, max: {high}}}
values:
  完成率: 实际 / {goal}
indicators:
  - {{id: a, name: 甲, points: 10, score: "min(完成率, 1) * points"}}
"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_organization_inputs_and_values_are_compared(tmp_path: Path, lang: str) -> None:
    """`diff` said "no difference" after a change of a section's head, of an
    input's bounds or of a value (issue #12); a post's duties are compared too."""
    old, new = (
        variant(tmp_path, {}, "old"),
        variant(
            tmp_path,
            {
                "organization.yaml": ("head: p0101", "head: p0102"),
                "indicators.yaml": ("max: 15,", "max: 20,"),
            },
            "new",
        ),
    )
    organization = new / "organization.yaml"
    text = organization.read_text(encoding="utf-8")
    duty = "协助科长分管科室业务工作"
    assert duty in text
    organization.write_text(text.replace(duty, "协助科长分管科室业务和队伍建设工作"), "utf-8")
    code, out, err = run("diff", str(old), str(new), "--lang", lang)
    assert code == 0, err
    small_old, small_new = tmp_path / "small_old", tmp_path / "small_new"
    for folder, high, goal in ((small_old, 100, 80), (small_new, 120, 90)):
        folder.mkdir()
        (folder / "ruleset.yaml").write_text(VALUES.format(high=high, goal=goal), encoding="utf-8")
    code, small, err = run("diff", str(small_old), str(small_new), "--lang", lang)
    assert code == 0, err
    text = (out + small).replace(str(tmp_path), "TMP")
    assert_golden(Path(f"tests/cases/diff/organization_inputs_values.{lang}.txt"), text)


RULE_SET = """scheme: s
version: "1"
year: 2016
full_marks: 100
revisions:
  - {{id: r1, date: {day}, document: {document}, reason: 调整}}
{extra}collections:
  全部指标: [{members}]
indicators:
  - {{id: a, name: 甲, points: 50, score: points}}
  - {{id: b, name: 乙, points: 50, score: points * 90%}}
  - {{id: c, name: 丙, points: 50, score: points, effective: {{from: r1}}}}
total: {total}
"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_revisions_collections_and_total_are_compared(tmp_path: Path, lang: str) -> None:
    """`diff` compared neither collections nor `total:` (CHANGELOG "Next"), and
    revisions are new: a revision's date and document, one revision added, a
    collection's members and the total formula."""
    sides = {
        "old": {"day": "2016-04-01", "document": "甲发〔2016〕1号", "extra": "", "members": "a, b",
                "total": "min(100, sum(全部指标))"},
        "new": {"day": "2016-07-01", "document": "甲发〔2016〕2号",
                "extra": "  - {id: r2, reason: 来源未载明}\n", "members": "a, b, c",
                "total": "min(100, sum(全部指标) + 1)"},
    }  # fmt: skip
    for name, fields in sides.items():
        (tmp_path / name).mkdir()
        text = RULE_SET.format(**fields)  # `extra`: a second item of `revisions:`
        (tmp_path / name / "ruleset.yaml").write_text(text, encoding="utf-8")
    old, new = tmp_path / "old", tmp_path / "new"
    code, out, err = run("diff", str(old), str(new), "--lang", lang)
    assert code == 0, err
    assert_golden(
        Path(f"tests/cases/diff/revisions_collections_total.{lang}.txt"),
        out.replace(str(tmp_path), "TMP"),
    )
    code, out, _ = run("diff", str(old), str(new), "--format", "json")
    rows = {(c["action"], c["thing"], c["id"], c["field"]) for c in json.loads(out)["changes"]}
    assert rows == {
        ("changed", "revision", "r1", "date"), ("changed", "revision", "r1", "document"),
        ("added", "revision", "r2", "reason"), ("changed", "collection", "全部指标", "members"),
        ("changed", "setting", "section", "total"),
        # c now starts on r1's new date
        ("changed", "indicator", "c", "effective_from"),
    }  # fmt: skip
