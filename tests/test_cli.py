"""The command line as users run it: arguments, exit codes and output."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from runtime import cli
from tests.clirun import run
from tests.golden import assert_golden, only_history_warnings


def test_check_bundled_rules_is_clean() -> None:
    code, out, err = run("check", "rules/yongzhou", "--lang", "en")
    assert (code, err) == (0, "")
    assert out == "rules/yongzhou: no problems (22 indicators, 12 items, 26 input fields).\n"


def test_misspelled_name_points_at_its_line_and_column(tmp_path: Path) -> None:
    copy = tmp_path / "yongzhou"
    shutil.copytree("rules/yongzhou", copy)
    indicators = copy / "indicators.yaml"
    text = indicators.read_text(encoding="utf-8")
    assert text.count("max(0, points - (100% - 完成率)") == 1
    indicators.write_text(
        text.replace("max(0, points - (100% - 完成率)", "max(0, points - (100% - 完成律)"),
        encoding="utf-8",
    )
    line = next(
        number
        for number, content in enumerate(indicators.read_text(encoding="utf-8").splitlines(), 1)
        if "完成律" in content
    )
    column = indicators.read_text(encoding="utf-8").splitlines()[line - 1].index("完成律") + 1
    code, out, err = run("check", str(copy), "--lang", "en", "--output-format", "concise")
    assert code == 1
    assert out == ""
    assert err == (
        f"{indicators}:{line}:{column}: error[E0401]: unknown name `完成律` "
        "(help: did you mean `完成率`?)\n"
    )


def test_five_kinds_of_mistakes_in_one_run() -> None:
    code, _, err = run(
        "check", "tests/cases/failure/five_kinds", "--lang", "en", "--output-format", "json"
    )
    assert code == 1
    codes = sorted(item["code"] for item in json.loads(err))
    # cycle, schema, syntax, unknown name, type mismatch
    assert codes == ["E0203", "E0301", "E0401", "E0501", "E0601"]


def test_usage_errors_exit_2() -> None:
    code, _, err = run("frobnicate", "--lang", "en")
    assert code == 2
    assert err.startswith("jixiao: argument command: invalid choice: 'frobnicate'")
    code, _, _ = run("compile", "rules/yongzhou", "--emit", "asm")
    assert code == 2


def test_missing_rule_set_is_a_located_user_error() -> None:
    code, _, err = run("check", "no/such/rules", "--lang", "zh", "--output-format", "concise")
    assert code == 1
    assert err == "no/such/rules: 错误[E0901]: 找不到规则集 no/such/rules\n"


def test_internal_error_exits_101(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "check", broken)
    code, _, err = run("check", "rules/yongzhou", "--lang", "en")
    assert code == 101
    assert "RuntimeError: boom" in err
    assert err.endswith("please report the text above to the maintainers.\n")


@pytest.mark.parametrize("stage", ["ast", "ir", "py"])
def test_compile_emits_each_stage(stage: str, tmp_path: Path) -> None:
    target = tmp_path / f"out.{stage}"
    code, out, err = run("compile", "rules/yongzhou", "--emit", stage, "--out", str(target))
    assert (code, out, err) == (0, "", "")
    golden = {"ast": "ast.txt", "ir": "ir.txt", "py": "generated.py.txt"}[stage]
    expected = Path("tests/cases/success/yongzhou", golden).read_text(encoding="utf-8")
    assert expected.endswith(target.read_text(encoding="utf-8"))


def test_evaluate_table_golden() -> None:
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3",
        "--lang", "zh",
    )  # fmt: skip
    assert code == 0 and only_history_warnings(err)
    assert_golden(Path("tests/cases/evaluate/yongzhou_2016Q3.table.txt"), out)


def test_evaluate_json_shape_and_consistency() -> None:
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3",
        "--format", "json",
    )  # fmt: skip
    assert code == 0 and only_history_warnings(err)
    document = json.loads(out)
    assert set(document) >= {"scheme", "version", "period", "rules_digest", "subjects"}
    assert document["period"] == "2016Q3"
    assert document["rules_digest"].startswith("sha256:")
    subjects = [s for s in document["subjects"] if s["kind"] == "section"]
    assert len(subjects) == 17
    assert sum(1 for s in document["subjects"] if s["kind"] == "person") == 70
    for subject in subjects:
        assert set(subject) >= {
            "id", "name", "kind", "total", "rank", "grade", "indicators", "adjustments",
            "consequences",
        }  # fmt: skip
        for indicator in subject["indicators"]:
            assert set(indicator) >= {"id", "name", "score", "points", "status", "checkpoints"}
    ranks = [s["rank"] for s in subjects]
    totals = [s["total"] for s in subjects]
    assert ranks == sorted(ranks)
    pairs = list(zip(totals, ranks, strict=True))
    assert all((a == b) == (ra == rb) for (a, ra), (b, rb) in itertools.pairwise(pairs))
    assert_golden(Path("tests/cases/evaluate/yongzhou_2016Q3.json.txt"), out)


def test_evaluate_is_byte_identical_run_to_run() -> None:
    first = run("evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--format", "csv")
    second = run("evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--format", "csv")
    assert first == second
    assert first[0] == 0


def test_schema_is_printed() -> None:
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "jixiao rule file"
    assert schema["additionalProperties"] is False


def test_readme_error_example_is_what_check_prints(tmp_path: Path) -> None:
    """The README shows a real diagnostic; keep it true."""
    readme = Path("README.md").read_text(encoding="utf-8")
    block = readme.split("A mistake looks like this", 1)[1].split("```", 2)[1]
    shown = block.split("\n", 1)[1]  # drop the fence's language line
    copy = tmp_path / "rules" / "yongzhou"
    shutil.copytree("rules/yongzhou", copy)
    indicators = copy / "indicators.yaml"
    text = indicators.read_text(encoding="utf-8")
    indicators.write_text(text.replace("(100% - 完成率) * 100", "(100% - 完成律) * 100"), "utf-8")
    code, _, err = run("check", str(copy), "--lang", "en")
    assert code == 1
    assert err.replace(str(copy), "rules/yongzhou") == shown
