"""How the cost of the commands grows with the organization (issue #15).

Run: python bench/scale.py [--sizes 1000,10000,100000]

For each size N it generates, outside the timing, an organization of about N
people and its data (``bench/synth.py``: the bundled bureau replicated, seeded,
with 2016Q4 added so that a whole year can be evaluated), then runs each
command below in a fresh subprocess, on the Python engine, and prints its CPU
time (user + system of the subprocess, from its start: interpreter and
imports included, about 0.5 s) and its peak memory (the subprocess's maximum
resident set size), then the growth exponent between consecutive sizes:
``log(t2 / t1) / log(n2 / n1)`` (1: linear, 2: quadratic).

Commands (output written to /dev/null):

- ``evaluate-quarter``: ``evaluate --period 2016Q3`` (the terminal table);
- ``evaluate-quarter-json``: the same as JSON;
- ``evaluate-year``: ``evaluate --period 2016`` (four quarters rolled up);
- ``dry-run``: the rules as in force on 2016-03-31 against 2016-04-01, over
  2016Q1..2016Q3 (text);
- ``publish``: ``evaluate --period 2016Q3 --store S --publish`` into a new store;
- ``explain``: ``explain --period 2016Q3`` of one section.

Targets: exponent at most 1.1 from 10k to 100k for evaluate and dry-run;
evaluate of one quarter at 100k under 30 CPU s; peak memory under 1.5 GiB.

The organization comes from tables (``rules/org/sections.csv`` and
``people.csv``, as an HR system exports them).  The larger sizes exceed the
limit of 20,000 sections and people (E0210); the subprocesses run under
``synth.raised_limits()``, an explicit override of this benchmark (the CLI
never raises them).  The commands run on the Python engine, the default:
the batch engine shares all but stage 1 with it and does not win end to end
(docs/backends.md; ``bench/national.py`` runs the batch engine).
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cost  # noqa: E402
from bench.cost import report  # noqa: E402

COMMANDS = (
    "evaluate-quarter",
    "evaluate-quarter-json",
    "evaluate-year",
    "dry-run",
    "publish",
    "explain",
)


def _argv(command: str, rules: str, data: str, work: str) -> list[str]:
    common = ["--data", data]
    if command == "evaluate-quarter":
        return ["evaluate", rules, *common, "--period", "2016Q3"]
    if command == "evaluate-quarter-json":
        return ["evaluate", rules, *common, "--period", "2016Q3", "--format", "json"]
    if command == "evaluate-year":
        return ["evaluate", rules, *common, "--period", "2016"]
    if command == "dry-run":
        return [
            "dry-run", "--baseline", f"{rules}#2016-03-31", "--candidate", f"{rules}#2016-04-01",
            *common, "--periods", "2016Q1..2016Q3", "--quiet",
        ]  # fmt: skip
    if command == "publish":
        store = os.path.join(work, "store.sqlite")
        return ["evaluate", rules, *common, "--period", "2016Q3", "--store", store, "--publish"]
    if command == "explain":
        return ["explain", rules, *common, "--period", "2016Q3", "--subject", "b00000s01"]
    raise ValueError(command)


def child(command: str, rules: str, data: str, work: str) -> int:
    """Run one command in this process; print its CPU time and peak memory."""
    from bench.synth import raised_limits
    from runtime import cli

    with open(os.devnull, "w", encoding="utf-8") as sink, raised_limits():
        code = cli.main(_argv(command, rules, data, work), stdout=sink, stderr=sys.stderr)
    report(code)
    return 0


def measure(command: str, rules: Path, data: Path, work: Path) -> tuple[float, float]:
    """(CPU seconds, peak MiB) of ``command`` in a fresh subprocess."""
    cpu, peak, _ = cost.measure(__file__, [command, str(rules), str(data), str(work)], command)
    return cpu, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="people, comma-separated")
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    from bench.synth import generate

    sizes = [int(s) for s in args.sizes.split(",")]
    commands = [c for c in args.commands.split(",") if c]
    results: dict[str, list[tuple[int, float, float]]] = {c: [] for c in commands}
    print(f"engine: python; sizes: {sizes}; CPU s of each command's subprocess, peak RSS MiB")
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="jixiao-scale-") as folder:
            started = time.perf_counter()
            made = generate(size, Path(folder) / "org", year=True)
            print(
                f"\nN = {made.people} people, {made.sections} sections "
                f"(generated in {time.perf_counter() - started:.1f} s, not timed)"
            )
            for command in commands:
                work = Path(folder) / command
                work.mkdir()
                cpu, peak = measure(command, made.rules, made.data, work)
                results[command].append((made.people, cpu, peak))
                print(f"  {command:24} {cpu:9.2f} CPU s {peak:9.0f} MiB", flush=True)
    if len(sizes) > 1:
        print("\ngrowth exponent log(t2/t1)/log(n2/n1):")
        for command, rows in results.items():
            steps = [
                f"{a[0]}->{b[0]}: {math.log(b[1] / a[1]) / math.log(b[0] / a[0]):.2f}"
                for a, b in itertools.pairwise(rows)
            ]
            print(f"  {command:24} " + "  ".join(steps))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
