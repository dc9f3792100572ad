"""The population stage: ranks and grades of the subjects of one period.

Per-subject values come from the compiled evaluator; this stage reads every
subject of a pool at once.  Ranking is within each group of the organization
(all subjects when there is none), by the declared keys; subjects equal on
every key share a rank (1, 2, 2, 4).  Grades are assigned band by band, best
first: a subject gets the first band whose threshold, prerequisite and vetoes
it passes and whose quota still has room; what no band takes is "ungraded".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from compiler import ir
from runtime.engine import sanctions
from runtime.engine.results import Sanctioned
from semantics import quota as sizing
from semantics.ordering import competition_ranks, sort_key

UNGRADED = "ungraded"


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    group: str
    grade: str | None  # None: the rules declare no grades
    ruling: sanctions.Ruling | None = None  # what sanctions decided (runtime.engine.sanctions)


def _key(program: ir.Program, values: Sequence[object]) -> tuple[tuple[bool, Decimal], ...]:
    """Sort key, best first: absent values (exempt scores) after present ones."""
    assert program.ranking is not None
    parts = []
    for slot, descending in program.ranking.keys:
        value = values[slot]
        assert value is None or isinstance(value, Decimal)
        parts.append(sort_key(value, descending))
    return tuple(parts)


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
    ``durations``: per-event durations of the sanctions raised in it."""
    rulings = sanctions.rulings(program, subjects, label, earlier, durations)
    if rulings:
        return _sanctioned_standings(program, subjects, rulings)
    group_of = {}
    if program.organization is not None:
        group_of = {s.id: s.group for s in program.organization.sections}
    keys = {ident: _key(program, values) for ident, values in subjects}
    groups: dict[str, list[str]] = {}
    for ident, _ in subjects:
        groups.setdefault(group_of.get(ident, ""), []).append(ident)
    ranks: dict[str, int] = {}
    for members in groups.values():
        ranks.update(competition_ranks(members, keys))
    grades = _grades(program, subjects, ranks, group_of) if program.grades else {}
    return {
        ident: Standing(ranks[ident], group_of.get(ident, ""), grades.get(ident))
        for ident, _ in subjects
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
    group_of = {}
    if program.organization is not None:
        group_of = {s.id: s.group for s in program.organization.sections}
    out = {i for i, _ in subjects if i in rulings and rulings[i].not_scored}
    ranked = [(i, v) for i, v in subjects if i not in out]
    keys = {i: sanctions.rank_key(rulings.get(i), _key(program, v)) for i, v in ranked}
    groups: dict[str, list[str]] = {}
    for ident, _ in ranked:
        groups.setdefault(group_of.get(ident, ""), []).append(ident)
    ranks: dict[str, int] = {}
    for members in groups.values():
        ranks.update(competition_ranks(members, keys))
    for ident in out:
        ranks[ident] = len(groups.get(group_of.get(ident, ""), [])) + 1
    grades = _grades(program, ranked, ranks, group_of, rulings) if program.grades else {}
    for ident in out:
        forced = rulings[ident].forced
        grades[ident] = forced or sanctions.ungraded_label(program, UNGRADED)
    return {
        ident: Standing(
            ranks[ident], group_of.get(ident, ""), grades.get(ident), rulings.get(ident)
        )
        for ident, _ in subjects
    }


def _grades(
    program: ir.Program,
    subjects: Sequence[tuple[str, Sequence[object]]],
    ranks: dict[str, int],
    group_of: dict[str, str],
    rulings: Mapping[str, sanctions.Ruling] | None = None,
) -> dict[str, str]:
    values = dict(subjects)
    vetoes = {
        ident: {kind.removeprefix("veto:") for kind, slot in program.vetoes if vals[slot]}
        for ident, vals in subjects
    }
    order = sorted(values, key=lambda ident: (group_of.get(ident, ""), ranks[ident], ident))
    group_sizes: dict[str, int] = {}  # each pool's size, counted once
    for ident in order:
        group = group_of.get(ident, "")
        group_sizes[group] = group_sizes.get(group, 0) + 1
    remaining = list(order)
    assigned: dict[str, str] = {}
    for ident, ruling in (rulings or {}).items():  # a forced grade: no band gives it
        if ident in values and ruling.forced is not None:
            assigned[ident] = ruling.forced
    remaining = [ident for ident in remaining if ident not in assigned]
    for band in program.grades:
        eligible = [
            ident
            for ident in remaining
            if passes(program, band, values[ident], vetoes[ident])
            and (not rulings or sanctions.allows(program, rulings.get(ident), band.grade))
        ]
        if band.quota is None:
            taken = eligible
        else:
            taken = []
            pools: dict[str, list[str]] = {}
            for ident in eligible:
                pool = group_of.get(ident, "") if band.quota.pool == "group" else ""
                pools.setdefault(pool, []).append(ident)
            for pool, members in pools.items():
                size = len(order) if band.quota.pool == "all" else group_sizes[pool]
                taken.extend(
                    _within_quota(members, quota_size(band.quota, size), band.quota, ranks)
                )
        for ident in taken:
            assigned[ident] = band.grade
        remaining = [ident for ident in remaining if ident not in assigned]
    for ident in remaining:
        assigned[ident] = UNGRADED
    return assigned


def passes(
    program: ir.Program, band: ir.GradeBand, values: Sequence[object], vetoes: set[str]
) -> bool:
    """Whether a subject qualifies for ``band`` before its quota: threshold,
    upper bound, prerequisite and no veto that blocks it."""
    if vetoes.intersection(band.blocked_by):
        return False
    total = values[program.total]
    assert isinstance(total, Decimal)
    if band.minimum is not None and total < band.minimum:
        return False
    if band.maximum is not None and total > band.maximum:
        return False
    return band.requires is None or bool(values[band.requires])


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
