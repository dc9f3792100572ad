"""The national dry-run (issue #15 item 7): a revision tried on five years of a whole tax system.

Run: python bench/national.py [--people 800000] [--quarters 20] [--sample 7000]

What it runs: ``bench/synth.py`` generates (seeded, outside the timing) an
organization of ``--people`` people in whole bureaus of 70 (800,000 people:
11,429 bureaus, 194,293 sections) and its data, and, separately, a sample
organization of ``--sample`` people.  Then, each in a fresh subprocess (CPU
seconds from the subprocess's start, imports included; peak memory its
maximum resident set size):

* the national dry-run on the batch engine: ``jixiao dry-run`` of the two
  rule sets (the bundled rules as in force on 2016-03-31 against
  2016-04-01: sections' and people's indicators, items, grades and links)
  over ``--quarters`` quarters, on the full organization;
* the same dry-run on the sample, on the Python engine and on the batch
  engine.

The generator replicates the bundled data, which holds one year (2016), and
the rules assess that year; so 20 quarters are that year's four quarters
dry-run five times in the subprocess (each pass a whole ``dry-run`` command
of 2016Q1..2016Q4, reading the organization and the data again, as separate
yearly runs would).  The cost of a quarter does not depend on its values.

Printed: the time and peak memory of each run, the subject-periods per CPU
second, and ``ratio:`` = the batch engine's subject-periods per second on the
national run / the Python engine's on the sample (above 1: the batch engine
is faster), then the Python engine's national time projected linearly from
the sample.  Targets (issue #15): under 120 s and under 4 GiB.

The organization file of the larger sizes exceeds the rule-file limits; the
subprocesses run under ``synth.raised_limits()``, as ``bench/scale.py``'s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cost  # noqa: E402
from bench.cost import report  # noqa: E402

YEAR = 4  # quarters in the generated data (2016Q1..2016Q4)


def passes(quarters: int) -> list[str]:
    """The ``--periods`` of each dry-run pass: whole years, then the rest."""
    found = []
    while quarters > 0:
        last = min(quarters, YEAR)
        found.append("2016Q1" if last == 1 else f"2016Q1..2016Q{last}")
        quarters -= last
    return found


def child(engine: str, rules: str, data: str, quarters: int) -> int:
    """Run the dry-run passes in this process; print CPU time and peak memory."""
    from bench.synth import raised_limits
    from runtime import cli

    for periods in passes(quarters):
        argv = [
            "dry-run", "--baseline", f"{rules}#2016-03-31", "--candidate", f"{rules}#2016-04-01",
            "--data", data, "--periods", periods, "--quiet", "--engine", engine,
        ]  # fmt: skip
        with open(os.devnull, "w", encoding="utf-8") as sink, raised_limits():
            code = cli.main(argv, stdout=sink, stderr=sys.stderr)
        if code != 0:
            report(code)
            return 0
    report(0)
    return 0


def measure(engine: str, rules: Path, data: Path, quarters: int) -> tuple[float, float]:
    """(CPU seconds, peak MiB) of the dry-run passes in a fresh subprocess."""
    args = [engine, str(rules), str(data), str(quarters)]
    cpu, peak, stderr = cost.measure(__file__, args, f"{engine} dry-run")
    if "W0960" in stderr:
        raise SystemExit(f"the batch engine fell back:\n{stderr[-3000:]}")
    return cpu, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=800_000)
    parser.add_argument("--quarters", type=int, default=20)
    parser.add_argument("--sample", type=int, default=7_000, help="people of the Python sample")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, rules, data, quarters = args.child
        return child(engine, rules, data, int(quarters))
    from bench.synth import generate

    with tempfile.TemporaryDirectory(prefix="jixiao-national-") as folder:
        started = time.perf_counter()
        full = generate(args.people, Path(folder) / "national", year=True)
        sample = generate(args.sample, Path(folder) / "sample", year=True)
        print(
            f"national: {full.people:,} people, {full.sections:,} sections, "
            f"{full.people // 70:,} bureaus; sample: {sample.people:,} people; "
            f"{args.quarters} quarters as dry-run passes {passes(args.quarters)}; "
            f"two rule sets (generated in {time.perf_counter() - started:.0f} s, not timed)",
            flush=True,
        )
        subject_periods = (full.people + full.sections) * args.quarters
        sampled = (sample.people + sample.sections) * args.quarters
        python, python_peak = measure("python", sample.rules, sample.data, args.quarters)
        small, small_peak = measure("batch", sample.rules, sample.data, args.quarters)
        print(f"sample, python engine: {python:.1f} CPU s, {python_peak:.0f} MiB peak")
        print(f"sample, batch engine:  {small:.1f} CPU s, {small_peak:.0f} MiB peak", flush=True)
        batch, batch_peak = measure("batch", full.rules, full.data, args.quarters)
    print(f"national, batch engine: {batch:.1f} CPU s, {batch_peak:.0f} MiB peak "
          f"(targets: 120 s, 4096 MiB)")  # fmt: skip
    python_rate, batch_rate = sampled / python, subject_periods / batch
    print(f"subject-periods per CPU s: python {python_rate:,.0f} (sample), "
          f"batch {batch_rate:,.0f} (national)")  # fmt: skip
    print(
        f"python engine, national, projected linearly: {subject_periods / python_rate:,.0f} CPU s"
    )
    print(f"ratio: {batch_rate / python_rate:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
