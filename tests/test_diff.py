"""Semantic diff: the bundled second-quarter revision, and two commits of a
rule set in a temporary git repository (read without touching the work tree)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import run
from tests.gitrepo import git, repository_of_bundled_rules
from tests.golden import assert_golden


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
