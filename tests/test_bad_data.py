"""Every kind of bad data ends in one located message (file, row, column), in
Chinese or English, exit 1, and nothing written: no output file, no run in
the results store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.clirun import run

HEAD = "period,subject,依法行政评价,督办事项,按期办结,违纪违规次数,机关管理评价,迟报次数,漏报次数,参训率\n"
GOOD = "2016Q1,s01,好,1,1,0,好,0,0,90%\n"

CASES = {
    "text in a number column": (
        HEAD + "2016Q1,s01,好,一,1,0,好,0,0,90%\n",
        "{data}:2 [督办事项]: error[E0802]: row 2, column 督办事项: `一` is not a number"
        " (help: write digits with an optional sign, decimal point and %, thousands may be grouped with commas (1,234.5); no exponents, full-width digits or decimal commas)",
        "{data}:2 [督办事项]: 错误[E0802]: 第 2 行「督办事项」列：`一` 不是数值"
        " (提示: 数值只写阿拉伯数字，可带正负号、小数点和 %，千位可用逗号分隔（如 1,234.5）；不能用科学计数法、全角数字或以逗号作小数点)",
    ),
    "empty required cell": (
        HEAD + "2016Q1,s01,,1,1,0,好,0,0,90%\n",
        "{data}:2 [依法行政评价]: error[E0803]: row 2, column 依法行政评价 is empty but the "
        "field is required (help: fill in the value, or declare `missing` for this input in the rules)",
        "{data}:2 [依法行政评价]: 错误[E0803]: 第 2 行「依法行政评价」列为空，但该字段必须填写"
        " (提示: 填写该值，或在规则中为该输入声明 missing（缺失时的处理）)",
    ),
    "unknown section": (
        HEAD + GOOD + "2016Q1,s99,好,1,1,0,好,0,0,90%\n",
        "{data}:3 [subject]: error[E0809]: row 3: there is no subject `s99` in the organization "
        "(help: did you mean `s09`?)",
        "{data}:3 [subject]: 错误[E0809]: 第 3 行：组织中没有考核对象 `s99` (提示: 是不是 `s09`？)",
    ),
    "duplicated row": (
        HEAD + GOOD + GOOD,
        "{data}:3 [subject]: error[E0805]: row 3: subject `s01` appears twice for the period "
        "(first at {data}:2)",
        "{data}:3 [subject]: 错误[E0805]: 第 3 行：考核对象 `s01` 在同一期间重复出现（第一次在 {data}:2）",
    ),
    "bad period": (
        HEAD + "2016-1,s01,好,1,1,0,好,0,0,90%\n",
        "{data}:2 [period]: error[E0810]: row 2: `2016-1` is not a period (write a quarter such as 2016Q3)",
        "{data}:2 [period]: 错误[E0810]: 第 2 行：`2016-1` 不是考核期间（应写成 2016Q3 这样的季度）",
    ),
    "missing column": (
        HEAD.replace("依法行政评价,", "") + "2016Q1,s01,1,1,0,好,0,0,90%\n",
        "{data}:1: error[E0804]: missing data column 依法行政评价",
        "{data}:1: 错误[E0804]: 缺少数据列「依法行政评价」",
    ),
}

PEOPLE_HEAD = "period,subject,履职评价,差错次数,缺勤天数,学习得分\n"


def _check(data: Path, period: str, lang: str, expected: list[str], tmp_path: Path) -> None:
    out_file = tmp_path / "out.json"
    store = tmp_path / "store.sqlite"
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", str(data), "--period", period, "--lang", lang,
        "--output-format", "concise", "--format", "json", "--out", str(out_file),
        "--store", str(store), "--publish",
    )  # fmt: skip
    assert code == 1
    assert out == ""
    lines = [line for line in err.splitlines() if "[W0901]" not in line]
    assert lines == expected
    assert not out_file.exists()
    assert not store.exists() or run("runs", "--store", str(store))[1] == ""


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_section_data(case: str, lang: str, tmp_path: Path) -> None:
    text, english, chinese = CASES[case]
    data = tmp_path / "data.csv"
    data.write_text(text, encoding="utf-8")
    message = (english if lang == "en" else chinese).format(data=data)
    _check(data, "2016Q1", lang, [message], tmp_path)


def test_unknown_person(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree("examples/yongzhou", folder)
    people = folder / "people.csv"
    people.write_text(
        people.read_text(encoding="utf-8") + "2016Q1,p9999,无名,好,0,0,14\n", encoding="utf-8"
    )
    rows = len(people.read_text(encoding="utf-8").splitlines())
    _check(folder, "2016Q1", "en", [
        f"{people}:{rows} [subject]: error[E0809]: row {rows}: there is no subject `p9999` in the "
        "organization (help: use a section or person id from the organization file, or add it there)"
    ], tmp_path)  # fmt: skip


def test_period_outside_the_rule_year(tmp_path: Path) -> None:
    _check(Path("examples/yongzhou"), "2015Q3", "en", [
        "2015Q3: error[E0811]: period 2015Q3 is outside the rule set's year 2016"
    ], tmp_path)  # fmt: skip


def test_missing_data_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    _check(missing, "2016Q1", "zh", [f"{missing}: 错误[E0801]: 找不到数据文件 {missing}"], tmp_path)
