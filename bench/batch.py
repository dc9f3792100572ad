"""Benchmark: records per second of the stage-1 candidates on the bundled rules.

Run from the repository root:  python bench/batch.py [--copies N] [--repeats R]

The bundled rules (rules/yongzhou) and the 2016Q3 rows of the bundled data
(17 sections, 70 people) are replicated N times (the rows themselves, outside
the timing), then stage 1 (every slot of every subject) is timed, best of R:

* ``python``: the generated per-subject code (``CompiledEvaluator.evaluate_many``,
  ``full=True``, the path the runtime uses);
* ``batch``: the batch engine (runtime/engine/batch.py): exact decimal columns,
  a coefficient and an exponent per subject, int64 while they fit and Python
  integers in numpy object arrays beyond;
* ``int64``: the completion-rate formula of 收入任务 alone (points * min(1,
  actual / plan)) in int64 fixed point at 4 places (what a fixed-scale
  backend computes), with the number of its results that differ from the
  Decimal path's on random data;
* a fixed scale as the language's precision: how many results of
  ``round(60 * (x / y), 1)`` change if quotients were rounded to 18 places
  (why the language keeps 34 significant digits; docs/backends.md).

Both full candidates must give the same values (checked); the last line is
``ratio: X.XX`` = batch records/s / python records/s.
"""

from __future__ import annotations

import argparse
import decimal
import functools
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Literal

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from compiler.pipeline import Compilation, compile_rules  # noqa: E402
from dsl.ruleset import DirectorySource  # noqa: E402
from runtime.engine.batch import BatchEvaluator  # noqa: E402
from runtime.engine.compiled import CompiledEvaluator  # noqa: E402
from runtime.inputs.data import load_data  # noqa: E402
from runtime.inputs.periods import Period  # noqa: E402
from semantics.operations import CONTEXT  # noqa: E402


def _best(run: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def _rows(
    compilation: Compilation, kind: Literal["section", "person"], copies: int
) -> list[tuple[object, ...]]:
    program = compilation.programs[kind]
    assert program is not None
    data = load_data(program, str(ROOT / "examples" / "yongzhou"), [Period.parse("2016Q3")])
    rows = [row.values for row in data.rows if row.period == "2016Q3"]
    if kind == "person":  # a person's section total is set by the runtime
        position = next(n for n, f in enumerate(program.inputs) if f.slot == program.section_total)
        rows = [(*r[:position], Decimal("95.5"), *r[position + 1 :]) for r in rows]
    return rows * copies


def _int64_candidate(n: int, repeats: int) -> tuple[float, int]:
    """points * min(1, actual / plan) at 4 places in int64, against Decimal."""
    rng = np.random.default_rng(20160401)
    actual = rng.integers(1, 2_000_000, n)  # 万元 with 2 places, scaled by 100
    plan = rng.integers(1, 2_000_000, n)

    def fixed() -> object:
        rate = (actual * 10_000 * 2 + plan) // (plan * 2)  # half-up at 4 places
        return np.minimum(rate, 10_000) * 20  # points 20, 4 places

    seconds = _best(fixed, repeats)
    got = fixed()
    assert isinstance(got, np.ndarray)
    with decimal.localcontext(CONTEXT):
        expected = [
            (Decimal(20) * min(Decimal(1), Decimal(int(a)) / Decimal(int(p)))).quantize(
                Decimal("0.01"), decimal.ROUND_HALF_UP
            )
            for a, p in zip(actual[:100_000], plan[:100_000], strict=True)
        ]
    shown = (got[:100_000] + 50) // 100  # the same score at 2 places, half-up
    differ = sum(int(s) != int(e * 100) for s, e in zip(shown.tolist(), expected, strict=True))
    return seconds, differ


def _fixed_scale_differs() -> tuple[int, int]:
    """``round(60 * (x / y), 1)`` for x = 100.0 … 199.9, y = 100 … 200: the
    language's quotients (34 significant digits) against quotients rounded
    half-up to 18 places with exact products (a fixed-scale definition)."""
    places18 = Decimal(1).scaleb(-18)
    tenth = Decimal("0.1")
    rows = differ = 0
    with decimal.localcontext(CONTEXT):
        for tenths in range(1000, 2000):
            x = Decimal(tenths).scaleb(-1)
            for whole in range(100, 201):
                y = Decimal(whole)
                language = (60 * (x / y)).quantize(tenth, decimal.ROUND_HALF_UP)
                fixed = (60 * (x / y).quantize(places18, decimal.ROUND_HALF_UP)).quantize(
                    tenth, decimal.ROUND_HALF_UP
                )
                rows += 1
                differ += language != fixed
    return rows, differ


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    compilation = compile_rules(DirectorySource(str(ROOT / "rules" / "yongzhou")))
    assert compilation.ok
    total_python = total_batch = 0.0
    records = 0
    kinds: tuple[Literal["section", "person"], ...] = ("section", "person")
    for kind in kinds:
        program, module = compilation.programs[kind], compilation.modules[kind]
        assert program is not None and module is not None
        rows = _rows(compilation, kind, args.copies)
        python = CompiledEvaluator(program, module)
        batch = BatchEvaluator(program)
        assert batch.plan is not None, batch.reason
        expected = python.evaluate_many(rows)
        got = batch.evaluate(rows)
        assert [tuple(map(str, r)) for r in got] == [tuple(map(str, r)) for r in expected]
        seconds_python = _best(functools.partial(python.evaluate_many, rows), args.repeats)
        seconds_batch = _best(functools.partial(batch.evaluate, rows), args.repeats)
        print(
            f"{kind}: {len(rows)} records, {len(program.slots)} slots: "
            f"python {len(rows) / seconds_python:,.0f} records/s, "
            f"batch {len(rows) / seconds_batch:,.0f} records/s (values identical)"
        )
        total_python += seconds_python
        total_batch += seconds_batch
        records += len(rows)
    seconds, differ = _int64_candidate(1_000_000, args.repeats)
    print(
        f"int64 fixed point, one formula: {1_000_000 / seconds:,.0f} records/s; "
        f"{differ} of 100,000 scores differ from the Decimal path at 2 places"
    )
    checked, differ = _fixed_scale_differs()
    print(
        f"fixed scale (quotients at 18 places): round(60 * (x / y), 1) differs from "
        f"the language's 34 digits on {differ} of {checked:,} rows"
    )
    print(f"python: {records / total_python:,.0f} records/s")
    print(f"batch: {records / total_batch:,.0f} records/s")
    print(f"ratio: {total_python / total_batch:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
