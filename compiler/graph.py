"""The dependency graph of definitions: cycles and evaluation order.

The language cannot loop or recurse: a value that depends on itself, however
indirectly, is rejected here with the whole chain named, each step pointing at
the reference that closes it.  Everything else is put in an order where each
definition follows what it reads; ties keep declaration order, so the order
(and the generated code) is the same on every run.
"""

from __future__ import annotations

import dataclasses

from compiler import ir
from dsl.diagnostics import Diagnostic, Label
from dsl.spans import Span


def order_definitions(
    definitions: list[ir.Definition],
    reads: dict[int, list[tuple[int, Span]]],
    slots: list[ir.Slot],
    diagnostics: list[Diagnostic],
    groups: dict[int, list[tuple[int, Span]]] | None = None,
) -> list[ir.Definition]:
    """``definitions`` in evaluation order.  ``groups`` are the group slots
    (``rank_in_group(完成率)``), each reading the value it is of: they are
    nodes of the graph too, so a value that depends on its own rank is a
    cycle (E0490, named with the chain), but they define nothing here."""
    groups = groups or {}
    by_slot = {d.slot: d for d in definitions}
    known = set(by_slot) | set(groups)
    edges = {
        d.slot: [(s, span) for s, span in reads.get(d.slot, []) if s in known] for d in definitions
    }
    edges.update({g: [(s, span) for s, span in read if s in known] for g, read in groups.items()})
    for component in _strongly_connected([*by_slot, *groups], edges):
        if len(component) > 1 or any(s == component[0] for s, _ in edges[component[0]]):
            code = "E0490" if any(member in groups for member in component) else "E0601"
            _report_cycle(component, edges, slots, diagnostics, code)
    ordered: list[ir.Definition] = []
    state: dict[int, int] = {}  # 1 visiting, 2 done
    for start in by_slot:
        stack: list[tuple[int, int]] = [(start, 0)]
        while stack:
            slot, index = stack.pop()
            if index == 0:
                if state.get(slot):
                    continue
                state[slot] = 1
            targets = edges[slot]
            if index < len(targets):
                stack.append((slot, index + 1))
                nxt = targets[index][0]
                if not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[slot] = 2
                if slot in by_slot:
                    ordered.append(by_slot[slot])
    return ordered


def stages(
    ordered: list[ir.Definition],
    reads: dict[int, list[tuple[int, Span]]],
    groups: dict[int, int | None],
) -> tuple[list[ir.Definition], dict[int, int]]:
    """Each definition's evaluation stage, and each group slot's (``groups``:
    group slot -> the slot of the value it is of).  Stage 1 reads one
    subject's data only; a group value of stage-k values is known from stage
    k + 1, and a definition is of the latest stage of what it reads.  The
    definitions come back ordered by stage, each stage in ``ordered``'s order
    (which a stage never contradicts: a reader's stage is at least its
    sources')."""
    stage: dict[int, int] = {}

    def of(slot: int) -> int:
        if slot in groups:
            source = groups[slot]
            return 1 + (1 if source is None else stage.get(source, 1))
        return stage.get(slot, 1)

    staged: list[ir.Definition] = []
    for definition in ordered:
        stage[definition.slot] = max([1, *(of(s) for s, _ in reads.get(definition.slot, []))])
        staged.append(dataclasses.replace(definition, stage=stage[definition.slot]))
    staged.sort(key=lambda d: d.stage)
    return staged, {g: of(g) for g in groups}


def _strongly_connected(
    nodes: list[int], edges: dict[int, list[tuple[int, Span]]]
) -> list[list[int]]:
    """Tarjan's algorithm, iterative (deep chains must not hit the recursion limit)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[int, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = edges[node]
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child][0]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            for target, _ in targets:
                if target in on_stack:
                    low[node] = min(low[node], low[target])
            if low[node] == index[node]:
                component: list[int] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(sorted(component))
    return result


def _report_cycle(
    component: list[int],
    edges: dict[int, list[tuple[int, Span]]],
    slots: list[ir.Slot],
    diagnostics: list[Diagnostic],
    code: str = "E0601",
) -> None:
    """Name one cycle through the component, starting at its first definition."""
    members = set(component)
    start = component[0]
    path: list[tuple[int, Span]] = []
    seen = {start}
    current = start
    while True:
        nxt, span = next((s, sp) for s, sp in edges[current] if s in members)
        path.append((nxt, span))
        if nxt == start or nxt in seen:
            break
        seen.add(nxt)
        current = nxt
    # Trim to the closed loop.
    close = path[-1][0]
    names = [slots[start].name] + [slots[s].name for s, _ in path]
    if close != start:
        first = names.index(slots[close].name)
        names = names[first:]
        path = path[first:]
    chain = " → ".join(names)
    labels = tuple(
        Label(span, "E0601.step", {"name": names[i], "next": names[i + 1]})
        for i, (_, span) in enumerate(path[1:], start=1)
    )
    diagnostics.append(
        Diagnostic(code, {"chain": chain}, path[0][1], labels=labels, help=(f"{code}.help", {}))
    )
