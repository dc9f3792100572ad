"""Dry-run throughput on the bundled history.

Run: python bench/dryrun.py

Compiles the bundled rule set as in force before and after its second-quarter
revision, dry-runs one against the other over every quarter of 2016 in the
bundled data (sections and people), and prints the wall time and the
throughput in subject-periods per second (each subject-period is evaluated
twice: baseline and candidate).  The whole bundled history should take a few
seconds at most.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.pipeline import compile_rules  # noqa: E402
from dsl.gitsource import open_source, parse_spec  # noqa: E402
from runtime.inputs.periods import parse_periods  # noqa: E402
from runtime.tools.dryrun import compare  # noqa: E402


def main() -> int:
    rules = str(ROOT / "rules" / "yongzhou")
    data = str(ROOT / "examples" / "yongzhou")
    names = (f"{rules}#2016-03-31", f"{rules}#2016-04-01")
    compilations = []
    for name in names:
        spec = parse_spec(name)
        compilations.append(compile_rules(open_source(spec), spec.as_of, every_context=True))
    periods = parse_periods("2016Q1..2016Q3")
    best = float("inf")
    subjects = 0
    for _ in range(3):
        start = time.perf_counter()
        run = compare(compilations[0], compilations[1], data, periods, names)
        best = min(best, time.perf_counter() - start)
        subjects = sum(len(p.subjects) for p in run.periods)
    print(f"dry-run of the Q2 revision over 2016Q1..2016Q3: {subjects} subject-periods")
    print(f"wall time: {best:.3f} s (best of 3; includes loading the data each period)")
    print(f"throughput: {subjects / best:,.0f} subject-periods per second")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
