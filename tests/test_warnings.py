"""Early warnings (指标填报预警提醒表): the month's checkpoints per assessed
section with the head who signs, and reminders three working days before each
due date with the liaison who signs, rendered as text, HTML and XLSX."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import cast

import openpyxl
import pytest

from compiler import ir
from compiler.pipeline import check
from dsl.diagnostics import display_width
from dsl.ruleset import DirectorySource
from runtime.inputs.workdays import CalendarRangeError, covered_range
from runtime.render.early_warnings import standard_text, to_html, to_text, to_xlsx
from runtime.tools.early_warnings import NoOrganizationError, WarningTable, warning_table
from tests.golden import assert_golden

BUSINESS = {"s04", "s05", "s06", "s07", "s10", "s11", "s13"}  # tagged 业务科室
REMOVED = {"publicity", "stability", "training"}  # until 2016-03-31
TASKS = {"sanitary_city", "civilized_city", "opinion_survey", "poverty_alleviation",
         "on_duty", "public_security"}  # from 2016-04-01  # fmt: skip


@cache
def _programs() -> tuple[ir.Program, ir.Program]:
    compiled = check(DirectorySource("rules/yongzhou"))
    assert "section" in compiled.programs and "person" in compiled.programs
    return compiled.programs["section"], compiled.programs["person"]


def _table(on: date) -> WarningTable:
    sections, people = _programs()
    return warning_table(sections, people, on)


def test_september_lists_the_checkpoints_of_30_september() -> None:
    table = _table(date(2016, 9, 1))
    assert (table.year, table.month, table.days_before) == (2016, 9, 3)
    assert {(w.checkpoint, w.due) for w in table.first} == {(date(2016, 9, 30), date(2016, 10, 5))}
    found = {w.indicator for w in table.first}
    # Monthly and quarterly indicators of sections and people; no half-year ones.
    assert found == {
        "revenue", "collection_quality", "rule_of_law", "supervision", "integrity",
        "office_management", "performance_reporting", "sanitary_city", "civilized_city",
        "opinion_survey", "on_duty", "public_security",
        "duty", "work_quality", "attendance", "learning", "leadership", "liaison_duty",
    }  # fmt: skip
    # 7 business sections x 2 + 17 sections x 10 other section indicators + 17 x 6 people
    # (every section has a head and a liaison, whose posts have an indicator each).
    assert len(table.first) == 7 * 2 + 17 * 10 + 17 * 6 == 286
    # Any day of the month gives the month's table.
    assert _table(date(2016, 9, 30)) == table


def test_applies_to_by_tag_and_heads_sign() -> None:
    table = _table(date(2016, 9, 1))
    revenue = [w for w in table.first if w.indicator == "revenue"]
    assert {w.section for w in revenue} == BUSINESS
    supervision = {w.section: w for w in table.first if w.indicator == "supervision"}
    assert len(supervision) == 17
    office = supervision["s01"]
    assert (office.section_name, office.head, office.assessor) == ("办公室", "邹琪旭", "办公室")
    assert (office.cadence, office.points, office.method) == ("monthly", Decimal(10), "formula")
    people = [w for w in table.first if w.subjects == "person"]
    assert {w.indicator for w in people} == {
        "duty", "work_quality", "attendance", "learning", "leadership", "liaison_duty",
    }  # fmt: skip
    assert len({w.section for w in people}) == 17


def test_second_warnings_three_working_days_before_the_checkpoint() -> None:
    """Counted back from the checkpoint (30 September, a Friday), not the due
    date: Tuesday 27 September.  Without status every owed row is listed, one
    per section owing the data (the assessing section) and indicator."""
    table = _table(date(2016, 9, 1))
    assert {w.day for w in table.second} == {date(2016, 9, 27)}
    assert not table.status_known
    by_indicator: dict[str, set[str]] = {}
    for w in table.second:
        by_indicator.setdefault(w.indicator, set()).add(w.section_name)
    # A section's indicator goes to its assessing section's liaison alone ...
    assert by_indicator["revenue"] == {"收入核算科"}
    assert by_indicator["opinion_survey"] == {"纳税服务科"}
    assert by_indicator["attendance"] == {"办公室"}  # a people indicator 办公室 assesses
    # ... and 所在科室 (each person's own section) makes every staffed section a recipient.
    assert len(by_indicator["duty"]) == 17
    liaisons = {w.section: w.liaison for w in table.second}
    assert liaisons["s01"] == "邓娟明" and liaisons["s17"] == "沈欣晶"
    # 12 section and 4 people indicators with one assessing section (two of
    # them, 带队管理 and 绩效联络, only for posts), 2 people indicators x 17
    # sections (against 286 reminders, one per first warning, before).
    assert len(table.second) == 12 + 4 + 2 * 17 == 50
    # Each liaison's reminders together, sections in organization order.
    order = [w.section for w in table.second]
    assert order == sorted(order)


def test_second_warnings_only_to_those_not_submitted() -> None:
    sections, people = _programs()
    held = frozenset({("收入核算科", "revenue", "2016Q3"), ("所在科室", "duty", "2016Q3")})
    table = warning_table(sections, people, date(2016, 9, 1), held=held)
    assert table.status_known
    found = {w.indicator for w in table.second}
    assert "revenue" not in found and "duty" not in found
    assert "work_quality" in found
    # The first table is the month's obligations: never filtered.
    assert table.first == _table(date(2016, 9, 1)).first
    # Another quarter's submission does not count for this checkpoint.
    other = warning_table(
        sections, people, date(2016, 9, 1), held=frozenset({("收入核算科", "revenue", "2016Q2")})
    )
    assert "revenue" in {w.indicator for w in other.second}


def test_sorting_is_deterministic() -> None:
    table = _table(date(2016, 9, 1))
    first = [(w.indicator, w.section) for w in table.first]
    assert first[:2] == [("revenue", "s04"), ("revenue", "s05")]
    assert first[-1] == ("liaison_duty", "s17")
    assert _table(date(2016, 9, 1)) == table


def test_april_has_the_q2_revision_tasks_not_the_removed_indicators() -> None:
    table = _table(date(2016, 4, 1))
    found = {w.indicator for w in table.first}
    # Monthly tasks are in force from 1 April: their first checkpoint is 30 April.
    assert {"sanitary_city", "civilized_city", "on_duty"} <= found
    assert not found & REMOVED
    assert {(w.checkpoint, w.due) for w in table.first} == {(date(2016, 4, 30), date(2016, 5, 5))}
    # Checkpoint Saturday 30 April: 29, 28 and 27 April -> Wednesday 27 April.
    assert {w.day for w in table.second} == {date(2016, 4, 27)}


def test_march_has_the_removed_indicators_not_the_tasks() -> None:
    found = {w.indicator for w in _table(date(2016, 3, 1)).first}
    assert {"publicity", "stability"} <= found  # quarterly, in force on 31 March
    assert not found & TASKS


def test_june_half_year_checkpoint_follows_the_revision() -> None:
    table = _table(date(2016, 6, 15))
    found = {w.indicator for w in table.first}
    assert "poverty_alleviation" in found  # half-year task, from 1 April
    assert not found & REMOVED  # training (half-year) ended on 31 March
    assert {w.due for w in table.first} == {date(2016, 7, 5)}


def test_without_people_program_only_section_rows() -> None:
    sections, _ = _programs()
    table = warning_table(sections, None, date(2016, 9, 1))
    assert {w.subjects for w in table.first} == {"section"}
    assert len(table.first) == 7 * 2 + 17 * 10


def test_people_rows_only_for_sections_with_members() -> None:
    sections, people = _programs()
    assert sections.organization is not None
    organization = dataclasses.replace(
        sections.organization,
        people=tuple(p for p in sections.organization.people if p.section != "s02"),
    )
    table = warning_table(
        dataclasses.replace(sections, organization=organization), people, date(2016, 9, 1)
    )
    assert not [w for w in table.first if w.subjects == "person" and w.section == "s02"]
    # The head is no longer listed as a person: the id is shown instead.
    assert {w.head for w in table.first if w.section == "s02"} == {"p0201"}


def test_no_organization_is_an_error() -> None:
    sections, people = _programs()
    with pytest.raises(NoOrganizationError):
        warning_table(dataclasses.replace(sections, organization=None), people, date(2016, 9, 1))


def test_a_checkpoint_without_calendar_data_is_an_error() -> None:
    sections, people = _programs()
    last = covered_range()[1]  # 31 December of the last year with data
    # Reminders count back from the checkpoint: December of the last year is covered.
    assert warning_table(sections, people, last).second
    with pytest.raises(CalendarRangeError) as caught:
        warning_table(sections, people, last + timedelta(days=1))
    assert caught.value.day > last


def test_standard_text() -> None:
    assert standard_text(Decimal("20"), "formula", "zh") == "20 分，按计分公式计分"
    assert standard_text(Decimal("0.50"), "deduct", "en") == "0.5 points, deductions per occurrence"


def test_text_table_golden_zh() -> None:
    assert_golden(
        Path("tests/cases/warnings/yongzhou_2016-09.zh.txt"),
        to_text(_table(date(2016, 9, 1)), "zh"),
    )


def test_text_table_english_and_empty() -> None:
    text = to_text(_table(date(2016, 9, 1)), "en")
    assert "indicator early-warning table · 2016-09" in text
    assert "head (signature)" in text and "liaison (signature)" in text
    sections, _ = _programs()
    only_quarterly = dataclasses.replace(
        sections, indicators=tuple(i for i in sections.indicators if i.cadence == "quarterly")
    )
    empty = to_text(warning_table(only_quarterly, None, date(2016, 8, 1)), "zh")
    assert empty.count("（本月没有考核节点）") == 2


def _cell_starts(line: str) -> list[int]:
    """Display columns where cells start: after two spaces (wide characters take two)."""
    starts, column = [], 0
    for i, char in enumerate(line):
        if char != " " and (i == 0 or line[i - 2 : i] == "  "):
            starts.append(column)
        column += display_width(char)
    return starts


def test_text_columns_align_for_cjk() -> None:
    lines = to_text(_table(date(2016, 9, 1)), "zh").splitlines()
    for index, rule in enumerate(lines):
        if not rule.startswith("---"):
            continue
        expected = _cell_starts(rule)
        assert _cell_starts(lines[index - 1]) == expected  # the heads
        assert _cell_starts(lines[index + 1]) == expected  # a row with every cell filled


def test_html_is_escaped_and_has_the_chinese_heads() -> None:
    sections, people = _programs()
    tricky = tuple(
        dataclasses.replace(i, name="<script>alert('x')</script> & 督办")
        if i.id == "supervision"
        else i
        for i in sections.indicators
    )
    table = warning_table(
        dataclasses.replace(sections, indicators=tricky), people, date(2016, 9, 1)
    )
    html = to_html(table, "zh")
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert "指标填报预警提醒表" in html
    for head in ("指标名称", "考核节点", "截止日期", "考核标准", "提醒日期"):
        assert f"<th>{head}</th>" in html
    assert "科室负责人（签字）：邹琪旭" in html and "绩效联络员（签字）：邓娟明" in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 督办" in html
    assert "http" not in html  # self-contained: no links, scripts or styles from elsewhere
    # One table per recipient section for signature, each on its own printed page.
    recipients = len({w.section for w in table.first}) + len({w.section for w in table.second})
    assert html.count('<section class="recipient">') == recipients
    assert html.count("科室负责人（签字）：") == len({w.section for w in table.first})
    assert "break-before: page" in html
    assert to_html(table, "en").count("section head (signature): 邹琪旭") == 1


def test_xlsx_is_byte_identical_with_a_sheet_per_section() -> None:
    """Each head signs the page of their section (one sheet per assessed
    section, named for it, each row a first warning with its reminder date);
    each liaison of a section owing data signs its second-warning sheet."""
    table = _table(date(2016, 9, 1))
    data = to_xlsx(table, "zh")
    assert data == to_xlsx(_table(date(2016, 9, 1)), "zh")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assessed = list(
        dict.fromkeys(w.section_name for w in sorted(table.first, key=lambda w: w.section))
    )
    owing = list(dict.fromkeys(w.section_name for w in table.second))
    assert workbook.sheetnames == assessed + [f"二次预警-{name}" for name in owing]
    firsts = workbook.worksheets[: len(assessed)]
    seconds = workbook.worksheets[len(assessed) :]
    assert sum(sheet.max_row - 1 for sheet in firsts) == len(table.first)
    assert sum(sheet.max_row - 1 for sheet in seconds) == len(table.second)
    sheet = workbook[table.first[0].section_name]
    assert [c.value for c in sheet[1]][:3] == ["指标名称", "考核对象", "考核周期"]
    row = [c.value for c in sheet[2]]
    mine = [w for w in table.first if w.section == table.first[0].section]
    assert row[0] == mine[0].name  # the indicator's name, not its id
    assert cast(datetime, row[3]).date() == date(2016, 9, 30)  # a date cell
    assert cast(datetime, row[5]).date() == date(2016, 9, 27)  # the reminder
    assert sheet.oddFooter is not None
    footer = sheet.oddFooter.left.text
    assert footer is not None and "科室负责人（签字）" in footer
    second = workbook["二次预警-纳税服务科"]
    assert [c.value for c in second[1]] == [
        "提醒日期",
        "指标名称",
        "考核对象",
        "考核节点",
        "截止日期",
    ]
    assert second.oddFooter is not None and "绩效联络员（签字）：江辉磊" in str(
        second.oddFooter.left.text
    )
    english = openpyxl.load_workbook(io.BytesIO(to_xlsx(table, "en")))
    assert english.sheetnames[: len(assessed)] == assessed
    assert [c.value for c in english.worksheets[0][1]][:2] == ["indicator", "subjects"]


def test_reminder_dates_count_back_from_the_checkpoint() -> None:
    # January 2016: checkpoint Sunday 31 January: 29, 28, 27 -> Wednesday 27 January.
    table = _table(date(2016, 1, 1))
    assert {w.day for w in table.second} == {date(2016, 1, 27)}
    assert all(w.due - w.checkpoint == timedelta(days=5) for w in table.first)
    # A make-up working day counts: Sunday 2019-09-29 was one (National Day 2019),
    # so three working days before Monday 30 September are 29, 27 and 26 September.
    sections, people = _programs()
    september = warning_table(sections, people, date(2019, 9, 1))
    assert {w.day for w in september.second} == {date(2019, 9, 26)}


def test_cli_errors_of_warn_and_warnings(tmp_path: Path) -> None:
    from tests.clirun import run

    code, _, err = run("warn", "rules/yongzhou", "--date", "2016-09-01", "--record", "--lang", "en")
    assert code == 2 and "--record needs --store" in err
    missing = str(tmp_path / "none.sqlite")
    for argv in (["warn", "rules/yongzhou", "--date", "2016-09-01", "--store", missing],
                 ["warnings", "--store", missing]):  # fmt: skip
        code, _, err = run(*argv, "--lang", "en", "--output-format", "concise")
        assert code == 1 and "error[E0932]" in err
    assert not Path(missing).exists()
    store = str(tmp_path / "w.sqlite")
    code, _, err = run(
        "warn", "rules/yongzhou", "--date", "2016-09-01", "--store", store, "--record",
        "--as-of", "2016-09-01", "--lang", "en",
    )  # fmt: skip
    assert code == 0 and err.startswith("recorded 17 warning tables issued on 2016-09-01;")
    code, _, err = run("warnings", "--store", store, "--sign", "99", "--by", "x", "--lang", "en")
    assert code == 1 and "error[E0930]: the results store holds no warning #99" in err
    assert "jixiao warnings --store FILE lists" in err
    code, _, err = run("warnings", "--store", store, "--sign", "1", "--lang", "en")
    assert code == 2 and "--sign needs --by" in err
    code, _, err = run("warnings", "--store", store, "--since", "July", "--lang", "en")
    assert code == 2 and "--since July" in err
