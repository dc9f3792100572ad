"""Issue #11.1: scores against the group, in a second evaluation stage.

Rank-based points with ties, the ratio to the best unit and the distance from
the group's average are ordinary formulas over group functions; the compiler
puts them in a later stage, both backends agree, rule tests and `explain` see
them, `verify` bounds them, and a rank-based score is monotone in the value
ranked.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from compiler import ir
from compiler.codegen import PER_MEMBER
from compiler.intervals import bounds
from runtime.engine import groups
from runtime.engine.compiled import CompiledEvaluator
from runtime.engine.groups import pool_of, run_period, run_stages
from runtime.engine.interpreter import Interpreter
from semantics import operations as op
from semantics.builtins import GROUP_FUNCTIONS
from semantics.intervals import Interval
from semantics.operations import Fault
from semantics.ordering import competition_ranks, sort_key
from tests.clirun import run
from tests.strategies import RuleSetCase, rule_sets
from tests.test_properties import SETTINGS, _fault_key, _value_key, compile_files

D = Decimal
GROUPS = Path("tests/cases/groups")
HEADER = 'scheme: s\nversion: "1"\nyear: 2016\n'


def _organization(*groups: str) -> str:
    """Sections s0, s1, ... in the groups given, one per argument."""
    lines = ["organization:", f"  groups: [{', '.join('{id: ' + g + '}' for g in set(groups))}]"]
    lines.append("  sections:")
    lines += [f"    - {{id: s{n}, name: s{n}, group: {g}}}" for n, g in enumerate(groups)]
    return "\n".join(lines) + "\n"


def _program(text: str) -> tuple[ir.Program, CompiledEvaluator]:
    compilation = compile_files({"ruleset.yaml": HEADER + text})
    assert compilation.ok, compilation.diagnostics
    program, module = compilation.programs["section"], compilation.modules["section"]
    assert program is not None and module is not None
    return program, CompiledEvaluator(program, module)


def _period(
    program: ir.Program, backend: CompiledEvaluator | Interpreter, rows: list[dict[str, object]]
) -> dict[str, dict[str, object]]:
    """Every stage of rows s0, s1, ...: each subject's values by slot name."""
    with decimal.localcontext(op.CONTEXT):
        first = [
            (f"s{n}", backend.first_stage(tuple(row[f.name] for f in program.inputs)))
            for n, row in enumerate(rows)
        ]
    done, faults = run_stages(program, backend.later_stage, first)
    assert not faults, faults
    return {s: {slot.name: values[slot.index] for slot in program.slots} for s, values in done}


RANKED = """\
inputs:
  完成率: {type: percent, min: 0, max: 2}
  收入: {type: money, min: 0}
  满意度: {type: number, min: 0, max: 100, missing: exempt}
indicators:
  - id: rank
    name: 名次
    points: 10
    score: 10 - (rank_in_group(完成率) - 1) * 0.5
  - id: best
    name: 比最好
    points: 10
    score: 10 * 收入 / group_max(收入)
  - id: mean
    name: 比平均
    points: 10
    score: clamp(5 + (满意度 - group_average(满意度)) * 0.5, 0, 10)
  - id: share
    name: 占比
    points: 10
    score: share_of_group(收入) * 10 + rank_from_bottom(完成率) + group_count() * 0
"""

ROWS: list[dict[str, object]] = [
    {"完成率": D("0.95"), "收入": D(800), "满意度": D(90)},
    {"完成率": D("0.90"), "收入": D(1000), "满意度": D(80)},
    {"完成率": D("0.95"), "收入": D(200), "满意度": None},
    {"完成率": D("1.10"), "收入": D(0), "满意度": D(70)},
    {"完成率": D("0.50"), "收入": D(10), "满意度": D(60)},
]


def test_rank_ties_ratio_to_best_and_distance_from_average() -> None:
    program, evaluator = _program(RANKED + _organization("a", "a", "a", "a", "b"))
    assert program.stages == 2
    values = _period(program, evaluator, ROWS)
    # Ranks 1, 2, 2, 4 in group a (competition ranking); s4 alone in group b.
    assert [values[s]["rank_in_group(完成率)"] for s in ("s0", "s1", "s2", "s3", "s4")] == [
        D(2), D(4), D(2), D(1), D(1)
    ]  # fmt: skip
    assert [values[s]["rank"] for s in ("s0", "s1", "s2", "s3")] == [
        D("9.5"), D("8.5"), D("9.5"), D(10)
    ]  # fmt: skip
    assert values["s0"]["best"] == D(8) and values["s1"]["best"] == D(10)
    # The absent satisfaction of s2 is left out of the average (80) and its indicator unscored.
    assert values["s0"]["group_average(满意度)"] == D(80)
    assert values["s0"]["mean"] == D(10) and values["s3"]["mean"] == D(0)
    assert values["s2"]["mean"] is None
    assert values["s0"]["share_of_group(收入)"] == D("0.4")
    assert values["s3"]["rank_from_bottom(完成率)"] == D(4)
    assert values["s4"]["group_count()"] == D(1)
    assert _period(program, Interpreter(program), ROWS) == values


def test_a_subject_alone_is_its_group() -> None:
    program, evaluator = _program(RANKED + _organization("a"))
    row = tuple(ROWS[0][f.name] for f in program.inputs)
    values = evaluator.evaluate(row)
    assert values == Interpreter(program).evaluate(row)
    assert values[program.slots.index(next(s for s in program.slots if s.name == "rank"))] == 10


def test_a_group_value_of_a_group_value_is_a_third_stage() -> None:
    program, evaluator = _program(
        "inputs:\n  x: number\nvalues:\n  名次分: 10 - rank_in_group(x)\n"
        "indicators:\n  - id: a\n    name: a\n    points: 10\n"
        "    score: 名次分 - group_average(名次分)\n" + _organization("g", "g", "g")
    )
    assert program.stages == 3
    assert [g.stage for g in program.groups] == [2, 3]
    rows: list[dict[str, object]] = [{"x": D(3)}, {"x": D(1)}, {"x": D(2)}]
    values = _period(program, evaluator, rows)
    assert [values[s]["a"] for s in ("s0", "s1", "s2")] == [D(1), D(-1), D(0)]
    assert _period(program, Interpreter(program), rows) == values


def test_a_share_of_a_group_summing_to_zero_is_a_located_fault() -> None:
    program, evaluator = _program(
        "inputs:\n  x: {type: number, min: 0}\nindicators:\n  - id: a\n    name: a\n"
        "    points: 10\n    score: share_of_group(x) * 10\n" + _organization("g", "g")
    )
    first = [(f"s{n}", evaluator.first_stage((D(0),))) for n in range(2)]
    _, faults = run_stages(program, evaluator.later_stage, first)
    assert [(s, f.code, getattr(f.site, "text", "")) for s, f in faults] == [
        ("s0", "E0701", "share_of_group(x)"),
        ("s1", "E0701", "share_of_group(x)"),
    ]


def test_a_value_may_not_rank_an_input_that_may_be_absent() -> None:
    compilation = compile_files(
        {
            "ruleset.yaml": HEADER + "inputs:\n  x: {type: number, missing: exempt}\n"
            "values:\n  v: rank_in_group(x)\nindicators:\n  - id: a\n    name: a\n"
            "    points: 10\n    score: v\n"
        }
    )
    assert [d.code for d in compilation.diagnostics] == ["E0423"]


def test_programs_without_group_functions_have_one_stage() -> None:
    program, evaluator = _program(
        "inputs:\n  x: number\nindicators:\n  - id: a\n    name: a\n    points: 10\n    score: x\n"
    )
    assert program.stages == 1 and program.groups == ()
    assert "_stage" not in evaluator.module.source


def test_verify_bounds_group_scores() -> None:
    program, _ = _program(RANKED + _organization("a", "a", "a", "a", "b"))
    found = bounds(program)
    by_name = {slot.name: found.get(slot.index) for slot in program.slots}
    assert by_name["rank_in_group(完成率)"] == Interval(D(1), D(4))
    assert by_name["rank"] == Interval(D("8.5"), D(10))
    assert by_name["best"] == Interval(D(0), D(10))  # a ratio to the best
    assert by_name["mean"] == Interval(D(0), D(10))
    assert by_name["share_of_group(收入)"] == Interval(D(0), D(1))
    assert by_name["group_average(满意度)"] == Interval(D(0), D(100))


def test_the_group_scheme_passes_its_rule_tests() -> None:
    code, out, err = run("test", str(GROUPS), "--lang", "en")
    assert (code, err) == (0, ""), out + err
    assert "1 case(s): 1 passed" in out


def test_explain_shows_the_group_values_a_score_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "wide.csv").write_text(
        "period,subject,完成率,税收收入,满意度\n2016Q4,c1,95%,800,90\n2016Q4,c2,90%,1000,80\n"
        "2016Q4,c3,95%,500,\n2016Q4,c4,110%,250,70\n2016Q4,p1,50%,10,60\n",
        encoding="utf-8",
    )
    code, out, err = run(
        "explain", str(GROUPS), "--data", str(data), "--subject", "c1", "--lang", "en"
    )
    assert (code, err) == (0, ""), out + err
    assert "rank_in_group(完成率) = 2 (rank 2 of 4 in the group)" in out
    assert "group_max(税收收入) = 1000 (over 4 in the group)" in out
    assert "group_average(满意度) = 80 (over 3 in the group)" in out
    assert "= 10 * 税收收入 / group_max(税收收入)" in out
    code, out, _ = run("evaluate", str(GROUPS), "--data", str(data), "--format", "csv")
    assert code == 0


# -- a rank-based score is monotone in the value ranked -------------------------------

MONOTONE = """\
inputs:
  x: number
indicators:
  - id: top
    name: 名次分
    points: 10
    score: max(0, 10 - (rank_in_group(x) - 1) * 0.5)
  - id: bottom
    name: 倒数名次分
    points: 10
    score: min(10, rank_from_bottom(x))
"""


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-5, 5).map(D), min_size=2, max_size=8),
    st.data(),
)
def test_a_rank_based_score_is_monotone_in_the_value_ranked(
    xs: list[Decimal], data: st.DataObject
) -> None:
    program, evaluator = _program(MONOTONE + _organization(*["g"] * len(xs)))
    before = _period(program, evaluator, [{"x": x} for x in xs])
    for a in before:
        for b in before:
            xa, xb = xs[int(a[1:])], xs[int(b[1:])]
            if xa >= xb:
                assert before[a]["top"] >= before[b]["top"]  # type: ignore[operator]
                assert before[a]["bottom"] >= before[b]["bottom"]  # type: ignore[operator]
    # Raising one subject's value never lowers its score.
    who = data.draw(st.integers(0, len(xs) - 1))
    raised = list(xs)
    raised[who] += data.draw(st.integers(1, 5).map(D))
    after = _period(program, evaluator, [{"x": x} for x in raised])
    name = f"s{who}"
    assert after[name]["top"] >= before[name]["top"]  # type: ignore[operator]
    assert after[name]["bottom"] >= before[name]["bottom"]  # type: ignore[operator]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-3, 3).map(D)), max_size=12), st.booleans())
def test_group_ranks_are_competition_ranks(values: list[Decimal | None], top: bool) -> None:
    helper = GROUP_FUNCTIONS["rank_in_group" if top else "rank_from_bottom"].helper
    present = [n for n, v in enumerate(values) if v is not None]
    keys = {n: sort_key(values[n], top) for n in present}
    expected = competition_ranks(present, keys)
    found = helper(values, None)
    assert isinstance(found, list)
    assert found == [D(expected[n]) if n in expected else None for n in range(len(values))]


def test_a_fault_in_the_fast_later_stage_is_located_subject_by_subject() -> None:
    program, evaluator = _program(
        "inputs:\n  x: number\nindicators:\n  - id: a\n    name: a\n    points: 10\n"
        "    score: 10 / (x - group_min(x))\n" + _organization("g", "g", "g")
    )
    with decimal.localcontext(op.CONTEXT):
        first = [(f"s{n}", evaluator.first_stage((D(n),))) for n in range(3)]
    done, faults = run_stages(program, evaluator.later_stage, first, evaluator.later_batch)
    assert [s for s, _ in done] == ["s1", "s2"]
    assert [(s, f.code, getattr(f.site, "text", "")) for s, f in faults] == [
        ("s0", "E0701", "x - group_min(x)")
    ]


# -- The runtime's path (run_period: a pool at a time, the generated loops)
# -- against the stages one after the other over everyone, one subject at a time.

Backend = CompiledEvaluator | Interpreter
Outcome = tuple[list[tuple[str, tuple[object, ...]]], list[tuple[str, tuple[object, ...]]]]


def _stage_by_stage(
    program: ir.Program, backend: Backend, members: Sequence[tuple[str, tuple[object, ...]]]
) -> tuple[list[tuple[str, tuple[object, ...]]], list[tuple[str, Fault]]]:
    """The reference order of work: stage 1 of every member; then, stage by
    stage, every group value over every pool, then that stage of every
    member still standing; faults stage by stage, in the members' order."""
    faults: list[tuple[str, Fault]] = []
    standing: list[tuple[str, tuple[object, ...]]] = []
    with decimal.localcontext(op.CONTEXT):
        for ident, row in members:
            try:
                standing.append((ident, backend.first_stage(row)))
            except Fault as fault:
                faults.append((ident, fault))
        where = pool_of(program)
        for stage in range(2, program.stages + 1):
            pools: dict[str, list[int]] = {}
            for n, (ident, _) in enumerate(standing):
                pools.setdefault(where.get(ident, ""), []).append(n)
            mine: list[list[object]] = [[] for _ in standing]
            failed: dict[int, Fault] = {}
            for group in (g for g in program.groups if g.stage == stage):
                helper = GROUP_FUNCTIONS[group.fn].helper
                for pool in pools.values():
                    values = [D(0) if group.of is None else standing[n][1][group.of] for n in pool]
                    try:
                        found: object = helper(values, group.span)  # type: ignore[arg-type]
                    except Fault as fault:
                        failed.update((n, failed.get(n, fault)) for n in pool)
                        found = [None] * len(pool)
                    for k, n in enumerate(pool):
                        mine[n].append(found[k] if isinstance(found, list) else found)
            kept: list[tuple[str, tuple[object, ...]]] = []
            for n, (ident, so_far) in enumerate(standing):
                if n in failed:
                    faults.append((ident, failed[n]))
                    continue
                try:
                    kept.append((ident, backend.later_stage(stage, so_far, tuple(mine[n]))))
                except Fault as fault:
                    faults.append((ident, fault))
            standing = kept
    return standing, faults


def _keys(done: list[tuple[str, tuple[object, ...]]], faults: list[tuple[str, Fault]]) -> Outcome:
    return (
        [(s, tuple(map(_value_key, values))) for s, values in done],
        [(s, _fault_key(fault)) for s, fault in faults],
    )


def _runtime_path(
    program: ir.Program,
    evaluator: CompiledEvaluator,
    members: Sequence[tuple[str, tuple[object, ...]]],
) -> Outcome:
    kept, done, faults = run_period(
        program,
        [ident for ident, _ in members],
        [row for _, row in members],
        evaluator.first_stage,
        evaluator.later_stage,
        evaluator.first_batch,
        evaluator.later_batch,
    )
    return _keys(list(zip(kept, done, strict=True)), faults)


def _compiled_case(
    case: RuleSetCase,
) -> tuple[ir.Program, CompiledEvaluator, list[tuple[str, tuple[object, ...]]]]:
    """The case's section program, its compiled evaluator and its rows as
    (id, inputs) members."""
    compilation = compile_files(case.files)
    assert compilation.ok, (case.dump(), compilation.diagnostics)
    program, module = compilation.programs["section"], compilation.modules["section"]
    assert program is not None and module is not None, case.dump()
    members = [
        (f"s{n}", tuple(row[f.name] for f in program.inputs)) for n, row in enumerate(case.rows)
    ]
    return program, CompiledEvaluator(program, module), members


@settings(max_examples=100, **SETTINGS)
@given(rule_sets(exempt_values=False, groups=True, max_rows=6))
def test_pool_by_pool_with_the_generated_loops_is_stage_by_stage(case: RuleSetCase) -> None:
    """``run_period`` with the batch paths (the runtime's: pools in turn, the
    generated ``_stage<k>_many`` loops, faults rerun one by one) gives every
    subject the values, and every fault in the order, that the stages one
    after the other give, compiled one subject at a time or interpreted; and
    ``run_stages`` after stage 1 gives the same."""
    program, evaluator, members = _compiled_case(case)
    expected = _keys(*_stage_by_stage(program, Interpreter(program), members))
    assert _keys(*_stage_by_stage(program, evaluator, members)) == expected, case.dump()
    assert _runtime_path(program, evaluator, members) == expected, (
        case.dump(),
        evaluator.module.source,
    )
    first: list[tuple[str, tuple[object, ...]]] = []
    early: list[tuple[str, Fault]] = []
    with decimal.localcontext(op.CONTEXT):
        for ident, row in members:
            try:
                first.append((ident, evaluator.first_stage(row)))
            except Fault as fault:
                early.append((ident, fault))
    done, faults = run_stages(program, evaluator.later_stage, first, evaluator.later_batch)
    assert _keys(done, early + faults) == expected, case.dump()


@settings(max_examples=60, **SETTINGS)
@given(rule_sets(exempt_values=False, groups=True, max_rows=6), st.integers(1, 4))
def test_pools_taken_together_are_pools_in_turn(case: RuleSetCase, together: int) -> None:
    """Consecutive pools run through each stage's generated loop at once
    (``groups._TOGETHER`` members at least; here 1 to 4, so that the rows
    split into runs of pools anywhere) give what the stages one after the
    other give, faults and their order included."""
    program, evaluator, members = _compiled_case(case)
    expected = _keys(*_stage_by_stage(program, Interpreter(program), members))
    kept = groups._TOGETHER
    groups._TOGETHER = together
    try:
        assert _runtime_path(program, evaluator, members) == expected, (case.dump(), together)
    finally:
        groups._TOGETHER = kept


def test_faults_of_every_stage_and_pool_keep_their_order() -> None:
    """Pools apart in the rows (g, h, g, h, g): a stage-1 fault, a pool whose
    share faults, a member's stage-2 fault; those standing in their order."""
    program, evaluator = _program(
        "inputs:\n  x: number\n  y: number\nvalues:\n  q: 1 / x\n"
        "indicators:\n  - id: a\n    name: a\n    points: 10\n"
        "    score: share_of_group(y) + 1 / (q - group_min(q))\n"
        + _organization("g", "h", "g", "h", "g", "g")
    )
    rows = [(D(1), D(1)), (D(2), D(0)), (D(0), D(1)), (D(4), D(0)), (D(2), D(1)), (D(4), D(2))]
    members = [(f"s{n}", row) for n, row in enumerate(rows)]
    kept, _, faults = run_period(
        program,
        [ident for ident, _ in members],
        rows,
        evaluator.first_stage,
        evaluator.later_stage,
        evaluator.first_batch,
        evaluator.later_batch,
    )
    assert kept == ["s0", "s4"]
    assert [(s, f.code, getattr(f.site, "text", "")) for s, f in faults] == [
        ("s2", "E0701", "x"),
        ("s1", "E0701", "share_of_group(y)"),
        ("s3", "E0701", "share_of_group(y)"),
        ("s5", "E0701", "q - group_min(q)"),
    ]
    assert _runtime_path(program, evaluator, members) == _keys(
        *_stage_by_stage(program, Interpreter(program), members)
    )


def test_a_rule_set_without_inputs_counts_its_pools() -> None:
    """The generated stage-1 loop with no inputs to unpack."""
    program, evaluator = _program(
        "indicators:\n  - id: a\n    name: a\n    points: 10\n    score: group_count()\n"
        + _organization("g", "g", "h")
    )
    members: list[tuple[str, tuple[object, ...]]] = [("s0", ()), ("s1", ()), ("s2", ())]
    found = _runtime_path(program, evaluator, members)
    assert found == _keys(*_stage_by_stage(program, Interpreter(program), members))
    assert [values[program.indicators[0].score] for _, values in found[0]] == [
        ("Decimal", "2"), ("Decimal", "2"), ("Decimal", "1")
    ]  # fmt: skip


def test_per_member_group_values_are_those_whose_helper_gives_a_list() -> None:
    """The generated later-stage loops take a pool's single group values once
    and each member's own beside its values (``compiler.codegen.per_member``):
    that split must be the helpers' own (a list, a value per member)."""
    for name, function in GROUP_FUNCTIONS.items():
        found = function.helper([D(1), D(2), None], None)
        assert isinstance(found, list) == (name in PER_MEMBER), name
