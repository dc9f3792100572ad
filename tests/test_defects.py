"""Defects found in the docs review ("Current limitations"), each fixed with its test."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from runtime.render.files import OutputError, write_output
from runtime.store import Store, StoreError
from tests.clirun import run
from tests.variants import variant


def _variant(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the bundled rules with one text replaced in one file."""
    return variant(tmp_path, {file: (old, new)}, "yongzhou")


def test_indicator_scored_only_in_quarters_of_weight_0_is_left_out(tmp_path: Path) -> None:
    """`publicity` ended on 2016-03-31: with Q1 of weight 0 it is not part of
    2016Q1..2016Q2, which is then 2016Q2's result (not an internal error)."""
    rules = _variant(
        tmp_path,
        "grades.yaml",
        "  method: average\n",
        "  method: weighted\n  weights: {Q1: 0, Q2: 1}\n",
    )
    code, out, err = run(
        "evaluate", str(rules), "--data", "examples/yongzhou", "--period", "2016Q1..2016Q2",
        "--format", "json", "--lang", "en",
    )  # fmt: skip
    assert code == 0, err
    rolled = {s["id"]: s for s in json.loads(out)["subjects"]}
    code, out, err = run(
        "evaluate", str(rules), "--data", "examples/yongzhou", "--period", "2016Q2",
        "--format", "json", "--lang", "en",
    )  # fmt: skip
    assert code == 0, err
    second = {s["id"]: s for s in json.loads(out)["subjects"]}
    assert rolled.keys() == second.keys()
    for ident, subject in rolled.items():
        assert subject["total"] == second[ident]["total"]
        shown = [(i["id"], i["score"], i["status"]) for i in subject["indicators"]]
        assert shown == [(i["id"], i["score"], i["status"]) for i in second[ident]["indicators"]]
        assert "publicity" not in {i["id"] for i in subject["indicators"]}


def test_malformed_date_in_a_rules_spec_is_e0908() -> None:
    """`#2016-3-31` is a date written wrongly, not part of a folder name (E0901)."""
    for spec, shown in [
        ("rules/yongzhou#2016-3-31", "2016-3-31"),
        ("rules/yongzhou#20160331", "20160331"),
        ("rules/yongzhou@HEAD#2016-03-31x", "2016-03-31x"),
        ("rules/yongzhou#", ""),
    ]:
        code, out, err = run("check", spec, "--lang", "en", "--output-format", "concise")
        assert (code, out) == (1, ""), err
        assert err == (
            f"{spec}: error[E0908]: cannot read the rules {spec}: "
            f"not a date: {shown} (write YYYY-MM-DD)\n"
        )
    code, _, err = run("check", "rules/yongzhou#2016-03-31", "--lang", "en")
    assert (code, err) == (0, "")


def test_rollup_checkpoints_are_those_on_which_the_indicator_is_in_force() -> None:
    """`training` ended on 2016-03-31: its half-year checkpoint 2016-06-30 is not
    one of its checkpoints, its closing checkpoint 2016-03-31 is; the tasks of
    1 April have none before April."""
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q1..2016Q2",
        "--format", "json", "--lang", "en",
    )  # fmt: skip
    assert code == 0, err
    for subject in json.loads(out)["subjects"]:
        dates = {i["id"]: [c["date"] for c in i["checkpoints"]] for i in subject["indicators"]}
        if subject["kind"] != "section":
            continue
        assert dates["training"] == ["2016-03-31"]
        assert dates["publicity"] == ["2016-03-31"]
        assert dates["revenue"] == ["2016-03-31", "2016-06-30"]
        assert dates["sanitary_city"] == ["2016-04-30", "2016-05-31", "2016-06-30"]
        assert dates["poverty_alleviation"] == ["2016-06-30"]


def test_within_without_cumulative_history_is_an_error_at_the_within_key(tmp_path: Path) -> None:
    """`within` means "in `years` of the last `within` years", for `consecutive:
    false` only; on a consecutive history it would be ignored silently."""
    for history in ("{years: 2, within: 3}", "{years: 2, consecutive: true, within: 3}"):
        folder = tmp_path / str(len(history))
        rules = _variant(
            folder, "links.yaml", "history: {years: 2, consecutive: true}\n    to: head",
            f"history: {history}\n    to: head",
        )  # fmt: skip
        links = rules / "links.yaml"
        line = next(
            number
            for number, text in enumerate(links.read_text(encoding="utf-8").splitlines(), 1)
            if "within" in text
        )
        column = links.read_text(encoding="utf-8").splitlines()[line - 1].index("within") + 1
        code, out, err = run("check", str(rules), "--lang", "en", "--output-format", "concise")
        assert (code, out) == (1, "")
        assert err == (
            f"{links}:{line}:{column}: error[E0436]: `within` counts only in a cumulative "
            "history (`consecutive: false`); this link's history is 2 consecutive years "
            '(help: write `consecutive: false` for "in 2 of the last 3 years", or remove '
            "`within`)\n"
        )
        code, _, err = run("check", str(rules), "--lang", "zh", "--output-format", "concise")
        assert code == 1
        assert "错误[E0436]: `within` 只用于累计的历史条件（consecutive: false）" in err
    cumulative = _variant(
        tmp_path / "ok", "links.yaml", "history: {years: 2, consecutive: true}\n    to: head",
        "history: {years: 2, consecutive: false, within: 3}\n    to: head",
    )  # fmt: skip
    code, _, err = run("check", str(cumulative), "--lang", "en")
    assert (code, err) == (0, "")


def test_a_store_opened_to_read_that_does_not_exist_is_e0913_and_not_created(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "new.sqlite"
    with pytest.raises(StoreError) as raised:
        Store(str(missing), read_only=True)
    assert (raised.value.code, raised.value.args_) == ("E0913", {"path": str(missing)})
    assert not missing.exists()
    not_a_store = tmp_path / "empty.sqlite"
    not_a_store.write_bytes(b"")
    with pytest.raises(sqlite3.Error):
        Store(str(not_a_store), read_only=True)
    assert not_a_store.read_bytes() == b""


def test_a_store_opened_to_read_reads_published_runs_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite"
    code, _, err = run(
        "evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q1",
        "--publish", "--store", str(path), "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    before = path.read_bytes()
    store = Store(str(path), read_only=True)
    try:
        found = store.history("永州市地方税务局机关绩效管理")("2016Q1", "section")
        assert found is not None and len(found) == 17
        with pytest.raises(sqlite3.OperationalError):
            store.connection.execute("DELETE FROM data_files")
    finally:
        store.close()
    assert path.read_bytes() == before


def test_dry_run_with_a_store_that_does_not_exist_is_e0913_and_creates_nothing(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "new.sqlite"
    for lang, text in [
        ("en", f"error[E0913]: the results store {missing} does not exist (a dry-run only reads"),
        ("zh", f"错误[E0913]: 结果库 {missing} 不存在（试运行只读取其中已发布的结果"),
    ]:
        code, out, err = run(
            "dry-run", "--baseline", "rules/yongzhou", "--candidate", "rules/yongzhou#2016-04-01",
            "--data", "examples/yongzhou", "--periods", "2016Q1", "--store", str(missing),
            "--lang", lang, "--output-format", "concise",
        )  # fmt: skip
        assert (code, out) == (1, "")
        assert err.startswith(f"{missing}: {text}"), err
        assert not missing.exists()


def test_an_output_file_that_cannot_be_written_is_e0912_in_either_language(
    tmp_path: Path,
) -> None:
    target = tmp_path / "missing" / "x.xlsx"
    for lang, text in [
        ("en", f"cannot write {target}: No such file or directory"),
        ("zh", f"无法写入 {target}：No such file or directory"),
    ]:
        for content in (b"PK", "text"):
            with pytest.raises(OutputError) as raised:
                write_output(content, str(target), lang)
            assert str(raised.value) == text
    assert not target.parent.exists()
    write_output(b"PK\x03", str(tmp_path / "x.xlsx"), "en")
    write_output("总分\n", str(tmp_path / "x.csv"), "zh")
    assert (tmp_path / "x.xlsx").read_bytes() == b"PK\x03"
    assert (tmp_path / "x.csv").read_text(encoding="utf-8") == "总分\n"


@pytest.mark.parametrize(
    "argv",
    [
        ("dry-run", "--baseline", "rules/yongzhou", "--candidate", "rules/yongzhou#2016-04-01",
         "--data", "examples/yongzhou", "--periods", "2016Q1"),
        ("warn", "rules/yongzhou", "--date", "2016-09-01"),
    ],
)  # fmt: skip
def test_an_xlsx_out_that_cannot_be_written_is_a_usage_error(
    tmp_path: Path, argv: tuple[str, ...]
) -> None:
    target = tmp_path / "missing" / "x.xlsx"
    for lang, text in [
        ("en", f"jixiao: cannot write {target}: No such file or directory\n"),
        ("zh", f"jixiao: 无法写入 {target}：No such file or directory\n"),
    ]:
        code, out, err = run(*argv, "--format", "xlsx", "--out", str(target), "--lang", lang)
        assert (code, out, err) == (2, "", text)


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_verify_examples_must_be_a_positive_whole_number(value: str) -> None:
    code, out, err = run("verify", "rules/yongzhou", "--examples", value)
    assert (code, out) == (2, "")
    assert "--examples" in err and "Traceback" not in err
