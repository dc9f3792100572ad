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

import numpy as np

from compiler import ir
from runtime.engine import sanctions
from runtime.engine.results import Sanctioned
from semantics import quota as sizing
from semantics.ordering import sort_key

UNGRADED = "ungraded"
Array = Any  # a numpy array


class Standing(NamedTuple):
    """A subject's place in its period.  A named tuple, not a dataclass: one is
    made per subject (100,000 at a time), and a tuple is made several times
    faster than a frozen dataclass sets its fields."""

    rank: int
    group: str
    grade: str | None  # None: the rules declare no grades
    ruling: sanctions.Ruling | None = None  # what sanctions decided (runtime.engine.sanctions)


def _keys(program: ir.Program, subjects: Sequence[tuple[str, Sequence[object]]]) -> Array:
    """Each subject's sort key, best first, as its place among the subjects'
    distinct keys.  A key is a tuple, one part per ranking key
    (``sort_key``: absent values, exempt scores, after present ones); each
    part is made once per distinct value of its slot (a population repeats
    its totals) and placed among that slot's parts (``_places``), and the
    tuples of places are then placed in turn (``_combined``).

    Equal values give equal keys, but not only they: a descending key is
    the negated value, which the decimal context in force rounds (to 28
    digits outside evaluation), so two totals that differ past that digit
    tie.  Subjects are therefore ranked by their keys, never by their
    values."""
    assert program.ranking is not None
    rows = [values for _, values in subjects]
    columns = []
    for slot, descending in program.ranking.keys:
        values = list(map(itemgetter(slot), rows))
        distinct = list(dict.fromkeys(values))
        parts = []
        for value in distinct:
            assert value is None or isinstance(value, Decimal)
            parts.append(sort_key(value, descending))
        place = dict(zip(distinct, _places(parts).tolist(), strict=True))
        columns.append(np.fromiter(map(place.__getitem__, values), dtype=np.int64, count=len(rows)))
    return _combined(columns)


def _combined(columns: Sequence[Array]) -> Array:
    """Each row's place among the distinct tuples of its places in
    ``columns`` (compared column by column, as tuples compare)."""
    if len(columns) == 1:
        return columns[0]
    order = np.lexsort(columns[::-1])  # the last key sorts first
    new = np.zeros(len(order), dtype=bool)
    new[:1] = True
    for column in columns:
        ordered = column[order]
        new[1:] |= ordered[1:] != ordered[:-1]
    places = np.empty(len(order), dtype=np.int64)
    places[order] = np.cumsum(new) - 1
    return places


def _places(keys: Sequence[Hashable]) -> Array:
    """Each key's place (int64) among the distinct keys sorted, best first:
    equal keys one place, so the keys must hash as they compare (Decimals
    and tuples of them do: 1.0 and 1.00 are one key)."""
    distinct: list[Any] = list(dict.fromkeys(keys))  # Any: keys sort, Hashable does not say
    distinct.sort()
    placed = {key: n for n, key in enumerate(distinct)}
    return np.fromiter(map(placed.__getitem__, keys), dtype=np.int64, count=len(keys))


def _group_of(program: ir.Program) -> dict[str, str]:
    """Each section's group ("" for anyone else: all one pool)."""
    if program.organization is None:
        return {}
    return {s.id: s.group for s in program.organization.sections}


class _Ranking(NamedTuple):
    """The subjects of a period in the order grades are given in (by group,
    then rank, then id), as columns: position ``p`` of each is the ``p``-th
    subject of that order."""

    idents: list[str]
    ranks: Array  # int64: each one's rank within its group
    groups: list[str]  # each one's group ("" for anyone outside groups)
    group_at: Array  # int64: each one's group's place among the groups, sorted
    sizes: dict[str, int]  # each group's number of subjects


def _ranked(idents: Sequence[str], places: Array, group_of: Mapping[str, str]) -> _Ranking:
    """Competition ranks within each group (as
    ``semantics.ordering.competition_ranks`` states them) by one sort of
    whole columns: each subject's group and id are replaced by their places
    among the groups and ids, its key by its place among the keys
    (``places``, from ``_keys``), and the subjects sorted by (group, key,
    id).  A subject's rank is then 1 + its position in its group less that
    of the first subject of its key."""
    count = len(idents)
    if group_of.keys().isdisjoint(idents):  # people, or no groups: one pool
        groups = [""] * count
        group_at = np.zeros(count, dtype=np.int64)
    else:
        groups = list(map(group_of.get, idents, repeat("")))
        named = {group: n for n, group in enumerate(sorted(set(groups)))}
        group_at = np.fromiter(map(named.__getitem__, groups), dtype=np.int64, count=count)
    by_id = np.empty(count, dtype=np.int64)
    by_id[sorted(range(count), key=idents.__getitem__)] = np.arange(count)
    order = np.lexsort((by_id, places, group_at))  # the last key sorts first
    group_at, key_at = group_at[order], places[order]
    first_of_group = np.ones(count, dtype=bool)
    first_of_group[1:] = group_at[1:] != group_at[:-1]
    first_of_key = first_of_group.copy()
    first_of_key[1:] |= key_at[1:] != key_at[:-1]
    position = np.arange(count, dtype=np.int64)
    group_start = np.maximum.accumulate(np.where(first_of_group, position, 0))
    key_start = np.maximum.accumulate(np.where(first_of_key, position, 0))
    at = order.tolist()
    return _Ranking(
        list(map(idents.__getitem__, at)),
        key_start - group_start + 1,
        list(map(groups.__getitem__, at)),
        group_at,
        dict(Counter(groups)),
    )


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
    ranking = _ranked([i for i, _ in subjects], _keys(program, subjects), _group_of(program))
    grades = _grades(program, subjects, ranking) if program.grades else repeat(None)
    # Standing(rank, group, grade) without a Python call per subject: a named
    # tuple is a tuple of its fields.
    made = map(
        tuple.__new__,
        repeat(Standing),
        zip(ranking.ranks.tolist(), ranking.groups, grades, repeat(None)),
    )
    return dict(zip(ranking.idents, made, strict=True))


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
        sanctions.rank_key(rulings.get(i), (place,))  # a key's place ranks as the key does
        for i, place in zip(idents, _keys(program, ranked).tolist(), strict=True)
    ]
    ranking = _ranked(idents, _places(keys), group_of)
    ranks = dict(zip(ranking.idents, ranking.ranks.tolist(), strict=True))
    for ident in out:
        ranks[ident] = ranking.sizes.get(group_of.get(ident, ""), 0) + 1
    grades: dict[str, str] = {}
    if program.grades:
        grades = dict(zip(ranking.idents, _grades(program, ranked, ranking, rulings), strict=True))
    for ident in out:
        forced = rulings[ident].forced
        grades[ident] = forced or sanctions.ungraded_label(program, UNGRADED)
    return {
        ident: Standing(
            ranks[ident], group_of.get(ident, ""), grades.get(ident), rulings.get(ident)
        )
        for ident in [*ranking.idents, *(i for i, _ in subjects if i in out)]
    }


def _grades(
    program: ir.Program,
    subjects: Sequence[tuple[str, Sequence[object]]],
    ranking: _Ranking,
    rulings: Mapping[str, sanctions.Ruling] | None = None,
) -> list[str]:
    """Each subject's grade (in the ranking's order), band by band, best
    first: a band takes what ``qualifying`` lets through of the subjects no
    band took yet, within its quota.  A band's tests run over columns: the
    thresholds once per distinct total, then picked for every subject."""
    values = dict(subjects)
    order = ranking.idents
    count = len(order)
    mine = list(map(values.__getitem__, order))  # each one's slot values
    vetoes: dict[int, set[str]] = {}  # by position: only the subjects some veto holds for
    for kind, slot in program.vetoes:
        raised = np.fromiter(map(bool, map(itemgetter(slot), mine)), dtype=bool, count=count)
        for position in np.flatnonzero(raised).tolist():
            vetoes.setdefault(position, set()).add(kind.removeprefix("veto:"))
    totals = list(map(itemgetter(program.total), mine))
    distinct = list(dict.fromkeys(totals))
    total_at = np.fromiter(
        map({t: n for n, t in enumerate(distinct)}.__getitem__, totals), dtype=np.int64, count=count
    )
    labels = [band.grade for band in program.grades]
    band_of = np.full(count, len(labels), dtype=np.int64)  # len(labels): ungraded
    forced: dict[int, str] = {}  # a forced grade: no band gives it
    if rulings:
        for position, ident in enumerate(order):
            ruling = rulings.get(ident)
            if ruling is not None and ruling.forced is not None:
                forced[position] = ruling.forced
    open_ = np.ones(count, dtype=bool)
    open_[list(forced)] = False
    for number, band in enumerate(program.grades):
        eligible = open_ & _qualifying_column(band, distinct, total_at, mine, vetoes)
        if rulings:
            for position in np.flatnonzero(eligible).tolist():
                if not sanctions.allows(program, rulings.get(order[position]), band.grade):
                    eligible[position] = False
        taken = np.flatnonzero(eligible)
        if band.quota is not None:
            taken = _quota_taken(band.quota, taken, ranking)
        band_of[taken] = number
        open_[taken] = False
    graded = [*labels, UNGRADED]
    found = list(map(graded.__getitem__, band_of.tolist()))
    for position, grade in forced.items():
        found[position] = grade
    return found


def _quota_taken(quota: ir.Quota, taken: Array, ranking: _Ranking) -> Array:
    """What a band's quota leaves of the subjects that qualify (positions in
    the ranking's order): the whole period one pool, or (``group``) each
    group, a run of positions since the order is by group first."""
    pools = [taken]
    if quota.pool == "group":
        at = ranking.group_at[taken]
        pools = np.split(taken, (np.flatnonzero(at[1:] != at[:-1]) + 1).tolist())
    kept = []
    for members in pools:
        if quota.pool == "all":
            size = len(ranking.idents)
        else:  # a group's (or the one pool "" of subjects outside groups)
            size = ranking.sizes.get(ranking.groups[members[0]] if len(members) else "", 0)
        kept.append(_within_quota(members, quota_size(quota, size), quota, ranking.ranks))
    return np.concatenate(kept)


def _qualifying_column(
    band: ir.GradeBand,
    distinct: list[Any],
    total_at: Array,
    mine: list[Sequence[object]],
    vetoes: Mapping[int, AbstractSet[str]],
) -> Array:
    """``qualifying`` over columns: whether each subject (by position) passes
    ``band``'s vetoes, threshold, upper bound and prerequisite, its total
    being ``distinct[total_at[p]]``."""
    found = np.ones(len(mine), dtype=bool)
    if band.blocked_by:
        blocked = frozenset(band.blocked_by)
        for position, raised in vetoes.items():
            if not blocked.isdisjoint(raised):
                found[position] = False
    if band.minimum is not None:
        low = band.minimum
        found &= np.array([not t < low for t in distinct], dtype=bool)[total_at]
    if band.maximum is not None:
        high = band.maximum
        found &= np.array([not t > high for t in distinct], dtype=bool)[total_at]
    if band.requires is not None:
        requires = itemgetter(band.requires)
        found &= np.fromiter(map(bool, map(requires, mine)), dtype=bool, count=len(mine))
    return found


def passes(
    program: ir.Program, band: ir.GradeBand, values: Sequence[object], vetoes: AbstractSet[str]
) -> bool:
    """Whether a subject qualifies for ``band`` before its quota (``_qualifying_column``)."""
    total = values[program.total]
    assert isinstance(total, Decimal)
    at = np.zeros(1, dtype=np.int64)
    return bool(_qualifying_column(band, [total], at, [values], {0: vetoes})[0])


def _within_quota(members: Array, size: int, quota: ir.Quota, ranks: Array) -> Array:
    """The first ``size`` members (positions in the ranking's order) in rank
    order; ties at the line as declared."""
    if len(members) <= size:
        return members
    inside = members[:size]
    if size == 0:
        return inside
    line_rank = ranks[members[size - 1]]
    if ranks[members[size]] != line_rank:
        return inside
    if quota.ties == "include":
        return members[ranks[members] <= line_rank]
    return inside[ranks[inside] < line_rank]
