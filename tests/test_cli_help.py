"""The command line in the user's language (issue #13): help, usage errors
and argument errors, chosen by `--lang` anywhere on the line or else by the
locale.  argparse's own words ("usage:", "options:", "invalid choice") are
translated too.  Help is kept in golden files, one per command and language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dsl.diagnostics import detect_lang
from tests.clirun import run
from tests.golden import assert_golden

GOLDEN = Path("tests/cases/help")
ARGPARSE_ENGLISH = re.compile(
    r"usage:|options:|positional arguments|show this help|required|invalid choice"
)


@pytest.fixture(autouse=True)
def _fixed_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """argparse wraps help at the terminal's width: fix it for the goldens."""
    monkeypatch.setenv("COLUMNS", "100")
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("command", [[], ["evaluate"]])
def test_help_golden(lang: str, command: list[str]) -> None:
    code, out, err = run("--lang", lang, *command, "--help")
    assert (code, err) == (0, "")
    name = "-".join(["jixiao", *command])
    assert_golden(GOLDEN / f"{name}.{lang}.txt", out)
    if lang == "zh":
        assert ARGPARSE_ENGLISH.search(out) is None
        assert "用法：" in out and "选项" in out and "显示此帮助信息并退出" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "zh", "--help"],
        ["--lang=zh", "--help"],
        ["--help", "--lang", "zh"],
        ["--lang", "zh", "evaluate", "--help"],
        ["evaluate", "--help", "--lang", "zh"],
        ["evaluate", "--lang", "zh", "--help"],
    ],
)
def test_lang_anywhere_on_the_line(argv: list[str]) -> None:
    code, out, _ = run(*argv)
    assert code == 0
    assert out.startswith("用法：jixiao")


def test_the_locale_chooses_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    code, out, _ = run("evaluate", "--help")
    assert code == 0
    assert out == (GOLDEN / "jixiao-evaluate.zh.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert run("evaluate", "--help")[1].startswith("usage: jixiao evaluate")
    # --lang wins over the locale
    assert run("evaluate", "--help", "--lang", "en")[1].startswith("usage: jixiao evaluate")


@pytest.mark.parametrize(
    ("argv", "first_line"),
    [
        (["--lang", "zh", "evaluate"], "jixiao: 缺少以下必需参数：rules"),
        (
            ["--lang", "zh", "evaluate", "r", "--data", "d", "--format", "pdf"],
            "jixiao: 参数 --format：无效的值：'pdf'（可选：'table', 'json', 'csv', 'xlsx'）",
        ),
        (
            ["--lang", "zh", "verify", "r", "--examples", "0"],
            "jixiao: 参数 --examples：至少为 1：0",
        ),
        (
            ["--lang", "zh", "verify", "r", "--examples", "x"],
            "jixiao: 参数 --examples：不是整数：x",
        ),
        (
            ["test", "r", "--fail-under", "120", "--lang", "zh"],
            "jixiao: 参数 --fail-under：不在 0 到 100 之间：120",
        ),
        (["check", "r", "extra", "--lang", "zh"], "jixiao: 无法识别的参数：extra"),
        (["--lang", "zh", "evaluate", "r", "--data"], "jixiao: 参数 --data：需要一个值"),
        (
            ["evaluate", "--lang", "en"],
            "jixiao: the following arguments are required: rules",
        ),
    ],
)
def test_usage_errors_in_the_chosen_language(argv: list[str], first_line: str) -> None:
    code, out, err = run(*argv)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] == first_line
    usage = "用法：jixiao " if "zh" in argv else "usage: jixiao "
    assert lines[1].startswith(usage)


def test_an_unknown_command_is_refused_in_chinese() -> None:
    code, _, err = run("--lang", "zh", "evalute")
    assert code == 2
    assert err.startswith("jixiao: 参数 command：无效的值：'evalute'（可选：'check', ")
    assert "\n用法：jixiao [-h]" in err


def test_argparse_speaks_english_again_afterwards() -> None:
    """The translation is undone after each command (tests run many in one process)."""
    run("--lang", "zh", "--help")
    import argparse

    assert argparse._("usage: ") == "usage: "  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["--lang", "zh", "evaluate", "rules/yongzhou"],
            "jixiao: 请用 --data 文件夹 指定数据（或使用 --from-submissions）",
        ),
        (
            ["evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--format", "xlsx",
             "--lang", "zh"],
            "jixiao: --format xlsx 输出工作簿：请用 --out 文件.xlsx 指定文件名",
        ),
        (
            ["warn", "rules/yongzhou", "--date", "2016-9-1", "--lang", "zh"],
            "jixiao: --date 2016-9-1：请写成 2016-09-01 这样的日期",
        ),
    ],
)  # fmt: skip
def test_usage_errors_of_the_commands_in_the_chosen_language(argv: list[str], line: str) -> None:
    code, out, err = run(*argv)
    assert (code, out) == (2, "")
    assert line in err.splitlines()  # after any warnings the evaluation printed


def test_the_commands_raise_no_usage_error_of_their_own_text() -> None:
    """Every usage error the commands raise takes its text from the catalogue."""
    source = Path("runtime/cli.py").read_text(encoding="utf-8")
    assert re.findall(r"_UsageError\(f?[\"']", source) == []


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "zh"),  # a server or a scheduled job: no locale at all
        ({"LANG": "C.UTF-8"}, "zh"),
        ({"LC_ALL": "POSIX"}, "zh"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"JIXIAO_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"JIXIAO_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
        ({"JIXIAO_LANG": "fr", "LANG": "en_US.UTF-8"}, "en"),  # not a choice: ignored
    ],
)
def test_chinese_unless_english_is_asked_for(environ: dict[str, str], expected: str) -> None:
    """The offices work in Chinese: outputs are Chinese unless English is asked for."""
    assert detect_lang(environ) == expected


def test_workbook_headers_are_chinese_under_a_c_locale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    monkeypatch.setenv("LANG", "C.UTF-8")
    target = tmp_path / "results.xlsx"
    code, _, err = run(
        "evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3",
        "--format", "xlsx", "--out", str(target),
    )  # fmt: skip
    assert code == 0, err
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["考核期间", "编号", "名称"]
