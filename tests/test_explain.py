"""Golden tests of ``jixiao explain``: a section, one of its indicators, a
person (whose total combines the section's), and a roll-up, in both languages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from runtime import cli
from tests.golden import assert_golden

CASES = {
    "section_s01_2016Q3": ["--period", "2016Q3", "--subject", "s01"],
    "section_s01_supervision": [
        "--period",
        "2016Q3",
        "--subject",
        "办公室",
        "--indicator",
        "supervision",
    ],
    "person_p0902_2016Q3": ["--period", "2016Q3", "--subject", "p0902"],
    "rollup_s13_2016Q1-Q3": ["--period", "2016Q1..2016Q3", "--subject", "s13"],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_explain_golden(case: str, lang: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = [
        "explain",
        "rules/yongzhou",
        "--data",
        "examples/yongzhou",
        *CASES[case],
        "--lang",
        lang,
    ]
    code = cli.main(argv, stdout=out, stderr=err)
    assert (code, err.getvalue()) == (0, "")
    assert_golden(Path("tests/cases/explain") / f"{case}.{lang}.txt", out.getvalue())


def test_explain_unknown_subject_and_indicator() -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["explain", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3",
            "--subject", "办公", "--lang", "en", "--output-format", "concise"]  # fmt: skip
    assert cli.main(argv, stdout=out, stderr=err) == 1
    assert (
        err.getvalue()
        == "办公: error[E0905]: no subject named `办公` (help: did you mean `办公室`?)\n"
    )
    out, err = io.StringIO(), io.StringIO()
    argv = ["explain", "rules/yongzhou", "--data", "examples/yongzhou", "--period", "2016Q3",
            "--subject", "s01", "--indicator", "revenu", "--lang", "en", "--output-format", "concise"]  # fmt: skip
    assert cli.main(argv, stdout=out, stderr=err) == 1
    assert err.getvalue() == (
        "revenu: error[E0907]: no indicator with id `revenu` (help: did you mean `revenue`?)\n"
    )
