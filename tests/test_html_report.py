"""The dry-run HTML report in a real headless browser (Debian's Chromium):
the page renders, the charts are there, and Chinese text renders as glyphs,
not as the boxes a missing CJK font gives.  The screenshot is kept under
artifacts/ for people to look at."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from runtime import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path("artifacts")

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Chromium (see .ci/run)")
    pytest.skip("Chromium is not installed", allow_module_level=True)


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", *args],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    page = folder / "dryrun.html"
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["dry-run", "--baseline", "rules/yongzhou#2016-03-31", "--candidate",
         "rules/yongzhou#2016-04-01", "--data", "examples/yongzhou", "--periods", "2016Q1",
         "--format", "html", "--out", str(page), "--lang", "zh"],
        stdout=out, stderr=err,
    )  # fmt: skip
    assert code == 0, err.getvalue()
    return page


def test_report_is_self_contained(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in text
    assert '<meta charset="utf-8">' in text


def test_report_renders_with_charts(report: Path, tmp_path: Path) -> None:
    dom = _chromium("--dump-dom", report.as_uri(), profile=tmp_path / "profile").stdout.decode()
    assert dom.count("<svg") >= 4
    for chart in ("distribution-section", "shifts-section", "distribution-person", "shifts-person"):
        assert f'data-chart="{chart}"' in dom
    assert 'class="matrix"' in dom
    assert "规则修订试算报告" in dom
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dryrun-report.png"
    _chromium(f"--screenshot={shot.resolve()}", "--window-size=1280,1600", report.as_uri(),
              profile=tmp_path / "profile2")  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000


def _shot(html: str, folder: Path, name: str) -> bytes:
    page = folder / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    image = folder / f"{name}.png"
    _chromium(
        f"--screenshot={image}", "--window-size=600,120", page.as_uri(), profile=folder / name
    )
    return image.read_bytes()


def test_chinese_labels_render_as_glyphs_not_boxes(report: Path, tmp_path: Path) -> None:
    # The report's own style, one line of its Chinese title; then the same number
    # of private-use characters, which no font has and which render as boxes.
    style = report.read_text(encoding="utf-8").split("<style>", 1)[1].split("</style>", 1)[0]
    page = '<!DOCTYPE html><meta charset="utf-8"><style>{}</style><h1>{}</h1>'
    chinese = _shot(page.format(style, "规则修订试算报告"), tmp_path, "chinese")
    boxes = _shot(page.format(style, "\ue000" * 8), tmp_path, "boxes")
    blank = _shot(page.format(style, ""), tmp_path, "blank")
    assert chinese != blank, "the Chinese title drew nothing"
    assert chinese != boxes, "the Chinese title rendered as boxes (no CJK font)"
