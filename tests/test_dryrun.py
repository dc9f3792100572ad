"""Dry-runs: two revisions from git compared on past data equal evaluating each
checkout on its own; the bundled second-quarter revision both ways; published
results are read, never changed."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.clirun import run
from tests.gitrepo import git, repository_of_bundled_rules
from tests.golden import assert_golden


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    repo = repository_of_bundled_rules(tmp_path)
    indicators = repo / "rules" / "indicators.yaml"
    text = indicators.read_text(encoding="utf-8").replace("* 100 * 0.4", "* 100 * 1.2")
    indicators.write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "harsher revenue deduction")
    return repo


def _totals(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    """The total of every subject in a JSON document (JSON: typed ``Any`` inside)."""
    return {(s["kind"], s["id"]): s["total"] for s in document["subjects"]}


def test_dry_run_between_revisions_equals_separate_evaluations(
    repository: Path, tmp_path: Path
) -> None:
    rules = repository / "rules"
    code, out, err = run(
        "dry-run", "--baseline", f"{rules}@HEAD~1", "--candidate", f"{rules}@HEAD",
        "--data", "examples/yongzhou", "--periods", "2016Q2..2016Q3", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    for revision, column in ((f"{rules}@HEAD~1", "total_before"), (f"{rules}@HEAD", "total_after")):
        checkout = tmp_path / revision.rsplit("@", 1)[1].replace("~", "-")
        subprocess.run(["git", "-C", str(repository), "worktree", "add", "-q", str(checkout),
                        revision.rsplit("@", 1)[1]], check=True, capture_output=True)  # fmt: skip
        for period in report["periods"]:
            code, out, _ = run(
                "evaluate", str(checkout / "rules"), "--data", "examples/yongzhou",
                "--period", period["period"], "--format", "json",
            )  # fmt: skip
            assert code == 0
            separate = _totals(json.loads(out))
            dry = {(s["kind"], s["subject"]): s[column] for s in period["subjects"]}
            assert dry == separate
    changed = [
        s for p in report["periods"] for s in p["subjects"] if s["delta"] not in ("0", "0.00")
    ]
    assert changed, "the harsher deduction changes some business sections"
    assert all(s["kind"] in ("section", "person") for s in changed)


@pytest.mark.parametrize(
    ("baseline", "candidate"),
    [("2016-03-31", "2016-04-01"), ("2016-04-01", "2016-03-31")],
)
def test_second_quarter_revision_against_first_quarter(baseline: str, candidate: str) -> None:
    code, out, err = run(
        "dry-run", "--baseline", f"rules/yongzhou#{baseline}", "--candidate",
        f"rules/yongzhou#{candidate}", "--data", "examples/yongzhou", "--periods", "2016Q1",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    (period,) = json.loads(out)["periods"]
    assert len(period["subjects"]) == 17 + 70
    assert sum(t["count"] for t in period["transitions"]) == 17 + 70
    quotas = {(q["kind"], q["grade"]) for q in period["quotas"]}
    assert ("section", "优秀") in quotas and ("person", "优秀") in quotas


def test_dry_run_reads_published_results_and_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "results.sqlite"
    code, _, _ = run("evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period",
                     "2016Q1", "--publish", "--store", str(store))  # fmt: skip
    assert code == 0
    connection = sqlite3.connect(store)
    before = connection.execute("SELECT * FROM results ORDER BY subject").fetchall()
    connection.close()
    code, out, err = run(
        "dry-run", "--baseline", "rules/yongzhou", "--candidate", "rules/yongzhou#2016-04-01",
        "--data", "examples/yongzhou", "--periods", "2016Q1", "--store", str(store), "--lang", "en",
    )  # fmt: skip
    assert code == 0, err
    assert "against published results: the baseline reproduces the published results" in out
    connection = sqlite3.connect(store)
    after = connection.execute("SELECT * FROM results ORDER BY subject").fetchall()
    runs = connection.execute("SELECT COUNT(*) FROM runs").fetchone()
    connection.close()
    assert after == before and runs == (1,)


def test_dry_run_explains_how_a_derivation_changes() -> None:
    code, out, _ = run(
        "dry-run", "--baseline", "rules/yongzhou#2016-03-31", "--candidate",
        "rules/yongzhou#2016-04-01", "--data", "examples/yongzhou", "--periods", "2016Q1",
        "--explain", "s17", "--lang", "en",
    )  # fmt: skip
    assert code == 0
    diff = out.split("\n--- ", 1)[1]
    assert diff.startswith("rules/yongzhou#2016-03-31\n+++ rules/yongzhou#2016-04-01")
    assert "-│  ├─ 信息宣传 (publicity)" in diff
    assert (
        "+│  ├─ 创建国家卫生城市（创卫） (sanitary_city): no data (not collected in that period)"
        in diff
    )


def test_revised_set_leaves_tasks_that_had_no_data_unscored() -> None:
    """The second-quarter tasks did not exist in 2016Q1: re-scored under the
    revised set they are unscored (no data collected), whatever their inputs'
    defaults, and the totals are normalized over the rest (issue #12)."""
    code, out, err = run(
        "dry-run", "--baseline", "rules/yongzhou#2016-03-31",
        "--candidate", "rules/yongzhou#2016-04-01", "--data", "examples/yongzhou",
        "--periods", "2016Q1", "--explain", "s17", "--lang", "en",
    )  # fmt: skip
    assert code == 0, err
    assert_golden(Path("tests/cases/dryrun/revision_2016Q1.en.txt"), out)
    tasks = [
        line for line in out.splitlines() if "(on_duty)" in line or "(public_security)" in line
    ]
    assert tasks == [
        "+│  ├─ 值班值守（值守） (on_duty): no data (not collected in that period)  "
        "[rules/yongzhou/tasks.yaml:55:5]",
        "+│  └─ 综治平安建设 (public_security): no data (not collected in that period)  "
        "[rules/yongzhou/tasks.yaml:67:5]",
    ]


# -- the cumulative view over several quarters (issue #13, item 4) -----------------

CUMULATIVE = (
    "dry-run", "--baseline", "rules/yongzhou#2016-03-31", "--candidate", "rules/yongzhou",
    "--data", "examples/yongzhou", "--periods", "2016Q1..2016Q3", "--lang", "zh",
)  # fmt: skip


def test_cumulative_view_rolls_up_as_declared() -> None:
    code, out, err = run(*CUMULATIVE, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    cumulative = report["cumulative"]
    assert cumulative["period"] == "2016Q1..2016Q3" and cumulative["rollup"] == "average"
    quarters = {
        p["period"]: {s["subject"]: s for s in p["subjects"] if s["kind"] == "section"}
        for p in report["periods"]
    }
    for entry in (s for s in cumulative["subjects"] if s["kind"] == "section"):
        for column in ("total_before", "total_after"):
            values = [Decimal(q[entry["subject"]][column]) for q in quarters.values()]
            mean = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert Decimal(entry[column]) == mean, (entry["subject"], column)
        assert entry["deltas"] == {p: q[entry["subject"]]["delta"] for p, q in quarters.items()}
    code, text, _ = run(*CUMULATIVE)
    assert "2016Q1..2016Q3（累计：各季度的平均）：" in text
    assert "各期分差: 2016Q1 0.00, 2016Q2 +8.59, 2016Q3 +7.24" in text


def test_cumulative_sheet_in_the_workbook(tmp_path: Path) -> None:
    target = tmp_path / "dryrun.xlsx"
    code, _, err = run(*CUMULATIVE, "--format", "xlsx", "--out", str(target))
    assert code == 0, err
    workbook = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    assert workbook.sheetnames == ["2016Q1", "2016Q2", "2016Q3", "累计"]
    sheet = workbook["累计"]
    heads = [c.value for c in sheet[1]]
    assert heads[-3:] == ["2016Q1分差", "2016Q2分差", "2016Q3分差"]
    rows = {r[2]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["s09"][:7] == ("2016Q1..2016Q3", "科室", "s09", "财务管理科", 85.65, 90.93, 5.28)
    assert rows["s09"][-3:] == (0, 8.59, 7.24)
    assert sheet["E2"].number_format == "0.00" and sheet.freeze_panes == "A2"
