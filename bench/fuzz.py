"""The long run of the standing fuzz suite (tests/fuzzing.py).

Run from the repository root: ``python bench/fuzz.py [--scale S] [--seed N]``.
Draws each family's share (10,340 inputs at scale 1) and prints, per family
and in total, the inputs judged, the internal errors and the silent
acceptances, then the first findings of each kind.  The last line reads
``inputs: N, internal errors: E, silent acceptances: A``; the exit code is 1
when E or A is not 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzzing import FAMILIES, run_family


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every family's count")
    parser.add_argument("--seed", type=int, default=20161231)
    args = parser.parse_args(argv)
    inputs = internal = silent = 0
    findings: list[str] = []
    for family in FAMILIES:
        started = time.perf_counter()
        tally = run_family(family, max(1, round(family.share * args.scale)), args.seed)
        seconds = time.perf_counter() - started
        print(
            f"{family.name:40s} inputs: {tally.inputs:6d}  internal errors: "
            f"{len(tally.internal)}  silent acceptances: {len(tally.silent)}  ({seconds:.1f} s)",
            flush=True,
        )
        inputs += tally.inputs
        internal += len(tally.internal)
        silent += len(tally.silent)
        findings += [f"[{family.name}] internal: {t}" for t in tally.internal[:3]]
        findings += [f"[{family.name}] silent: {t}" for t in tally.silent[:3]]
    for finding in findings:
        print("\n" + finding)
    print(f"inputs: {inputs}, internal errors: {internal}, silent acceptances: {silent}")
    return 0 if internal == silent == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
