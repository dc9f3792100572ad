"""Rendering the runs of a results store (``jixiao runs``): one tab-separated
line per run, for reading and for ``cut``."""

from __future__ import annotations

from collections.abc import Sequence

from dsl.messages import text
from runtime.store import Run


def to_text(runs: Sequence[Run], lang: str) -> str:
    """Id, period, version, rules digest (and commit), and whether published."""
    lines = []
    for run in runs:
        state = text("runs.published", lang) if run.published else ""
        commit = f" {run.rules_commit[:12]}" if run.rules_commit else ""
        lines.append(
            f"{run.id}\t{run.label}\t{run.version}\t{run.rules_digest[:19]}{commit}\t{state}\n"
        )
    return "".join(lines)
