"""Forms for the assessing sections (issue #13, point 5): ``jixiao template``.

Each assessing section gets an XLSX form with its indicators' inputs for the
subjects they apply to: ids and periods locked, level inputs as drop-downs,
ranges as data validation, an instructions sheet in Chinese.  Filled in from
the bundled 2016Q3 data and submitted by every section, the forms evaluate to
exactly what the data folder gives; a bad cell in a filled form is reported
at its sheet, row and column.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from dsl.messages import text
from runtime.inputs import data
from runtime.inputs.tables import FORM_HEADS, FORM_INSTRUCTIONS
from tests.clirun import run
from tests.test_submissions import merged_and_direct, publish_2015q3, without_sources
from tests.test_workbooks import _assert_office_sheet
from tests.variants import variant

RULES = "rules/yongzhou"
DATA = Path("examples/yongzhou")
PERIOD = "2016Q3"
BUSINESS = ["s04", "s05", "s06", "s07", "s10", "s11", "s13"]  # the 业务科室
ASSESSORS = [
    "收入核算科", "征收管理科", "政策法规科", "办公室", "监察室", "政工科", "机关党委",
    "纳税服务科", "所在科室",
]  # fmt: skip


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("forms") / "2016Q3"
    code, out, err = run(
        "template", RULES, "--period", PERIOD, "--assessor", "all", "--out", str(folder),
        "--lang", "zh", "--send-to", "政工科绩效办",
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    assert len(out.splitlines()) == len(ASSESSORS)
    return folder


def _book(forms: Path, assessor: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(forms / f"{assessor}-{PERIOD}.xlsx")


def _sheet(book: openpyxl.Workbook, title: str) -> Worksheet:
    sheet = book[title]
    assert isinstance(sheet, Worksheet)
    return sheet


def test_one_form_per_assessing_section(forms: Path) -> None:
    assert sorted(p.name for p in forms.iterdir()) == sorted(
        f"{a}-{PERIOD}.xlsx" for a in ASSESSORS
    )
    office = _book(forms, "办公室")
    assert office.sheetnames == [FORM_INSTRUCTIONS, "科室", "个人"]
    assert office.security is not None and office.security.lockStructure
    assert _book(forms, "收入核算科").sheetnames == [FORM_INSTRUCTIONS, "科室"]
    assert _book(forms, "所在科室").sheetnames == [FORM_INSTRUCTIONS, "个人"]


def test_data_sheet_heads_rows_and_locks(forms: Path) -> None:
    sheet = _sheet(_book(forms, "办公室"), "科室")
    _assert_office_sheet(sheet)
    heads = [c.value for c in sheet[1]]
    assert heads == ["编号", "名称", "考核期间", "督办事项", "按期办结", "机关管理评价", "创卫评价",
                     "脱岗次数", "治安事件"]  # fmt: skip
    assert sheet.max_row == 1 + 17  # every section: these indicators apply to all
    assert [sheet.cell(2, c).value for c in (1, 2, 3)] == ["s01", "办公室", PERIOD]
    assert sheet.protection.sheet and not sheet.protection.password
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            # ids, names, periods and heads locked; every input cell open
            assert cell.protection.locked == (cell.row == 1 or (cell.column or 0) <= 3)
    comment = sheet["D1"].comment
    assert comment is not None and "督查督办落实" in comment.text and "留空按 0 计" in comment.text
    people = _sheet(_book(forms, "所在科室"), "个人")
    assert [c.value for c in people[1]] == ["编号", "姓名", "考核期间", "履职评价", "差错次数"]
    assert people.max_row == 1 + 70


def test_rows_are_the_subjects_the_indicators_apply_to(forms: Path) -> None:
    revenue = _sheet(_book(forms, "收入核算科"), "科室")
    subjects = [revenue.cell(r, 1).value for r in range(2, revenue.max_row + 1)]
    assert subjects == BUSINESS  # revenue applies to 业务科室 only


def test_cells_of_an_indicator_that_does_not_apply_are_grey_and_locked(tmp_path: Path) -> None:
    """收入核算科 also assesses 征管质量, for s01 and s04 only (a crafted variant)."""
    rules = variant(tmp_path, {"indicators.yaml": (
        "    assessor: 征收管理科\n    applies_to: [业务科室]",
        "    assessor: 收入核算科\n    applies_to: [s04, s01]",
    )})  # fmt: skip
    target = tmp_path / "form.xlsx"
    code, _, err = run("template", str(rules), "--period", PERIOD, "--assessor", "收入核算科",
                       "--out", str(target), "--lang", "zh")  # fmt: skip
    assert (code, err) == (0, ""), err
    sheet = _sheet(openpyxl.load_workbook(target), "科室")
    assert [c.value for c in sheet[1]][3:] == ["实际入库", "收入计划", "征管质量得分"]
    open_cells = {
        str(row[0].value): [not c.protection.locked for c in row[3:]]
        for row in sheet.iter_rows(min_row=2)
    }
    assert list(open_cells) == ["s01", *BUSINESS]  # s01: 征管质量 applies, revenue does not
    assert open_cells["s01"] == [False, False, True]
    assert open_cells["s04"] == [True, True, True]
    assert open_cells["s05"] == [True, True, False]
    assert sheet["D2"].fill.fgColor.rgb == "00D9D9D9"  # grey
    assert sheet["F2"].fill.fgColor.rgb == "00FFF2CC"  # yellow


def test_drop_downs_and_bounds(forms: Path) -> None:
    sheet = _sheet(_book(forms, "办公室"), "科室")
    rules = {str(v.sqref).split()[0][0]: v for v in sheet.data_validations.dataValidation}
    level = rules["F"]  # 机关管理评价
    assert (level.type, level.formula1) == ("list", '"好,较好,一般,差"')
    assert level.showErrorMessage and level.error == "请从下拉列表中选择：好、较好、一般、差"
    assert str(level.sqref).split() == [f"F{r}" for r in range(2, 19)]
    count = rules["D"]  # 督办事项: a count
    assert (count.type, count.operator, count.formula1) == ("whole", "between", "0")
    assert count.error == "请填写整数，取值范围：不小于 0。"
    assert count.prompt is not None and "留空按 0 计" in count.prompt
    survey = _sheet(_book(forms, "纳税服务科"), "科室")
    (percent,) = survey.data_validations.dataValidation
    assert (percent.type, percent.operator, percent.formula1, percent.formula2) == (
        "decimal", "between", "0", "1",
    )  # fmt: skip
    assert percent.error == "请填写数值，取值范围：0% 至 100%。百分比可填 95% 或 0.95。"
    assert survey["D2"].number_format == "0.00%"
    machine = _sheet(_book(forms, "征收管理科"), "科室")
    (score,) = machine.data_validations.dataValidation
    assert (score.type, score.formula1, score.formula2) == ("decimal", "0", "15")


def test_instructions_in_chinese(forms: Path) -> None:
    sheet = _sheet(_book(forms, "收入核算科"), FORM_INSTRUCTIONS)
    _assert_office_sheet(sheet)
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    text = "\n".join(cells)
    assert [c.value for c in sheet[1]] == [
        "指标编号", "指标名称", "考核对象", "分值", "考评周期", "考评节点", "报送截止", "计分方法",
        "考评标准",
    ]  # fmt: skip
    row = [c.value for c in sheet[2]]
    assert row[:5] == ["revenue", "税收收入完成率", "科室", 20, "季度"]
    assert [d.date().isoformat() for d in row[5:7]] == ["2016-09-30", "2016-10-05"]  # type: ignore[union-attr]
    assert row[8] == "完成计划得满分；每低 1 个百分点扣 0.4 分，扣完为止。"
    for expected in ("考评科室", "2016年第三季度（2016Q3）", "报送至", "政工科绩效办", "填报方法",
                     "百分比填 95% 或 0.95 均可", "工作表保护未设密码", "--assessor 收入核算科"):  # fmt: skip
        assert expected in text, expected
    assert sheet.protection.sheet


def _fill(form: Path, target: Path, bad: tuple[str, str, float | str] | None = None) -> Path:
    """The form filled in from the bundled CSV rows, as a liaison typing
    them into Excel would store them (a percentage as its fraction, a count
    as a number, a level as its text).  ``bad``: (subject, column, value)."""
    values: dict[str, dict[str, str]] = {}
    for table in ("sections", "people"):
        with open(DATA / f"{table}.csv", encoding="utf-8-sig", newline="") as file:
            for line in csv.DictReader(file):
                if line["period"] == PERIOD:
                    values[line["subject"]] = line
    book = openpyxl.load_workbook(form)
    for sheet in book.worksheets:
        if sheet.title == FORM_INSTRUCTIONS:
            continue
        heads = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            source = values[str(row[0].value)]
            for cell, head in zip(row[3:], heads[3:], strict=True):
                if cell.protection.locked:
                    continue
                raw = source[str(head)].strip()
                if raw.endswith("%"):
                    cell.value = float(Decimal(raw[:-1]) / 100)
                elif raw:
                    try:
                        number = Decimal(raw)
                    except ArithmeticError:
                        cell.value = raw
                    else:
                        cell.value = (
                            int(number) if number == number.to_integral() else float(number)
                        )
            if bad is not None and row[0].value == bad[0]:
                row[heads.index(bad[1])].value = bad[2]
    book.save(target)
    return target


def _events(folder: Path) -> Path:
    lines = (DATA / "events.csv").read_text(encoding="utf-8").splitlines()
    events = folder / "events-2016Q3.csv"
    quarter = [x for x in lines[1:] if x.startswith("2016-0") and x[6] in "789"]
    events.write_text("\n".join([lines[0], *quarter]) + "\n", encoding="utf-8")
    return events


def _submit(store: Path, assessor: str, file: Path) -> tuple[int, str, str]:
    return run(
        "submit", RULES, "--store", str(store), "--period", PERIOD, "--assessor", assessor,
        "--file", str(file), "--at", "2016-10-03T09:00", "--lang", "en",
        "--output-format", "concise",
    )  # fmt: skip


def test_filled_forms_evaluate_as_the_data_folder(forms: Path, tmp_path: Path) -> None:
    store = tmp_path / "forms.sqlite"
    publish_2015q3(store)
    for assessor in ASSESSORS:
        filled = _fill(forms / f"{assessor}-{PERIOD}.xlsx", tmp_path / f"{assessor}.xlsx")
        code, out, err = _submit(store, assessor, filled)
        assert (code, err) == (0, ""), err
        assert out.startswith("recorded submission #")
    code, _, err = _submit(store, "办公室", _events(tmp_path))  # item occurrences: not on forms
    assert code == 0, err
    code, _, err = _submit(store, "办公室", DATA / "supervision.csv")  # the office's record
    assert code == 0, err
    merged, direct = merged_and_direct(store)

    assert without_sources(merged) == without_sources(direct)


def test_a_bad_cell_is_located(forms: Path, tmp_path: Path) -> None:
    form = forms / f"纳税服务科-{PERIOD}.xlsx"
    filled = _fill(form, tmp_path / "survey.xlsx", bad=("s05", "满意率", 1.2))  # pasted: 120%
    code, out, err = _submit(tmp_path / "bad.sqlite", "纳税服务科", filled)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{filled} (sheet 科室):6 [满意率]: error[E0807]: row 6, column 满意率: `1.2` is outside"
        " the allowed range 0 to 1 (help: correct cell D6 of the form, save it and submit it"
        " again)",
    ]
    filled = _fill(form, tmp_path / "level.xlsx", bad=("s05", "满意率", "很好"))
    code, _, err = _submit(tmp_path / "bad.sqlite", "纳税服务科", filled)
    assert code == 1
    assert err.startswith(f"{filled} (sheet 科室):6 [满意率]: error[E0802]:")
    assert err.rstrip().endswith("; correct cell D6 of the form, save it and submit it again)")
    filled = _fill(form, tmp_path / "empty.xlsx", bad=("s05", "满意率", ""))
    code, _, err = _submit(tmp_path / "bad.sqlite", "纳税服务科", filled)
    assert code == 1
    assert err.rstrip().endswith(
        "(help: fill in cell D6 of the form (required), save it and submit it again)"
    )


_HELP = "correct cell E2 of the form, save it and submit it again"


@pytest.mark.parametrize("slice_rows", [10, 8192])
def test_a_bad_cell_keeps_its_form_help_in_any_slice(
    forms: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slice_rows: int
) -> None:
    """A form's rows are worked out a slice at a time (``data._SLICE``): the
    help that names the form's cell is added to the table's own problems,
    once, whatever slice they come from (the review found it lost after the
    first slice, and doubled for a second sheet)."""
    monkeypatch.setattr(data, "_SLICE", slice_rows)
    filled = _fill(forms / f"所在科室-{PERIOD}.xlsx", tmp_path / "bad.xlsx",
                   bad=("p0101", "差错次数", "abc"))  # fmt: skip
    code, _, err = _submit(tmp_path / "bad.sqlite", "所在科室", filled)
    assert code == 1
    assert err.rstrip().endswith(f"; {_HELP})") and err.count(_HELP) == 1, err
    book = openpyxl.load_workbook(filled)  # the people's rows over two sheets
    second = book.copy_worksheet(book["个人"])
    second.title = "个人2"
    book["个人"].delete_rows(37, book["个人"].max_row - 36)
    second.delete_rows(2, 35)
    book.save(tmp_path / "split.xlsx")
    code, _, err = _submit(tmp_path / "split.sqlite", "所在科室", tmp_path / "split.xlsx")
    assert code == 1
    assert err.rstrip().endswith(f"; {_HELP})") and err.count(_HELP) == 1, err


def test_a_form_in_a_data_folder_says_to_submit_it(forms: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    _fill(forms / f"收入核算科-{PERIOD}.xlsx", folder / "revenue.xlsx")
    code, out, err = run(
        "evaluate", RULES, "--data", str(folder), "--period", PERIOD, "--lang", "en",
        "--output-format", "concise",
    )  # fmt: skip
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{folder / 'revenue.xlsx'} (sheet 科室):1: error[E0943]: this is an assessing section's"
        " form: it holds that section's columns only and lacks 依法行政评价、机关管理评价, so it"
        " cannot stand"
        " as a data folder's table (help: record each section's form with jixiao submit and"
        " evaluate with --from-submissions; or copy its columns into the data folder's table)",
    ]


def test_one_form_to_a_file_in_english(tmp_path: Path) -> None:
    target = tmp_path / "office.xlsx"
    code, out, err = run(
        "template", RULES, "--period", "2016年第三季度", "--assessor", "办公室", "--out",
        str(target), "--lang", "en",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == f"wrote the form of 办公室 for 2016Q3: {target}\n"
    book = openpyxl.load_workbook(target)
    sheet = _sheet(book, "sections")
    assert [c.value for c in sheet[1]][:3] == ["subject", "name", "period"]
    assert _sheet(book, FORM_INSTRUCTIONS)["A1"].value == "indicator"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--assessor", "人事科", "--out", "x.xlsx"), "error[E0952]"),
        (("--assessor", "办公室"), "--out"),
    ],
)
def test_usage_and_unknown_assessor(argv: tuple[str, ...], expected: str) -> None:
    code, out, err = run("template", RULES, "--period", PERIOD, "--lang", "en", *argv)
    assert code in (1, 2) and out == ""
    assert expected in err


def test_the_reader_knows_the_heads_the_form_writes() -> None:
    """The form's Chinese heads of the fixed columns are the ones the reader
    maps (``FORM_HEADS``); its English heads are the columns' own names."""
    keys = ("subject", "name", "person_name", "period")
    zh = [text(f"form.head.{key}", "zh") for key in keys]
    en = [text(f"form.head.{key}", "en") for key in keys]
    assert [FORM_HEADS[head] for head in zh] == en == ["subject", "name", "name", "period"]
