"""Revisions with identity (issue #12 item 6): the manifest's revisions, effective
dates written as a revision's id, `jixiao revisions` listing them with the
changes computed from the effective dates, and the checks that keep the two
consistent (E0450-E0454)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import run
from tests.gitrepo import git, repository_of_bundled_rules
from tests.golden import assert_golden
from tests.variants import variant

GOLDEN = Path("tests/cases/revisions")
REMOVED = ["publicity", "stability", "training"]
ADDED = ["sanitary_city", "civilized_city", "opinion_survey", "poverty_alleviation", "on_duty",
         "public_security"]  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_bundled_years_revisions(lang: str) -> None:
    code, out, err = run("revisions", "rules/yongzhou", "--lang", lang)
    assert (code, err) == (0, "")
    assert_golden(GOLDEN / f"yongzhou.{lang}.txt", out)


def _log(*args: str) -> dict[str, object]:
    code, out, err = run("revisions", *args, "--format", "json")
    assert (code, err) == (0, ""), err
    log: dict[str, object] = json.loads(out)
    return log


def test_four_revisions_the_second_quarters_with_its_computed_content() -> None:
    revisions = _log("rules/yongzhou")["revisions"]
    assert isinstance(revisions, list)
    assert [r["id"] for r in revisions] == [
        "r2016_q2", "r2016_other_1", "r2016_other_2", "r2016_other_3"
    ]  # fmt: skip
    q2, *others = revisions
    assert q2["date"] == "2016-04-01"
    assert q2["document"] is None  # the source gives no document numbers
    changes = q2["changes"]
    assert [c["id"] for c in changes if c["action"] == "removed"] == REMOVED
    assert [c["id"] for c in changes if c["action"] == "added"] == ADDED
    assert all(c["at"].startswith("rules/yongzhou/") for c in changes)
    for other in others:  # declared, not invented
        assert other["date"] is None and other["changes"] == []
        assert "未载明" in other["reason"]


def test_as_in_force_on_a_date() -> None:
    """`PATH#DATE`: the revisions in force by then (undated ones kept)."""
    before = _log("rules/yongzhou#2016-03-31")
    assert before["as_of"] == "2016-03-31"
    assert isinstance(before["revisions"], list)
    assert "r2016_q2" not in [r["id"] for r in before["revisions"]]
    after = _log("rules/yongzhou#2016-04-01")
    assert isinstance(after["revisions"], list)
    assert after["revisions"][0]["id"] == "r2016_q2"
    assert len(after["revisions"][0]["changes"]) == 9


def test_diff_of_dates_still_sees_the_revision_written_by_id() -> None:
    """Written as `from: r2016_q2`, the revision still diffs as two dates do."""
    code, out, _ = run(
        "diff", "rules/yongzhou#2016-03-31", "rules/yongzhou#2016-04-01", "--format", "json"
    )
    assert code == 0
    changes = json.loads(out)["changes"]
    assert sorted(c["id"] for c in changes if c["action"] == "added") == sorted(ADDED)


def test_from_a_git_revision(tmp_path: Path) -> None:
    """`PATH@REV`: the revision log of a commit, the working tree untouched."""
    repo = repository_of_bundled_rules(tmp_path)
    manifest = repo / "rules" / "ruleset.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(
        text.replace("  - id: r2016_q2\n", "  - id: r2016_q2\n    document: 甲发〔2016〕1号\n"),
        encoding="utf-8",
    )
    git(repo, "commit", "-q", "-am", "the document number")
    manifest.write_text(text.replace("reason: 第二季度", "reason: 未提交"), encoding="utf-8")
    log = _log(f"{repo / 'rules'}@HEAD")
    assert isinstance(log["revisions"], list)
    first = log["revisions"][0]
    assert first["document"] == "甲发〔2016〕1号"
    assert first["reason"].startswith("第二季度")
    assert first["at"] == f"{repo / 'rules'}@HEAD/ruleset.yaml:25"


def test_changes_on_a_day_no_revision_declares_are_listed(tmp_path: Path) -> None:
    """Without `revisions:` the log still shows what effective dates change,
    and a rule replaced under the same name is one change."""
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(
        "scheme: s\nversion: '1'\nyear: 2016\nfull_marks: 10\nindicators:\n"
        "  - {id: a, name: 甲, points: 10, score: points, effective: {until: 2016-06-30}}\n"
        "  - {id: a2, name: 甲, points: 10, score: points * 90%, effective: {from: 2016-07-01}}\n",
        encoding="utf-8",
    )
    log = _log(str(folder))
    assert log["revisions"] == [
        {"id": None, "document": None, "date": "2016-07-01", "reason": None, "declared": None,
         "at": "", "changes": [{"action": "changed", "thing": "indicator", "subjects": "section",
                                "id": "a2", "name": "甲", "replaces": "a",
                                "at": f"{folder}/ruleset.yaml:7"}]},
    ]  # fmt: skip
    code, out, _ = run("revisions", str(folder), "--lang", "en")
    assert code == 0
    assert "Undeclared changes" in out and "changed section indicator a2「甲」 (replaces a)" in out


@pytest.mark.parametrize(
    ("edit", "code", "where"),
    [
        pytest.param({"tasks.yaml": ("from: r2016_q2", "from: r2016_q3")}, "E0450",
                     "tasks.yaml:10:23", id="unknown revision"),
        pytest.param({"ruleset.yaml": ("id: r2016_other_2", "id: r2016_other_1")}, "E0451",
                     "ruleset.yaml:32:9", id="defined twice"),
        pytest.param({"tasks.yaml": ("from: r2016_q2", "from: r2016_other_1")}, "E0453",
                     "tasks.yaml:10:23", id="undated"),
        pytest.param({"tasks.yaml": ("from: r2016_q2", "from: 2016-05-01")}, "E0454",
                     "tasks.yaml:10:23", id="no revision on that day"),
        pytest.param({"tasks.yaml": ("from: r2016_q2", "from: 2016-4-1")}, "E0203",
                     "tasks.yaml:10:23", id="not a date"),
    ],
)  # fmt: skip
def test_revision_mistakes_are_located(
    tmp_path: Path, edit: dict[str, tuple[str, str]], code: str, where: str
) -> None:
    rules = variant(tmp_path, edit)
    status, _, err = run("check", str(rules), "--lang", "en", "--output-format", "concise")
    assert status == 1
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"{rules}/{where}: error[{code}]"), err
    if code == "E0450":
        assert "did you mean `r2016_q2`?" in lines[0]


def test_a_date_written_as_a_revisions_day_is_consistent(tmp_path: Path) -> None:
    """A date equal to a revision's day (`until`: the day before) is accepted,
    as are the year's edges."""
    rules = variant(
        tmp_path,
        {
            "tasks.yaml": ("from: r2016_q2", "from: 2016-04-01"),
            "indicators.yaml": ("until: r2016_q2", "until: 2016-03-31"),
            "items.yaml": ("kind: bonus", "kind: bonus\n    effective: {from: 2016-01-01}"),
        },
    )
    status, _, err = run("check", str(rules))
    assert status == 0, err
