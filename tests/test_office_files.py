"""Data files as offices save them (issue #13): a CSV saved by WPS or Excel on
Chinese Windows is GBK with CRLF line ends and reads to the same evaluation
as the UTF-8 file; a file in neither encoding is one located message, with
no follow-on errors about the rows it would have held."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from runtime.inputs.tables import EncodingProblem, decode_csv
from tests.clirun import run

EXAMPLE = Path("examples/yongzhou")


def _copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE, data)
    return data


def _as_wps_saves(path: Path) -> None:
    """GBK, CRLF line ends, no BOM: what 'CSV (逗号分隔)' writes in WPS."""
    text = path.read_text(encoding="utf-8-sig")
    path.write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode("gbk"))


@pytest.mark.parametrize("name", ["sections.csv", "people.csv", "events.csv"])
def test_a_gbk_csv_reads_to_the_same_evaluation(tmp_path: Path, name: str) -> None:
    data = _copy(tmp_path)
    argv = ("evaluate", "rules/yongzhou", "--data", str(data), "--period", "2016Q3",
            "--format", "json", "--lang", "en")  # fmt: skip
    expected = run(*argv)
    _as_wps_saves(data / name)
    assert (data / name).read_bytes() != (EXAMPLE / name).read_bytes()
    actual = run(*argv)
    assert expected[0] == 0
    assert actual == expected


def test_utf8_with_and_without_bom_and_gb18030_decode() -> None:
    text = "period,subject,依法行政评价\r\n2016Q3,s01,好\r\n"
    assert decode_csv(text.encode("utf-8")) == text
    assert decode_csv(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode_csv(text.encode("gbk")) == text
    assert decode_csv(text.encode("gb18030")) == text


@pytest.mark.parametrize(
    ("raw", "line", "byte"),
    [
        ("a,b\n好,1\n".encode() + b"\xff\n", 3, 0xFF),  # UTF-8 with a stray byte
        ("a,b\r\n好,1\r\n".encode("gbk") + b"\x80\r\n", 3, 0x80),  # GBK with a stray byte
        (b"\xef\xbb\xbfa,b\n\n\n\xff", 4, 0xFF),  # after a BOM
    ],
)
def test_neither_encoding_names_the_line_and_byte(raw: bytes, line: int, byte: int) -> None:
    with pytest.raises(EncodingProblem) as caught:
        decode_csv(raw)
    assert (caught.value.line, caught.value.byte) == (line, byte)


def _unreadable(data: Path) -> None:
    path = data / "sections.csv"
    lines = path.read_text(encoding="utf-8-sig").encode("gbk").split(b"\n")
    lines[4] += b"\xff\xfe"  # line 5: bytes no encoding an office uses can hold
    path.write_bytes(b"\n".join(lines))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "error[E0909]: data file {path} is neither UTF-8 nor GB18030 (GBK) text: line 5 "
            "holds the byte 0xFF, which fits neither\n"
            "  --> {path}:5\n"
            '  = help: save it again from WPS or Excel as "CSV UTF-8" or "CSV (comma delimited)"; '
            "the file may be damaged or not a CSV file\n\n"
            "1 error(s) found.\n",
        ),
        (
            "zh",
            "错误[E0909]: 数据文件 {path} 既不是 UTF-8 也不是 GB18030（GBK）编码："
            "第 5 行有无法识别的字节 0xFF\n"
            "  --> {path}:5\n"
            "  = 提示: 在 WPS 或 Excel 中另存为“CSV UTF-8”或“CSV（逗号分隔）”；文件可能已损坏，或不是 CSV 文件\n\n"
            "共发现 1 个错误。\n",
        ),
    ],
)
def test_a_file_in_neither_encoding_is_one_located_message(
    tmp_path: Path, lang: str, expected: str
) -> None:
    """The whole output: the cause alone, no E0814 for events whose rows were
    in the unreadable file (there were twelve before), and not repeated."""
    data = _copy(tmp_path)
    _unreadable(data)
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", str(data), "--period", "2016Q3", "--lang", lang
    )
    assert code == 1
    assert out == ""
    assert err == expected.format(path=data / "sections.csv")


def test_dry_run_reports_the_unreadable_file_once(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _unreadable(data)
    code, _, err = run(
        "dry-run", "--baseline", "rules/yongzhou", "--candidate", "rules/yongzhou",
        "--data", str(data), "--periods", "2016年1-9月", "--lang", "en",
    )  # fmt: skip
    assert code == 1
    assert err.count("error[") == 1
    assert err.startswith("error[E0909]")
