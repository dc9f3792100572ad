"""Sanctions whose duration each event gives, and rule-test history that
states a sanction in force (issue #11).

``lasts: {column: 处分期, unit: months}`` reads each event's own duration from
the event table (处分期 6 / 12 / 24 个月 set by each decision); the sanction
holds to the day before the same day that many months later, across quarters
and years, through the store's published results as ``lasts: {years}`` does.
A rule test's history may state ``{item, until}`` (a sanction in force then,
with its last day), so carrying is testable without the earlier events.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from compiler.pipeline import check
from dsl.diagnostics import Lang, render_all
from dsl.ruleset import DirectorySource
from tests.clirun import run
from tests.golden import assert_golden

RULES = "tests/cases/sanctions_per_event/rules"
GOLDEN = Path("tests/cases/sanctions_per_event")


def test_rule_tests_pass_across_a_year_end() -> None:
    code, out, err = run("--lang", "en", "test", RULES)
    assert code == 0, out + err
    assert "7 case(s): 7 passed" in out, out


def _data(tmp_path: Path, months: int) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    quarters = ("2016Q4", "2017Q1", "2017Q2", "2017Q3")
    rows = "".join(f"{q},{s},95\n" for q in quarters for s in ("s1", "s2"))
    (data / "sections.csv").write_text("period,subject,得分\n" + rows, encoding="utf-8")
    (data / "events.csv").write_text(
        "date,subject,item,count,reason,evidence,处分期\n"
        f"2016年11月15日,s1,punished,1,处分,处分决定,{months}\n",
        encoding="utf-8",
    )
    return data


def _grade(out: str, subject: str) -> tuple[str, str | None]:
    found = next(s for s in json.loads(out)["subjects"] if s["id"] == subject)
    return found["grade"], found.get("decided_by")


@pytest.mark.parametrize(
    ("months", "capped"),
    [
        (1, ()),  # to 2016-12-14: not into 2017
        (6, ("2017Q1", "2017Q2")),  # to 2017-05-14
        (12, ("2017Q1", "2017Q2", "2017Q3")),  # to 2017-11-14
    ],
)
def test_the_event_s_months_carry_through_the_store_into_the_next_year(
    tmp_path: Path, months: int, capped: tuple[str, ...]
) -> None:
    """2016Q4 is published with the event's sanction and its last day; each
    quarter of 2017, evaluated alone with the store, reads it."""
    data, store = _data(tmp_path, months), str(tmp_path / "runs.db")
    code, out, err = run("evaluate", RULES, "--data", str(data), "--period", "2016Q4",
                         "--store", store, "--publish", "--format", "json")  # fmt: skip
    assert code == 0, err
    s1 = next(s for s in json.loads(out)["subjects"] if s["id"] == "s1")
    assert s1["grade"] == "基本称职" and s1["decided_by"] == "punished"
    assert (
        s1["sanctions"][0]["until"] == {1: "2016-12-14", 6: "2017-05-14", 12: "2017-11-14"}[months]
    )
    for quarter in ("2017Q1", "2017Q2", "2017Q3"):
        code, out, err = run("evaluate", RULES, "--data", str(data), "--period", quarter,
                             "--store", store, "--format", "json")  # fmt: skip
        assert code == 0, err
        expected = ("基本称职", "punished") if quarter in capped else ("优秀", None)
        assert _grade(out, "s1") == expected, (quarter, out)
        assert _grade(out, "s2") == ("优秀", None)


def test_within_one_evaluation_the_later_quarters_learn_of_it(tmp_path: Path) -> None:
    """2016Q4..2017Q3 in one run: explain shows 2017Q2 capped, 2017Q3 not."""
    data = _data(tmp_path, 6)
    code, out, err = run("explain", RULES, "--data", str(data), "--period", "2016Q4..2017Q3",
                         "--subject", "s1", "--lang", "en")  # fmt: skip
    assert code == 0, err
    q2 = out[out.index("一科 (s1) · 2017Q2 · ") : out.index("一科 (s1) · 2017Q3 · ")]
    q3 = out[out.index("一科 (s1) · 2017Q3 · ") :]
    assert "capped at 基本称职 by item punished" in q2
    assert "raised 2016Q4, lasts until 2017-05-14" in q2
    assert "punished" not in q3


BAD_EVENTS = (
    "date,subject,item,count,reason,evidence,处分期,解除日期\n"
    "2016-11-15,s1,punished,1,处分,,,\n"  # row 2: empty
    "2016-11-15,s1,punished,1,处分,,半年,\n"  # row 3: not a number
    "2016-11-15,s1,punished,1,处分,,61,\n"  # row 4: too long
    "2016-11-15,s2,suspended,1,暂停,,,2016-10-01\n"  # row 5: before the event
    "2016-11-15,s2,suspended,1,暂停,,,2016-11-31\n"  # row 6: no such day
)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bad_duration_cells_are_located(tmp_path: Path, lang: str) -> None:
    data = _data(tmp_path, 6)
    (data / "events.csv").write_text(BAD_EVENTS, encoding="utf-8")
    code, out, err = run("--lang", lang, "evaluate", RULES, "--data", str(data), "--period",
                         "2016Q4")  # fmt: skip
    assert code == 1 and out == ""
    assert_golden(GOLDEN / f"bad_cells.{lang}.txt", err.replace(str(data), "DATA"))


RULE_ERRORS = """\
  - id: both
    name: 两种期限
    kind: veto
    at_most: 称职
    lasts: {years: 2, column: 期限}
  - id: no_unit
    name: 缺单位
    kind: veto
    at_most: 称职
    lasts: {column: 期限}
  - id: own_column
    name: 占用事件表的列
    kind: veto
    at_most: 称职
    lasts: {column: count, unit: years}
  - id: by_formula
    name: 公式触发
    kind: veto
    at_most: 称职
    raised_by: 得分 < 10
    lasts: {column: 期限, unit: months}
grades:"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rule_errors_of_per_event_durations(tmp_path: Path, lang: Lang) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    shutil.rmtree(rules / "tests")
    manifest = rules / "ruleset.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("grades:", RULE_ERRORS), encoding="utf-8"
    )
    result = check(DirectorySource(str(rules)))
    assert not result.ok
    text = render_all(result.diagnostics, lang).replace(str(rules), "rules")
    assert_golden(GOLDEN / f"rule_errors.{lang}.txt", text + "\n")


RULE_TEST_ERRORS = """\
period: 2017Q1
defaults:
  sections: {得分: 95}
cases:
  - name: 事件缺处分期
    population: all
    events:
      - {subject: s1, item: punished, date: 2017-02-01}
      - {subject: s2, item: plain, date: 2017-02-01, lasts: 2017-03-01}
    expect:
      s1: {grade: 基本称职}
  - name: 历史只写编号
    population: all
    history:
      "2016":
        s1: {sanctions: [punished]}
    expect:
      s1: {grade: 基本称职}
"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rule_test_errors_of_per_event_durations(tmp_path: Path, lang: str) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    manifest = rules / "ruleset.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("grades:", RULES_ITEM_WITHOUT_COLUMN),
        encoding="utf-8",
    )
    (rules / "tests" / "per_event.yaml").write_text(RULE_TEST_ERRORS, encoding="utf-8")
    code, out, err = run("--lang", lang, "test", str(rules))
    assert code != 0
    assert_golden(GOLDEN / f"rule_test_errors.{lang}.txt", (out + err).replace(str(rules), "rules"))


RULES_ITEM_WITHOUT_COLUMN = """\
  - id: plain
    name: 诫勉
    kind: veto
    at_most: 称职
grades:"""
