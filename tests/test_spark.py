"""``--engine spark`` computes what ``--engine python`` computes, byte for byte.

Spark runs in local mode (``local[2]``, a small driver), one session shared by
the whole module (starting one costs seconds).  Checked: the bundled rules'
``evaluate`` and ``dry-run`` output on both engines; a sample of the generated
organization (``bench/synth.py``) the same; a differential hypothesis test on
generated rule sets (``tests/strategies.py``: plain, with group functions,
with sanctions, and rows on rounding boundaries) giving the same values digit
and exponent, scores, totals, ranks, grades and vetoes, or the same located
faults; and the located errors for a missing pyspark or Java.  Few examples:
every one is a Spark job.

The tests need pyspark and a Java runtime (CI installs both: ``.ci/run``,
the ``test`` extra); without them they are skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from bench.synth import Generated, generate, raised_limits
from compiler.pipeline import Compilation
from runtime.engine import spark
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.results import SubjectResult
from runtime.engine.subjects import evaluate_period
from runtime.inputs.data import Row
from tests.clirun import run
from tests.strategies import RuleSetCase, batch_cases, rule_sets
from tests.test_properties import SETTINGS, compile_files

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module", autouse=True)
def session() -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="--engine spark needs pyspark (the test extra)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("--engine spark needs Java (CI: openjdk-17-jre-headless)")
    made = spark.start("local[2]", memory="512m")
    yield made
    made.stop()


def _jobs(session: Any) -> int:
    return len(session.sparkContext.statusTracker().getJobIdsForGroup(None))


@pytest.mark.parametrize("period", ["2016Q3", "2016Q1..2016Q3"])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_bundled_rules_give_identical_output_on_spark(session: Any, period: str, fmt: str) -> None:
    common = ("evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--period", period)
    python = run(*common, "--format", fmt)
    before = _jobs(session)
    on_spark = run(*common, "--format", fmt, "--engine", "spark", "--master", "local[2]")
    assert python[0] == 0 and python[2] == ""
    assert on_spark == python
    assert _jobs(session) > before  # stage 1 did run as Spark jobs


def test_dry_run_on_spark_gives_the_same_report() -> None:
    common = (
        "dry-run", "--baseline", "rules/yongzhou#2016-03-31", "--candidate", "rules/yongzhou",
        "--data", "examples/yongzhou", "--periods", "2016Q1..2016Q3", "--format", "json",
        "--quiet",
    )  # fmt: skip
    python = run(*common)
    assert python[0] == 0
    assert run(*common, "--engine", "spark") == python


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """A sample of the generated organization: 10 bureaus (700 people, 170
    sections), built as the 10,010-person one is (tests/test_scale.py)."""
    return generate(700, tmp_path_factory.mktemp("spark-sample"))


@pytest.mark.parametrize(("period", "fmt"), [("2016Q3", "json"), ("2016Q1..2016Q3", "csv")])
def test_a_generated_organization_gives_identical_output_on_spark(
    sample: Generated, period: str, fmt: str
) -> None:
    common = ("evaluate", str(sample.rules), "--data", str(sample.data), "--period", period)
    with raised_limits():
        python = run(*common, "--format", fmt)
        on_spark = run(*common, "--format", fmt, "--engine", "spark")
    assert python[0] == 0 and python[2] == ""
    assert on_spark == python


# -- the differential test: generated programs -------------------------------


def _key(value: object) -> object:
    """A value as output shows it: a Decimal by its text (digits and exponent;
    the sign of a zero is never shown)."""
    if isinstance(value, Decimal):
        return ("Decimal", str(value.copy_abs() if not value else value))
    return (type(value).__name__, value)


def _result_key(result: SubjectResult) -> tuple[object, ...]:
    return (
        result.id,
        _key(result.total),
        result.rank,
        result.grade,
        result.group,
        result.vetoes,
        tuple((i.id, _key(i.score), i.status) for i in result.indicators),
        tuple(_key(v) for v in result.values),
        tuple((a.item, _key(a.points)) for a in result.adjustments),
    )


def _both(case: RuleSetCase) -> None:
    """One period of ``case``'s rows on the Python engine and on Spark: the
    same results (stage 1 and 2), or the same located faults."""
    compilation: Compilation = compile_files(case.files)
    assert compilation.ok, case.dump()
    program, module = compilation.programs["section"], compilation.modules["section"]
    assert program is not None and module is not None
    rows = [
        Row(
            f"{program.year}Q4",
            f"s{n}",
            f"s{n}",
            tuple(row.get(f.name) for f in program.inputs),
            f"data.csv:{n + 2}",
        )
        for n, row in enumerate(case.rows)
    ]
    evaluator = CompiledEvaluator(program, module)
    period = f"{program.year}Q4"
    python, python_faults = evaluate_period(program, evaluator, rows, period)
    reasons: list[str] = []
    on_spark, spark_faults = evaluate_period(
        program, evaluator, rows, period, None, None, spark.SparkEvaluator(program, module), reasons
    )
    assert reasons == []  # a fault falls back without a warning: the fault is reported
    assert [(d.code, d.span, d.args) for d in spark_faults] == [
        (d.code, d.span, d.args) for d in python_faults
    ], case.dump()
    assert [_result_key(r) for r in on_spark] == [_result_key(r) for r in python], case.dump()


@settings(max_examples=8, **SETTINGS)
@given(rule_sets(exempt_values=False, max_rows=6))
def test_spark_agrees_on_generated_rule_sets(case: RuleSetCase) -> None:
    _both(case)


@settings(max_examples=4, **SETTINGS)
@given(rule_sets(exempt_values=False, groups=True, max_rows=6))
def test_spark_agrees_on_group_functions(case: RuleSetCase) -> None:
    _both(case)


@settings(max_examples=4, **SETTINGS)
@given(rule_sets(exempt_values=False, sanctions=True, max_rows=6))
def test_spark_agrees_on_vetoes_with_sanctions(case: RuleSetCase) -> None:
    _both(case)


@settings(max_examples=8, **SETTINGS)
@given(batch_cases())
def test_spark_agrees_on_rounding_boundaries_and_long_quotients(case: RuleSetCase) -> None:
    _both(case)


def test_a_fault_on_spark_is_located_as_on_the_python_engine() -> None:
    header = 'scheme: s\nversion: "1"\nyear: 2024\ninputs:\n  x: number\nindicators:\n'
    case = RuleSetCase(
        {"ruleset.yaml": header + "  - id: a\n    name: a\n    points: 10\n    score: 10 / x\n"},
        [{"x": Decimal(4)}, {"x": Decimal(0)}, {"x": Decimal(3)}],
    )
    _both(case)


# -- located errors -----------------------------------------------------------


def test_master_without_spark_is_a_usage_error() -> None:
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--master", "local[2]"
    )
    assert code == 2 and out == "" and "--master" in err and "Traceback" not in err


def test_missing_pyspark_is_a_located_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # import fails as if absent
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--engine", "spark",
        "--lang", "en",
    )  # fmt: skip
    assert code != 0 and out == "" and "E0970" in err and "jixiao[spark]" in err
    assert "Traceback" not in err


def test_missing_java_is_a_located_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    code, out, err = run(
        "evaluate", "rules/yongzhou", "--data", "examples/yongzhou", "--engine", "spark",
        "--master", "local[1]", "--lang", "en",
    )  # fmt: skip
    assert code != 0 and out == "" and "E0971" in err and "Java" in err
    assert "Traceback" not in err


def test_the_shipped_packages_hold_the_evaluator(session: Any) -> None:
    """Executors import the driver's code from the zip ``start`` ships."""
    folder = Path(tempfile.gettempdir())
    shipped = sorted(folder.glob(f"jixiao-{os.getpid()}-*.zip"))
    assert shipped
    with zipfile.ZipFile(shipped[0]) as archive:
        names = archive.namelist()
    assert "runtime/engine/compiled.py" in names and "semantics/prelude.py" in names


def test_bundled_data_as_parquet_gives_identical_output_on_spark(tmp_path: Path) -> None:
    """Parquet data files on ``--engine spark`` (read on the driver, as CSV is)."""
    from tests.parquetdata import folder_to_parquet

    folder = tmp_path / "data"
    folder_to_parquet(Path("examples/yongzhou"), folder)
    shutil.copytree(Path("examples/yongzhou/published"), folder / "published")
    common = ("evaluate", "rules/yongzhou", "--data", str(folder), "--period", "2016Q3")
    python = run(*common, "--format", "json")
    assert python[0] == 0 and python[2] == ""
    assert run(*common, "--format", "json", "--engine", "spark", "--master", "local[2]") == python
