"""Defects found in the docs review ("Current limitations"), second round, each
fixed with its test."""

from __future__ import annotations

from pathlib import Path

from tests.clirun import run
from tests.variants import variant


def _findings(folder: Path, lang: str, *command: str) -> list[str]:
    """The concise diagnostics of ``jixiao COMMAND FOLDER``, the folder written RULES."""
    _, _, err = run(*command, str(folder), "--lang", lang, "--output-format", "concise")
    return [line.replace(str(folder), "RULES") for line in err.splitlines() if line.strip()]


def _verify(folder: Path, lang: str) -> list[str]:
    return _findings(folder, lang, "verify", "--examples", "1")


# -- V0107 names sections or people, and its kind in Chinese ------------------


def test_overall_cap_that_never_binds_names_its_subjects(tmp_path: Path) -> None:
    """With bonus_cap 4 the sections' bonus caps (2 + 1 + 1) never reach it
    either: one warning for sections, one for people, each saying which."""
    folder = variant(tmp_path, {"items.yaml": ("  bonus_cap: 3\n", "  bonus_cap: 4\n")})
    en = [line for line in _verify(folder, "en") if "V0107" in line]
    assert en == [
        "RULES/items.yaml:5:14: warning[V0107]: the overall bonus cap 4 never binds for "
        "sections: their bonus items' own caps add up to at most 4",
        "RULES/items.yaml:5:14: warning[V0107]: the overall bonus cap 4 never binds for "
        "people: their bonus items' own caps add up to at most 2",
        "RULES/items.yaml:6:18: warning[V0107]: the overall deduction cap 5 never binds for "
        "people: their deduction items' own caps add up to at most 5",
    ]
    zh = [line for line in _verify(folder, "zh") if "V0107" in line]
    assert zh == [
        "RULES/items.yaml:5:14: 警告[V0107]: 科室加分合计上限 4 永远不会起作用："
        "科室各加分项目的上限加起来最多只有 4",
        "RULES/items.yaml:5:14: 警告[V0107]: 个人加分合计上限 4 永远不会起作用："
        "个人各加分项目的上限加起来最多只有 2",
        "RULES/items.yaml:6:18: 警告[V0107]: 个人扣分合计上限 5 永远不会起作用："
        "个人各扣分项目的上限加起来最多只有 5",
    ]
    assert not any("bonus" in line or "deduction" in line for line in zh)


# -- E0419 and E0435 for `monotone` say what is wrong and what to write -------

MONOTONE = "    monotone: {of: revenue, input: 实际入库, direction: increasing}\n"
MONOTONE_VARIANTS = """\
    monotone: {of: 实际入库, input: 实际入库}
  - id: misspelt
    name: misspelt
    monotone: {of: revenu, input: 实际入库}
  - id: level_input
    name: level_input
    monotone: {of: revenue, input: 依法行政评价}
  - id: score_as_input
    name: score_as_input
    monotone: {of: revenue, input: revenue}
  - id: section_input_for_people
    name: section_input_for_people
    subjects: person
    monotone: {of: total, input: 实际入库}
"""


def test_monotone_of_and_input_errors_say_what_they_need(tmp_path: Path) -> None:
    folder = variant(tmp_path, {"grades.yaml": (MONOTONE, MONOTONE_VARIANTS)})
    assert _findings(folder, "en", "check") == [
        "RULES/grades.yaml:42:20: error[E0419]: `of: 实际入库` in `monotone` is not an indicator "
        "id, `base` or `total` (help: `monotone` checks that a score never moves against an "
        "input: write an indicator id, `base` or `total` as `of`; for a value or an input, "
        "write an `always` property instead)",
        "RULES/grades.yaml:45:20: error[E0419]: `of: revenu` in `monotone` is not an indicator "
        "id, `base` or `total` (help: did you mean `revenue`?)",
        "RULES/grades.yaml:48:36: error[E0435]: `input: 依法行政评价` in `monotone` is not a "
        "numeric input field for sections (help: `依法行政评价` is a level of 评价档次, not a "
        "number: `monotone` raises its input step by step, so it must be a number, integer, "
        "percent, money or count input)",
        "RULES/grades.yaml:51:36: error[E0435]: `input: revenue` in `monotone` is not a numeric "
        "input field for sections (help: name a numeric input (number, integer, percent, money "
        "or count) for sections; to relate a score to a value or anything else, write an "
        "`always` property instead)",
        "RULES/grades.yaml:55:34: error[E0435]: `input: 实际入库` in `monotone` is not a numeric "
        "input field for people (help: name a numeric input (number, integer, percent, money "
        "or count) for people; to relate a score to a value or anything else, write an "
        "`always` property instead)",
    ]
    zh = _findings(folder, "zh", "check")
    assert zh[0] == (
        "RULES/grades.yaml:42:20: 错误[E0419]: monotone 中的 `of: 实际入库` 不是指标编号、base 或 "
        "total (提示: monotone 检验一个得分不随输入反向变化，of 写指标编号、base 或 total；"
        "关于取值或输入字段的陈述，请改写为 always 性质)"
    )
    assert zh[2] == (
        "RULES/grades.yaml:48:36: 错误[E0435]: monotone 中的 `input: 依法行政评价` 不是科室的"
        "数值型输入字段 (提示: `依法行政评价` 是等级（评价档次），不是数值：monotone 逐步增大 "
        "input 来检验，它必须是 number、integer、percent、money 或 count 类型的输入)"
    )
    assert "不是个人的数值型输入字段" in zh[4]
    # The ranking keys keep their text.
    ranking = variant(tmp_path / "r", {"grades.yaml": ("  by: total\n", "  by: totl\n")})
    assert any(
        "error[E0419]: ranking key `totl` is not total, base, a value or an indicator id" in line
        for line in _findings(ranking, "en", "check")
    )


# -- E0438: person items, properties and links in rules without people --------


def test_person_parts_in_rules_that_assess_no_people_are_errors(tmp_path: Path) -> None:
    """Without people.yaml the rules have no person indicators and no `people:`:
    a person item, the person properties and the person links would never
    apply, and `check` used to accept them, counting 0 items for the item."""
    folder = variant(
        tmp_path,
        {
            "ruleset.yaml": ("  - people.yaml\n", ""),
            "items.yaml": (
                "    per: 1\n    cap: 2\n",
                "    per: 1\n    cap: 2\n    subjects: person\n",
            ),
        },
    )
    code, out, _ = run("check", str(folder), "--lang", "en")
    assert code == 1 and out == ""
    en = _findings(folder, "en", "check")
    assert [line.split(": error[E0438]: ")[0] for line in en] == [
        "RULES/grades.yaml:43:9",
        "RULES/grades.yaml:50:9",
        "RULES/items.yaml:9:9",
        "RULES/links.yaml:24:9",
        "RULES/links.yaml:32:9",
        "RULES/links.yaml:41:9",
        "RULES/links.yaml:49:9",
        "RULES/links.yaml:78:9",
    ]
    assert en[2] == (
        "RULES/items.yaml:9:9: error[E0438]: item `provincial_commendation` is for people "
        "(`subjects: person`), but the rules assess no people (no person indicators, no "
        "`people:`), so it would never apply (help: to assess people, add person indicators "
        "(with the people of an organization) or a `people:` section; if it is about sections, "
        "remove `subjects: person`)"
    )
    assert "error[E0438]: property `person_excellent_needs_90` is for people" in en[0]
    assert "error[E0438]: link `person_excellent_annual` is for people" in en[3]
    zh = _findings(folder, "zh", "check")
    assert zh[2] == (
        "RULES/items.yaml:9:9: 错误[E0438]: 加减分项目 `provincial_commendation` 的考核对象是个人"
        "（subjects: person），但规则集不考核个人（没有个人指标，也没有 people 段），它不会被应用 "
        "(提示: 要考核个人，加上个人指标（subjects: person）和组织中的人员，或 people 段；"
        "如果它针对科室，删去 subjects: person)"
    )
    assert "错误[E0438]: 性质 `person_excellent_needs_90`" in zh[0]
    assert "错误[E0438]: 结果运用 `person_excellent_annual`" in zh[3]


def test_bundled_rules_have_no_person_parts_without_people() -> None:
    code, out, err = run("check", "rules/yongzhou", "--lang", "en")
    assert code == 0 and "E0438" not in err and "no problems" in out


# -- E0922: warn --date outside the rule set's year ---------------------------


def test_warn_date_outside_the_rules_year_is_a_user_error(tmp_path: Path) -> None:
    code, out, err = run("warn", "rules/yongzhou", "--date", "2017-03-01", "--lang", "en")
    assert (code, out) == (1, "")
    assert "Traceback" not in err and "internal error" not in err
    assert err.startswith(
        "error[E0922]: date 2017-03-01 is outside the rule set's year 2016\n"
        "  --> 2017-03-01\n"
        "  = help: a month's tables come from the rules of its year: give a date in 2016, "
        "or use the rule set written for 2017\n"
    )
    code, _, err = run(
        "warn", "rules/yongzhou", "--date", "2015-12-31", "--lang", "zh",
        "--output-format", "concise",
    )  # fmt: skip
    assert code == 1
    assert err.splitlines()[0] == (
        "2015-12-31: 错误[E0922]: 日期 2015-12-31 不在规则集适用的 2016 年内 "
        "(提示: 预警表按该月所在年度的规则生成：请给出 2016 年内的日期，或改用 2015 年的规则集)"
    )
    book = tmp_path / "w.xlsx"
    code, _, _ = run(
        "warn", "rules/yongzhou", "--date", "2017-01-02", "--format", "xlsx", "--out", str(book)
    )
    assert code == 1 and not book.exists()
    # The last day of the year is the December tables (due dates in January).
    code, out, _ = run("warn", "rules/yongzhou", "--date", "2016-12-31", "--lang", "en")
    assert code == 0 and "2016-12" in out


# -- V0103 names the overlapping bands in listed order ------------------------


def test_overlapping_grades_are_named_in_listed_order(tmp_path: Path) -> None:
    """良好 (listed second, starting lower) reaches up into 优秀: 优秀 is named
    first, as the one listed first, which takes the overlap."""
    folder = variant(
        tmp_path / "a", {"grades.yaml": ("    min: 80\n", "    min: 80\n    max: 95\n")}
    )
    assert [line for line in _verify(folder, "en") if "V0103" in line] == [
        "RULES/grades.yaml:10:5: error[V0103]: grades `优秀` and `良好` overlap from 90 to 95; "
        "`优秀`, listed first, takes precedence"
    ]
    assert [line for line in _verify(folder, "zh") if "V0103" in line] == [
        "RULES/grades.yaml:10:5: 错误[V0103]: 等次 `优秀` 与 `良好` 在 90 至 95 重叠，"
        "`优秀` 列在前面，优先评定"
    ]
    # A band without `min` listed first starts lowest (with 不合格, which it
    # overlaps): it is still named first.
    folder = variant(
        tmp_path / "b",
        {
            "grades.yaml": (
                "grades:\n  - grade: 优秀\n",
                "grades:\n  - grade: 待定\n    max: 95\n  - grade: 优秀\n",
            )
        },
    )
    assert [line for line in _verify(folder, "en") if "V0103" in line] == [
        "RULES/grades.yaml:10:5: error[V0103]: grades `待定` and `不合格` overlap from -5.00 to "
        "59.99; `待定`, listed first, takes precedence",
        "RULES/grades.yaml:19:5: error[V0103]: grades `待定` and `合格` overlap from 60 to 79.99; "
        "`待定`, listed first, takes precedence",
    ]
