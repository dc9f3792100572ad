"""Data files as other programs and careless hands write them: each ends in a
located message (or, for an extra column, a warning), never a traceback, a
hang or a silently different number.  One test per defect of issue #10."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.clirun import run

HEAD = "period,subject,依法行政评价,督办事项,按期办结,违纪违规次数,机关管理评价,迟报次数,漏报次数,参训率\n"
ROW = "2016Q1,s01,好,{value},1,0,好,0,0,90%\n"


def _evaluate(data: Path, tmp_path: Path) -> tuple[int, str, str]:
    out_file = tmp_path / "out.json"
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", str(data), "--period", "2016Q1", "--lang", "en",
        "--output-format", "concise", "--format", "json", "--out", str(out_file),
    )  # fmt: skip
    err = "\n".join(line for line in err.splitlines() if "[W0901]" not in line)
    if code == 0:
        out = out_file.read_text(encoding="utf-8")
    return code, out, err


def _csv(tmp_path: Path, text: str) -> Path:
    data = tmp_path / "data.csv"
    data.write_text(text, encoding="utf-8")
    return data


NOT_NUMBERS = ["12,5", "1,2,3", ",5", "1e2", "1e400", "1_2", "１２", "١٢", "१२", "1,23", "12,5%"]
HELP = (
    " (help: write digits with an optional sign, decimal point and %, thousands may be grouped "
    "with commas (1,234.5); no exponents, full-width digits or decimal commas)"
)


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_number_cells_accept_only_number_spellings(text: str, tmp_path: Path) -> None:
    data = _csv(tmp_path, HEAD + ROW.format(value=f'"{text}"'))
    code, _, err = _evaluate(data, tmp_path)
    assert code == 1
    assert err == (
        f"{data}:2 [督办事项]: error[E0802]: row 2, column 督办事项: `{text}` is not a number{HELP}"
    )


def _score(out: str, subject: str, indicator: str) -> str:
    document = json.loads(out)
    found = next(s for s in document["subjects"] if s["id"] == subject)
    return str(next(i for i in found["indicators"] if i["id"] == indicator)["score"])


@pytest.mark.parametrize(("text", "same_as"), [("1,000", "1000"), ("0,001", "1"), ("+2", "2")])
def test_thousands_separators_are_read(text: str, same_as: str, tmp_path: Path) -> None:
    grouped = _evaluate(_csv(tmp_path, HEAD + ROW.format(value=f'"{text}"')), tmp_path)
    plain = _evaluate(_csv(tmp_path, HEAD + ROW.format(value=same_as)), tmp_path)
    assert grouped[0] == plain[0] == 0
    assert _score(grouped[1], "s01", "supervision") == _score(plain[1], "s01", "supervision")


def test_event_count_in_scientific_notation(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "sections.csv").write_text(HEAD + ROW.format(value=1), encoding="utf-8")
    events = folder / "events.csv"
    events.write_text(
        "date,subject,item,count,reason,evidence\n2016-02-01,s01,supervision_issue,1e9999,x,y\n",
        encoding="utf-8",
    )
    code, _, err = _evaluate(folder, tmp_path)
    assert code == 1
    assert err == (
        f"{events}:2 [count]: error[E0808]: row 2, column count: `1e9999` is not a valid count"
    )


def test_a_csv_cell_over_the_field_limit(tmp_path: Path) -> None:
    data = _csv(tmp_path, HEAD + ROW.format(value="1" * 200_000))
    code, _, err = _evaluate(data, tmp_path)
    assert code == 1
    assert err.startswith(f"{data}: error[E0902]: cannot read {data}: row 2: field larger than")


@pytest.mark.parametrize(
    "content", [b"", b"period,subject\n2016Q1,s01\n", b"PK\x03\x04 not really a zip"]
)
def test_an_xlsx_that_is_not_a_workbook(content: bytes, tmp_path: Path) -> None:
    data = tmp_path / "data.xlsx"
    data.write_bytes(content)
    code, _, err = _evaluate(data, tmp_path)
    assert code == 1
    assert err.startswith(
        f"{data}: error[E0902]: cannot read {data}: not a readable .xlsx workbook ("
    )
    assert "\n" not in err


def _workbook(path: Path, rows: list[list[object]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "科室"
    for row in rows:
        sheet.append(row)
    book.save(path)


def _rows() -> list[list[object]]:
    return [
        [c for c in HEAD.strip().split(",")],
        ["2016Q1", "s01", "好", 1, 1, 0, "好", 0, 0, "90%"],
    ]


@pytest.mark.parametrize("member", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_malformed_xml_inside_a_workbook(member: str, tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    _workbook(good, _rows())
    data = tmp_path / "data.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(data, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(
                info, content[: len(content) // 2] if info.filename == member else content
            )
    code, _, err = _evaluate(data, tmp_path)
    assert code == 1
    assert err.startswith(
        f"{data}: error[E0902]: cannot read {data}: not a readable .xlsx workbook ("
    )


def test_a_cell_at_the_far_corner_of_a_sheet(tmp_path: Path) -> None:
    """The sheet claims 1,048,576 rows of 16,384 columns: not trusted."""
    data = tmp_path / "data.xlsx"
    rows = _rows()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    sheet["XFD1048576"] = "x"
    book.save(data)
    code, _, err = _evaluate(data, tmp_path)
    # The far cell is in no named column: the row it is on has no period.
    assert code == 1
    assert "E0810" in err and "row 1048576" in err


def test_a_formula_without_a_saved_value(tmp_path: Path) -> None:
    data = tmp_path / "data.xlsx"
    rows = _rows()
    rows[1][3] = "=1+0"
    _workbook(data, rows)
    code, _, err = _evaluate(data, tmp_path)
    assert code == 1
    assert err == (
        f"{data} (sheet 科室):2 [督办事项]: error[E0820]: row 2, column 督办事项 holds a formula "
        "whose result was never saved in the workbook (help: open and save the workbook in Excel "
        "or WPS (which saves formula results), or replace the formula with its value)"
    )


def test_a_repeated_column(tmp_path: Path) -> None:
    data = _csv(tmp_path, HEAD.strip() + ",督办事项\n" + ROW.format(value=1).strip() + ",2\n")
    code, _, err = _evaluate(data, tmp_path)
    assert code == 1
    assert err == (
        f"{data}:1 [督办事项]: error[E0821]: column 督办事项 appears twice in the header "
        "(columns 4 and 11) (help: delete or rename one of them: only one column can hold the "
        "input's values)"
    )


def test_a_misspelt_column_of_an_input_with_a_default(tmp_path: Path) -> None:
    """违纪违规次数 defaults to 0: misspelt, every row would silently get 0."""
    data = _csv(tmp_path, HEAD.replace("违纪违规次数", "违纪违规次") + ROW.format(value=1))
    code, _, err = _evaluate(data, tmp_path)
    assert code == 1
    assert err == (
        f"{data}:1 [违纪违规次]: error[E0822]: data column 违纪违规次 is not an input of the rules "
        "(help: did you mean `违纪违规次数`?)"
    )


def test_an_extra_column_is_ignored_with_a_warning(tmp_path: Path) -> None:
    data = _csv(tmp_path, HEAD.strip() + ",备注\n" + ROW.format(value=1).strip() + ",已核对\n")
    code, out, err = _evaluate(data, tmp_path)
    assert code == 0
    assert err == (
        f"{data}:1 [备注]: warning[W0801]: data column 备注 is not an input of the rules; "
        "the column was ignored"
    )
    assert _score(out, "s01", "supervision")
