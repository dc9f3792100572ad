"""Cadence in scoring (issue #12, item 3): month rows combined into the
quarter, half-year indicators scored only at their checkpoints, due dates on
the official calendar."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from compiler.pipeline import check
from dsl.diagnostics import UserError
from dsl.ruleset import DirectorySource
from runtime.inputs.checkpoints import checkpoints, due_date
from runtime.inputs.periods import Period
from runtime.store import Store
from runtime.tools.early_warnings import warning_table
from runtime.tools.status import period_status
from tests.clirun import run
from tests.variants import variant

DATA = Path("examples/yongzhou")
MONTHS = ("2016-07", "2016-08", "2016年9月")
# Per-month columns: two counts (summed) and a machine score (averaged).
MONTHLY = ("迟报次数", "漏报次数", "征管质量得分")


def _evaluate(data: Path, period: str = "2016Q3", rules: str = "rules/yongzhou") -> Any:
    code, out, err = run(
        "evaluate", rules, "--data", str(data), "--period", period, "--format", "json"
    )
    assert code == 0, err
    return json.loads(out)


def _scores(document: Any) -> dict[str, tuple[str, dict[str, str | None]]]:
    return {
        s["id"]: (s["total"], {i["id"]: i["score"] for i in s["indicators"]})
        for s in document["subjects"]
    }


def _split(count: str, month: int) -> str:
    """A quarter's count spread over its months (adding up to it)."""
    n = int(count)
    return str(n // 3 + (month < n % 3))


def _monthly_copy(
    root: Path, edit: Any = None, keep_quarter: tuple[str, ...] = ()
) -> tuple[Path, list[list[str]]]:
    """The bundled data with 2016Q3's monthly columns moved to ``monthly.csv``
    (one row per section and month); ``edit`` may change the month rows."""
    folder = root / "data"
    shutil.copytree(DATA, folder)
    with (DATA / "sections.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    months = [["period", "subject", *MONTHLY]]
    for row in rows[1:]:
        if row[0] != "2016Q3":
            continue
        late, missed, quality = (row[header.index(c)] for c in MONTHLY)
        for n, month in enumerate(MONTHS):
            months.append([month, row[1], _split(late, n), _split(missed, n), quality])
        for column in MONTHLY:
            if column not in keep_quarter:
                row[header.index(column)] = ""
    if edit is not None:
        edit(months)
    for name, table in (("sections.csv", rows), ("monthly.csv", months)):
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(table)
    return folder, months


def test_month_rows_combined_equal_the_quarterly_rows(tmp_path: Path) -> None:
    """Counts summed and the machine score averaged over three months give
    exactly the results of the quarter's own row."""
    folder, _ = _monthly_copy(tmp_path)
    assert _scores(_evaluate(folder)) == _scores(_evaluate(DATA))


def test_average_and_sum_of_different_months(tmp_path: Path) -> None:
    def vary(months: list[list[str]]) -> None:
        for row in months[1:]:
            if row[1] == "s05":  # 征收管理科: a business section, machine-scored
                row[2:5] = {"2016-07": ["1", "0", "12"], "2016-08": ["0", "1", "13"]}.get(
                    row[0], ["2", "0", "14.5"]
                )

    folder, _ = _monthly_copy(tmp_path, vary)
    scores = _scores(_evaluate(folder))["s05"][1]
    # 3 late (x0.5) and 1 missed (x1): 10 - 1.5 - 1; quality (12 + 13 + 14.5) / 3.
    assert scores["performance_reporting"] == "7.50"
    assert scores["collection_quality"] == "13.17"


def test_a_quarter_value_and_month_rows_for_the_same_input_is_an_error(tmp_path: Path) -> None:
    folder, _ = _monthly_copy(tmp_path, keep_quarter=("迟报次数",))
    code, _, err = run(
        "evaluate", "rules/yongzhou", "--data", str(folder), "--period", "2016Q3",
        "--lang", "en", "--output-format", "concise",
    )  # fmt: skip
    assert code == 1
    lines = [line for line in err.splitlines() if "E0824" in line]
    assert len(lines) == 17  # one per section, nothing else reported for them
    first = next(line for line in lines if " s01 " in line)
    assert "sections.csv:104 [迟报次数]" in first  # the quarter's row
    assert "monthly.csv:2, " in first and "monthly.csv:4" in first  # and the month rows


def test_a_missing_month_is_located_unless_the_input_has_a_default(tmp_path: Path) -> None:
    def drop(months: list[list[str]]) -> None:
        for row in months[1:]:
            if row[1] == "s05" and row[0] == "2016-08":
                row[2:5] = ["", "", ""]

    folder, _ = _monthly_copy(tmp_path, drop)
    code, _, err = run(
        "evaluate", "rules/yongzhou", "--data", str(folder), "--period", "2016Q3",
        "--lang", "en", "--output-format", "concise",
    )  # fmt: skip
    assert code == 1
    problems = [line for line in err.splitlines() if "error[" in line]
    # 迟报次数 and 漏报次数 default to 0 for the missing month; 征管质量得分 has none.
    assert len(problems) == 1, err
    assert "E0825" in problems[0]
    assert "2016-08 missing for s05 征管质量得分" in problems[0]
    assert "monthly.csv:14 [征管质量得分]" in problems[0]


def test_a_month_row_holds_only_monthly_indicators_inputs(tmp_path: Path) -> None:
    def add(months: list[list[str]]) -> None:
        months[0].append("依法行政评价")  # rule_of_law is quarterly
        for row in months[1:]:
            row.append("好" if row[1] == "s02" and row[0] == "2016-07" else "")

    folder, _ = _monthly_copy(tmp_path, add)
    code, _, err = run(
        "evaluate", "rules/yongzhou", "--data", str(folder), "--period", "2016Q3",
        "--lang", "en", "--output-format", "concise",
    )  # fmt: skip
    assert code == 1
    assert "E0826" in err and "monthly.csv:5 [依法行政评价]" in err


def test_months_combining_out_of_range_and_declared_methods(tmp_path: Path) -> None:
    def high(months: list[list[str]]) -> None:
        for row in months[1:]:
            if row[1] == "s04":
                row[4] = "15"

    rules = variant(
        tmp_path,
        {"indicators.yaml": (
            "征管质量得分: {type: number, min: 0, max: 15,",
            "征管质量得分: {type: number, min: 0, max: 15, monthly: sum,",
        )},
    )  # fmt: skip
    folder, _ = _monthly_copy(tmp_path, high)
    code, _, err = run(
        "evaluate", str(rules), "--data", str(folder), "--period", "2016Q3",
        "--lang", "en", "--output-format", "concise",
    )  # fmt: skip
    assert code == 1
    assert "E0827" in err and "s04 征管质量得分: the months of 2016Q3 combine (sum) to 45" in err


def test_monthly_is_checked_against_readers_and_types(tmp_path: Path) -> None:
    rules = variant(
        tmp_path,
        {"indicators.yaml": ("依法行政评价: level(评价档次)",
                             "依法行政评价: {type: level(评价档次), monthly: last}"),
         "tasks.yaml": ("创卫评价: level(评价档次)",
                        "创卫评价: {type: level(评价档次), monthly: average}")},
    )  # fmt: skip
    code, _, err = run("check", str(rules), "--lang", "en", "--output-format", "concise")
    assert code == 1
    assert "E0460" in err and "依法行政评价" in err and "(rule_of_law)" in err
    assert "E0461" in err and "创卫评价" in err and "by average" in err


def test_half_year_indicator_scored_only_at_its_checkpoints() -> None:
    """精准扶贫 (half-year, from 2016-04-01) is scored in Q2 on the half-year's
    figure, unscored in Q3 with the total normalized over the rest; 学习培训
    (half-year, removed after 2016-03-31) is scored at its closing checkpoint."""
    q2, q3 = _scores(_evaluate(DATA, "2016Q2")), _scores(_evaluate(DATA, "2016Q3"))
    assert q2["s01"][1]["poverty_alleviation"] is not None
    assert "poverty_alleviation" not in q3["s01"][1]
    q1 = _scores(_evaluate(DATA, "2016Q1"))
    assert q1["s01"][1]["training"] is not None
    assert "training" not in q2["s01"][1]
    document = _evaluate(DATA, "2016Q3")
    office = next(s for s in document["subjects"] if s["id"] == "s01")
    scored = [i for i in office["indicators"] if i["score"] is not None]
    points = sum(Decimal(i["points"]) for i in scored)
    assert points == 62  # 65 applicable to 办公室, less 精准扶贫's 3


def test_rollup_averages_a_half_year_indicator_over_its_checkpoints_only() -> None:
    rolled = _scores(_evaluate(DATA, "2016Q1..2016Q3"))
    q2 = _scores(_evaluate(DATA, "2016Q2"))
    for subject, (_, scores) in rolled.items():
        if "poverty_alleviation" in scores:  # sections: scored in Q2 only
            assert scores["poverty_alleviation"] == q2[subject][1]["poverty_alleviation"]


def _due_variant(tmp_path: Path, key: str) -> Path:
    return variant(
        tmp_path,
        {"ruleset.yaml": ("assessment_days: 5 ", f"{key}: true\nassessment_days: 5 ")},
        name=key,
    )


@pytest.mark.parametrize(
    ("key", "due"), [("move_off_holidays", date(2016, 10, 8)), ("working_days", date(2016, 10, 12))]
)
def test_due_date_moved_off_the_national_day_holiday(tmp_path: Path, key: str, due: date) -> None:
    """2016Q3's window of 5 days after 2016-09-30 ends in the 1-7 October
    holiday: moved to Saturday 8 October (a make-up working day), or counted
    in working days to 12 October.  warn, status and evaluate's JSON agree."""
    rules = _due_variant(tmp_path, key)
    program = check(DirectorySource(str(rules))).programs["section"]
    assert program is not None
    revenue = next(i for i in program.indicators if i.id == "revenue")
    assert checkpoints(revenue, date(2016, 7, 1), date(2016, 9, 30)) == [(date(2016, 9, 30), due)]
    # warn
    table = warning_table(program, None, date(2016, 9, 1))
    assert {w.due for w in table.first if w.indicator == "revenue"} == {due}
    # status
    compilation = check(DirectorySource(str(rules)))
    store = Store(str(tmp_path / "store.sqlite"))
    lines = period_status(compilation, store, Period(2016, 3), None).lines
    assert next(line for line in lines if line.indicator == "revenue").due == due
    # evaluate --format json
    document = _evaluate(DATA, rules=str(rules))
    section = document["subjects"][0]
    revenue_json = next(i for i in section["indicators"] if i["id"] == "revenue")
    assert revenue_json["checkpoints"] == [{"date": "2016-09-30", "due": due.isoformat()}]


def test_calendar_due_dates_stay_plain_without_the_keys() -> None:
    program = check(DirectorySource("rules/yongzhou")).programs["section"]
    assert program is not None
    revenue = next(i for i in program.indicators if i.id == "revenue")
    assert due_date(revenue, date(2016, 9, 30)) == date(2016, 10, 5)


def test_a_due_date_beyond_the_calendar_data_is_located(tmp_path: Path) -> None:
    rules = _due_variant(tmp_path, "move_off_holidays")
    program = check(DirectorySource(str(rules))).programs["section"]
    assert program is not None
    revenue = next(i for i in program.indicators if i.id == "revenue")
    with pytest.raises(UserError) as raised:
        due_date(revenue, date(2199, 9, 30))
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.code == "E0823" and diagnostic.span == revenue.span


def test_diff_reports_the_new_keys(tmp_path: Path) -> None:
    rules = variant(
        tmp_path,
        {
            "ruleset.yaml": ("assessment_days: 5 ", "working_days: true\nassessment_days: 5 "),
            "indicators.yaml": (
                "迟报次数: {type: count, default: 0}",
                "迟报次数: {type: count, default: 0, monthly: max}",
            ),
        },
    )
    code, out, err = run("diff", "rules/yongzhou", str(rules), "--lang", "en")
    assert code == 0, err
    assert "~ input 迟报次数: months combined by sum → max" in out
    assert (
        "~ indicator revenue「税收收入完成率」: days to assess are working days (none) → true"
        in out
    )


def test_a_submission_may_hold_month_rows_of_its_quarter_only(tmp_path: Path) -> None:
    """政工科 owns 绩效信息报送 (monthly): it may send the months; a month of
    another quarter is E0951 like a quarter row of one."""
    good = tmp_path / "months.csv"
    good.write_text(
        "period,subject,迟报次数,漏报次数\n2016-07,s01,1,0\n2016-08,s01,0,0\n2016-09,s01,0,1\n",
        encoding="utf-8",
    )
    store = str(tmp_path / "store.sqlite")
    common = ("--store", store, "--period", "2016Q3", "--assessor", "政工科")
    code, _, err = run("submit", "rules/yongzhou", *common, "--file", str(good))
    assert code == 0, err
    bad = tmp_path / "april.csv"
    bad.write_text("period,subject,迟报次数,漏报次数\n2016-04,s01,1,0\n", encoding="utf-8")
    code, _, err = run(
        "submit", "rules/yongzhou", *common, "--file", str(bad), "--lang", "en",
        "--output-format", "concise",
    )  # fmt: skip
    assert code == 1 and "E0951" in err and "april.csv:2 [period]" in err


def test_month_rows_without_the_quarter_row_are_an_error(tmp_path: Path) -> None:
    folder, _ = _monthly_copy(tmp_path)
    sections = folder / "sections.csv"
    lines = sections.read_text(encoding="utf-8").splitlines(keepends=True)
    sections.write_text(
        "".join(line for line in lines if not line.startswith("2016Q3,s01,")), encoding="utf-8"
    )
    code, _, err = run(
        "evaluate", "rules/yongzhou", "--data", str(folder), "--period", "2016Q3",
        "--lang", "en", "--output-format", "concise",
    )  # fmt: skip
    assert code == 1
    assert "monthly.csv:2: error[E0828]: s01 has month rows for 2016Q3 but no row" in err
