"""Benchmark: compiled rule evaluation against hand-written Decimal code, and compile time.

Run from the repository root:  python bench/evaluator.py [--subjects N] [--repeats R]

1. A fixed, realistic rule set (``RULES`` below: the bundled yongzhou 4.0
   indicators plus a capped per-occurrence deduction and a clamped completion
   rate) is written to a temporary folder and compiled; seeded data for N
   subject-periods is generated.
2. ``hand_written`` computes the same rules in the best plain Python
   ``Decimal`` code we can write (one loop over the rows with the rules
   inline, constants folded, level tables
   pre-multiplied, constant branches pre-rounded, operators instead of
   ``min``/``max`` calls), independently of the generated code's shape.
   Both run under ``semantics.operations.CONTEXT``; every indicator score and every
   total must be identical (same value and same text); otherwise exit 1.
3. Both are timed in this process (interleaved repeats, slice by slice, each
   first on every other repeat; best and median of ``time.process_time``: CPU
   time, which other work on a shared machine does not add to), the compiled
   evaluator on the path the runtime uses (``runtime_path``: ``evaluate_rows``,
   the generated loop over the rows, every slot); the ratio printed is
   ``ratio: X.XX`` = compiled speed / hand-written speed (target: at least
   0.9), then the two-stage ratio (``bench/two_stage.py``).
4. A seeded 200-indicator rule set with varied methods is generated and the
   time of ``compile_rules`` (load + check + IR + codegen) is reported, best of
   a few runs (target: < 0.5 s).
"""

from __future__ import annotations

import argparse
import decimal
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.interleave import time_in_turns  # noqa: E402
from compiler.pipeline import Compilation, check, compile_rules  # noqa: E402
from dsl.ruleset import DirectorySource  # noqa: E402
from runtime.engine.compiled import CompiledEvaluator  # noqa: E402
from runtime.engine.interpreter import Interpreter  # noqa: E402
from semantics.operations import CONTEXT  # noqa: E402

SEED = 20160401
RATIO_TARGET = 0.9
COMPILE_TARGET = 0.5  # seconds, check + compile of a 200-indicator rule set

# -- the realistic rule set (fixed text) ----------------------------------------------

MANIFEST = """\
# 基准测试用规则集：永州 4.0 指标体系，另加封顶扣分与限幅完成率两项。
scheme: 基准测试机关绩效管理
version: "4.0-bench"
year: 2016
places: 2
rounding: half_up
full_marks: 100
files:
  - levels.yaml
  - indicators.yaml
"""

LEVELS = """\
levels:
  评价档次: [好, 较好, 一般, 差]
"""

INDICATORS = """\
indicators:
  - id: revenue
    name: 税收收入完成率
    points: 15
    inputs:
      实际入库: {type: money, min: 0, missing: exempt}
      收入计划: {type: money, min: 0, missing: exempt}
    let:
      完成率: 实际入库 / 收入计划
    score: |
      if 完成率 >= 100% then points
      else max(0, points - (100% - 完成率) * 100 * 0.4)
    round: 2

  - id: collection_quality
    name: 征管质量
    points: 15
    inputs:
      征管质量得分: {type: number, min: 0, max: 15, missing: exempt}
    machine: 征管质量得分

  - id: rule_of_law
    name: 依法行政
    points: 10
    inputs:
      依法行政评价: level(评价档次)
    levels: {好: 100%, 较好: 85%, 一般: 70%, 差: 50%}

  - id: supervision
    name: 督查督办落实
    points: 10
    inputs:
      督办事项: {type: count, default: 0}
      按期办结: {type: count, default: 0}
    let:
      办结率: safe_div(按期办结, 督办事项, 1)
    score: |
      case
        when 办结率 >= 100% then points
        when 办结率 >= 90% then points * 办结率
        else points * 办结率 * 0.5
      end
    round: 2

  - id: integrity
    name: 党风廉政建设
    points: 10
    inputs:
      违纪违规次数: {type: count, default: 0}
    deduct: {per: 2, count: 违纪违规次数}

  - id: publicity
    name: 信息宣传
    points: 5
    inputs:
      采用篇数: {type: count, default: 0}
      省级采用篇数: {type: count, default: 0}
    score: min(points, 采用篇数 * 0.5 + 省级采用篇数 * 1)

  - id: office_management
    name: 机关管理
    points: 5
    inputs:
      机关管理评价: level(评价档次)
    levels: {好: 100%, 较好: 85%, 一般: 70%, 差: 50%}

  - id: performance_reporting
    name: 绩效信息报送
    points: 5
    inputs:
      迟报次数: {type: count, default: 0}
      漏报次数: {type: count, default: 0}
    score: max(0, points - 迟报次数 * 0.5 - 漏报次数 * 1)

  - id: stability
    name: 安全稳定
    points: 5
    inputs:
      信访事件: {type: count, default: 0}
    score: if 信访事件 == 0 then points else max(0, points - 信访事件 * 2.5)

  - id: training
    name: 学习培训
    points: 5
    inputs:
      参训率: {type: percent, min: 0, max: 1}
    score: |
      case
        when 参训率 >= 95% then points
        when 85% <= 参训率 < 95% then points * 80%
        else points * 50%
      end

  - id: arrears
    name: 欠税清缴
    points: 10
    inputs:
      清缴税款: {type: money, min: 0, default: 0}
      欠税余额: {type: money, min: 0, default: 0}
    let:
      清缴率: round(safe_div(清缴税款, 欠税余额, 1), 4)
    # 清缴率达到 80% 得满分，以下按比例计分。
    score: clamp(points * 清缴率 / 80%, 0, points)
    round: 2

  - id: service_complaints
    name: 纳税服务投诉
    points: 5
    inputs:
      有效投诉: {type: count, default: 0}
    # 每起扣 0.5 分，最多扣 3 分。
    deduct: {per: 0.5, count: 有效投诉, cap: 3}
"""

INPUT_ORDER = (
    "实际入库", "收入计划", "征管质量得分", "依法行政评价", "督办事项", "按期办结",
    "违纪违规次数", "采用篇数", "省级采用篇数", "机关管理评价", "迟报次数", "漏报次数",
    "信访事件", "参训率", "清缴税款", "欠税余额", "有效投诉",
)  # fmt: skip

# One subject-period's inputs in INPUT_ORDER, as ``make_rows`` gives them: the
# revenue and quality figures of non-business sections are absent (None).
Row = tuple[
    Decimal | None,  # 实际入库
    Decimal | None,  # 收入计划
    Decimal | None,  # 征管质量得分
    str,  # 依法行政评价
    Decimal,  # 督办事项
    Decimal,  # 按期办结
    Decimal,  # 违纪违规次数
    Decimal,  # 采用篇数
    Decimal,  # 省级采用篇数
    str,  # 机关管理评价
    Decimal,  # 迟报次数
    Decimal,  # 漏报次数
    Decimal,  # 信访事件
    Decimal,  # 参训率
    Decimal,  # 清缴税款
    Decimal,  # 欠税余额
    Decimal,  # 有效投诉
]

INDICATOR_ORDER = (
    "revenue", "collection_quality", "rule_of_law", "supervision", "integrity", "publicity",
    "office_management", "performance_reporting", "stability", "training", "arrears",
    "service_complaints",
)  # fmt: skip

# -- the same rules, written by hand ---------------------------------------------------
#
# The best plain-Python ``Decimal`` code we can write for RULES, written for
# speed without the compiler and independently of the generated code's shape:
# constants folded, level tables pre-multiplied by the points, constant
# branches pre-rounded, plain operators instead of ``min``/``max`` calls,
# tests that cannot fail left out, exempt combinations spelled out.  It does
# the rules' own operations on the values in the rules' order (no regrouping
# such as ``x * 100 * 0.4`` into ``x * 40``, which can round or overflow
# differently), so it computes the same function as the rules for every
# input, not only for the data here; ``verify`` checks every score's text.

D = Decimal
ZERO, ONE, HUNDRED = D(0), D(1), D(100)
P3, P5, P10, P15 = D(3), D(5), D(10), D(15)
R04, R05, R08, R09, R085, R095 = D("0.4"), D("0.5"), D("0.8"), D("0.9"), D("0.85"), D("0.95")
TWO, TWO_HALF = D(2), D("2.5")
Q2, Q4 = D("0.01"), D("0.0001")
HALF_UP = ROUND_HALF_UP
# Constant branches, rounded as their definitions are: 15 and 10 points to 2
# places, a clearance rate of 1 to 4.
FIFTEEN_2, TEN_2, ZERO_2, ONE_4 = D("15.00"), D("10.00"), D("0.00"), D("1.0000")
SHARE = {"好": ONE, "较好": R085, "一般": D("0.7"), "差": R05}
LAW_TABLE = {level: P10 * share for level, share in SHARE.items()}  # 10 points
OFFICE_TABLE = {level: P5 * share for level, share in SHARE.items()}  # 5 points
TRAINING_MID, TRAINING_LOW = P5 * R08, P5 * R05  # 5 * 80%, 5 * 50%
# Points of the indicators that are never exempt, with revenue's or quality's.
ALWAYS_APPLICABLE, WITH_ONE = D(70), D(85)


def hand_written(rows: list[Row]) -> list[tuple[Decimal | None, ...]]:
    """Indicator scores (in INDICATOR_ORDER) and the total, for each subject:
    one loop with the rules inline (no call per subject)."""
    out: list[tuple[Decimal | None, ...]] = []
    keep = out.append
    for row in rows:
        (
            actual, plan, quality, law, tasks, done, violations, articles, provincial, office,
            late, missed, petitions, trained, cleared, arrears, complaints,
        ) = row  # fmt: skip

        # revenue: full marks at 100%, 0.4 per point below, floor 0; exempt without data.
        if actual is None or plan is None:
            revenue = None
        else:
            rate = actual / plan
            if rate >= ONE:
                revenue = FIFTEEN_2
            else:
                x = P15 - (ONE - rate) * HUNDRED * R04
                revenue = x.quantize(Q2, HALF_UP) if x > ZERO else ZERO_2
        law_score = LAW_TABLE[law]
        # supervision: on-time rate in bands; no tasks is full marks.
        if tasks:
            handled = done / tasks
            if handled >= ONE:
                supervision = TEN_2
            elif handled >= R09:
                supervision = (P10 * handled).quantize(Q2, HALF_UP)
            else:
                supervision = (P10 * handled * R05).quantize(Q2, HALF_UP)
        else:
            supervision = TEN_2
        # integrity: 2 points per violation, floor 0.
        x = P10 - TWO * violations
        integrity = x if x > ZERO else ZERO
        # publicity: 0.5 per article, 1 per provincial article, at most 5.
        x = articles * R05 + provincial * ONE
        publicity = x if x < P5 else P5
        office_score = OFFICE_TABLE[office]
        # performance_reporting: 0.5 per late report, 1 per missed one, floor 0.
        x = P5 - late * R05 - missed * ONE
        reporting = x if x > ZERO else ZERO
        # stability: full marks without petitions, else 2.5 per petition, floor 0.
        if petitions:
            x = P5 - petitions * TWO_HALF
            stability = x if x > ZERO else ZERO
        else:
            stability = P5
        # training: bands (below 95%, the second band's upper test holds).
        if trained >= R095:
            training = P5
        elif trained >= R085:
            training = TRAINING_MID
        else:
            training = TRAINING_LOW
        # arrears: clearance rate to 4 places, full marks at 80%, clamped to [0, 10].
        clearance = (cleared / arrears).quantize(Q4, HALF_UP) if arrears else ONE_4
        x = P10 * clearance / R08
        if x > P10:
            arrears_score = TEN_2
        elif x < ZERO:
            arrears_score = ZERO_2
        else:
            arrears_score = x.quantize(Q2, HALF_UP)
        # service_complaints: 0.5 per complaint, at most 3 deducted (so never below 2).
        x = R05 * complaints
        complaints_score = P5 - (x if x < P3 else P3)

        # The total, added in the rules' order; normalized when revenue or quality is exempt.
        if revenue is None:
            total = law_score if quality is None else quality + law_score
        else:
            total = revenue + law_score if quality is None else revenue + quality + law_score
        total = (
            total + supervision + integrity + publicity + office_score + reporting + stability
            + training + arrears_score + complaints_score
        )  # fmt: skip
        if revenue is None:
            total = total * HUNDRED / (ALWAYS_APPLICABLE if quality is None else WITH_ONE)
        elif quality is None:
            total = total * HUNDRED / WITH_ONE
        keep((
            revenue, quality, law_score, supervision, integrity, publicity, office_score,
            reporting, stability, training, arrears_score, complaints_score,
            total.quantize(Q2, HALF_UP),
        ))  # fmt: skip
    return out


# -- seeded data -------------------------------------------------------------------------

LEVEL_NAMES = ("好", "较好", "一般", "差")
LEVEL_WEIGHTS = (50, 30, 15, 5)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def make_rows(count: int, seed: int = SEED) -> list[Row]:
    """``count`` subject-periods of inputs, in INPUT_ORDER, as the data loader gives them."""
    rng = random.Random(seed)
    rows: list[Row] = []
    for _ in range(count):
        business = rng.random() < 0.45  # business sections have revenue and quality data
        plan: Decimal | None
        actual: Decimal | None
        quality: Decimal | None
        if business:
            plan = _money(rng, 5_000, 40_000)
            actual = (plan * Decimal(rng.randint(880, 1_080)) / 1000).quantize(Q2)
            quality = Decimal(rng.randint(900, 1_500)).scaleb(-2)
        else:
            plan = actual = quality = None
        if business and rng.random() < 0.1:
            quality = None  # the platform had no data this period
        tasks = rng.choice((0, *range(2, 15)))
        done = max(0, tasks - rng.choice((0, 0, 0, 1, 1, 2)))
        arrears = rng.choice((Decimal(0), _money(rng, 10, 3_000)))
        cleared = min(arrears, _money(rng, 0, 3_000)) if arrears else Decimal(0)
        rows.append(
            (
                actual,
                plan,
                quality,
                rng.choices(LEVEL_NAMES, LEVEL_WEIGHTS)[0],
                Decimal(tasks),
                Decimal(done),
                Decimal(rng.choice((0, 0, 0, 0, 0, 0, 1, 2, 6))),
                Decimal(rng.randint(0, 8)),
                Decimal(rng.randint(0, 3)),
                rng.choices(LEVEL_NAMES, LEVEL_WEIGHTS)[0],
                Decimal(rng.choice((0, 0, 0, 1, 2))),
                Decimal(rng.choice((0, 0, 0, 0, 1))),
                Decimal(rng.choice((0, 0, 0, 0, 0, 1, 3))),
                Decimal(rng.randint(70, 100)) / 100,
                cleared,
                arrears,
                Decimal(rng.choice((0, 0, 0, 1, 2, 4, 9))),
            )
        )
    return rows


# -- a large generated rule set --------------------------------------------------------


def write_ruleset(folder: Path, manifest: str, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ruleset.yaml").write_text(manifest, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _indicator_yaml(rng: random.Random, index: int) -> str:
    """One indicator in one of the bundled styles, with its own inputs."""
    ident = f"ind{index:03d}"
    points = rng.choice((2, 3, 4, 5, 5, 6, 8, 10))
    a, b, c = (f"指标{index:03d}{suffix}" for suffix in ("甲", "乙", "丙"))
    head = f"  - id: {ident}\n    name: 第{index}项考核指标\n    points: {points}\n"
    style = rng.choice(
        ("rate", "bands", "levels", "deduct", "deduct_cap", "machine", "safe_div", "clamp", "minmax")
    )  # fmt: skip
    step = rng.choice(("0.2", "0.4", "0.5", "1"))
    if style == "rate":
        missing = ", missing: exempt" if rng.random() < 0.3 else ""
        return head + (
            f"    inputs:\n"
            f"      {a}: {{type: money, min: 0{missing}}}\n"
            f"      {b}: {{type: money, min: 0{missing}}}\n"
            f"    let:\n"
            f"      完成率: {a} / {b}\n"
            f"    score: |\n"
            f"      if 完成率 >= 100% then points\n"
            f"      else max(0, points - (100% - 完成率) * 100 * {step})\n"
            f"    round: 2\n"
        )
    if style == "bands":
        high, mid = rng.choice((("95%", "85%"), ("100%", "90%"), ("98%", "80%")))
        return head + (
            f"    inputs:\n"
            f"      {a}: {{type: percent, min: 0, max: 1}}\n"
            f"    score: |\n"
            f"      case\n"
            f"        when {a} >= {high} then points\n"
            f"        when {mid} <= {a} < {high} then points * {a}\n"
            f"        when {a} >= 60% then points * 60%\n"
            f"        else 0\n"
            f"      end\n"
            f"    round: 2\n"
        )
    if style == "levels":
        return head + (
            f"    inputs:\n"
            f"      {a}: level(评价档次)\n"
            f"    levels: {{好: 100%, 较好: {rng.choice(('80%', '85%', '90%'))}, "
            f"一般: {rng.choice(('60%', '70%'))}, 差: {rng.choice(('0%', '30%', '50%'))}}}\n"
        )
    if style in ("deduct", "deduct_cap"):
        cap = f", cap: {max(1, points // 2)}" if style == "deduct_cap" else ""
        return head + (
            f"    inputs:\n"
            f"      {a}: {{type: count, default: 0}}\n"
            f"    deduct: {{per: {step}, count: {a}{cap}}}\n"
        )
    if style == "machine":
        return head + (
            f"    inputs:\n"
            f"      {a}: {{type: number, min: 0, max: {points}, missing: exempt}}\n"
            f"    machine: {a}\n"
        )
    if style == "safe_div":
        return head + (
            f"    inputs:\n"
            f"      {a}: {{type: count, default: 0}}\n"
            f"      {b}: {{type: count, default: 0}}\n"
            f"    let:\n"
            f"      办结率: safe_div({b}, {a}, 1)\n"
            f"    score: |\n"
            f"      case\n"
            f"        when 办结率 >= 100% then points\n"
            f"        when 办结率 >= 90% then points * 办结率\n"
            f"        else points * 办结率 * 0.5\n"
            f"      end\n"
            f"    round: 2\n"
        )
    if style == "clamp":
        return head + (
            f"    inputs:\n"
            f"      {a}: {{type: money, min: 0, default: 0}}\n"
            f"      {b}: {{type: money, min: 0, default: 0}}\n"
            f"    let:\n"
            f"      比率: round(safe_div({a}, {b}, 1), 4)\n"
            f"    score: clamp(points * 比率 / 80%, 0, points)\n"
            f"    round: 2\n"
        )
    return head + (
        f"    inputs:\n"
        f"      {a}: {{type: count, default: 0}}\n"
        f"      {b}: {{type: count, default: 0}}\n"
        f"      {c}: {{type: count, default: 0}}\n"
        f"    score: min(points, max(0, {a} * {step} + {b} * 1 - {c} * 0.5))\n"
    )


def large_ruleset(folder: Path, count: int = 200, seed: int = SEED) -> None:
    rng = random.Random(seed)
    per_file = 50
    names = [f"indicators{n + 1}.yaml" for n in range((count + per_file - 1) // per_file)]
    files = {"levels.yaml": LEVELS}
    for number, name in enumerate(names):
        chunk = range(number * per_file, min(count, (number + 1) * per_file))
        files[name] = "indicators:\n" + "\n".join(_indicator_yaml(rng, i + 1) for i in chunk)
    listed = "".join(f"  - {name}\n" for name in ["levels.yaml", *names])
    manifest = (
        f"scheme: 生成的{count}项指标规则集\nversion: '1'\nyear: 2016\nplaces: 2\n"
        f"rounding: half_up\nfiles:\n{listed}"
    )
    write_ruleset(folder, manifest, files)


# -- running -----------------------------------------------------------------------------


def compiled_or_exit(folder: Path) -> Compilation:
    result = compile_rules(DirectorySource(str(folder)))
    if not result.ok or "section" not in result.programs or "section" not in result.modules:
        for diagnostic in result.diagnostics:
            print(diagnostic, file=sys.stderr)
        sys.exit(f"bench: the rule set in {folder} does not compile")
    return result


def verify(compiled: Compilation, evaluator: CompiledEvaluator, rows: list[Row]) -> int:
    """Compare every indicator score and total; return the number of mismatches."""
    program = compiled.programs["section"]
    assert program is not None
    names = tuple(f.name for f in program.inputs)
    if names != INPUT_ORDER:
        sys.exit(f"bench: unexpected input order {names}")
    by_id = {i.id: i.score for i in program.indicators}
    if tuple(by_id) != INDICATOR_ORDER:
        sys.exit(f"bench: unexpected indicators {tuple(by_id)}")
    slots = [by_id[i] for i in INDICATOR_ORDER] + [program.total]
    labels = [*INDICATOR_ORDER, "total"]
    compiled_values = runtime_path(evaluator, rows)
    compact = evaluator.evaluate_many(rows, full=False)
    if list(evaluator.output_slots) != slots:
        sys.exit("bench: compact output slots differ from indicator scores + total")
    if any(
        row != tuple(full[s] for s in slots)
        for row, full in zip(compact, compiled_values, strict=True)
    ):
        sys.exit("bench: compact evaluation differs from full evaluation")
    with decimal.localcontext(CONTEXT):
        hand_values = hand_written(rows)
    mismatches = 0
    for number, (got, want) in enumerate(zip(compiled_values, hand_values, strict=True)):
        for label, slot, expected in zip(labels, slots, want, strict=True):
            actual = got[slot]
            if actual != expected or str(actual) != str(expected):
                mismatches += 1
                if mismatches <= 10:
                    print(
                        f"MISMATCH row {number} {label}: compiled {actual!s} "
                        f"hand-written {expected!s}; inputs {rows[number]}",
                        file=sys.stderr,
                    )
    return mismatches


def runtime_path(evaluator: CompiledEvaluator, rows: list[Row]) -> list[tuple[object, ...]]:
    """The compiled evaluator as the runtime calls it (runtime.engine.subjects
    ``evaluate_period``): the period's rows at once through ``evaluate_rows``
    (the generated loop), every slot of each, inside one decimal context per
    period (row by row through ``evaluate_in_context`` only if a row faults,
    which the bench's data never does)."""
    with decimal.localcontext(CONTEXT):
        done = evaluator.evaluate_rows(rows)
        if done is None:
            sys.exit("bench: the runtime's fast path did not run (a fault?)")
        return done


SLICE = 250  # rows timed at a time: both evaluators take turns slice by slice


def time_both(
    evaluator: CompiledEvaluator, rows: list[Row], repeats: int
) -> tuple[list[float], list[float]]:
    """Interleaved timings of both evaluators: for each, the seconds of every
    pass over ``rows`` and, last, the best pass (each slice of ``SLICE`` rows
    at its fastest: on a shared machine, short slices that take turns are
    interrupted less and alike)."""
    hand: Callable[[list[Row]], list[tuple[Decimal | None, ...]]] = hand_written
    slices = [rows[i : i + SLICE] for i in range(0, len(rows), SLICE)]

    def run_hand(part: list[Row]) -> object:
        with decimal.localcontext(CONTEXT):
            return hand(part)

    def run_compiled(part: list[Row]) -> object:
        return runtime_path(evaluator, part)

    run_hand(rows)
    run_compiled(rows)  # warm-up
    return time_in_turns(slices, run_compiled, run_hand, repeats)


def time_compile(folder: Path, runs: int) -> tuple[float, float, float]:
    """(first compile_rules, best compile_rules, best check) in seconds."""
    source = DirectorySource(str(folder))
    start = time.perf_counter()
    first = compile_rules(source)
    first_time = time.perf_counter() - start
    if not first.ok:
        for diagnostic in first.diagnostics:
            print(diagnostic, file=sys.stderr)
        sys.exit("bench: the generated 200-indicator rule set does not compile")
    compile_times, check_times = [], []
    for _ in range(runs):
        start = time.perf_counter()
        check(source)
        check_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        compile_rules(source)
        compile_times.append(time.perf_counter() - start)
    return first_time, min(compile_times), min(check_times)


def sanity_large(folder: Path, rows: int, seed: int) -> None:
    """The large program's generated code agrees with the reference interpreter."""
    compiled = compiled_or_exit(folder)
    program, module = compiled.programs["section"], compiled.modules["section"]
    assert program is not None and module is not None
    evaluator = CompiledEvaluator(program, module)
    interpreter = Interpreter(program)
    rng = random.Random(seed)
    for _ in range(rows):
        values: list[object] = []
        for field in program.inputs:
            if field.missing == "exempt" and rng.random() < 0.1:
                values.append(None)
            elif field.type.kind == "level":
                values.append(rng.choice(field.type.members))
            elif field.kind == "percent":
                values.append(Decimal(rng.randint(40, 100)) / 100)
            elif field.kind == "money":
                values.append(_money(rng, 1, 500))
            elif field.maximum is not None:
                values.append(Decimal(rng.randint(0, int(field.maximum) * 100)).scaleb(-2))
            else:
                values.append(Decimal(rng.randint(0, 6)))
        if evaluator.evaluate(values) != interpreter.evaluate(values):
            sys.exit("bench: compiled and interpreted results differ on the 200-indicator set")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=5000, help="subject-periods (5000)")
    parser.add_argument("--repeats", type=int, default=9, help="timed passes of each (9)")
    parser.add_argument("--compile-runs", type=int, default=5, help="timed compiles (5)")
    parser.add_argument("--indicators", type=int, default=200, help="large rule set size (200)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as temp:
        realistic = Path(temp) / "realistic"
        write_ruleset(realistic, MANIFEST, {"levels.yaml": LEVELS, "indicators.yaml": INDICATORS})
        large = Path(temp) / "large"
        large_ruleset(large, args.indicators, args.seed)

        # Compile time first, in a fresh process state (the first run includes
        # building the formula parser; the best run is the steady state).
        first, best_compile, best_check = time_compile(large, args.compile_runs)
        sanity_large(large, 50, args.seed)

        compiled = compiled_or_exit(realistic)
        assert "section" in compiled.programs and "section" in compiled.modules
        evaluator = CompiledEvaluator(compiled.programs["section"], compiled.modules["section"])
        rows = make_rows(args.subjects, args.seed)
        mismatches = verify(compiled, evaluator, rows)
        exempt = sum(1 for row in rows if row[0] is None or row[2] is None)
        print(
            f"realistic rule set: {len(INDICATOR_ORDER)} indicators, {len(INPUT_ORDER)} inputs, "
            f"{len(compiled.programs['section'].slots)} slots; {len(rows)} subject-periods "
            f"({exempt} with exempt indicators)"
        )
        if mismatches:
            print(f"FAIL: {mismatches} scores differ between compiled and hand-written")
            return 1
        print(
            f"check: compiled and hand-written agree on all {len(rows)} subjects (13 values each)"
        )

        compiled_times, hand_times = time_both(evaluator, rows, args.repeats)

    n = len(rows)
    compiled_rate, hand_rate = n / min(compiled_times), n / min(hand_times)
    print(
        f"runtime path : {compiled_rate:12,.0f} subject-evaluations/s best "
        f"({n / statistics.median(compiled_times):,.0f}/s median, "
        f"{1e6 * min(compiled_times) / n:.2f} µs each)"
    )
    print(
        f"hand-written : {hand_rate:12,.0f} subject-evaluations/s best "
        f"({n / statistics.median(hand_times):,.0f}/s median, "
        f"{1e6 * min(hand_times) / n:.2f} µs each)"
    )
    print(
        f"{args.indicators}-indicator rule set: check + compile {best_compile:.3f} s best of "
        f"{args.compile_runs} (check alone {best_check:.3f} s; first run {first:.3f} s "
        f"incl. building the parser); target < {COMPILE_TARGET} s: "
        f"{'met' if best_compile < COMPILE_TARGET else 'NOT met'}"
    )
    ratio = compiled_rate / hand_rate
    print(f"target ratio >= {RATIO_TARGET}: {'met' if ratio >= RATIO_TARGET else 'NOT met'}")
    print(f"ratio: {ratio:.2f}")
    from bench.two_stage import measure  # group functions, two stages

    two_stage = measure(2000, args.repeats, quiet=True)
    print(
        f"two-stage ratio: {'FAIL (results differ)' if two_stage is None else f'{two_stage:.2f}'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
