"""Benchmark: ``--engine spark`` in local mode against the Python engine.

Run from the repository root:  python bench/spark.py [--copies N ...] [--people N ...]
[--master local[2]]

Needs pyspark and Java.  Three measurements (wall seconds: Spark's work runs
in its executors, other processes, so the driver's CPU time would not count
it; the machine is shared, so the numbers are indicative):

* stage 1: the 2016Q3 rows of the bundled data (17 sections, 70 people)
  replicated N times, every slot of every subject, on the generated per-subject
  code in this process (``CompiledEvaluator.evaluate_many``, the Python
  engine's path) and through Spark (``SparkEvaluator.evaluate``: rows shipped
  to the executors, evaluated per partition, values collected); values checked
  identical;
* stage 2's core, ranking within groups: the same (group, total) pairs ranked
  by a sort in this process (what runtime/engine/population.py does) and by a
  Spark window function (``rank()`` over ``DECIMAL(38, 2)`` totals, exact at
  the totals' places), ranks checked identical — why stage 2 stays on the driver;
* end to end: ``evaluate`` of one quarter of a generated organization of N
  people (``bench/synth.py``) on both engines, output checked identical.

The last line is ``ratio: X.XX`` = Spark's stage-1 records/s / Python's, at
the largest N.
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.batch import _rows  # noqa: E402
from bench.synth import generate, raised_limits  # noqa: E402
from compiler.pipeline import compile_rules  # noqa: E402
from dsl.ruleset import DirectorySource  # noqa: E402
from runtime.engine import spark  # noqa: E402
from runtime.engine.compiled import CompiledEvaluator  # noqa: E402
from tests.clirun import run  # noqa: E402


def _wall(work: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def _stage_one(copies: int) -> tuple[int, float, float]:
    compilation = compile_rules(DirectorySource(str(ROOT / "rules" / "yongzhou")))
    assert compilation.ok
    records, python_seconds, spark_seconds = 0, 0.0, 0.0
    kinds: tuple[Literal["section", "person"], ...] = ("section", "person")
    for kind in kinds:
        program, module = compilation.programs[kind], compilation.modules[kind]
        assert program is not None and module is not None
        rows = _rows(compilation, kind, copies)
        python = CompiledEvaluator(program, module)
        seconds, expected = _wall(functools.partial(python.evaluate_many, rows))
        python_seconds += seconds
        on_spark = spark.SparkEvaluator(program, module)
        seconds, got = _wall(functools.partial(on_spark.evaluate, rows))
        spark_seconds += seconds
        assert isinstance(got, list) and isinstance(expected, list)
        assert [tuple(map(str, r)) for r in got] == [tuple(map(str, r)) for r in expected]
        records += len(rows)
    return records, python_seconds, spark_seconds


def _ranks_in_python(pairs: list[tuple[str, str, Decimal]]) -> dict[str, int]:
    """Standard competition ranking within each group, by a sort."""
    ranks: dict[str, int] = {}
    ordered = sorted(pairs, key=lambda p: (p[1], -p[2]))
    group, previous, rank, start = None, None, 0, 0
    for position, (subject, mine, total) in enumerate(ordered):
        if mine != group:
            group, start, previous = mine, position, None
        if total != previous:
            rank, previous = position - start + 1, total
        ranks[subject] = rank
    return ranks


def _ranks_on_spark(session: Any, pairs: list[tuple[str, str, Decimal]]) -> dict[str, int]:
    from pyspark.sql import Window
    from pyspark.sql import functions as f
    from pyspark.sql.types import DecimalType, StringType, StructField, StructType

    schema = StructType(
        [
            StructField("subject", StringType()),
            StructField("group", StringType()),
            StructField("total", DecimalType(38, 2)),
        ]
    )
    frame = session.createDataFrame(pairs, schema)
    window = Window.partitionBy("group").orderBy(f.col("total").desc())
    ranked = frame.select("subject", f.rank().over(window).alias("rank")).collect()
    return {row["subject"]: row["rank"] for row in ranked}


def _stage_two(session: Any, subjects: int) -> tuple[float, float]:
    rng = random.Random(2016)
    pairs = [
        (f"s{n}", f"g{n % 20}", Decimal(rng.randint(6000, 10000)).scaleb(-2))
        for n in range(subjects)
    ]
    python_seconds, expected = _wall(lambda: _ranks_in_python(pairs))
    spark_seconds, got = _wall(lambda: _ranks_on_spark(session, pairs))
    assert got == expected
    return python_seconds, spark_seconds


def _end_to_end(people: int) -> tuple[int, float, float]:
    with tempfile.TemporaryDirectory() as folder:
        made = generate(people, Path(folder))
        common = ("evaluate", str(made.rules), "--data", str(made.data), "--period", "2016Q3")
        with raised_limits():
            python_seconds, python = _wall(lambda: run(*common, "--format", "csv"))
            spark_seconds, on_spark = _wall(
                lambda: run(*common, "--format", "csv", "--engine", "spark")
            )
        assert python == on_spark
        return made.people + made.sections, python_seconds, spark_seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--people", type=int, nargs="*", default=[1_400, 7_000])
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    seconds, session = _wall(lambda: spark.start(args.master, memory="1g"))
    print(f"Spark session ({args.master}) started in {seconds:.1f} s")
    _stage_one(1)  # warm up: workers started, packages shipped
    ratio = 0.0
    for copies in args.copies:
        records, python_seconds, spark_seconds = _stage_one(copies)
        ratio = python_seconds / spark_seconds
        print(
            f"stage 1, {records:,} records: python {records / python_seconds:,.0f} records/s, "
            f"spark {records / spark_seconds:,.0f} records/s (values identical)"
        )
    for subjects in (10_000, 100_000):
        python_seconds, spark_seconds = _stage_two(session, subjects)
        print(
            f"ranking {subjects:,} totals in 20 groups: driver sort {python_seconds:.2f} s, "
            f"Spark window rank {spark_seconds:.2f} s (ranks identical)"
        )
    for people in args.people:
        subjects, python_seconds, spark_seconds = _end_to_end(people)
        print(
            f"evaluate 2016Q3, {subjects:,} subjects: python {python_seconds:.1f} s, "
            f"spark {spark_seconds:.1f} s (output identical)"
        )
    print(f"ratio: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
