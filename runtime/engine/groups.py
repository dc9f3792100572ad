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

A group value reads only its own pool, so the stages run a pool at a time:
the pool's stage 1, its group values, its stage 2, and so on, while its
members' values are still in the processor's cache, and their stage-1
values are dropped before the next pool (a period's sweep of every member
for each group value and again for each stage, with every member's values
of every stage kept until the end, cost more than the arithmetic at a few
thousand members: memory and the garbage collector's passes over it).
The results and faults are the same as stage after stage over everyone,
and in the same order.  Small pools (a group of 20 sections) are taken a
few hundred members at a time (``_together``): each stage's generated loop
runs once for all of them, each pool's group values its own, so that a
pool does not cost a few calls of its own; should anything fault, those
pools run one by one as above.

The generated loops take each pool's single group values (its best, its
average) once rather than a copy per member, and pass from one stage to
the next only the slots known so far (``compiler.codegen.carried``), not
every slot with the later ones None: less to build, unpack and free per
member, on a path where that costs as much as the arithmetic (``_Plan``
turns those slots back into every slot where a one-subject stage, or the
interpreter, takes them).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from itertools import accumulate, groupby, pairwise, repeat
from operator import itemgetter

from compiler import ir
from compiler.codegen import carried, per_member
from semantics import operations as helpers
from semantics.builtins import GROUP_FUNCTIONS
from semantics.operations import Fault

LaterStage = Callable[[int, Sequence[object], tuple[object, ...]], tuple[object, ...]]
"""A backend's later stage: (stage, every slot's value so far, the stage's
group values) -> every slot's value after it."""

Values = tuple[object, ...]

Pool = tuple[object, ...]
"""One pool as a later stage's generated loop takes it (``_stage<k>_many``,
``compiler.codegen``): ``(members, *singles)``, the pool's single group
values of the stage once (its best, its average: ``per_member`` false) and
its members, each a member's values so far, zipped with its own group
values (a rank, a share) when the stage has any."""

LaterBatch = Callable[[int, list[Pool]], list[Values]]
"""A backend's later stage for many subjects at once: (stage, their pools
one after the other, ``Pool``) -> every member's values after it, pool
after pool; it may raise an unlocated fault (the subjects are then run
one by one)."""

_Wanted = tuple[
    Callable[[list[Decimal | None], object], object],
    Callable[[Values], object] | None,
    Callable[[Values], object] | None,
    object,
    bool,
]
"""A group value as a pool's stage computes it: the helper, what reads the
value it takes from a member's every slot (``itemgetter(slot)``; None:
``group_count()``) and from its slots carried (``compiler.codegen.carried``),
the site of its fault, whether each member has its own
(``compiler.codegen.per_member``)."""


class _Plan:
    """What every period of one program needs between its stages: each
    later stage's group values (``_Wanted``, in ``program.groups``' order)
    and, for each stage but the last, the slots its generated loop carries
    on (``compiler.codegen.carried``): how to take them from every slot
    (values given by a one-subject stage) and back (for a one-subject
    stage, when a pool's fault sends it member by member)."""

    def __init__(self, program: ir.Program) -> None:
        self.program = program
        self.stages = range(2, program.stages + 1)
        self.wanted: dict[int, list[_Wanted]] = {stage: [] for stage in self.stages}
        self.narrow: dict[int, Callable[[Values], Values]] = {}
        self.widen: dict[int, Callable[[Values], Values]] = {}
        kept = {stage: carried(program, stage) for stage in range(1, program.stages)}
        for stage, slots in kept.items():
            self.narrow[stage] = _taking(slots)
            self.widen[stage] = _placing(slots, len(program.slots))
        for group in program.groups:
            read = narrow = None
            if group.of is not None:
                read = itemgetter(group.of)
                narrow = itemgetter(kept[group.stage - 1].index(group.of))
            helper = GROUP_FUNCTIONS[group.fn].helper
            self.wanted[group.stage].append((helper, read, narrow, group.span, per_member(group)))


def _plan(program: ir.Program) -> _Plan:
    """``_Plan`` of ``program``: the last one made when it is the same program
    (every period of a run)."""
    global _last_plan
    if _last_plan is None or _last_plan.program is not program:
        _last_plan = _Plan(program)
    return _last_plan


_last_plan: _Plan | None = None


def _taking(slots: tuple[int, ...]) -> Callable[[Values], Values]:
    """A member's every slot -> its ``slots``, a tuple."""
    if len(slots) > 1:
        return itemgetter(*slots)
    if slots:
        (slot,) = slots
        return lambda values: (values[slot],)
    return lambda values: ()


def _placing(slots: tuple[int, ...], count: int) -> Callable[[Values], Values]:
    """A member's ``slots`` -> its every slot (of ``count``), the others None."""

    def placed(values: Values) -> Values:
        every: list[object] = [None] * count
        for slot, value in zip(slots, values, strict=True):
            every[slot] = value
        return tuple(every)

    return placed


FirstStage = Callable[[Values], Values]
"""A backend's stage 1 of one subject: its inputs -> every slot's value (a
fault located)."""

FirstBatch = Callable[[list[Values]], list[Values]]
"""A backend's stage 1 of many subjects at once; it may raise a fault (the
subjects are then run one by one)."""


def pool_of(program: ir.Program) -> dict[str, str]:
    """Subject id -> its pool (a section's group); absent ids share the pool ""."""
    if program.organization is None or program.kind == "person":
        return {}
    global _last_pools
    organization = program.organization
    if _last_pools is not None and _last_pools[0] is organization:
        return _last_pools[1]  # every period of a run: the same organization
    pools = {s.id: s.group for s in organization.sections}
    _last_pools = (organization, pools)
    return pools


_last_pools: tuple[ir.Organization, dict[str, str]] | None = None
"""``pool_of``'s last answer: a run asks it for every period of the same
organization (which is immutable; the mapping is only read)."""


def run_stages(
    program: ir.Program,
    later: LaterStage,
    members: Sequence[tuple[str, Values]],
    batch: LaterBatch | None = None,
) -> tuple[list[tuple[str, Values]], list[tuple[str, Fault]]]:
    """Stages 2 and after for ``members`` (id, stage-1 values) of one period:
    each stage's group values over the members still standing, then that
    stage for each.  A member whose stage faults leaves the later stages.
    The members standing in their order; the faults stage by stage, each
    stage's in the members' order.

    ``batch``, when given, runs a stage for many members at once (the fast
    path); should a pool or a member fault, the pool's stage is run again
    member by member with ``later``, which locates each fault."""
    ids = [ident for ident, _ in members]
    rows = [values for _, values in members]
    kept, done, faults = _pool_by_pool(program, ids, rows, None, None, later, batch)
    return list(zip(kept, done, strict=True)), faults


def run_period(
    program: ir.Program,
    ids: Sequence[str],
    inputs: Sequence[Values],
    first: FirstStage,
    later: LaterStage,
    first_batch: FirstBatch | None = None,
    batch: LaterBatch | None = None,
) -> tuple[list[str], list[Values], list[tuple[str, Fault]]]:
    """Every stage of the members ``ids`` of one period, whose inputs are
    ``inputs``: ``run_stages`` after stage 1 (``first``, or ``first_batch``
    for many at once), a pool at a time.  The ids standing and their values,
    in the members' order (lists side by side: a pair per member would be
    one more object per member for the garbage collector to visit); the
    faults, a member's of stage 1 first (it is then in no group)."""
    return _pool_by_pool(program, ids, inputs, first, first_batch, later, batch)


def _pool_by_pool(
    program: ir.Program,
    ids: Sequence[str],
    rows: Sequence[Values],
    first: FirstStage | None,
    first_batch: FirstBatch | None,
    later: LaterStage,
    batch: LaterBatch | None,
) -> tuple[list[str], list[Values], list[tuple[str, Fault]]]:
    """``run_stages`` (no ``first``) or ``run_period``: each pool's stages in
    turn (the module's docstring says why)."""
    bounds, order = _pool_runs(ids, pool_of(program).get)
    if order is not None:  # taken pool by pool; ``order`` maps back
        pooled = [rows[position] for position in order]
    else:
        pooled = rows if isinstance(rows, list) else list(rows)
    plan = _plan(program)
    finished: list[Values | None] = [None] * len(pooled)
    faults: list[tuple[int, int, Fault]] = []  # (stage, position, fault)
    fast = batch is not None and (first is None or first_batch is not None)
    with decimal.localcontext(helpers.CONTEXT):
        for run in _runs_of_pools(bounds) if fast else [bounds]:
            if fast and len(run) > 1:
                start, end = run[0][0], run[-1][1]
                done = _together(run, pooled[start:end], first_batch, batch, plan)
                if done is not None:
                    finished[start:end] = done
                    continue
            _each_pool(run, pooled, finished, faults, first, first_batch, later, batch, plan)
    if order is not None:
        faults = [(stage, order[position], fault) for stage, position, fault in faults]
        finished = _placed(order, finished)
    if not faults:
        return list(ids), finished, []  # type: ignore[return-value]
    faults.sort(key=lambda fault: (fault[0], fault[1]))
    kept = [n for n, result in enumerate(finished) if result is not None]
    return (
        [ids[n] for n in kept],
        [finished[n] for n in kept],  # type: ignore[misc]
        [(ids[position], fault) for _, position, fault in faults],
    )


_TOGETHER = 256
"""Members of consecutive pools whose stages run in one call of each stage's
generated loop (``_together``): small pools (a group of 20 sections) would
otherwise pay a few calls per pool; a few hundred members' values still
sit in the processor's cache."""


def _runs_of_pools(bounds: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Consecutive pools taken together until they have ``_TOGETHER`` members."""
    runs: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    members = 0
    for pool in bounds:
        current.append(pool)
        members += pool[1] - pool[0]
        if members >= _TOGETHER:
            runs.append(current)
            current, members = [], 0
    if current:
        runs.append(current)
    return runs


def _together(
    run: list[tuple[int, int]],
    values: list[Values],
    first_batch: FirstBatch | None,
    batch: LaterBatch | None,
    plan: _Plan,
) -> list[Values] | None:
    """Every stage of the pools of ``run`` (whose members' inputs or stage-1
    values are ``values``), each stage in one call for all of them, each
    pool's group values its own; None if anything faults (the pools are
    then run one by one, which locates each fault)."""
    assert batch is not None
    offset = run[0][0]
    try:
        if first_batch is not None:
            values = first_batch(values)  # the slots carried to stage 2
        else:
            values = list(map(plan.narrow[1], values))
        for stage in plan.stages:
            here = plan.wanted[stage]
            pools = [_pool(here, values[start - offset : end - offset]) for start, end in run]
            values = batch(stage, pools)
    except (Fault, ArithmeticError, KeyError):
        return None
    return values


def _each_pool(
    bounds: list[tuple[int, int]],
    pooled: list[Values],
    finished: list[Values | None],
    faults: list[tuple[int, int, Fault]],
    first: FirstStage | None,
    first_batch: FirstBatch | None,
    later: LaterStage,
    batch: LaterBatch | None,
    plan: _Plan,
) -> None:
    """Every stage of each pool of ``bounds`` in turn: values into
    ``finished``, faults appended to ``faults``.  A generated loop
    (``batch``, ``first_batch``) gives the slots carried to the next stage,
    a one-subject stage every slot; ``plan`` turns one into the other."""
    last = plan.program.stages
    for start, end in bounds:
        values = pooled[start:end]
        here: list[int] | None = None  # the pool's members standing; None: all
        narrow = False  # whether ``values`` are the slots carried (else every slot)
        if first is not None:
            here, values, narrow = _first_stage(first, first_batch, start, values, faults)
        for stage in plan.stages:
            if not values:
                break
            done = None
            if batch is not None:
                try:
                    given = values if narrow else list(map(plan.narrow[stage - 1], values))
                    done = batch(stage, [_pool(plan.wanted[stage], given)])
                except (Fault, ArithmeticError, KeyError):
                    done = None  # run again one by one below: each fault located
            if done is None:
                if narrow:
                    values = list(map(plan.widen[stage - 1], values))
                standing = list(range(start, end)) if here is None else here
                wanted = plan.wanted[stage]
                here, done = _one_by_one(stage, later, wanted, standing, values, faults)
                narrow = False
            else:
                narrow = stage < last
            values = done
        if here is None:
            finished[start:end] = values
        else:
            for position, result in zip(here, values, strict=True):
                finished[position] = result


def _first_stage(
    first: FirstStage,
    first_batch: FirstBatch | None,
    start: int,
    inputs: list[Values],
    faults: list[tuple[int, int, Fault]],
) -> tuple[list[int] | None, list[Values], bool]:
    """Stage 1 of one pool's members, the first at ``start``: the positions of
    those standing (None: all), their values, and whether these are the
    slots carried to stage 2 (``first_batch``'s) rather than every slot."""
    if first_batch is not None:
        try:
            return None, first_batch(inputs), True
        except (Fault, ArithmeticError, KeyError):
            pass  # one by one: each fault located
    standing: list[int] = []
    values: list[Values] = []
    for position, row in enumerate(inputs, start):
        try:
            values.append(first(row))
        except Fault as fault:
            faults.append((1, position, fault))
            continue
        standing.append(position)
    return standing, values, False


def _pool(wanted: list[_Wanted], rows: list[Values]) -> Pool:
    """One pool's ``Pool`` for a stage's generated loop (members ``rows``,
    each the slots carried from the stage before): its single group values
    once, each member's own beside its values; a helper's fault raised."""
    own: list[object] = []
    singles: list[object] = []
    for helper, _, read, span, each in wanted:
        # ``_argument`` inlined: a few calls fewer per pool of 20.
        argument = [_ZERO] * len(rows) if read is None else list(map(read, rows))
        found = helper(argument, span)  # type: ignore[arg-type]
        (own if each else singles).append(found)
    return (zip(rows, *own, strict=True) if own else rows, *singles)


def _columns(wanted: list[_Wanted], rows: list[Values]) -> list[Iterable[object]]:
    """One pool's group values, a column each (in ``program.groups``' order,
    as a later stage of one subject takes them): a member's own (a rank, a
    share) or the pool's, repeated (``itertools.repeat``: no list of
    copies); a helper's fault raised."""
    count = len(rows)
    columns: list[Iterable[object]] = []
    for helper, read, _, span, each in wanted:
        found = helper(_argument(read, rows), span)
        columns.append(found if each else repeat(found, count))  # type: ignore[arg-type]
    return columns


def _argument(read: Callable[[Values], object] | None, rows: list[Values]) -> list[Decimal | None]:
    """What a group value's helper takes: each member's value of its argument
    (``group_count()``: every member counts)."""
    if read is None:
        return [_ZERO] * len(rows)
    return list(map(read, rows))  # type: ignore[arg-type]


_ZERO = Decimal(0)


def _one_by_one(
    stage: int,
    later: LaterStage,
    wanted: list[_Wanted],
    here: list[int],
    rows: list[Values],
    faults: list[tuple[int, int, Fault]],
) -> tuple[list[int], list[Values]]:
    """One pool's ``stage`` member by member: those standing after it and
    their values.  A group value's fault (a share of a group whose sum is
    0) is every member's, the first group value's that faults."""
    try:
        columns = _columns(wanted, rows)
    except Fault as fault:
        faults.extend((stage, position, fault) for position in here)
        return [], []
    groups: list[Values] = list(zip(*columns, strict=True)) if columns else [()] * len(rows)
    standing: list[int] = []
    values: list[Values] = []
    for position, row, mine in zip(here, rows, groups, strict=True):
        try:
            values.append(later(stage, row, mine))
        except Fault as fault:
            faults.append((stage, position, fault))
            continue
        standing.append(position)
    return standing, values


def _pool_runs(
    ids: Sequence[str], pool: Callable[[str], str | None]
) -> tuple[list[tuple[int, int]], list[int] | None]:
    """Each pool's (start, end) among the members ``ids`` taken pool by pool
    (``pool``: a member's pool), pools in the order they first appear; and
    that order of the members' positions, or None when it is their own (each
    pool's members already together, as an organization listed group by
    group gives them)."""
    if not ids:
        return [], None
    runs = [(key, len(list(members))) for key, members in groupby(ids, pool)]
    if len({key for key, _ in runs}) == len(runs):
        return list(pairwise(accumulate([length for _, length in runs], initial=0))), None
    keys = list(map(pool, ids))
    pools: dict[str | None, list[int]] = {}
    for position, key in enumerate(keys):
        pools.setdefault(key, []).append(position)
    order = [position for positions in pools.values() for position in positions]
    bounds: list[tuple[int, int]] = []
    start = 0
    for positions in pools.values():
        bounds.append((start, start + len(positions)))
        start += len(positions)
    return bounds, order


def _placed(order: list[int], pooled: list[Values | None]) -> list[Values | None]:
    """Values taken pool by pool put back at their members' positions."""
    placed: list[Values | None] = [None] * len(pooled)
    for position, values in zip(order, pooled, strict=True):
        placed[position] = values
    return placed


def alone(program: ir.Program, later: LaterStage, values: Values) -> Values:
    """Every stage of one subject evaluated on its own: a group of one (its
    rank is 1, its average its value).  For callers that evaluate one
    subject at a time (declared properties, single-row checks); a period's
    evaluation runs the stages over the whole population instead."""
    done, faults = run_stages(program, later, [("", values)])
    if faults:
        raise faults[0][1]
    return done[0][1]
