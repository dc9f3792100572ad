"""The bulletin as a Word document and A4 PDF; the dry-run report and the
warning tables as A4 PDF (issue #13, point 3).

Word documents are read back with python-docx; PDFs are checked with poppler
(``pdfinfo`` page sizes, ``pdftotext`` for the CJK text, ``pdftoppm`` to show
a page renders).  Nothing here skips: CI installs Chromium and poppler-utils
(.ci/run), so a machine without them fails these tests.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from runtime.inputs.periods import parse_periods
from runtime.render.bulletin_docx import default_template
from runtime.tools.bulletin import period_text
from tests.clirun import run

BULLETIN = ("report", "bulletin", "rules/yongzhou", "--data", "examples/yongzhou")
TEMPLATE = Path("runtime/render/templates/bulletin.docx")


def _docx(tmp_path: Path, *extra: str) -> Path:
    target = tmp_path / "bulletin.docx"
    code, _, err = run(*BULLETIN, "--format", "docx", "--out", str(target), *extra)
    assert code == 0, err
    return target


def test_period_as_an_office_writes_it() -> None:
    assert period_text(parse_periods("2016Q3")) == "2016年第三季度"
    assert period_text(parse_periods("2016Q1..2016Q3")) == "2016年1—9月"
    assert period_text(parse_periods("2016Q2..2016Q3")) == "2016年4—9月"
    assert period_text(parse_periods("2016")) == "2016年度"


def test_bulletin_docx_holds_period_number_ranking_and_fonts(tmp_path: Path) -> None:
    path = _docx(
        tmp_path, "--period", "2016Q3", "--number", "永地税绩〔2016〕3号",
        "--office", "永州市地方税务局绩效管理办公室", "--date", "2016-10-10",
    )  # fmt: skip
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2016年第三季度" in text and "2016Q3" not in text
    assert "永地税绩〔2016〕3号" in text
    assert "永州市地方税务局绩效管理办公室" in text and "2016年10月10日" in text
    ranking = [
        t
        for t in document.tables
        if [c.text for c in t.rows[0].cells] == ["排名", "科室", "得分", "等次"]
    ]
    assert len(ranking) == 1
    rows = ranking[0].rows[1:]
    assert len(rows) == 17
    assert rows[0].cells[0].text == "1"
    assert rows[0].cells[1].text == "政工科" and rows[0].cells[2].text == "97.08"
    assert rows[-1].cells[1].text == "督查内审科" and rows[-1].cells[2].text == "76.94"
    # The header row repeats on every page.
    header = ranking[0].rows[0]._tr.trPr
    assert header is not None and header.find(qn("w:tblHeader")) is not None
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋"
    heading = document.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(qn("w:eastAsia")) == "黑体"
    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin, section.left_margin)
    assert [round(size.mm) if size is not None else None for size in sizes] == [210, 297, 37, 28]


def test_bulletin_docx_same_inputs_same_bytes_and_date_from_the_period(tmp_path: Path) -> None:
    first = _docx(tmp_path, "--period", "2016Q1..2016Q3").read_bytes()
    second = _docx(tmp_path, "--period", "2016Q1..2016Q3").read_bytes()
    assert first == second
    document = docx.Document(str(tmp_path / "bulletin.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2016年1—9月" in text and "2016年9月30日" in text and "〔2016〕" in text


def test_bulletin_docx_has_every_part_with_its_numbers_and_the_chart(tmp_path: Path) -> None:
    """The source's bulletin: overview, ranking (with its chart), deductions as
    sums and averages, supervision and warnings, problems, improvement, focus."""
    document = docx.Document(str(_docx(tmp_path, "--period", "2016Q1..2016Q3")))
    paragraphs = [p.text for p in document.paragraphs]
    headings = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"
    ]
    assert headings == [
        "一、总体情况", "二、扣分情况", "三、督查督办和预警提醒情况", "四、存在问题",
        "五、持续改进", "六、下一步工作重点",
    ]  # fmt: skip
    text = "\n".join(paragraphs)
    assert "受到组织绩效扣分的科室11个，占科室总数的65%（扣分按各季度合计）" in text
    assert "本期下发督办函12份" in text and "督查发现问题整改到位20项" in text
    assert "个人之间最大分差10.00分" in text
    assert "被否决的科室：收入核算科" in text
    tables = {tuple(c.text for c in t.rows[0].cells): t for t in document.tables}
    deductions = tables[("科室", "扣分合计", "季均扣分（平均）", "扣分事项")]
    assert [c.text for c in deductions.rows[1].cells][:3] == ["督查内审科", "3.00", "1.00"]
    assert len(deductions.rows) == 12  # header + 11 sections
    supervision = tables[("科室", "到期事项", "按期办结", "逾期")]
    assert ["督查内审科", "24", "18", "6"] in [[c.text for c in r.cells] for r in supervision.rows]
    assert ("事项", "次数", "扣分合计") in tables
    # The chart: one PNG picture right after the ranking table, as wide as the text.
    assert len(document.inline_shapes) == 1
    picture = document.inline_shapes[0]
    assert picture.width is not None and round(picture.width.mm) == 210 - 28 - 26
    blob = document.part.related_parts[
        picture._inline.graphic.graphicData.pic.blipFill.blip.embed
    ].blob
    assert blob.startswith(b"\x89PNG")


def test_shipped_template_is_the_default_template() -> None:
    """``templates/bulletin.docx`` is what ``default_template`` makes (UPDATE_GOLDEN=1 rewrites it)."""
    made = default_template()
    if os.environ.get("UPDATE_GOLDEN"):
        TEMPLATE.write_bytes(made)
    assert TEMPLATE.read_bytes() == made


def test_office_template_styles_are_used(tmp_path: Path) -> None:
    office = docx.Document(str(TEMPLATE))
    office.styles["Normal"].element.rPr.rFonts.set(qn("w:eastAsia"), "楷体")
    template = tmp_path / "office.docx"
    office.save(str(template))
    path = _docx(tmp_path, "--period", "2016Q3", "--template", str(template))
    document = docx.Document(str(path))
    assert document.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体"
    assert "科室得分排名如下：" in [p.text for p in document.paragraphs]


def test_bad_template_and_missing_out_are_usage_errors(tmp_path: Path) -> None:
    bad = tmp_path / "not.docx"
    bad.write_text("plain text", encoding="utf-8")
    code, _, err = run(*BULLETIN, "--period", "2016Q3", "--format", "docx", "--template", str(bad), "--out", str(tmp_path / "x.docx"))  # fmt: skip
    assert code == 2 and "E0918" in err and str(bad) in err and "Traceback" not in err
    code, _, err = run(*BULLETIN, "--period", "2016Q3", "--format", "docx")
    assert code == 2 and "--out" in err
    code, _, err = run(*BULLETIN, "--period", "2016Q3", "--format", "docx", "--date", "10/10/2016", "--out", str(tmp_path / "x.docx"))  # fmt: skip
    assert code == 2 and "--date" in err


def _pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", info)
    assert sizes, info
    return [(float(w), float(h)) for w, h in sizes]


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _a4(size: tuple[float, float], landscape: bool = False) -> bool:
    expected = (842, 595) if landscape else (595, 842)
    return all(abs(got - want) <= 1 for got, want in zip(size, expected, strict=True))


def test_bulletin_pdf_is_a4_with_cjk_text_and_renders(tmp_path: Path) -> None:
    target = tmp_path / "bulletin.pdf"
    code, _, err = run(*BULLETIN, "--period", "2016Q3", "--format", "pdf", "--out", str(target))
    assert code == 0, err
    pages = _pages(target)
    assert all(_a4(size) for size in pages), pages
    text = _text(target)
    assert "绩效管理工作运行情况通报" in text and "2016年第三季度" in text
    assert "排名" in text and "督查内审科" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(target), str(tmp_path / "page")],
        check=True,
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    # Chromium's print dates are fixed, so the bytes repeat on this machine.
    again = tmp_path / "again.pdf"
    assert run(*BULLETIN, "--period", "2016Q3", "--format", "pdf", "--out", str(again))[0] == 0
    assert again.read_bytes() == target.read_bytes()
    assert b"/CreationDate (D:20000101000000" in target.read_bytes()


def test_dry_run_and_warnings_pdf_are_a4(tmp_path: Path) -> None:
    report = tmp_path / "dryrun.pdf"
    code, _, err = run(
        "dry-run", "--baseline", "rules/yongzhou", "--candidate", "rules/yongzhou",
        "--data", "examples/yongzhou", "--periods", "2016Q3", "--format", "pdf", "--out", str(report),
    )  # fmt: skip
    assert code == 0, err
    assert all(_a4(size) for size in _pages(report))
    warnings = tmp_path / "warn.pdf"
    code, _, err = run(
        "warn", "rules/yongzhou", "--date", "2016-09-01", "--format", "pdf", "--out", str(warnings)
    )
    assert code == 0, err
    pages = _pages(warnings)
    assert all(_a4(size, landscape=True) for size in pages), pages
    assert _text(warnings).strip()


def test_pdf_without_chromium_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIXIAO_CHROMIUM", str(tmp_path / "no-such-browser"))
    code, _, err = run(*BULLETIN, "--period", "2016Q3", "--format", "pdf", "--out", str(tmp_path / "b.pdf"))  # fmt: skip
    assert code == 2 and "E0916" in err and "Traceback" not in err
    assert "apt-get install chromium" in err


def test_ledgers_pdf_are_a4_landscape_with_their_text(tmp_path: Path) -> None:
    """The three ledgers print as A4 landscape PDF (the office files them)."""
    for kind, expected in (
        ("duty", "p0101"),
        ("function", "督查督办落实"),
        ("master", "督查督办落实"),
    ):
        target = tmp_path / f"{kind}.pdf"
        code, _, err = run(
            "ledger", "rules/yongzhou", "--period", "2016Q3", "--kind", kind,
            "--format", "pdf", "--out", str(target),
        )  # fmt: skip
        assert code == 0, err
        pages = _pages(target)
        assert pages and all(_a4(size, landscape=True) for size in pages), (kind, pages)
        assert expected in _text(target), kind
