"""Every XLSX output opens as an office would make it, and CSV opens in Excel.

Issue #13, point 1: Chinese headers (English with ``--lang en``), numbers as
numbers (never text) with the rule set's places as the number format, a bold
frozen header row repeated on every printed page, A4 landscape fitted to the
page width, one sheet per section for the warning tables; CSV with the UTF-8
byte order mark and numbers unquoted.  The bundled rules have ``places: 2``.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from runtime.cli import _compiled
from runtime.inputs.periods import parse_periods
from runtime.render.dryrun import to_csv as dryrun_csv
from runtime.render.dryrun import to_xlsx as dryrun_xlsx
from runtime.render.workbook import number_format, sheet_title
from runtime.tools.dryrun import DryRun, compare
from tests.clirun import run
from tests.variants import variant

BASELINE, CANDIDATE = "rules/yongzhou#2016-03-31", "rules/yongzhou#2016-04-01"
EVALUATE = ("evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3")


@functools.cache
def _dry_run() -> DryRun:
    baseline = _compiled(BASELINE, every_context=True)
    candidate = _compiled(CANDIDATE, every_context=True)
    periods = parse_periods("2016Q1")
    return compare(baseline, candidate, "examples/yongzhou", periods, (BASELINE, CANDIDATE))


@pytest.fixture(scope="module")
def with_consequences(tmp_path_factory: pytest.TempPathFactory) -> DryRun:
    """The same revision with the commendation link read every period (the bundled
    one reads the whole year, so a quarter's dry-run changes no consequence)."""
    annual = '    reads: year\n    when: grade == "优秀"\n    effect: {commendation: 优先推荐}'
    folder = variant(
        tmp_path_factory.mktemp("links"),
        {"links.yaml": (annual, annual.replace("reads: year", "reads: period"))},
    )
    old, new = f"{folder}#2016-03-31", f"{folder}#2016-04-01"
    baseline = _compiled(old, every_context=True)
    candidate = _compiled(new, every_context=True)
    return compare(baseline, candidate, "examples/yongzhou", parse_periods("2016Q1"), (old, new))


def _evaluate_xlsx(tmp_path: Path, lang: str) -> bytes:
    target = tmp_path / f"results.{lang}.xlsx"
    code, _, err = run(*EVALUATE, "--format", "xlsx", "--out", str(target), "--lang", lang)
    assert code == 0, err
    return target.read_bytes()


def _warn_xlsx(tmp_path: Path, lang: str) -> bytes:
    target = tmp_path / f"warn.{lang}.xlsx"
    code, _, err = run(
        "warn", "rules/yongzhou", "--date", "2016-09-01", "--format", "xlsx",
        "--out", str(target), "--lang", lang,
    )  # fmt: skip
    assert code == 0, err
    return target.read_bytes()


def _dryrun_cli_xlsx(tmp_path: Path) -> bytes:
    target = tmp_path / "dryrun.xlsx"
    code, _, err = run(
        "dry-run", "--baseline", BASELINE, "--candidate", CANDIDATE, "--data",
        "examples/yongzhou", "--periods", "2016Q1", "--format", "xlsx", "--out", str(target),
        "--lang", "zh",
    )  # fmt: skip
    assert code == 0, err
    return target.read_bytes()


def _sheets(data: bytes) -> list[Worksheet]:
    sheets = openpyxl.load_workbook(io.BytesIO(data)).worksheets
    assert all(isinstance(s, Worksheet) for s in sheets)
    return [s for s in sheets if isinstance(s, Worksheet)]


def _assert_office_sheet(sheet: Worksheet) -> None:
    """Bold header frozen and repeated on printed pages, A4 landscape, fit to width."""
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1] if cell.value is not None)
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    properties = sheet.sheet_properties.pageSetUpPr
    assert properties is not None and properties.fitToPage
    widths = [d.width for d in sheet.column_dimensions.values()]
    assert widths and all(w >= 4 for w in widths)


def _numbers(sheet: Worksheet, *heads: str) -> Iterator[tuple[object, str]]:
    """(value, number format) of every filled cell under ``heads``."""
    names = [c.value for c in sheet[1]]
    for head in heads:
        column = names.index(head) + 1
        for row in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if row[0].value is not None:
                yield row[0].value, row[0].number_format


# -- evaluate ----------------------------------------------------------------------


def test_evaluate_workbook_in_chinese_with_numbers_as_numbers(tmp_path: Path) -> None:
    data = _evaluate_xlsx(tmp_path, "zh")
    assert data == _evaluate_xlsx(tmp_path, "zh")  # same inputs, same bytes
    sections, people = _sheets(data)
    assert (sections.title, people.title) == ("科室", "个人")
    assert [c.value for c in sections[1]][:9] == [
        "考核期间", "编号", "名称", "名次", "等次", "总分", "基础分", "加减分", "否决",
    ]  # fmt: skip
    assert sections["J1"].value == "税收收入完成率"  # indicators by name
    for sheet in (sections, people):
        _assert_office_sheet(sheet)
        cells = list(_numbers(sheet, "总分", "基础分", "加减分"))
        assert len(cells) == 3 * (sheet.max_row - 1)
        for value, form in cells:
            assert isinstance(value, int | float) and not isinstance(value, bool)
            assert form == "0.00"
        assert all(isinstance(v, int) for v, _ in _numbers(sheet, "名次"))
    # 14.2 is stored as a number and shown as 14.20; no score is text.
    scores = [c for row in sections.iter_rows(min_row=2, min_col=10) for c in row]
    assert any(isinstance(c.value, int | float) for c in scores)
    assert all(c.number_format == "0.00" for c in scores if isinstance(c.value, int | float))
    assert all(c.value in (None, "不适用", "免考") for c in scores if isinstance(c.value, str))


def test_evaluate_workbook_in_english(tmp_path: Path) -> None:
    sections, people = _sheets(_evaluate_xlsx(tmp_path, "en"))
    assert (sections.title, people.title) == ("sections", "people")
    assert [c.value for c in sections[1]][:6] == ["period", "id", "name", "rank", "grade", "total"]
    _assert_office_sheet(people)


def test_evaluate_csv_opens_in_excel() -> None:
    code, out, _ = run(*EVALUATE, "--format", "csv", "--lang", "zh")
    assert code == 0
    assert out.startswith("\ufeff")  # UTF-8 with BOM: Excel on Chinese Windows reads it right
    head, first = out[1:].splitlines()[:2]
    assert head.startswith("考核期间,类别,编号,名称,名次,等次,总分,基础分,税收收入完成率")
    assert first.startswith("2016Q3,科室,s02,政工科,1,优秀,97.08,97.08,")
    assert '"' not in out  # no quoted numbers (and no text here that needs quotes)
    rows = list(csv.DictReader(io.StringIO(out[1:])))
    assert len(rows) == 17 + 70
    assert all(Decimal(r["总分"]).as_tuple().exponent == -2 for r in rows)


# -- dry-run -----------------------------------------------------------------------


def test_dryrun_workbook_numbers_and_consequences(
    tmp_path: Path, with_consequences: DryRun
) -> None:
    data = _dryrun_cli_xlsx(tmp_path)
    assert data == dryrun_xlsx(_dry_run(), "zh")  # the CLI's workbook, byte for byte
    (sheet,) = _sheets(data)
    assert sheet.title == "2016Q1"
    _assert_office_sheet(sheet)
    heads = [c.value for c in sheet[1]]
    assert heads == [
        "考核期间", "类别", "编号", "名称", "现行总分", "修订总分", "分差", "现行名次", "修订名次",
        "现行等次", "修订等次", "新增结果运用", "取消结果运用",
    ]  # fmt: skip
    cells = list(_numbers(sheet, "现行总分", "修订总分", "分差"))
    assert len(cells) == 3 * 87
    for value, form in cells:
        assert isinstance(value, int | float) and form == "0.00"
    rows = {r[2]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["s02"][4:7] == (91.54, 92, 0.46)  # numbers, not text such as '+0.46'
    (sheet,) = _sheets(dryrun_xlsx(with_consequences, "zh"))
    rows = {r[2]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["s03"][11] == "科室组织绩效优秀，评先评优优先推荐（评先评优：优先推荐）"
    assert "section_excellent_commendation" not in str(list(rows.values()))


def test_dryrun_in_english_and_as_csv(with_consequences: DryRun) -> None:
    (sheet,) = _sheets(dryrun_xlsx(with_consequences, "en"))
    assert [c.value for c in sheet[1]][:5] == [
        "period", "kind", "id", "name", "total (baseline)",
    ]  # fmt: skip
    rows = {r[2]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["s03"][11] == ("科室组织绩效优秀，评先评优优先推荐 (commendation: 优先推荐)")
    text = dryrun_csv(_dry_run(), "zh")
    assert text.startswith("\ufeff考核期间,类别,编号,名称,现行总分,修订总分,分差,")
    assert "\n2016Q1,科室,s02,政工科,91.54,92.00,0.46,4,6,良好,良好,,\n" in text
    assert dryrun_csv(_dry_run(), "en").startswith("\ufeffperiod,kind,id,name,")


# -- warn --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_warn_workbook_has_a_sheet_per_section(tmp_path: Path, lang: str) -> None:
    sheets = _sheets(_warn_xlsx(tmp_path, lang))
    # The bundled organization's 17 sections sign their first warnings, and
    # without status (no --store) every section owes a second-warning sheet.
    assert len(sheets) == 17 + 17
    assert sheets[0].title == "办公室"
    first = "指标名称" if lang == "zh" else "indicator"
    second = "提醒日期" if lang == "zh" else "remind on"
    for index, sheet in enumerate(sheets):
        _assert_office_sheet(sheet)
        assert sheet["A1"].value == (first if index < 17 else second)
        assert sheet["D2"].number_format == "yyyy-mm-dd"
        assert sheet.oddHeader is not None
        header = sheet.oddHeader.center.text
        section = sheet.title if index < 17 else sheet.title.split("-", 1)[1]
        assert header is not None and section in header  # printed on every page
    assert sum(s.max_row - 1 for s in sheets[:17]) == 286
    assert sum(s.max_row - 1 for s in sheets[17:]) == 50


# -- template (forms for the assessing sections; more in test_forms.py) -----------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_form_workbook_sheets_are_office_sheets(tmp_path: Path, lang: str) -> None:
    target = tmp_path / f"form.{lang}.xlsx"
    argv = ("template", "rules/yongzhou", "--period", "2016Q3", "--assessor", "办公室",
            "--out", str(target), "--lang", lang)  # fmt: skip
    assert run(*argv)[0] == 0
    data = target.read_bytes()
    assert run(*argv)[0] == 0 and target.read_bytes() == data  # same form, same bytes
    sheets = _sheets(data)
    assert [s.title for s in sheets][1:] == (
        ["科室", "个人"] if lang == "zh" else ["sections", "people"]
    )
    for sheet in sheets:
        _assert_office_sheet(sheet)
    heads = [c.value for c in sheets[1][1]]
    assert heads[:3] == (
        ["编号", "名称", "考核期间"] if lang == "zh" else ["subject", "name", "period"]
    )


# -- report bulletin --------------------------------------------------------------


def _bulletin_xlsx(tmp_path: Path, lang: str, period: str) -> bytes:
    target = tmp_path / f"bulletin.{lang}.xlsx"
    code, _, err = run(
        "report", "bulletin", "rules/yongzhou", "--data", "examples/yongzhou", "--period", period,
        "--format", "xlsx", "--out", str(target), "--lang", lang,
    )  # fmt: skip
    assert code == 0, err
    return target.read_bytes()


def test_bulletin_workbook_sums_and_averages_as_numbers(tmp_path: Path) -> None:
    data = _bulletin_xlsx(tmp_path, "zh", "2016Q1..2016Q3")
    assert data == _bulletin_xlsx(tmp_path, "zh", "2016Q1..2016Q3")  # same bytes
    ranking, deductions, items, supervision = _sheets(data)
    assert [s.title for s in (ranking, deductions, items, supervision)] == [
        "科室得分排名", "科室扣分", "扣分事项", "督办事项",
    ]  # fmt: skip
    for sheet in (ranking, deductions, items, supervision):
        _assert_office_sheet(sheet)
    assert [c.value for c in ranking[1]] == ["排名", "科室", "得分", "等次"]
    assert ranking.max_row == 18
    assert [c.value for c in deductions[1]] == ["科室", "扣分合计", "季均扣分（平均）", "扣分事项"]
    assert deductions.max_row == 12  # 11 sections deducted
    assert [c.value for c in deductions[2]][:3] == ["督查内审科", 3, 1]
    for value, form in _numbers(deductions, "扣分合计", "季均扣分（平均）"):
        assert isinstance(value, int | float) and form == "0.00"
    assert all(isinstance(v, int | float) for v, _ in _numbers(ranking, "得分"))
    counts = [v for v, _ in _numbers(supervision, "到期事项")]
    assert all(isinstance(v, int) for v in counts)
    assert sum(int(str(v)) for v in counts) == 380  # every item due in January-September 2016


def test_bulletin_workbook_in_english_for_one_quarter(tmp_path: Path) -> None:
    sheets = _sheets(_bulletin_xlsx(tmp_path, "en", "2016Q3"))
    deductions = sheets[1]
    assert [c.value for c in deductions[1]] == ["section", "points deducted (sum)", "items"]


# -- ledgers -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["duty", "function", "master"])
def test_ledger_workbooks(tmp_path: Path, kind: str) -> None:
    target = tmp_path / f"{kind}.xlsx"
    code, _, err = run(
        "ledger", "rules/yongzhou", "--period", "2016Q3", "--kind", kind, "--format", "xlsx",
        "--out", str(target), "--lang", "zh",
    )  # fmt: skip
    assert code == 0, err
    (sheet,) = _sheets(target.read_bytes())
    _assert_office_sheet(sheet)
    heads = [c.value for c in sheet[1]]
    assert {"指标编号", "指标", "分值", "考评科室", "考评节点", "截止日期"} <= set(heads)
    points = list(_numbers(sheet, "分值"))
    assert points and all(isinstance(v, int) and form == "0" for v, form in points)
    dates = list(_numbers(sheet, "考评节点", "截止日期"))
    assert dates and all(form == "yyyy-mm-dd" for _, form in dates)
    assert sheet.oddHeader is not None and "2016年第三季度" in str(sheet.oddHeader.center.text)
    if kind == "duty":  # one row per person, indicator and checkpoint
        rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "p0101"]
        assert [r[5] for r in rows].count("work_quality") == 3
        assert "leadership" in [r[5] for r in rows]


# -- the shared module -------------------------------------------------------------


def test_number_formats_follow_places() -> None:
    assert [number_format(p) for p in (0, 1, 2, 4)] == ["0", "0.0", "0.00", "0.0000"]


def test_sheet_titles_are_valid_and_distinct() -> None:
    assert sheet_title("a/b:c*d?e[f]", []) == "a_b_c_d_e_f_"
    long = "很" * 40
    assert len(sheet_title(long, [])) == 31
    assert sheet_title("办公室", ["办公室"]) == "办公室(2)"
