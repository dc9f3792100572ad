"""Annual and multi-year schemes (issue #11 item 4): a year as a period with
its own data, rules spanning several years, history windows that restart,
rule tests over annual periods and over quarters of two years.

The rule set is ``tests/cases/annual/county`` (a city's annual assessment of
its county units, 2016-2018, synthetic); its data ``tests/cases/annual/data``.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from runtime.inputs.periods import Period, PeriodError, parse_periods, period_end, period_of
from tests.clirun import run

RULES = "tests/cases/annual/county"
DATA = "tests/cases/annual/data"


def _copy(tmp_path: Path, folder: str = RULES) -> Path:
    target = tmp_path / Path(folder).name
    shutil.copytree(folder, target)
    return target


def _totals(out: str) -> dict[str, str]:
    document = json.loads(out)
    return {s["id"]: s["total"] for s in document["subjects"]}


# -- periods -----------------------------------------------------------------


def test_a_year_is_one_period_for_annual_rules_and_four_quarters_otherwise() -> None:
    year = Period(2016, 0)
    assert year.annual and str(year) == "2016"
    assert (year.start, year.end, year.next()) == (
        date(2016, 1, 1),
        date(2016, 12, 31),
        Period(2017, 0),
    )
    assert parse_periods("2016", annual=True) == [year]
    assert parse_periods("2016年度", annual=True) == [year]
    assert parse_periods("2016") == [Period(2016, q) for q in range(1, 5)]  # quarterly: the roll-up
    assert Period.of_label("2016") == year and Period.of_label("2016Q3") == Period(2016, 3)
    assert period_of(date(2016, 8, 2), annual=True) == year
    assert period_of(date(2016, 8, 2)) == Period(2016, 3)
    assert period_end("2016Q1..2016Q3") == date(2016, 9, 30) and period_end("2016") == date(
        2016, 12, 31
    )


@pytest.mark.parametrize("text", ["2016Q3", "2016Q1..2016Q3", "2016年1-9月", "2016年第三季度"])
def test_annual_rules_refuse_quarters(text: str) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_periods(text, annual=True)
    assert raised.value.annual


def test_annual_rules_say_to_write_a_year_whatever_else_is_written() -> None:
    for text in ("soon", "2016..2017"):
        with pytest.raises(PeriodError) as raised:
            parse_periods(text, annual=True)
        assert raised.value.annual


# -- evaluation --------------------------------------------------------------


def test_an_annual_period_is_evaluated_from_annual_rows() -> None:
    code, out, err = run("evaluate", RULES, "--data", DATA, "--period", "2016", "--format", "json")
    assert code == 0, err
    assert err == ""
    document = json.loads(out)
    assert document["period"] == "2016"
    assert _totals(out) == {"c1": "100.00", "c2": "90.00", "c3": "85.00", "c4": "63.00"}
    c3 = next(s for s in document["subjects"] if s["id"] == "c3")
    # The accidents of March and August, both in the year.
    assert [a["points"] for a in c3["adjustments"]] == ["-10.00"]
    assert [e["date"] for e in c3["adjustments"][0]["events"]] == ["2016-03-15", "2016-08-02"]
    again = run("evaluate", RULES, "--data", DATA, "--period", "2016年度", "--format", "json")
    assert again[0] == 0 and _totals(again[1]) == _totals(out)


def test_without_a_period_the_latest_year_in_the_data_is_evaluated() -> None:
    code, out, _ = run("evaluate", RULES, "--data", DATA, "--format", "json")
    assert code == 0
    assert json.loads(out)["period"] == "2017"
    # The rules in force in 2017: 生态环境 replaces 安全生产.
    ids = {i["id"] for s in json.loads(out)["subjects"] for i in s["indicators"]}
    assert "ecology" in ids and "safety" not in ids


def test_annual_rules_say_to_write_a_year() -> None:
    code, _, err = run("evaluate", RULES, "--data", DATA, "--period", "2016Q3", "--lang", "en")
    assert code == 2
    assert "`2016Q3` is not a year: these rules assess whole years (period: year)" in err
    code, _, err = run("evaluate", RULES, "--data", DATA, "--period", "2019", "--lang", "en")
    assert code == 1
    assert "E0811" in err and "2016..2018" in err


def _data(tmp_path: Path, rows: str) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    header = "period,subject,增速,目标增速,完成件数,计划件数,安全评价,空气优良率\n"
    (folder / "counties.csv").write_text(header + rows, encoding="utf-8")
    return folder


def test_quarter_and_month_rows_in_annual_data_are_located_errors(tmp_path: Path) -> None:
    data = _data(tmp_path, "2016Q4,c1,8%,8%,10,10,30,\n2016-07,c2,8%,8%,10,10,30,\n")
    code, _, err = run("evaluate", RULES, "--data", str(data), "--period", "2016", "--lang", "en")
    assert code == 1
    assert "error[E0533]: row 2: `2016Q4` is not a year; these rules assess whole years" in err
    assert f"--> {data / 'counties.csv'}:2 [period]" in err
    assert "error[E0533]: row 3: `2016-07` is not a year" in err
    assert f"--> {data / 'counties.csv'}:3 [period]" in err


def test_a_year_row_in_quarterly_data_says_to_declare_an_annual_period(tmp_path: Path) -> None:
    rules = _copy(tmp_path)
    manifest = rules / "ruleset.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("period: year\n", ""), encoding="utf-8"
    )
    data = _data(tmp_path, "2016,c1,8%,8%,10,10,30,\n")
    code, _, err = run(
        "evaluate", str(rules), "--data", str(data), "--period", "2016Q4", "--lang", "en"
    )
    assert code == 1
    assert "error[E0534]: row 2: `2016` is a year, but these rules assess quarters" in err
    assert "declare `period: year` in ruleset.yaml" in err


def test_published_annual_results_are_the_next_years_history(tmp_path: Path) -> None:
    store = str(tmp_path / "results.db")
    code, _, err = run(
        "evaluate", RULES, "--data", DATA, "--period", "2016", "--store", store, "--publish"
    )
    assert code == 0, err
    code, out, err = run(
        "evaluate", RULES, "--data", DATA, "--period", "2017", "--store", store, "--format", "json"
    )
    assert code == 0 and err == ""  # cumulative history: no year is demanded
    links = {s["id"]: [c["link"] for c in s["consequences"]] for s in json.loads(out)["subjects"]}
    assert links["c1"] == ["excellent_commendation"]  # two years 优秀 of the three needed
    code, out, _ = run("runs", "--store", store, "--lang", "en")
    assert code == 0 and "\t2016\t" in out and "\t2017\t" in out


def test_the_bulletin_names_an_annual_period_as_the_year() -> None:
    code, out, _ = run("report", "bulletin", RULES, "--data", DATA, "--period", "2017")
    assert code == 0
    assert "2017年度" in out.splitlines()[0]


# -- several years -----------------------------------------------------------


def test_rules_in_force_on_a_day_of_any_of_their_years() -> None:
    code, out, _ = run("check", f"{RULES}#2016-06-30", "--lang", "en")
    assert code == 0 and "3 indicators" in out
    code, out, err = run(
        "evaluate", f"{RULES}#2018-06-30", "--data", DATA, "--period", "2017", "--format", "json"
    )
    assert code == 0, err
    ids = {i["id"] for s in json.loads(out)["subjects"] for i in s["indicators"]}
    assert "ecology" in ids and "safety" not in ids
    code, _, err = run("check", f"{RULES}#2019-03-01", "--lang", "en")
    assert code == 1
    assert "error[E0536]: the rules cover 2016..2018 only; 2019-03-01 is outside them" in err


def test_verify_checks_the_points_of_every_year(tmp_path: Path) -> None:
    rules = _copy(tmp_path)
    text = (rules / "rules.yaml").read_text(encoding="utf-8")
    (rules / "rules.yaml").write_text(
        text.replace("    name: 生态环境\n    points: 30", "    name: 生态环境\n    points: 20"),
        encoding="utf-8",
    )
    _, out, err = run("verify", str(rules), "--lang", "en", "--examples", "5")
    assert "V0101" in out + err
    assert "2017-01-01" in out + err and "2018-12-31" in out + err


def test_revision_days_may_be_any_new_years_day_of_the_rules_years(tmp_path: Path) -> None:
    rules = _copy(tmp_path)
    text = (rules / "rules.yaml").read_text(encoding="utf-8")
    (rules / "rules.yaml").write_text(
        text.replace(
            "effective: {from: 2017-01-01}", "effective: {from: 2017-01-01, until: 2018-12-31}"
        ),
        encoding="utf-8",
    )
    code, _, err = run("check", str(rules), "--lang", "en")
    assert code == 0, err
    code, out, _ = run("revisions", str(rules), "--lang", "en")
    assert code == 0 and "2017-01-01" in out


# -- rule tests ----------------------------------------------------------------


def test_the_county_rule_tests_pass_with_full_coverage() -> None:
    code, out, err = run("test", RULES, "--fail-under", "100", "--lang", "en")
    assert code == 0, out + err
    assert "4 case(s): 4 passed" in out and "total               9/9   100.0%" in out


def _rule_test(tmp_path: Path, rules: Path, text: str) -> tuple[int, str, str]:
    tests = rules / "tests"
    shutil.rmtree(tests)
    tests.mkdir()
    (tests / "cases.yaml").write_text(text, encoding="utf-8")
    return run("test", str(rules), "--lang", "en")


def test_a_rule_test_of_annual_rules_evaluates_a_year(tmp_path: Path) -> None:
    rules = _copy(tmp_path)
    text = """\
defaults:
  sections: {增速: 8%, 目标增速: 8%, 完成件数: 10, 计划件数: 10, 安全评价: 30}
cases:
  - name: a quarter
    period: 2016Q4
    sections: {c1: {}}
  - name: an event of the next year
    period: 2016
    sections: {c1: {}}
    events:
      - {subject: c1, item: major_accident, date: 2017-01-05}
"""
    code, out, _ = _rule_test(tmp_path, rules, text)
    assert code == 1
    assert "error[E1018]: `2016Q4` is not a year of 2016..2018" in out
    assert "error[E1014]: the event's date 2017-01-05 is outside the case's period 2016" in out


def test_a_restarting_window_counts_only_the_years_after_the_restart(tmp_path: Path) -> None:
    """Consecutive with ``since``: held in each of the last 2 years, both
    after the last year ``since`` held.  Here the window restarts after a
    year ranked first, a year in which ``when`` held too: without the
    restart both subjects would qualify.  ``since`` reads ``rank``, so the
    history must give it (E0470)."""
    rules = _copy(tmp_path)
    links = (rules / "rules.yaml").read_text(encoding="utf-8")
    (rules / "rules.yaml").write_text(
        links.replace(
            'history: {years: 3, consecutive: false, within: 10, since: grade == "较差"}',
            "history: {years: 2, since: rank == 1}",
        ),
        encoding="utf-8",
    )
    text = """\
period: 2018
defaults:
  sections: {增速: 8%, 目标增速: 8%, 完成件数: 10, 计划件数: 10, 空气优良率: 95%}
cases:
  - name: restarted last year
    sections: {c1: {}, c2: {}}
    history:
      2017: {c1: {grade: 优秀, rank: 1}, c2: {grade: 优秀, rank: 2}}
    expect:
      c1: {links: [excellent_commendation]}
      c2: {links: [three_excellent_since_poor]}
"""
    code, out, err = _rule_test(tmp_path, rules, text)
    assert code == 0, out + err
    assert "1 passed" in out
    code, out, err = _rule_test(tmp_path, rules, text.replace(", rank: 1}", "}"))
    assert code == 1
    assert "E0470" in err and "three_excellent_since_poor" in err


def test_a_quarterly_rule_set_over_two_years_tests_a_roll_up_across_new_year(
    tmp_path: Path,
) -> None:
    rules = _copy(tmp_path)
    manifest = rules / "ruleset.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("period: year\n", ""), encoding="utf-8"
    )
    with (rules / "rules.yaml").open("a", encoding="utf-8") as rules_file:
        rules_file.write("\nrollup:\n  method: average\n")
    text = """\
defaults:
  sections: {增速: 8%, 目标增速: 8%, 完成件数: 10, 计划件数: 10, 安全评价: 30, 空气优良率: 95%}
cases:
  - name: two quarters of two years, an accident in each
    period: 2016Q4..2017Q1
    sections: {c1: {}, c2: {}}
    events:
      - {subject: c1, item: major_accident, date: 2016-11-20}
      - {subject: c1, item: major_accident, date: 2017-02-10}
      - {subject: c2, item: major_accident, date: 2017-03-31}
    expect:
      c1: {total: 95}
      c2: {total: 97.5}
  - name: for quarterly rules 2017 is still the roll-up of its quarters
    period: 2017
    sections: {c1: {}}
    events:
      - {subject: c1, item: major_accident, date: 2017-05-02}
    expect:
      c1: {total: 98.75}
"""
    code, out, err = _rule_test(tmp_path, rules, text)
    assert code == 0, out + err
    assert "2 passed" in out
    code, out, _ = _rule_test(tmp_path, rules, text.replace("period: 2017\n", "period: 2019Q1\n"))
    assert code == 1
    assert (
        "error[E1019]: `2019Q1` is not a quarter, a range of quarters or a year of 2016..2018"
        in out
    )


def _with_assessors(tmp_path: Path) -> Path:
    rules = _copy(tmp_path)
    text = (rules / "rules.yaml").read_text(encoding="utf-8")
    text = text.replace("    points: 40\n", "    points: 40\n    assessor: 发展改革委\n")
    text = text.replace("    points: 30\n", "    points: 30\n    assessor: 民政局\n")
    (rules / "rules.yaml").write_text(text, encoding="utf-8")
    return rules


def test_assessing_departments_submit_a_years_figures(tmp_path: Path) -> None:
    rules, store = _with_assessors(tmp_path), str(tmp_path / "s.db")
    economy = tmp_path / "fgw.csv"
    economy.write_text(
        "period,subject,增速,目标增速\n2017,c1,7.5%,7.5%\n2017,c2,7.8%,7.5%\n"
        "2017,c3,6.5%,7.5%\n2017,c4,7.6%,7.5%\n",
        encoding="utf-8",
    )
    others = tmp_path / "mz.csv"
    others.write_text(
        "period,subject,完成件数,计划件数,空气优良率\n2017,c1,12,12,95%\n2017,c2,12,12,92%\n"
        "2017,c3,10,12,80%\n2017,c4,11,12,88%\n",
        encoding="utf-8",
    )
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("period,subject,增速,目标增速\n2016,c1,7.5%,7.5%\n", encoding="utf-8")
    common = ("--store", store, "--period", "2017", "--lang", "en")
    code, _, err = run(
        "submit", str(rules), *common, "--assessor", "发展改革委", "--file", str(wrong)
    )
    assert (
        code == 1
        and "E0951" in err
        and "2016 is outside the period of this submission, 2017" in err
    )
    for assessor, file in (("发展改革委", economy), ("民政局", others)):
        code, _, err = run(
            "submit", str(rules), *common, "--assessor", assessor, "--file", str(file)
        )
        assert code == 0, err
    code, out, err = run("evaluate", str(rules), "--from-submissions", *common, "--format", "json")
    assert code == 0, err
    assert _totals(out) == {"c1": "100.00", "c2": "100.00", "c3": "84.00", "c4": "93.90"}
    # The year's submissions are the status the December warnings read.
    code, out, _ = run("warn", str(rules), "--date", "2017-12-01", "--lang", "en")
    assert code == 0 and "2017-12-27  甲区" in out
    code, out, _ = run("warn", str(rules), "--date", "2017-12-01", "--store", store, "--lang", "en")
    assert code == 0 and "(no second warnings: everything owed" in out
    code, _, err = run("warn", str(rules), "--date", "2019-12-01", "--lang", "en")
    assert code == 1 and "E0922" in err and "2016..2018" in err


@pytest.mark.parametrize(
    "years", ["2016-2018", "二〇一六..2018", "2016..2036", "1900..1901", "2016.."]
)
def test_years_that_are_not_a_range_are_refused(tmp_path: Path, years: str) -> None:
    rules = _copy(tmp_path)
    manifest = rules / "ruleset.yaml"
    text = manifest.read_text(encoding="utf-8").replace("years: 2016..2018", f"years: {years}")
    manifest.write_text(text, encoding="utf-8")
    code, _, err = run("check", str(rules), "--lang", "en")
    assert code == 1
    assert f"error[E0530]: `years: {years}` is not a range of years" in err


def test_diff_reports_the_period_the_years_and_a_restart(tmp_path: Path) -> None:
    rules = _copy(tmp_path)
    manifest = rules / "ruleset.yaml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace("period: year", "period: quarter").replace("2016..2018", "2016..2019")
    manifest.write_text(text, encoding="utf-8")
    links = (rules / "rules.yaml").read_text(encoding="utf-8")
    (rules / "rules.yaml").write_text(
        links.replace('since: grade == "较差"', 'since: grade == "一般"'), encoding="utf-8"
    )
    code, out, _ = run("diff", RULES, str(rules), "--lang", "en")
    assert code == 0
    assert "assessment period year → quarter" in out
    assert "years 2016..2018 → 2016..2019" in out
    assert 'since grade == "较差" → 3 years cumulative within 10 since grade == "一般"' in out
    assert "0 added, 0 removed, 3 changed." in out
