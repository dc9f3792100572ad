"""Dates as liaisons type them, in every table the data loader reads (issue #11).

Event tables, the supervision table and ``date`` inputs accept the spellings
``semantics.calendar.parse_date`` defines (2016-03-05, 2016/3/5, 2016-3-5,
2016.3.5, 2016年3月5日) and XLSX date cells; the same data written in any of
them gives byte-identical results.  Ambiguous spellings (3/5/2016, 16-3-5),
days that do not exist (2016-02-30) and bare numbers (a date cell that lost
its format) are refused with a located error saying what to write (goldens
in zh and en).
"""

from __future__ import annotations

import csv
import datetime
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from semantics.calendar import date_problem, excel_day, parse_date
from tests.clirun import run
from tests.golden import assert_golden

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "cases" / "dates"

FORMS = {
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "dash_unpadded": lambda d: f"{d.year}-{d.month}-{d.day}",
    "chinese": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "dots": lambda d: f"{d.year}.{d.month}.{d.day}",
}


def _rewrite(path: Path, columns: tuple[str, ...], spell: object) -> None:
    """``path`` with the dates of ``columns`` written by ``spell`` (row by row
    cycling through every form when ``spell`` is None)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    head = rows[0]
    forms = list(FORMS.values())
    for n, row in enumerate(rows[1:]):
        for column in columns:
            i = head.index(column)
            if row[i]:
                writer = spell if callable(spell) else forms[n % len(forms)]
                row[i] = writer(datetime.date.fromisoformat(row[i]))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _evaluate(data: Path, period: str = "2016Q3") -> str:
    code, out, err = run("evaluate", "rules/yongzhou", "--data", str(data), "--period", period,
                         "--format", "json")  # fmt: skip
    assert code == 0, err
    return out.replace(str(data), "DATA")


@pytest.fixture(scope="module")
def expected() -> str:
    return _evaluate(Path("examples/yongzhou"))


def _copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree("examples/yongzhou", data, ignore=shutil.ignore_patterns("*.py"))
    return data


@pytest.mark.parametrize("form", [*FORMS, "mixed"])
def test_the_example_in_each_spelling_gives_the_same_results(
    tmp_path: Path, form: str, expected: str
) -> None:
    data = _copy(tmp_path)
    spell = FORMS.get(form)
    _rewrite(data / "events.csv", ("date",), spell)
    _rewrite(data / "supervision.csv", ("issued", "due", "closed"), spell)
    assert (data / "events.csv").read_bytes() != Path("examples/yongzhou/events.csv").read_bytes()
    assert _evaluate(data) == expected.replace("examples/yongzhou", "DATA")


def test_the_example_with_xlsx_date_cells_gives_the_same_results(
    tmp_path: Path, expected: str
) -> None:
    """Events and supervision as workbooks whose dates are real date cells."""
    data = _copy(tmp_path)
    for name, columns in (("events", ("date",)), ("supervision", ("issued", "due", "closed"))):
        source = data / f"{name}.csv"
        rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"))))
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = name
        indexes = [rows[0].index(c) for c in columns]
        for n, row in enumerate(rows):
            cells: list[object] = list(row)
            for i in indexes:
                if n and row[i]:
                    cells[i] = datetime.date.fromisoformat(row[i])  # a date cell
            sheet.append(cells)
        book.save(data / f"{name}.xlsx")
        source.unlink()
    out = _evaluate(data)
    # Sources name the workbook's sheet instead of the CSV file; nothing else moves.
    for name in ("events", "supervision"):
        out = out.replace(f"DATA/{name}.xlsx (sheet {name})", f"DATA/{name}.csv")
    assert out == expected.replace("examples/yongzhou", "DATA")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("3/5/2016", "ambiguous"),
        ("5.3.2016", "ambiguous"),
        ("16-3-5", "ambiguous"),
        ("16年3月5日", "ambiguous"),
        ("2016-02-30", "impossible"),
        ("2015-2-29", "impossible"),
        ("2016年13月1日", "impossible"),
        ("42434", "number"),
        ("42434.5", "number"),
        ("2016-03-05T10:30:00", "other"),
        ("三月五日", "other"),
    ],
)
def test_refused_spellings_say_why(text: str, problem: str) -> None:
    assert parse_date(text) is None
    assert date_problem(text) == problem


def test_excel_day_numbers_are_named_in_the_help_only() -> None:
    assert excel_day("42434") == datetime.date(2016, 3, 5)
    assert excel_day("0") is None and excel_day("42434.5") is None
    assert parse_date("42434") is None


BAD_EVENTS = (
    "date,subject,item,count,reason,evidence\n"
    "3/5/2016,s01,criticized,1,迟报,通报\n"  # ambiguous: year last
    "16-7-5,s01,criticized,1,迟报,通报\n"  # ambiguous: two-digit year
    "2016-02-30,s01,criticized,1,迟报,通报\n"  # no such day
    "2016年13月1日,s01,criticized,1,迟报,通报\n"  # no such month
    "42556,s01,criticized,1,迟报,通报\n"  # a date cell's day number
    "七月五日,s01,criticized,1,迟报,通报\n"  # not a date at all
)
BAD_SUPERVISION = (  # appended to the example's table
    "X1,永地税督〔2016〕9号,7/1/2016,s01,事项,2016-07-21,,,\n"
    "X2,永地税督〔2016〕9号,2016-07-01,s01,事项,2016-06-31,2016.7.20,,\n"
)


def _bad_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(ROOT / "examples/yongzhou/sections.csv", data)
    shutil.copy(ROOT / "examples/yongzhou/people.csv", data)
    (data / "events.csv").write_text(BAD_EVENTS, encoding="utf-8")
    supervision = (ROOT / "examples/yongzhou/supervision.csv").read_text(encoding="utf-8")
    (data / "supervision.csv").write_text(supervision + BAD_SUPERVISION, encoding="utf-8")
    return data


DATE_RULES = """\
scheme: 日期
version: "1"
year: 2016
inputs:
  截止日期: date
  报送日期: date
indicators:
  - id: 按时报送
    name: 按时报送
    points: 10
    score: 10 - 0.5 * max(0, days_between(截止日期, 报送日期))
"""


def _bad_inputs(tmp_path: Path) -> tuple[Path, Path]:
    """A workbook of date inputs: a numeric cell, an ambiguous text, a day
    that does not exist, and a real date cell (accepted)."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "ruleset.yaml").write_text(DATE_RULES, encoding="utf-8")
    data = tmp_path / "inputs"
    data.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "报送"
    sheet.append(["period", "subject", "截止日期", "报送日期"])
    sheet.append(["2016Q3", "s1", datetime.date(2016, 7, 5), 42556])
    sheet.append(["2016Q3", "s2", "2016/7/5", "7/8/2016"])
    sheet.append(["2016Q3", "s3", "2016年7月5日", "2016年6月31日"])
    book.save(data / "d.xlsx")
    return tmp_path / "rules", data


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_refused_dates_are_located_with_what_to_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    monkeypatch.chdir(tmp_path)
    found = []
    _bad_data(Path("."))
    code, out, err = run("--lang", lang, "evaluate", str(ROOT / "rules/yongzhou"), "--data", "data",
                         "--period", "2016Q3")  # fmt: skip
    assert code == 1 and out == "", err
    found.append(err)
    rules_dir, inputs = _bad_inputs(Path("."))
    code, out, err = run("--lang", lang, "evaluate", str(rules_dir), "--data", str(inputs),
                         "--period", "2016Q3")  # fmt: skip
    assert code == 1 and out == "", err
    found.append(err)
    assert_golden(GOLDEN / f"refused.{lang}.txt", "\n".join(found))


@pytest.mark.parametrize("form", ["%Y%m%d", "%G-W%V-%u", "%Y-%j"])
def test_the_supervision_tables_fast_path_reads_no_other_iso_form(
    tmp_path: Path, form: str
) -> None:
    """The supervision reader's fast path (runtime/inputs/supervision.py) reads
    YYYY-MM-DD itself; ``date.fromisoformat`` would also take the basic,
    week and ordinal forms, which the checked path refuses as every other
    table does."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "examples/yongzhou", data)
    path = data / "supervision.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    column = rows[0].index("issued")
    text = datetime.date.fromisoformat(rows[1][column]).strftime(form)  # the same day
    rows[1][column] = text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    code, _, err = run("--lang", "en", "evaluate", "rules/yongzhou", "--data", str(data),
                       "--period", "2016Q3")  # fmt: skip
    assert code == 1
    assert "supervision.csv:2 [issued]" in err and text in err
