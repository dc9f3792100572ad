"""The ordering pass: the dependency graph of definitions (``compiler.graph``)."""

from __future__ import annotations

from compiler.graph import order_definitions
from compiler.passes.state import State


def order(state: State) -> None:
    """Reads ``state.definitions`` and ``state.reads``; sets ``state.ordered``,
    each definition after what it reads; every cycle is reported with its chain."""
    state.ordered = order_definitions(
        state.definitions, state.reads, state.slots, state.diagnostics
    )
