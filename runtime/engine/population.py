"""The population stage: ranks and grades of the subjects of one period.

Per-subject values come from the compiled evaluator; this stage reads every
subject of a pool at once.  Ranking is within each group of the organization
(all subjects when there is none), by the declared keys; subjects equal on
every key share a rank (1, 2, 2, 4).  Grades are assigned band by band, best
first: a subject gets the first band whose threshold, prerequisite and vetoes
it passes and whose quota still has room; what no band takes is "ungraded".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

from compiler import ir
from runtime.engine import sanctions
from runtime.engine.results import Sanctioned
from semantics import quota as sizing
from semantics.ordering import ranked_order, sort_key

UNGRADED = "ungraded"


class Standing(NamedTuple):
    """A subject's place in its period.  A named tuple, not a dataclass: one is
    made per subject (100,000 at a time), and a tuple is made several times
    faster than a frozen dataclass sets its fields."""

    rank: int
    group: str
    grade: str | None  # None: the rules declare no grades
    ruling: sanctions.Ruling | None = None  # what sanctions decided (runtime.engine.sanctions)


def _key(program: ir.Program, parts: Sequence[object]) -> tuple[tuple[bool, Decimal], ...]:
    """Sort key, best first, of a subject's ranking values (``_keys``):
    absent values (exempt scores) after present ones."""
    assert program.ranking is not None
    key = []
    for value, (_, descending) in zip(parts, program.ranking.keys, strict=True):
        assert value is None or isinstance(value, Decimal)
        key.append(sort_key(value, descending))
    return tuple(key)


def _keys(
    program: ir.Program, subjects: Sequence[tuple[str, Sequence[object]]]
) -> list[tuple[tuple[bool, Decimal], ...]]:
    """Each subject's sort key (``_key``), made once per distinct tuple of
    ranking values (a population repeats its totals) and shared.

    Equal values give equal keys, but not only they: a descending key is
    the negated value, which the decimal context in force rounds (to 28
    digits outside evaluation), so two totals that differ past that digit
    tie.  Subjects are therefore ranked by their keys, never by their
    values."""
    assert program.ranking is not None
    slots = [slot for slot, _ in program.ranking.keys]
    if len(slots) == 1:
        (slot,) = slots
        parts: list[tuple[object, ...]] = [(values[slot],) for _, values in subjects]
    else:
        pick = itemgetter(*slots)
        parts = [pick(values) for _, values in subjects]
    made = {values: _key(program, values) for values in dict.fromkeys(parts)}
    return list(map(made.__getitem__, parts))


def _group_of(program: ir.Program) -> dict[str, str]:
    """Each section's group ("" for anyone else: all one pool)."""
    if program.organization is None:
        return {}
    return {s.id: s.group for s in program.organization.sections}


def _ranked(
    idents: Sequence[str], keys: Sequence[Hashable], group_of: Mapping[str, str]
) -> tuple[list[str], dict[str, int]]:
    """Ranks within each group (``semantics.ordering.ranked_order``), and every
    subject in the order grades are given in: by group, then rank, then id."""
    groups: dict[str, list[int]] = {}  # each group's subjects, by position
    for position, ident in enumerate(idents):
        group = group_of.get(ident, "")
        found = groups.get(group)
        if found is None:
            groups[group] = [position]
        else:
            found.append(position)
    order: list[str] = []
    ranks: dict[str, int] = {}
    for group in sorted(groups):
        positions = groups[group]
        if len(groups) == 1:  # one pool (people, or no groups): the subjects as they are
            members, their = idents, keys
        else:
            members, their = [idents[n] for n in positions], [keys[n] for n in positions]
        ranked = ranked_order(members, their)
        order.extend(map(itemgetter(0), ranked))
        ranks.update(ranked)
    return order, ranks


def quota_size(quota: ir.Quota, pool_size: int) -> int:
    """``share`` of the pool, rounded as declared, then bounded by at_least/at_most
    and the pool (``semantics.quota``)."""
    return sizing.quota_size(quota.share, quota.rounding, quota.at_least, quota.at_most, pool_size)


def population_values(
    rank: int, count: int, grade: str | None, vetoes: set[str] | Sequence[str]
) -> list[object]:
    """What properties read after a subject's slots, in the order of
    ``compiler.properties.POPULATION_NAMES``: rank, count, grade, vetoed,
    excellence_vetoed."""
    return [Decimal(rank), Decimal(count), grade or "", "fail" in vetoes, "no_excellent" in vetoes]


def standings(
    program: ir.Program,
    subjects: Sequence[tuple[str, Sequence[object]]],
    label: str = "",
    earlier: Mapping[str, Sequence[Sanctioned]] | None = None,
    durations: sanctions.Durations | None = None,
) -> dict[str, Standing]:
    """Rank and grade ``subjects`` (id, every slot value) of one period
    (``label``); ``earlier``: sanctions carried into it, by subject;
    ``durations``: per-event durations of the sanctions raised in it.

    The subjects are listed by group, then rank, then id (the order results
    are shown in, so a caller's sort of them has nothing to move), those
    sanctions took out of scoring last."""
    rulings = sanctions.rulings(program, subjects, label, earlier, durations)
    if rulings:
        return _sanctioned_standings(program, subjects, rulings)
    group_of = _group_of(program)
    order, ranks = _ranked([i for i, _ in subjects], _keys(program, subjects), group_of)
    grades = _grades(program, subjects, ranks, group_of, order) if program.grades else {}
    return {
        ident: Standing(ranks[ident], group_of.get(ident, ""), grades.get(ident)) for ident in order
    }


def _sanctioned_standings(
    program: ir.Program,
    subjects: Sequence[tuple[str, Sequence[object]]],
    rulings: Mapping[str, sanctions.Ruling],
) -> dict[str, Standing]:
    """``standings`` when sanctions hold: subjects not scored are not ranked
    or graded by the bands (they follow the ranked ones of their group);
    those ranked last follow every other; forced grades and caps bound the
    bands each subject may get."""
    group_of = _group_of(program)
    out = {i for i, _ in subjects if i in rulings and rulings[i].not_scored}
    ranked = [(i, v) for i, v in subjects if i not in out]
    idents = [i for i, _ in ranked]
    keys = [
        sanctions.rank_key(rulings.get(i), key)
        for i, key in zip(idents, _keys(program, ranked), strict=True)
    ]
    order, ranks = _ranked(idents, keys, group_of)
    sizes: dict[str, int] = {}  # each group's ranked subjects, counted once
    for ident in idents:
        group = group_of.get(ident, "")
        sizes[group] = sizes.get(group, 0) + 1
    for ident in out:
        ranks[ident] = sizes.get(group_of.get(ident, ""), 0) + 1
    grades = _grades(program, ranked, ranks, group_of, order, rulings) if program.grades else {}
    for ident in out:
        forced = rulings[ident].forced
        grades[ident] = forced or sanctions.ungraded_label(program, UNGRADED)
    return {
        ident: Standing(
            ranks[ident], group_of.get(ident, ""), grades.get(ident), rulings.get(ident)
        )
        for ident in [*order, *(i for i, _ in subjects if i in out)]
    }


_NO_VETO: frozenset[str] = frozenset()

# A subject as the grade bands test it: id, total, every slot value, vetoes.
Candidate = tuple[str, Any, Sequence[object], AbstractSet[str]]


def _grades(
    program: ir.Program,
    subjects: Sequence[tuple[str, Sequence[object]]],
    ranks: dict[str, int],
    group_of: dict[str, str],
    order: list[str],
    rulings: Mapping[str, sanctions.Ruling] | None = None,
) -> dict[str, str]:
    """Each subject's grade, band by band, best first; ``order``: the
    subjects by group, then rank, then id (``_ranked``)."""
    values = dict(subjects)
    vetoes: dict[str, set[str]] = {}  # only the subjects some veto holds for
    for kind, slot in program.vetoes:
        for ident in [ident for ident, vals in subjects if vals[slot]]:
            vetoes.setdefault(ident, set()).add(kind.removeprefix("veto:"))
    # Each group's size, counted once (for quotas per group).
    group_sizes = Counter(map(group_of.get, order, repeat("")))
    assigned: dict[str, str] = {}
    for ident, ruling in (rulings or {}).items():  # a forced grade: no band gives it
        if ident in values and ruling.forced is not None:
            assigned[ident] = ruling.forced
    total = program.total
    remaining: list[Candidate] = [
        (ident, values[ident][total], values[ident], vetoes.get(ident, _NO_VETO))
        for ident in order
        if ident not in assigned
    ]
    for band in program.grades:
        eligible = qualifying(band, remaining)
        if rulings:
            eligible = [
                c for c in eligible if sanctions.allows(program, rulings.get(c[0]), band.grade)
            ]
        taken = [c[0] for c in eligible]
        if band.quota is not None:
            pools: dict[str, list[str]] = {"": taken}
            if band.quota.pool == "group":
                pools = {}
                for ident in taken:
                    pools.setdefault(group_of.get(ident, ""), []).append(ident)
            taken = []
            for pool, members in pools.items():
                size = len(order) if band.quota.pool == "all" else group_sizes[pool]
                taken.extend(
                    _within_quota(members, quota_size(band.quota, size), band.quota, ranks)
                )
        if not taken:
            continue
        for ident in taken:
            assigned[ident] = band.grade
        remaining = [c for c in remaining if c[0] not in assigned]
    for candidate in remaining:
        assigned[candidate[0]] = UNGRADED
    return assigned


def qualifying(band: ir.GradeBand, candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates (id, total, every slot value, vetoes) that qualify for
    ``band`` before its quota, in their order: no veto that blocks it, the
    threshold, the upper bound and the prerequisite.  A test at a time over
    all of them (a band is asked of every subject of a period)."""
    found = list(candidates)
    if band.blocked_by:
        blocked = frozenset(band.blocked_by)
        found = [c for c in found if blocked.isdisjoint(c[3])]
    if band.minimum is not None:
        low = band.minimum
        found = [c for c in found if not c[1] < low]
    if band.maximum is not None:
        high = band.maximum
        found = [c for c in found if not c[1] > high]
    if band.requires is not None:
        requires = band.requires
        found = [c for c in found if c[2][requires]]
    return found


def passes(
    program: ir.Program, band: ir.GradeBand, values: Sequence[object], vetoes: AbstractSet[str]
) -> bool:
    """Whether a subject qualifies for ``band`` before its quota (``qualifying``)."""
    total = values[program.total]
    assert isinstance(total, Decimal)
    return bool(qualifying(band, [("", total, values, vetoes)]))


def _within_quota(
    members: list[str], size: int, quota: ir.Quota, ranks: dict[str, int]
) -> list[str]:
    """The first ``size`` members in rank order; ties at the line as declared."""
    if len(members) <= size:
        return members
    inside = members[:size]
    if size == 0:
        return []
    line_rank = ranks[members[size - 1]]
    if ranks[members[size]] != line_rank:
        return inside
    if quota.ties == "include":
        return [m for m in members if ranks[m] <= line_rank]
    return [m for m in inside if ranks[m] < line_rank]
