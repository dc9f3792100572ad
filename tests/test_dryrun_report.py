"""The dry-run report the leadership reads (issue #13, item 4), checked in
headless Chromium and in the A4 PDF Chromium prints: the summary before any
detail, sections before people, grades in the rules' declared order, charts
with axis labels, ticks, counts and grade threshold lines, the cumulative view
over several quarters, and no heading left at the foot of a printed page.

The run is the bundled second-quarter revision against the rules in force in
the first quarter, over 2016Q1..2016Q3.  Chromium and poppler (pdfinfo,
pdftotext) are installed here and in CI (.ci/run); the module skips only on a
machine without them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.clirun import run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")
if CHROMIUM is None or not POPPLER:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Chromium and poppler-utils (see .ci/run)")
    pytest.skip("Chromium or poppler is not installed", allow_module_level=True)

RUN = (
    "dry-run", "--baseline", "rules/yongzhou#2016-03-31", "--candidate", "rules/yongzhou",
    "--data", "examples/yongzhou", "--periods", "2016Q1..2016Q3", "--lang", "zh",
)  # fmt: skip
SECTIONS = 17


def _declared(path: str, *keys: str) -> list[str]:
    """The grades of a rule file, in the order the file declares them."""
    node = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for key in keys:
        node = node[key]
    return [band["grade"] for band in node]


class _Elements(HTMLParser):
    """Every element of a page in document order: (tag, attributes, its text)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str], list[str]]] = []
        self.open: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}, []))
        if tag not in ("br", "meta", "rect", "line", "img"):
            self.open.append(len(self.found) - 1)

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            index = self.open.pop()
            if self.found[index][0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for index in self.open:
            self.found[index][2].append(data)


def _elements(page: str) -> list[tuple[str, dict[str, str], str]]:
    parser = _Elements()
    parser.feed(page)
    return [(tag, attrs, "".join(text).strip()) for tag, attrs, text in parser.found]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dryrun-report")


@pytest.fixture(scope="module")
def page(folder: Path) -> Path:
    target = folder / "dryrun.html"
    code, _, err = run(*RUN, "--format", "html", "--out", str(target))
    assert code == 0, err
    return target


@pytest.fixture(scope="module")
def dom(page: Path, folder: Path) -> list[tuple[str, dict[str, str], str]]:
    """The page as headless Chromium built it."""
    assert CHROMIUM is not None
    dumped = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={folder / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    ).stdout.decode()  # fmt: skip
    return _elements(dumped)


@pytest.fixture(scope="module")
def pdf(folder: Path) -> Path:
    target = folder / "dryrun.pdf"
    code, _, err = run(*RUN, "--format", "pdf", "--out", str(target))
    assert code == 0, err
    return target


def _headings(dom: list[tuple[str, dict[str, str], str]]) -> list[tuple[str, dict[str, str], str]]:
    return [e for e in dom if e[0] in ("h1", "h2", "h3", "h4")]


def test_summary_comes_first_and_names_who_gains_or_loses(
    dom: list[tuple[str, dict[str, str], str]],
) -> None:
    headings = _headings(dom)
    assert [h[2] for h in headings[:2]] == ["规则修订试算报告", "摘要"]
    summary = " ".join(e[2] for e in dom if e[0] == "p" and "summary" in e[1].get("class", ""))
    # 2016Q2: 财务管理科 becomes 优秀 and 办公室 no longer is (the text dry-run says the same).
    assert "2016年第二季度：87 个考核对象中有 9 个等次变化（科室 3 个，个人 6 个）" in summary
    assert "新评为优秀的科室：财务管理科。" in summary
    assert "不再评为优秀的科室：办公室。" in summary
    assert "分差最大的：机关党委 +8.85" in summary
    quota = [e for e in dom if e[0] == "table" and e[1].get("class") == "quotas"]
    assert quota and "14/14" in quota[0][2]
    first_period = next(i for i, h in enumerate(headings) if h[2].startswith("2016年第一季度"))
    assert all(h[0] != "h3" for h in headings[:first_period])


def test_sections_come_before_people_in_every_period(
    dom: list[tuple[str, dict[str, str], str]],
) -> None:
    kinds = [
        (h[1]["data-kind"], h[2]) for h in _headings(dom) if "kind-heading" in h[1].get("class", "")
    ]
    # three quarters and the cumulative view, each: sections, then people
    assert [k for k, _ in kinds] == ["section", "person"] * 4
    assert kinds[0][1] == f"科室（{SECTIONS} 个）" and kinds[1][1] == "个人（70 个）"
    tables = [e[1]["data-kind"] for e in dom if e[0] == "table" and e[1].get("class") == "subjects"]
    assert tables == ["section", "person"] * 4


def test_grades_follow_the_declared_order(dom: list[tuple[str, dict[str, str], str]]) -> None:
    sections = _declared("rules/yongzhou/grades.yaml", "grades")
    people = _declared("rules/yongzhou/people.yaml", "people", "grades")
    assert sections == ["优秀", "良好", "合格", "不合格"]  # not in character-code order
    matrices = [i for i, e in enumerate(dom) if e[0] == "table" and e[1].get("class") == "matrix"]
    assert len(matrices) == 8
    for index in matrices:
        kind = dom[index][1]["data-kind"]
        heads = []
        for tag, attrs, text in dom[index + 1 :]:
            if tag == "tbody":
                break
            if tag == "th" and attrs.get("class") == "grade":
                heads.append(text)
        assert heads == (sections if kind == "section" else people)


def test_charts_have_axes_ticks_counts_and_grade_thresholds(
    dom: list[tuple[str, dict[str, str], str]],
) -> None:
    charts: dict[str, list[list[tuple[str, dict[str, str], str]]]] = {}
    current: list[tuple[str, dict[str, str], str]] | None = None
    for element in dom:
        if element[0] == "div" and "data-chart" in element[1]:
            current = []
            charts.setdefault(element[1]["data-chart"], []).append(current)
        elif current is not None:
            current.append(element)
    assert set(charts) == {
        "distribution-section", "shifts-section", "distribution-person", "shifts-person"
    }  # fmt: skip
    for kind, found in charts.items():
        assert len(found) == 4, kind  # three quarters and the cumulative view
        for chart in found:
            labels = [e[2] for e in chart if "axis-label" in e[1].get("class", "")]
            ticks = [e[2] for e in chart if e[1].get("class") == "tick"]
            if kind.startswith("distribution"):
                assert labels[:2] == ["总分（每 2 分一组）", "考核对象数"], kind
                assert "0" in ticks and len(ticks) >= 8
                counts = [int(e[2]) for e in chart if e[1].get("class") == "count"]
                assert sum(counts) == 2 * (SECTIONS if kind.endswith("section") else 70)
                grades = [e[1]["data-grade"] for e in chart if e[1].get("class") == "threshold"]
                assert "优秀" in grades
                assert any(e[2] == "优秀 ≥ 90" for e in chart if e[0] == "text")
    # every section's change drawn with its name (none changes in 2016Q1: no bars, a note)
    shifts = charts["shifts-section"]
    assert not [e for e in shifts[0] if e[1].get("class") == "bar-label"]
    for chart in shifts[1:]:
        names = [e[2] for e in chart if e[1].get("class") == "bar-label"]
        assert len(names) == SECTIONS and "财务管理科" in names
        assert [e[2] for e in chart if "axis-label" in e[1].get("class", "")] == [
            "分差（修订 − 现行）"
        ]
    # people: only the largest changes are drawn, with names, and a note says so
    for chart in charts["shifts-person"][1:]:
        assert 0 < len([e for e in chart if e[1].get("class") == "bar-label"]) <= 20
        assert any("图中为分差最大的" in e[2] for e in chart if e[0] == "p")


def test_cumulative_view_in_the_page(dom: list[tuple[str, dict[str, str], str]]) -> None:
    headings = [h[2] for h in _headings(dom) if h[0] == "h2"]
    assert headings[-1].startswith("累计：2016年1—9月（各季度的平均）")
    heads = [e[2] for e in dom if e[0] == "th"]
    assert {"一季度分差", "二季度分差", "三季度分差"} <= set(heads)


def test_page_is_laid_out_for_print(page: Path) -> None:
    style = page.read_text(encoding="utf-8").split("<style>", 1)[1].split("</style>", 1)[0]
    assert "@page { size: A4;" in style
    assert "thead { display: table-header-group; }" in style
    assert re.search(r"th, td \{[^}]*white-space: nowrap", style)
    assert re.search(r"h1, h2, h3, h4 \{ break-after: avoid", style)


def _page_lines(pdf: Path) -> list[list[str]]:
    """Each printed page's text lines in the order they were printed (``-raw``:
    document order, not columns), blanks dropped and spaces removed."""
    count = int(re.search(r"Pages:\s+(\d+)", _info(pdf)).group(1))  # type: ignore[union-attr]
    pages = []
    for number in range(1, count + 1):
        text = subprocess.run(
            ["pdftotext", "-raw", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        pages.append([re.sub(r"\s+", "", line) for line in text.splitlines() if line.strip()])
    return pages


def _info(pdf: Path) -> str:
    return subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout


def test_pdf_pages_are_a4(pdf: Path) -> None:
    sizes = re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", _info(pdf))
    assert len(sizes) > 3
    for width, height in sizes:
        assert abs(float(width) - 595) <= 1 and abs(float(height) - 842) <= 1, (width, height)


def test_no_printed_heading_is_split_from_what_follows(
    pdf: Path, dom: list[tuple[str, dict[str, str], str]]
) -> None:
    """Every heading's page also holds what comes after it: the heading is never
    the last line of a page, and a table's heading shares its page with the
    table's header row."""
    headings = {re.sub(r"\s+", "", h[2]): h[1] for h in _headings(dom)}
    seen = set()
    for number, lines in enumerate(_page_lines(pdf), start=1):
        for index, line in enumerate(lines):
            if line not in headings:
                continue
            seen.add(line)
            assert index + 1 < len(lines), f"page {number} ends with the heading {line}"
            if "table-heading" in headings[line].get("class", ""):
                assert lines[index + 1].startswith("考核对象"), (number, line, lines[index + 1])
    assert seen == set(headings)  # every heading was printed (and found)
