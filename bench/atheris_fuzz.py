"""Coverage-guided fuzzing of the formula parser and the data readers (atheris).

On demand, not in CI: ``pip install atheris``, then from the repository root

    python bench/atheris_fuzz.py formula -runs=200000
    python bench/atheris_fuzz.py csv -max_total_time=300
    python bench/atheris_fuzz.py xlsx -max_total_time=300
    python bench/atheris_fuzz.py cell -runs=500000

(the arguments after the target are libFuzzer's).  Each target feeds the
fuzzer's bytes to one reader and lets only our own outcomes through: a
formula yields an expression or located diagnostics, a data file yields
tables or a ``TableError``, a cell yields a value or a located diagnostic.
Anything else is a crash libFuzzer reports with the input that caused it;
turn it into a regression test (tests/test_hostile_data.py,
tests/test_properties.py) before fixing it.  The seeded hypothesis suite
(tests/fuzzing.py, bench/fuzz.py) covers the same readers in CI.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import atheris

with atheris.instrument_imports():
    from compiler.pipeline import compile_rules
    from dsl.diagnostics import Diagnostic
    from dsl.expressions import parse_expression
    from dsl.ruleset import DirectorySource
    from dsl.spans import OffsetMap, SourceFile
    from runtime.inputs.data import read_cell
    from runtime.inputs.tables import TableError, read_tables

FOLDER = Path(tempfile.mkdtemp(prefix="jixiao-atheris-"))


def formula(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    expr, diagnostics = parse_expression(
        text, OffsetMap(SourceFile("<f>", text), text, 0, len(text))
    )
    assert expr is not None or diagnostics
    assert all(isinstance(d, Diagnostic) for d in diagnostics)


def _table(data: bytes, suffix: str) -> None:
    path = FOLDER / f"data{suffix}"
    path.write_bytes(data)
    try:
        read_tables(path)
    except TableError:
        pass


def csv(data: bytes) -> None:
    _table(data, ".csv")


def xlsx(data: bytes) -> None:
    _table(data, ".xlsx")


_FIELD = next(
    f
    for f in compile_rules(DirectorySource("rules/yongzhou")).programs["section"].inputs
    if f.name == "实际入库"
)


def cell(data: bytes) -> None:
    text = data.decode("utf-8", "replace").strip()
    value, problem = read_cell(_FIELD, text, "fuzz.csv", 2)
    assert (value is None) or problem is None


TARGETS = {"formula": formula, "csv": csv, "xlsx": xlsx, "cell": cell}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: python bench/atheris_fuzz.py {{{'|'.join(TARGETS)}}} [libFuzzer options]")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
