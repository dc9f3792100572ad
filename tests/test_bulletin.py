"""Golden test of the quarterly bulletin (Markdown) on the bundled data, and
the January-September figures it reports."""

from __future__ import annotations

from pathlib import Path

from tests.clirun import run
from tests.golden import assert_golden, only_history_warnings


def test_bulletin_2016q3_golden() -> None:
    code, out, err = run(
        "report", "bulletin", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3"
    )
    assert code == 0 and only_history_warnings(err)
    assert_golden(Path("tests/cases/bulletin/yongzhou_2016Q3.md"), out)


def test_bulletin_january_september_reports_the_source_figures() -> None:
    code, out, _ = run(
        "report",
        "bulletin",
        "rules/yongzhou",
        "--data",
        "examples/yongzhou",
        "--period",
        "2016Q1..2016Q3",
    )
    assert code == 0
    assert "受到组织绩效扣分的科室 11 个，占科室总数的 65%" in out
    assert "受到个人绩效扣分的干部 70 名，占 100%" in out
    assert "个人之间最大分差 10.00 分" in out


def test_bulletin_html_is_escaped_and_self_contained() -> None:
    code, out, _ = run(
        "report", "bulletin", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3",
        "--format", "html",
    )  # fmt: skip
    assert code == 0
    assert out.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in out
    assert "<script" not in out and "绩效管理工作运行情况通报（2016年第三季度）" in out
