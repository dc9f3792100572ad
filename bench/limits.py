"""How fast oversized or hostile rule files are rejected.

Run: python bench/limits.py

Builds, in memory, a "billion laughs" YAML file (nine levels of aliases, each
nine times the previous: 9^9 nodes if expanded), a 5,000-deep nested list and
a file just over the size limit, and times how long the loader takes to turn
each into its diagnostic.  The loader counts aliases as they expand and stops
at the node limit, so the time stays far under the one-second target.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dsl.spans import SourceFile
from dsl.yamlsource import MAX_FILE_CHARS, load_yaml


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


CASES = {
    "billion laughs": billion_laughs(),
    "5000-deep nesting": "[" * 5000 + "]" * 5000,
    "oversized file": "#" * (MAX_FILE_CHARS + 1),
}


def main() -> int:
    worst = 0.0
    for name, text in CASES.items():
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            root, problems = load_yaml(SourceFile(name, text))
            best = min(best, time.perf_counter() - start)
        assert root is None and problems, name
        worst = max(worst, best)
        print(f"{name:20s} rejected with {problems[0].code} in {best * 1000:8.2f} ms")
    verdict = "met" if worst < 1.0 else "NOT met"
    print(f"slowest rejection: {worst * 1000:.2f} ms (target < 1000 ms): {verdict}")
    return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
