"""Group values between evaluation stages: ranks, best, average, share.

A formula that reads ``rank_in_group(完成率)`` or ``group_average(完成率)``
cannot be computed from one subject's data, so the compiler puts it in a
later stage (``compiler.graph.stages``).  Stage 1 stays a pure function of
one subject; between stages this module reads every subject's values of the
stage before and gives each its group values (``ir.GroupValue``), which the
next stage's code receives as inputs.  Both backends, the compiled evaluator
and the reference interpreter, go through the same step, so they cannot
disagree on a rank.

Pools are those the population stage ranks in (``runtime.engine.population``):
a section's group in the organization; every subject of the kind when there
are no groups (people: every person).  Absent values (an exempt input, an
unscored let) are left out of every aggregate and get no rank or share.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from decimal import Decimal

from compiler import ir
from semantics import operations as helpers
from semantics.builtins import GROUP_FUNCTIONS
from semantics.operations import Fault

LaterStage = Callable[[int, Sequence[object], tuple[object, ...]], tuple[object, ...]]
"""A backend's later stage: (stage, every slot's value so far, the stage's
group values) -> every slot's value after it."""

Values = tuple[object, ...]

LaterBatch = Callable[[int, list[Values], list[Values]], list[Values]]
"""A backend's later stage for many subjects at once: (stage, every subject's
values so far, their group values) -> their values after it; it may raise
an unlocated fault (``run_stages`` then runs the subjects one by one)."""


def pool_of(program: ir.Program) -> dict[str, str]:
    """Subject id -> its pool (a section's group); absent ids share the pool ""."""
    if program.organization is None or program.kind == "person":
        return {}
    return {s.id: s.group for s in program.organization.sections}


def group_inputs(
    program: ir.Program, stage: int, members: Sequence[tuple[str, Sequence[object]]]
) -> tuple[list[Values], dict[int, Fault]]:
    """The group values of ``stage`` for each member (in ``program.groups``'
    order), computed over the members' values so far; and the members whose
    pool faulted (a share of a group whose sum is 0), by position.

    The members are taken pool by pool (``order``), so that each pool's
    values are one slice and its results one run of the column."""
    wanted = [g for g in program.groups if g.stage == stage]
    pools: dict[str, list[int]] = {}
    where = pool_of(program)
    for position, (ident, _) in enumerate(members):
        pools.setdefault(where.get(ident, ""), []).append(position)
    order = [position for positions in pools.values() for position in positions]
    bounds: list[tuple[int, int]] = []
    for positions in pools.values():
        start = bounds[-1][1] if bounds else 0
        bounds.append((start, start + len(positions)))
    rows = [members[position][1] for position in order]
    columns: list[list[object]] = []
    faults: dict[int, Fault] = {}
    with decimal.localcontext(helpers.CONTEXT):
        for group in wanted:
            helper = GROUP_FUNCTIONS[group.fn].helper
            slot = group.of
            if slot is None:  # group_count(): every member counts
                values: list[Decimal | None] = [_ZERO] * len(order)
            else:
                values = [row[slot] for row in rows]  # type: ignore[misc]
            column: list[object] = []
            for start, end in bounds:
                try:
                    found = helper(values[start:end], group.span)
                except Fault as fault:
                    for position in order[start:end]:
                        faults.setdefault(position, fault)
                    column.extend([None] * (end - start))
                    continue
                if isinstance(found, list):  # each member's own: a rank, a share
                    column.extend(found)
                else:  # the group's: the same for every member
                    column.extend([found] * (end - start))
            columns.append(column)
    result: list[Values] = [()] * len(members)
    for position, row in zip(order, zip(*columns, strict=True) if columns else (), strict=False):
        result[position] = row
    return result, faults


_ZERO = Decimal(0)


def run_stages(
    program: ir.Program,
    later: LaterStage,
    members: Sequence[tuple[str, Values]],
    batch: LaterBatch | None = None,
) -> tuple[list[tuple[str, Values]], list[tuple[str, Fault]]]:
    """Stages 2 and after for ``members`` (id, stage-1 values) of one period:
    each stage's group values over the members still standing, then that
    stage for each.  A member whose stage faults leaves the later stages.

    ``batch``, when given, runs a stage for every member at once (the fast
    path); should it fault, the stage is run again member by member with
    ``later``, which locates each fault."""
    standing = list(members)
    faults: list[tuple[str, Fault]] = []
    with decimal.localcontext(helpers.CONTEXT):
        for stage in range(2, program.stages + 1):
            inputs, failed = group_inputs(program, stage, standing)
            if batch is not None and not failed:
                try:
                    done = batch(stage, [values for _, values in standing], inputs)
                except (Fault, ArithmeticError, KeyError):
                    pass  # run again one by one below: each fault located
                else:
                    standing = [(m[0], v) for m, v in zip(standing, done, strict=True)]
                    continue
            survivors: list[tuple[str, Values]] = []
            keep = survivors.append
            for n, (ident, values) in enumerate(standing):
                if n in failed:
                    faults.append((ident, failed[n]))
                    continue
                try:
                    keep((ident, later(stage, values, inputs[n])))
                except Fault as fault:
                    faults.append((ident, fault))
            standing = survivors
    return standing, faults


def alone(program: ir.Program, later: LaterStage, values: Values) -> Values:
    """Every stage of one subject evaluated on its own: a group of one (its
    rank is 1, its average its value).  For callers that evaluate one
    subject at a time (declared properties, single-row checks); a period's
    evaluation runs the stages over the whole population instead."""
    done, faults = run_stages(program, later, [("", values)])
    if faults:
        raise faults[0][1]
    return done[0][1]
