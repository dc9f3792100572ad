"""The cost of one command, measured in a fresh subprocess.

bench/scale.py and bench/national.py time whole CLI commands: each runs in a
child process of its own (so that imports, caches and the peak memory of one
command do not colour the next), which prints its CPU seconds and peak
resident memory as one JSON line for the parent to read.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def report(code: int) -> None:
    """In the child: print the exit code, CPU seconds and peak memory so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"code": code, "cpu": usage.ru_utime + usage.ru_stime,
                      "maxrss_kib": usage.ru_maxrss}))  # fmt: skip


def measure(script: str, args: list[str], what: str) -> tuple[float, float, str]:
    """(CPU seconds, peak MiB, standard error) of ``script --child ARGS`` run
    in a fresh subprocess; the benchmark stops if ``what`` failed."""
    found = subprocess.run(
        [sys.executable, script, "--child", *args],
        capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    lines = found.stdout.strip().splitlines()
    if found.returncode != 0 or not lines:
        raise SystemExit(f"{what} failed:\n{found.stderr[-3000:]}")
    result = json.loads(lines[-1])
    if result["code"] != 0:
        raise SystemExit(f"{what} exited {result['code']}:\n{found.stderr[-3000:]}")
    return float(result["cpu"]), result["maxrss_kib"] / 1024, found.stderr
