"""Evaluation with the results store: history in, runs out.

A result link may read the published results of earlier periods, so an
evaluation reads them from the store when one is given; a run is recorded
with what it was computed from (the rules' commit, a digest of the data and
the data files) so it can be reproduced and checked later.
"""

from __future__ import annotations

from pathlib import Path

from compiler.pipeline import Compilation
from dsl.diagnostics import Diagnostic
from runtime.engine.run import Evaluation, evaluate_rules
from runtime.inputs.periods import Period
from runtime.inputs.tables import data_files
from runtime.store import Store, input_digest


def evaluate_with_history(
    compilation: Compilation,
    data: str,
    periods: list[Period] | None,
    label: str | None,
    store: Store | None,
) -> Evaluation:
    """Evaluate; links read earlier published results from ``store``, if any."""
    assert "section" in compilation.programs
    history = store.history(compilation.programs["section"].scheme) if store is not None else None
    return evaluate_rules(compilation, data, periods, label, history)


def record_run(
    store: Store, document: dict[str, object], commit: str | None, data: str, publish: bool
) -> None:
    """Record a run (its JSON document) with the commit of its rules and its
    data; publishing an already published period is refused (``StoreError``)."""
    store.record(document, commit, input_digest(data), publish, data_files(Path(data)))


def verify_store(store: Store, path: str) -> list[Diagnostic]:
    """``runs --verify``: every digest mismatch of the store, as an E0915
    located at the store (a stored file) or at the run."""
    return [
        Diagnostic(
            "E0915",
            {"what": m.what, "expected": m.expected or "-", "actual": m.actual or "-"},
            None,
            location=path if m.run is None else f"{path} (run {m.run})",
            help=("E0915.help", {}),
        )
        for m in store.verify()
    ]
