"""The population stage against the code it replaced (issue #15): ranks and
grades from one sort per group must equal those of the first, plainly
written version, kept below as the reference (``_reference_standings``,
which ranks with ``semantics.ordering.competition_ranks``).

Populations are generated with many ties (few distinct totals, ``90`` beside
``90.0``, totals that differ only past the 28th digit, which a descending
key's negation rounds together), absent values in a tie-break key (exempt
scores), vetoes, subjects outside every group, quotas per group and over
all, ties at the quota line included or excluded, and sanctions carried in
(forced grades, caps, not scored, ranked last).  Last, the results' own
shortcut: a subject's indicator results found by its scores' identities.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from compiler import ir
from compiler.pipeline import compile_rules
from dsl.ruleset import DirectorySource
from runtime.engine import sanctions
from runtime.engine.population import UNGRADED, _places, _ranked, passes, quota_size, standings
from runtime.engine.results import Sanctioned
from semantics.ordering import competition_ranks, sort_key

RULES = """\
scheme: 测试
version: "1"
year: 2016
places: 2
organization:
  groups: [{id: g1}, {id: g2}]
  sections:
    - {id: s1, name: 甲, group: g1}
    - {id: s2, name: 乙, group: g1}
    - {id: s3, name: 丙, group: g1}
    - {id: s4, name: 丁, group: g2}
    - {id: s5, name: 戊, group: g2}
    - {id: s6, name: 己, group: g2}
    - {id: s7, name: 庚, group: g2}
items:
  - {id: fail_case, name: 否决, kind: veto, veto: fail}
  - {id: notice, name: 否优, kind: veto, veto: no_excellent}
indicators:
  - {id: a, name: 甲, points: 60, inputs: {a分: number}, machine: a分}
  - {id: b, name: 乙, points: 40, inputs: {b分: number}, machine: b分}
ranking:
  by: total
  ties: [b]
grades:
  - grade: 优秀
    min: 90
    quota: {share: 20%, rounding: half_up, ties: exclude}
    blocked_by: [fail, no_excellent]
  - grade: 良好
    min: 80
    blocked_by: [fail]
  - grade: 合格
    min: 60
    blocked_by: [fail]
  - grade: 不合格
    blocked_by: []
"""

_PROGRAM: list[ir.Program] = []


def _program() -> ir.Program:
    """The rule set above, compiled once for every example."""
    if not _PROGRAM:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "ruleset.yaml").write_text(RULES, encoding="utf-8")
            result = compile_rules(DirectorySource(folder))
        program = result.programs.get("section")
        assert result.ok and program is not None
        _PROGRAM.append(program)
    return _PROGRAM[0]


# ---------------------------------------------------------------------------
# The reference: the population stage as first written (before issue #15's
# sort-based rewrite), unchanged but for its names.


def _reference_key(program: ir.Program, values: Sequence[object]) -> tuple[object, ...]:
    assert program.ranking is not None
    parts = []
    for slot, descending in program.ranking.keys:
        value = values[slot]
        assert value is None or isinstance(value, Decimal)
        parts.append(sort_key(value, descending))
    return tuple(parts)


def _reference_standings(
    program: ir.Program,
    subjects: Sequence[tuple[str, Sequence[object]]],
    earlier: Mapping[str, Sequence[Sanctioned]] | None = None,
) -> dict[str, tuple[int, str, str | None]]:
    rulings = sanctions.rulings(program, subjects, "2016Q3", earlier, None)
    group_of = {}
    if program.organization is not None:
        group_of = {s.id: s.group for s in program.organization.sections}
    out = {i for i, _ in subjects if i in rulings and rulings[i].not_scored}
    ranked = [(i, v) for i, v in subjects if i not in out]
    keys = {
        i: sanctions.rank_key(rulings.get(i), _reference_key(program, v)) if rulings
        else _reference_key(program, v)
        for i, v in ranked
    }  # fmt: skip
    groups: dict[str, list[str]] = {}
    for ident, _ in ranked:
        groups.setdefault(group_of.get(ident, ""), []).append(ident)
    ranks: dict[str, int] = {}
    for members in groups.values():
        ranks.update(competition_ranks(members, keys))
    for ident in out:
        ranks[ident] = len(groups.get(group_of.get(ident, ""), [])) + 1
    grades = _reference_grades(program, ranked, ranks, group_of, rulings or None)
    for ident in out:
        forced = rulings[ident].forced
        grades[ident] = forced or sanctions.ungraded_label(program, UNGRADED)
    return {i: (ranks[i], group_of.get(i, ""), grades.get(i)) for i, _ in subjects}


def _reference_grades(
    program: ir.Program,
    subjects: Sequence[tuple[str, Sequence[object]]],
    ranks: dict[str, int],
    group_of: dict[str, str],
    rulings: Mapping[str, sanctions.Ruling] | None,
) -> dict[str, str]:
    values = dict(subjects)
    vetoes = {
        ident: {kind.removeprefix("veto:") for kind, slot in program.vetoes if vals[slot]}
        for ident, vals in subjects
    }
    order = sorted(values, key=lambda ident: (group_of.get(ident, ""), ranks[ident], ident))
    group_sizes: dict[str, int] = {}
    for ident in order:
        group = group_of.get(ident, "")
        group_sizes[group] = group_sizes.get(group, 0) + 1
    remaining = list(order)
    assigned: dict[str, str] = {}
    for ident, ruling in (rulings or {}).items():
        if ident in values and ruling.forced is not None:
            assigned[ident] = ruling.forced
    remaining = [ident for ident in remaining if ident not in assigned]
    for band in program.grades:
        eligible = [
            ident
            for ident in remaining
            if _reference_passes(program, band, values[ident], vetoes[ident])
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
                    _reference_within(members, quota_size(band.quota, size), band.quota, ranks)
                )
        for ident in taken:
            assigned[ident] = band.grade
        remaining = [ident for ident in remaining if ident not in assigned]
    for ident in remaining:
        assigned[ident] = UNGRADED
    return assigned


def _reference_passes(
    program: ir.Program, band: ir.GradeBand, values: Sequence[object], vetoes: set[str]
) -> bool:
    if vetoes.intersection(band.blocked_by):
        return False
    total = values[program.total]
    assert isinstance(total, Decimal)
    if band.minimum is not None and total < band.minimum:
        return False
    if band.maximum is not None and total > band.maximum:
        return False
    return band.requires is None or bool(values[band.requires])


def _reference_within(
    members: list[str], size: int, quota: ir.Quota, ranks: dict[str, int]
) -> list[str]:
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


# ---------------------------------------------------------------------------
# Generated populations.

TOTALS = [
    Decimal("95"),
    Decimal("95.0"),
    Decimal("92.5"),
    Decimal("90"),
    Decimal("90.00"),
    Decimal("88"),
    Decimal("81"),
    Decimal("79.99"),
    Decimal("60"),
    Decimal("40"),
    # Past the 28th digit: a descending key's negation rounds these together.
    Decimal("93.18000000000000000000000000000001"),
    Decimal("93.18000000000000000000000000000002"),
]
TIE_BREAKS = [None, Decimal("30"), Decimal("30.0"), Decimal("35"), Decimal("12.5")]
IDENTS = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "x1", "x2", "x3"]  # x: in no group

_outcomes = st.sampled_from(
    [
        {"grade": "不合格"},
        {"grade": "优秀"},
        {"at_most": "合格"},
        {"at_most": "良好"},
        {"scoring": "not_scored"},
        {"scoring": "ranked_last"},
        {"grade": "良好", "scoring": "ranked_last"},
    ]
)


@st.composite
def populations(
    draw: st.DrawFn,
) -> tuple[ir.Program, list[tuple[str, list[object]]], dict[str, list[Sanctioned]]]:
    program = _program()
    quota = draw(
        st.sampled_from(
            [
                ir.Quota(Decimal("0.2"), "half_up", None, None, "group", "exclude"),
                ir.Quota(Decimal("0.2"), "half_up", None, None, "group", "include"),
                ir.Quota(Decimal("0.3"), "down", None, None, "all", "exclude"),
                ir.Quota(Decimal("0.5"), "up", 1, None, "all", "include"),
            ]
        )
    )
    first = dataclasses.replace(program.grades[0], quota=quota)
    descending = draw(st.booleans())
    assert program.ranking is not None
    (total_slot, _), (tie_slot, _) = program.ranking.keys
    ranking = dataclasses.replace(
        program.ranking, keys=((total_slot, True), (tie_slot, descending))
    )
    program = dataclasses.replace(program, grades=(first, *program.grades[1:]), ranking=ranking)
    idents = draw(st.lists(st.sampled_from(IDENTS), unique=True, max_size=len(IDENTS)))
    subjects = []
    earlier: dict[str, list[Sanctioned]] = {}
    for ident in idents:
        values: list[object] = [None] * len(program.slots)
        values[total_slot] = draw(st.sampled_from(TOTALS))
        values[tie_slot] = draw(st.sampled_from(TIE_BREAKS))
        for _, slot in program.vetoes:
            values[slot] = draw(st.integers(0, 5)) == 0
        subjects.append((ident, values))
        if draw(st.integers(0, 3)) == 0:
            earlier[ident] = [Sanctioned("old", "旧", period="2016Q2", **draw(_outcomes))]
    return program, subjects, earlier


@settings(max_examples=300, deadline=None)
@given(populations())
def test_standings_equal_the_reference(
    population: tuple[ir.Program, list[tuple[str, list[object]]], dict[str, list[Sanctioned]]],
) -> None:
    program, subjects, earlier = population
    expected = _reference_standings(program, subjects)
    found = standings(program, subjects, "2016Q3")
    assert {i: (s.rank, s.group, s.grade) for i, s in found.items()} == expected
    # Listed by group, then rank, then id (the results' order).
    assert list(found) == sorted(found, key=lambda i: (found[i].group, found[i].rank, i))
    expected = _reference_standings(program, subjects, earlier)
    found = standings(program, subjects, "2016Q3", earlier)
    assert {i: (s.rank, s.group, s.grade) for i, s in found.items()} == expected


def test_totals_apart_past_the_context_digits_tie() -> None:
    # Two totals differing only in their 34th digit share a rank, as the
    # reference's negated sort keys did (the default context keeps 28 digits).
    program = _program()
    values: list[object] = [None] * len(program.slots)
    assert program.ranking is not None
    (total_slot, _), (tie_slot, _) = program.ranking.keys
    subjects = []
    for ident, total in (("s1", TOTALS[-1]), ("s2", TOTALS[-2]), ("s3", Decimal("50"))):
        mine = list(values)
        mine[total_slot], mine[tie_slot] = total, Decimal(30)
        for _, slot in program.vetoes:
            mine[slot] = False
        subjects.append((ident, mine))
    found = standings(program, subjects)
    assert (found["s1"].rank, found["s2"].rank) == (1, 1)


@given(
    st.lists(
        st.tuples(
            st.sampled_from([None, *TIE_BREAKS[1:], *TOTALS]), st.sampled_from(["", "g1", "g2"])
        ),
        max_size=30,
    ),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_ranked_is_competition_ranking_per_group(
    drawn: list[tuple[Decimal | None, str]], top: bool, random: Random
) -> None:
    # Ids not in the subjects' order (and some in no group), so that the
    # order by group, rank, then id is the sort's work.
    members = [f"m{n:02d}" for n in range(len(drawn))]
    random.shuffle(members)
    keys = [(sort_key(v, top),) for v, _ in drawn]
    group_of = {m: g for m, (_, g) in zip(members, drawn, strict=True) if g}
    found = _ranked(members, _places(keys), group_of)
    ranks = dict(zip(found.idents, found.ranks.tolist(), strict=True))
    for group in {g for _, g in drawn}:
        mine = [m for m in members if group_of.get(m, "") == group]
        key_of = dict(zip(members, keys, strict=True))
        assert {m: ranks[m] for m in mine} == competition_ranks(mine, key_of)
    assert found.groups == [group_of.get(m, "") for m in found.idents]
    assert found.idents == sorted(members, key=lambda m: (group_of.get(m, ""), ranks[m], m))
    assert found.sizes == dict(Counter(group_of.get(m, "") for m in members))


def test_passes_is_the_band_test() -> None:
    program = _program()
    values: list[object] = [None] * len(program.slots)
    values[program.total] = Decimal("90")
    top, good = program.grades[0], program.grades[1]
    assert passes(program, top, values, set())
    assert not passes(program, top, values, {"no_excellent"})
    assert passes(program, good, values, {"no_excellent"})
    values[program.total] = Decimal("89.99")
    assert not passes(program, top, values, set())


STATUS_RULES = """\
scheme: 测试
version: "1"
year: 2016
places: 2
organization:
  groups: [{id: g}]
  sections:
    - {id: s1, name: 甲, group: g}
    - {id: s2, name: 乙, group: g}
    - {id: s3, name: 丙, group: g}
    - {id: s4, name: 丁, group: g}
    - {id: s5, name: 戊, group: g}
indicators:
  - {id: a, name: 甲, points: 60, inputs: {a分: {type: number, missing: exempt}}, machine: a分}
  - {id: b, name: 乙, points: 40, inputs: {b分: number}, machine: b分}
"""


def test_indicator_results_follow_each_rows_status_and_text(tmp_path: Path) -> None:
    # Results are looked up by the identities of a subject's scores; an
    # absent score's status is the row's (no data collected, or exempt), and
    # 1.0 and 1.00 are different objects with their own text.
    from runtime.engine.compiled import CompiledEvaluator
    from runtime.engine.subjects import evaluate_period
    from runtime.inputs.data import Row

    (tmp_path / "ruleset.yaml").write_text(STATUS_RULES, encoding="utf-8")
    result = compile_rules(DirectorySource(str(tmp_path)))
    program, module = result.programs.get("section"), result.modules.get("section")
    assert result.ok and program is not None and module is not None
    one, ten, ten_again = Decimal("1.0"), Decimal("10"), Decimal("1.00")

    def row(subject: str, a: Decimal | None, unscored: frozenset[str] = frozenset()) -> Row:
        values = {"a分": a, "b分": ten}
        inputs = tuple(values.get(f.name, True) for f in program.inputs)
        return Row("2016Q3", subject, subject, inputs, "data.csv:2", unscored=unscored)

    rows = [
        row("s1", None, frozenset({"a"})),
        row("s2", None),
        row("s3", one),
        row("s4", ten_again),
        row("s5", one),
    ]
    results, problems = evaluate_period(program, CompiledEvaluator(program, module), rows, "2016Q3")
    assert not problems
    found = {r.id: {i.id: (str(i.score), i.status) for i in r.indicators} for r in results}
    assert found["s1"]["a"] == ("None", "no_data")
    assert found["s2"]["a"] == ("None", "exempt")
    assert found["s3"]["a"] == ("1.0", "scored")
    assert found["s4"]["a"] == ("1.00", "scored")
    # Equal tuples of results are one tuple (renderers key their cells by it).
    by_id = {r.id: r for r in results}
    assert by_id["s3"].indicators is by_id["s5"].indicators
    assert by_id["s1"].indicators is not by_id["s2"].indicators
