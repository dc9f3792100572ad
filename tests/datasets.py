"""The bundled rules compiled once, and a data set as plain values, for the
tests that read the same data two ways (tests/test_data_cells.py,
tests/test_data_left_out.py) and require the same rows and problems."""

from __future__ import annotations

from functools import cache

from compiler.pipeline import Compilation, compile_rules
from dsl.ruleset import DirectorySource
from runtime.inputs.data import Dataset


@cache
def bundled_compilation() -> Compilation:
    return compile_rules(DirectorySource("rules/yongzhou"))


def dataset_summary(found: Dataset) -> tuple[object, ...]:
    """Every row's fields, every problem and every warning, comparable."""
    rows = [(r.period, r.subject, r.name, r.values, r.source, r.events, r.supervision, r.unscored)
            for r in found.rows]  # fmt: skip
    problems = [(d.code, d.args, d.location, d.help) for d in found.diagnostics]
    warned = [(d.code, d.args, d.location) for d in found.warnings]
    return rows, problems, warned
