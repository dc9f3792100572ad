"""A generated organization of 10,010 people (``bench/synth.py``, seed 2016)
evaluated: the output must be byte for byte the stored expected output.

The expected files (``tests/cases/scale/``, xz-compressed) were made by the
code before the population stage, the links and the output were made linear
(issue #15), so this test is what shows that making them linear changed no
result: one quarter as JSON (every score, checkpoint, adjustment, rank, grade
and consequence, history links included) and January–September rolled up as
CSV.  They were made again once, when the bundled example (which the
generator replicates) moved its supervision problems from event rows into
the supervision table, which changes the generated data itself; the
organization's output was otherwise unchanged.  The batch engine must give the
same bytes (``--engine batch``).  The same organization read from tables
(``generate``'s default, what ``bench/scale.py`` uses) gives the same output
but for the rules digest.  Paths in the output (an event's source) are written relative to the
generated folder, as the expected files store them.
"""

from __future__ import annotations

import lzma
import re
from pathlib import Path

import pytest

from bench.synth import Generated, generate, raised_limits
from tests.clirun import run

EXPECTED = Path(__file__).resolve().parent / "cases" / "scale"


@pytest.fixture(scope="module")
def organization(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    # The organization in one YAML file, as when the expected files were made
    # (their rules digest covers the organization's files).
    return generate(10_000, tmp_path_factory.mktemp("scale"), tables=False)


@pytest.fixture(scope="module")
def organization_tables(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate(10_000, tmp_path_factory.mktemp("scale_tables"))


def _evaluate(made: Generated, period: str, fmt: str, engine: str = "python") -> str:
    with raised_limits():
        code, out, err = run(
            "evaluate", str(made.rules), "--data", str(made.data), "--period", period,
            "--format", fmt, "--engine", engine,
        )  # fmt: skip
    assert (code, err) == (0, "")
    return out.replace(f"{made.data.parent}/", "")


def _same(actual: str, expected_file: str) -> None:
    expected = lzma.decompress((EXPECTED / expected_file).read_bytes()).decode("utf-8")
    if actual != expected:  # say where, without diffing megabytes
        lines = zip(actual.splitlines(), expected.splitlines(), strict=False)
        first = next((n for n, (a, e) in enumerate(lines, 1) if a != e), None)
        pytest.fail(f"{expected_file}: output differs from line {first} on")


def test_the_generated_organization_is_as_large_as_promised(organization: Generated) -> None:
    assert (organization.people, organization.sections) == (10_010, 2_431)


def test_one_quarter_as_json_is_unchanged(organization: Generated) -> None:
    _same(_evaluate(organization, "2016Q3", "json"), "2016Q3.json.xz")


def test_january_to_september_as_csv_is_unchanged(organization: Generated) -> None:
    _same(_evaluate(organization, "2016Q1..2016Q3", "csv"), "2016Q1..2016Q3.csv.xz")


# The batch engine (runtime/engine/batch.py) gives the same bytes: no W0960
# fall-back (err is empty), every period computed in columns.
def test_one_quarter_as_json_is_unchanged_on_the_batch_engine(organization: Generated) -> None:
    _same(_evaluate(organization, "2016Q3", "json", "batch"), "2016Q3.json.xz")


def test_january_to_september_as_csv_is_unchanged_on_the_batch_engine(
    organization: Generated,
) -> None:
    _same(_evaluate(organization, "2016Q1..2016Q3", "csv", "batch"), "2016Q1..2016Q3.csv.xz")


def test_the_organization_as_tables_gives_the_same_results(
    organization_tables: Generated,
) -> None:
    """The same organization as an HR export's tables (what bench/scale.py
    evaluates): every result the same; only the rules digest differs, since
    the rule set's files are others."""
    actual = _evaluate(organization_tables, "2016Q3", "json")
    assert (organization_tables.rules / "org" / "people.csv").exists()
    expected = lzma.decompress((EXPECTED / "2016Q3.json.xz").read_bytes()).decode("utf-8")
    digest = re.compile(r'"rules_digest": "sha256:[0-9a-f]{64}"')
    assert len(digest.findall(actual)) == 1
    assert digest.sub("D", actual) == digest.sub("D", expected)
