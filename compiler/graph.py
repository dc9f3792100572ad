"""The dependency graph of definitions: cycles and evaluation order.

The language cannot loop or recurse: a value that depends on itself, however
indirectly, is rejected here with the whole chain named, each step pointing at
the reference that closes it.  Everything else is put in an order where each
definition follows what it reads; ties keep declaration order, so the order
(and the generated code) is the same on every run.
"""

from __future__ import annotations

from compiler import ir
from dsl.diagnostics import Diagnostic, Label
from dsl.spans import Span


def order_definitions(
    definitions: list[ir.Definition],
    reads: dict[int, list[tuple[int, Span]]],
    slots: list[ir.Slot],
    diagnostics: list[Diagnostic],
) -> list[ir.Definition]:
    by_slot = {d.slot: d for d in definitions}
    edges = {
        d.slot: [(s, span) for s, span in reads.get(d.slot, []) if s in by_slot]
        for d in definitions
    }
    for component in _strongly_connected(list(by_slot), edges):
        if len(component) > 1 or any(s == component[0] for s, _ in edges[component[0]]):
            _report_cycle(component, edges, slots, diagnostics)
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
                ordered.append(by_slot[slot])
    return ordered


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
        Diagnostic("E0601", {"chain": chain}, path[0][1], labels=labels, help=("E0601.help", {}))
    )
