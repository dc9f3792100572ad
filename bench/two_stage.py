"""Benchmark: a rule set scoring against the group, compiled in two stages
against a hand-written two-pass function.

Run from the repository root:  python bench/two_stage.py [--subjects N] [--repeats R]
(``bench/evaluator.py`` runs it too and prints its last line.)

1. ``RULES`` (below): sections in groups of ``GROUP_SIZE``; a completion rate
   scored per subject (stage 1), and three scores against the group (stage 2):
   points by rank with ties, the ratio to the best unit, the distance from
   the group's average of an input that may be absent; the total normalized.
2. ``hand_two_pass`` computes the same in plain Python ``Decimal`` code: one
   pass per subject, the group figures per group, a second pass per subject.
   Every score and total must be identical (value and text); else exit 1.
3. Both evaluate a whole period: the compiled path is the runtime's
   (``runtime.engine.groups.run_period``, as ``runtime.engine.subjects``
   calls it): a pool at a time, stage 1 per subject (generated code), the
   group values, stage 2 (a generated loop over the pool's subjects), every
   slot of every subject kept.  Timed interleaved (``time_both``: CPU time,
   slices of whole groups taking turns, each first on every other repeat,
   each slice at its best); the last line printed
   is ``two-stage ratio: X.XX`` = compiled speed / hand-written speed
   (target: at least 0.9).
"""

from __future__ import annotations

import argparse
import decimal
import random
import statistics
import sys
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.interleave import time_in_turns  # noqa: E402
from compiler import ir  # noqa: E402
from compiler.pipeline import compile_rules  # noqa: E402
from dsl.diagnostics import render_all  # noqa: E402
from dsl.ruleset import DirectorySource  # noqa: E402
from runtime.engine.compiled import CompiledEvaluator  # noqa: E402
from runtime.engine.groups import run_period  # noqa: E402
from semantics.operations import CONTEXT  # noqa: E402

SEED = 20161231
RATIO_TARGET = 0.9
GROUP_SIZE = 20

RULES = """\
# 基准测试用规则集：组内排名、与最好单位之比、与组内平均之差。
scheme: 基准测试（组内比较）
version: "1-bench"
year: 2016
places: 2
rounding: half_up
inputs:
  实际入库: {type: money, min: 0}
  收入计划: {type: money, min: 1}
  满意度: {type: number, min: 0, max: 100, missing: exempt}
values:
  完成率: 实际入库 / 收入计划
indicators:
  - id: revenue
    name: 税收收入完成率
    points: 30
    score: if 完成率 >= 100% then points else max(0, points - (100% - 完成率) * 100 * 0.4)
    round: 2
  - id: rank
    name: 完成率排名
    points: 20
    score: max(0, points - (rank_in_group(完成率) - 1) * 0.5)
  - id: best
    name: 入库规模
    points: 25
    score: points * 实际入库 / group_max(实际入库)
    round: 2
  - id: mean
    name: 满意度
    points: 25
    score: clamp(points / 2 + (满意度 - group_average(满意度)) * 0.5, 0, points)
    round: 2
"""

INDICATORS = ("revenue", "rank", "best", "mean")
Row = tuple[Decimal, Decimal, Decimal | None]  # 实际入库, 收入计划, 满意度

# -- the same rules, by hand: two passes ----------------------------------------------

D = Decimal
ZERO, ONE, HUNDRED = D(0), D(1), D(100)
P20, P25, P30 = D(20), D(25), D(30)
P75 = P30 + P20 + P25  # the points of the indicators always scored
HALF25 = P25 / 2  # 12.5
R04, R05 = D("0.4"), D("0.5")
Q2 = D("0.01")


def hand_two_pass(
    subjects: list[tuple[str, str, Row]],
) -> dict[str, tuple[Decimal | None, ...]]:
    """Scores (in INDICATORS' order) and total of every subject of one period.

    Written for speed as one would by hand: constants worked out once, the
    total summed without a leading 0 (the revenue score already has two
    places), a bound as a comparison rather than a call of ``max``/``min``
    (on a tie the bound itself, as ``max(0, x)`` gives)."""
    # Pass 1: what each subject's own data gives.
    rates: list[Decimal] = []
    revenues: list[Decimal] = []
    groups: dict[str, list[int]] = {}
    for n, (_, group, (actual, plan, _)) in enumerate(subjects):
        rate = actual / plan
        if rate >= ONE:
            revenue = P30
        else:
            revenue = P30 - (ONE - rate) * HUNDRED * R04
            revenue = ZERO if ZERO >= revenue else revenue
        rates.append(rate)
        revenues.append(revenue.quantize(Q2, ROUND_HALF_UP))
        groups.setdefault(group, []).append(n)
    # The group figures, then pass 2: what reads them.
    result: dict[str, tuple[Decimal | None, ...]] = {}
    for members in groups.values():
        # Competition ranks (1, 2, 2, 4) by rate, the largest first.
        ranks: dict[int, Decimal] = {}
        previous, place = None, ZERO
        for position, n in enumerate(sorted(members, key=rates.__getitem__, reverse=True), 1):
            if rates[n] != previous:
                previous, place = rates[n], D(position)
            ranks[n] = place
        best = max([subjects[n][2][0] for n in members])
        present = [s for n in members if (s := subjects[n][2][2]) is not None]
        average = sum(present, ZERO) / len(present) if present else None
        for n in members:
            ident, _, (actual, _, satisfaction) = subjects[n]
            rank = P20 - (ranks[n] - ONE) * R05
            rank = ZERO if ZERO >= rank else rank
            best_score = (P25 * actual / best).quantize(Q2, ROUND_HALF_UP)
            total = revenues[n] + rank + best_score
            if satisfaction is None or average is None:
                mean = None
                total = total * HUNDRED / P75
            else:
                mean = HALF25 + (satisfaction - average) * R05
                mean = mean if mean >= ZERO else ZERO
                mean = (mean if mean <= P25 else P25).quantize(Q2, ROUND_HALF_UP)
                total = total + mean
            result[ident] = (revenues[n], rank, best_score, mean, total.quantize(Q2, ROUND_HALF_UP))
    return result


# -- the compiled path ------------------------------------------------------------------


def compiled_period(
    evaluator: CompiledEvaluator, subjects: list[tuple[str, str, Row]]
) -> tuple[list[str], list[tuple[object, ...]]]:
    """Stage 1 per subject, the group values, stage 2 per subject, a pool at
    a time, as ``runtime.engine.subjects`` calls them: the subjects' ids and
    every slot of each."""
    ids, done, faults = run_period(
        evaluator.program,
        [ident for ident, _, _ in subjects],
        [row for _, _, row in subjects],
        evaluator.first_stage,
        evaluator.later_stage,
        evaluator.first_batch,
        evaluator.later_batch,
    )
    if faults:
        sys.exit(f"two-stage bench: faults {faults[:3]}")
    return ids, done


def _own_ids(program: ir.Program) -> dict[str, str]:
    """Each id as the data reader hands it out: the organization's own string
    object (``runtime.inputs.data`` maps a row's subject cell to it), so a
    lookup by id compares one object, as it does in a run."""
    assert program.organization is not None
    return {s.id: s.id for s in program.organization.sections}


# -- seeded data ------------------------------------------------------------------------


def make_subjects(count: int, seed: int = SEED) -> list[tuple[str, str, Row]]:
    rng = random.Random(seed)
    subjects = []
    for n in range(count):
        plan = D(rng.randint(500_000, 4_000_000)).scaleb(-2)
        actual = (plan * D(rng.randint(850, 1_100)) / 1000).quantize(Q2)
        satisfaction = None if rng.random() < 0.1 else D(rng.randint(600, 1000)).scaleb(-1)
        subjects.append((f"s{n}", f"g{n // GROUP_SIZE}", (actual, plan, satisfaction)))
    return subjects


def organization(subjects: list[tuple[str, str, Row]]) -> str:
    groups = sorted({group for _, group, _ in subjects}, key=lambda g: int(g[1:]))
    lines = ["organization:", "  groups:"]
    lines += [f"    - {{id: {g}}}" for g in groups]
    lines.append("  sections:")
    lines += [f"    - {{id: {i}, name: {i}, group: {g}}}" for i, g, _ in subjects]
    return "\n".join(lines) + "\n"


def compile_or_exit(folder: Path) -> tuple[ir.Program, CompiledEvaluator]:
    compiled = compile_rules(DirectorySource(str(folder)))
    if not compiled.ok:
        sys.exit("two-stage bench rules do not compile:\n" + render_all(compiled.diagnostics, "en"))
    program, module = compiled.programs["section"], compiled.modules["section"]
    assert program is not None and module is not None and program.stages == 2
    return program, CompiledEvaluator(program, module)


def check(
    program: ir.Program,
    done: tuple[list[str], list[tuple[object, ...]]],
    hand: dict[str, tuple[Decimal | None, ...]],
) -> int:
    slots = {i.id: i.score for i in program.indicators}
    wanted = [slots[i] for i in INDICATORS] + [program.total]
    mismatches = 0
    if sorted(done[0]) != sorted(hand):
        print("MISMATCH: compiled and hand-written scored different subjects")
        mismatches += 1
    for ident, values in zip(*done, strict=True):
        for label, slot, expected in zip([*INDICATORS, "total"], wanted, hand[ident], strict=True):
            actual = values[slot]
            if actual != expected or str(actual) != str(expected):
                mismatches += 1
                if mismatches <= 10:
                    print(f"MISMATCH {ident} {label}: compiled {actual} hand {expected}")
    return mismatches


SLICE_GROUPS = 25  # groups (500 sections) timed at a time: the two take turns slice by slice


def time_both(
    evaluator: CompiledEvaluator, subjects: list[tuple[str, str, Row]], repeats: int
) -> tuple[list[float], list[float]]:
    """Interleaved CPU times of both, in slices of ``SLICE_GROUPS`` whole
    groups (each slice a period of its own: a group value reads only its
    group): for each, the seconds of every pass over all the subjects and,
    last, the best pass (each slice at its fastest: on a shared machine,
    short slices that take turns are interrupted less and alike).  Each
    goes first on every other repeat, so that what one leaves behind
    (memory just freed, caches) favours neither."""
    size = SLICE_GROUPS * GROUP_SIZE
    slices = [subjects[i : i + size] for i in range(0, len(subjects), size)]

    def run_hand(part: list[tuple[str, str, Row]]) -> object:
        with decimal.localcontext(CONTEXT):
            return hand_two_pass(part)

    def run_compiled(part: list[tuple[str, str, Row]]) -> object:
        return compiled_period(evaluator, part)

    run_compiled(subjects)
    run_hand(subjects)  # warm-up
    return time_in_turns(slices, run_compiled, run_hand, repeats)


def measure(subjects_count: int, repeats: int, quiet: bool = False) -> float | None:
    """The ratio (compiled speed / hand-written speed), or None when the two
    disagree; the comparison printed unless ``quiet``."""
    say = (lambda text: None) if quiet else print
    subjects = make_subjects(subjects_count)
    with tempfile.TemporaryDirectory(prefix="jixiao-two-stage-") as temp:
        folder = Path(temp)
        (folder / "ruleset.yaml").write_text(RULES + organization(subjects), encoding="utf-8")
        program, evaluator = compile_or_exit(folder)
    own = _own_ids(program)  # both sides get the ids a run's data rows carry
    subjects = [(own[ident], group, row) for ident, group, row in subjects]
    done = compiled_period(evaluator, subjects)
    with decimal.localcontext(CONTEXT):
        hand = hand_two_pass(subjects)
    mismatches = check(program, done, hand)
    if mismatches:
        print(f"two-stage: FAIL: {mismatches} scores differ between compiled and hand-written")
        return None
    say(
        f"two-stage rule set: {len(subjects)} sections in groups of {GROUP_SIZE}; compiled "
        f"and hand-written agree on every score and total"
    )

    compiled_times, hand_times = time_both(evaluator, subjects, repeats)
    n = len(subjects)
    compiled_rate, hand_rate = n / compiled_times[-1], n / hand_times[-1]
    say(
        f"two-stage compiled     : {compiled_rate:10,.0f} subjects/s best "
        f"({n / statistics.median(compiled_times[:-1]):,.0f}/s median)"
    )
    say(
        f"two-stage hand-written : {hand_rate:10,.0f} subjects/s best "
        f"({n / statistics.median(hand_times[:-1]):,.0f}/s median)"
    )
    return compiled_rate / hand_rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=2000, help="sections (2000)")
    parser.add_argument("--repeats", type=int, default=9, help="timed passes of each (9)")
    args = parser.parse_args(argv)
    ratio = measure(args.subjects, args.repeats)
    if ratio is None:
        return 1
    print(
        f"target two-stage ratio >= {RATIO_TARGET}: {'met' if ratio >= RATIO_TARGET else 'NOT met'}"
    )
    print(f"two-stage ratio: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
