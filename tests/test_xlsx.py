"""XLSX data in, XLSX results out: the same reading rules and located errors
as CSV (with the sheet named), exact decimals, and identical bytes per run."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl

from tests.clirun import run


def _workbook_from_csv(folder: Path, target: Path) -> None:
    """The bundled CSV data as one workbook, a sheet per table, numbers as numbers."""
    workbook = openpyxl.Workbook()
    first = True
    for path in sorted(folder.glob("*.csv")):
        sheet = workbook.active if first else workbook.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = path.stem
        for row in csv.reader(path.read_text(encoding="utf-8").splitlines()):
            cells: list[object] = []
            for cell in row:
                try:
                    cells.append(
                        int(cell) if cell.isdigit() else float(cell) if "." in cell else cell
                    )
                except ValueError:
                    cells.append(cell)
            sheet.append(cells)
    workbook.save(target)


def test_xlsx_data_gives_the_same_results_as_csv(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _workbook_from_csv(Path("examples/yongzhou"), data / "yongzhou.xlsx")
    from_csv = run(
        "evaluate",
        "rules/yongzhou",
        "--data",
        "examples/yongzhou",
        "--period",
        "2016Q3",
        "--format",
        "csv",
    )
    from_xlsx = run(
        "evaluate", "rules/yongzhou", "--data", str(data), "--period", "2016Q3", "--format", "csv"
    )
    assert from_csv[0] == from_xlsx[0] == 0
    assert from_csv[1] == from_xlsx[1]


def test_xlsx_data_errors_name_file_sheet_row_and_column(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "科室"
    sheet.append(["period", "subject", "依法行政评价", "督办事项", "按期办结", "违纪违规次数",
                  "机关管理评价", "迟报次数", "漏报次数", "参训率"])  # fmt: skip
    sheet.append(["2016Q1", "s01", "好", 1, 1, 0, "好", 0, 0, "90%"])
    sheet.append(["2016Q1", "s02", "优", 1, "一", 0, "好", 0, 0, 0.9])
    workbook.save(data / "data.xlsx")
    out_file = tmp_path / "out.csv"
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", str(data), "--period", "2016Q1", "--lang", "en",
        "--output-format", "concise", "--out", str(out_file),
    )  # fmt: skip
    assert code == 1 and out == ""
    where = f"{data / 'data.xlsx'} (sheet 科室):3"
    assert err == (
        f"{where} [依法行政评价]: error[E0806]: row 3, column 依法行政评价: `优` is not a level "
        "of 评价档次 (one of: 好、较好、一般、差)\n"
        f"{where} [按期办结]: error[E0802]: row 3, column 按期办结: `一` is not a number"
        " (help: write digits with an optional sign, decimal point and %, thousands may be grouped with commas (1,234.5); no exponents, full-width digits or decimal commas)\n"
    )
    assert not out_file.exists(), "nothing is written when the data has errors"


def test_xlsx_results_are_exact_and_byte_identical(tmp_path: Path) -> None:
    paths = [tmp_path / "a.xlsx", tmp_path / "b.xlsx"]
    for path in paths:
        code, _, _ = run(
            "evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3",
            "--format", "xlsx", "--out", str(path), "--lang", "en",
        )  # fmt: skip
        assert code == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    workbook = openpyxl.load_workbook(paths[0])
    assert workbook.sheetnames == ["sections", "people"]
    sections = list(workbook["sections"].iter_rows(values_only=True))
    # English headers with --lang en (Chinese by default: tests/test_workbooks.py).
    assert sections[0][:9] == (
        "period", "id", "name", "rank", "grade", "total", "base", "adjust", "veto",
    )  # fmt: skip
    assert len(sections) == 1 + 17
    assert len(list(workbook["people"].iter_rows(values_only=True))) == 1 + 70
    code, out, _ = run(
        "evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3",
        "--format", "csv", "--lang", "zh",
    )  # fmt: skip
    assert out.startswith("\ufeff")  # the BOM Excel needs to read UTF-8
    by_subject = {row["编号"]: row for row in csv.DictReader(io.StringIO(out[1:]))}
    for row in sections[1:]:
        assert Decimal(str(row[5])) == Decimal(by_subject[str(row[1])]["总分"])
