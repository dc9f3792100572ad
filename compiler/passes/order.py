"""The ordering pass: the dependency graph of definitions (``compiler.graph``)
and the evaluation stages group functions make."""

from __future__ import annotations

from compiler import ir
from compiler.graph import order_definitions, stages
from compiler.passes.state import State


def order(state: State) -> None:
    """Reads ``state.definitions``, ``state.reads`` and ``state.groups``; sets
    ``state.ordered``, each definition after what it reads and in its stage
    (stage 1 first), and ``state.group_values``; every cycle is reported with
    its chain (E0490 when it goes through a group value)."""
    sources = {slot: of for (_, of), slot in state.groups.items()}
    group_reads = {
        slot: [] if of is None else [(of, state.slots[slot].span)] for slot, of in sources.items()
    }
    ordered = order_definitions(
        state.definitions, state.reads, state.slots, state.diagnostics, group_reads
    )
    if not state.groups:
        state.ordered = ordered
        return
    state.ordered, stage_of = stages(ordered, state.reads, sources)
    state.group_values = [
        ir.GroupValue(slot, fn, of, stage_of[slot], state.slots[slot].span)
        for (fn, of), slot in state.groups.items()
    ]
