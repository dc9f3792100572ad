"""Generate the bundled example data for rules/yongzhou (seeded, reproducible).

Tuned to reproduce the source account's figures for January-September 2016:
11 of the 17 sections receive organizational deductions, every individual
receives some deduction, and the largest gap between two individuals'
January-September totals (the roll-up the rules declare) is 10 points.  The
tuning adjusts the data (one person's learning scores), never the rules.

Plausible, not real: 17 sections of the municipal bureau's organs, 2015Q1 to
2016Q3, one row per section and quarter.  Business sections carry revenue and
collection-quality figures; the others leave those cells empty, which the
rules declare as "exempt" (the indicator is not scored and the total is
normalized).

Supervision items (supervision.csv) agree with sections.csv's 督办事项 and
按期办结 counts: 12 letters and 20 items corrected in January-September 2016.

Run: python examples/yongzhou/generate.py   (rewrites sections.csv beside it)
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SEED = 20161005
SECTIONS = [
    ("s01", "办公室", False),
    ("s02", "政工科", False),
    ("s03", "监察室", False),
    ("s04", "收入核算科", True),
    ("s05", "征收管理科", True),
    ("s06", "税政一科", True),
    ("s07", "税政二科", True),
    ("s08", "政策法规科", False),
    ("s09", "财务管理科", False),
    ("s10", "纳税服务科", True),
    ("s11", "社会保险费管理科", True),
    ("s12", "督查内审科", False),
    ("s13", "大企业税收管理科", True),
    ("s14", "信息中心", False),
    ("s15", "机关党委", False),
    ("s16", "离退休干部管理科", False),
    ("s17", "后勤服务中心", False),
]
# A section that lags in both years, so the "bottom two, two years running" link
# has a case in the bundled data.
WEAK_SECTION = "s12"
PERIODS = ["2015Q1", "2015Q2", "2015Q3", "2015Q4", "2016Q1", "2016Q2", "2016Q3"]
LEVELS = ["好", "较好", "一般", "差"]
COLUMNS = [
    "period", "subject", "name", "实际入库", "收入计划", "征管质量得分", "依法行政评价",
    "督办事项", "按期办结", "违纪违规次数", "采用篇数", "省级采用篇数", "机关管理评价",
    "迟报次数", "漏报次数", "信访事件", "参训率",
    "创卫评价", "创文评价", "满意率", "扶贫评价", "脱岗次数", "治安事件",
]  # fmt: skip
REVISED_FROM = "2016Q2"  # the second-quarter revision: tasks replace three indicators


def _money(rng: random.Random, low: int, high: int) -> str:
    return str(Decimal(rng.randint(low * 100, high * 100)) / 100)


def rows(rng: random.Random) -> list[list[str]]:
    out: list[list[str]] = []
    for period in PERIODS:
        for subject, name, business in SECTIONS:
            weak = subject == WEAK_SECTION
            plan = rng.randint(8_000, 30_000)
            actual = plan * rng.uniform(0.9, 1.08) if business else None
            handled = rng.randint(3, 12)
            row = [
                period,
                subject,
                name,
                _money(rng, int(actual), int(actual)) if actual is not None else "",
                str(plan) if business else "",
                str(Decimal(rng.randint(1150, 1500)) / 100) if business else "",
                rng.choices(LEVELS, weights=[1, 2, 4, 3] if weak else [5, 4, 2, 1])[0],
                str(handled),
                str(handled - (2 if weak else rng.choices([0, 0, 0, 1], k=1)[0])),
                str(rng.choices([0, 0, 0, 0, 0, 0, 1], k=1)[0]),
                str(rng.randint(0, 8)),
                str(rng.randint(0, 2)),
                rng.choices(LEVELS, weights=[1, 2, 4, 3] if weak else [4, 5, 2, 1])[0],
                str(rng.choices([0, 0, 1, 2], k=1)[0]),
                str(rng.choices([0, 0, 0, 1], k=1)[0]),
                str(rng.choices([0] * 12 + [1], k=1)[0]),
                f"{rng.randint(80, 100)}%",
            ]
            if period >= REVISED_FROM:
                row += [
                    rng.choices(LEVELS, weights=[5, 4, 2, 1])[0],
                    rng.choices(LEVELS, weights=[5, 4, 2, 1])[0],
                    f"{rng.randint(82, 99)}%",
                    rng.choices(LEVELS, weights=[4, 4, 2, 1])[0],
                    str(rng.choices([0, 0, 0, 1, 2], k=1)[0]),
                    str(rng.choices([0] * 15 + [1], k=1)[0]),
                ]
                # Removed indicators are no longer reported after the revision.
                for column in ("采用篇数", "省级采用篇数", "信访事件", "参训率"):
                    row[COLUMNS.index(column)] = ""
            else:
                row += [""] * 6
            # Half-year indicators are scored at their checkpoints only (Q2 and Q4,
            # on the half-year's figure): the other quarters report nothing for
            # them.  学习培训, removed after 2016Q1, is scored there once more (its
            # closing checkpoint), so 2016Q1 keeps its figure.
            if period[-1] in "13" and period != "2016Q1":
                for column in ("参训率", "扶贫评价"):
                    row[COLUMNS.index(column)] = ""
            out.append(row)
    return out


EVENT_COLUMNS = ["date", "subject", "item", "count", "reason", "evidence"]
DEDUCTIONS = {
    "supervision_issue": ("督查发现问题逾期未整改", "督查督办通知书"),
    "task_overdue": ("重点工作任务未按时完成", "市局重点工作推进表"),
    "criticized": ("工作失误被市局通报批评", "市局通报"),
}
BONUSES = {
    "provincial_commendation": ("获省局表彰", "省局表彰文件"),
    "municipal_commendation": ("获市委市政府表彰", "市政府表彰文件"),
    "practice_promoted": ("经验做法被省局推广", "省局简报"),
}
# January-September 2016: 11 of the 17 sections receive organizational deductions.
DEDUCTED_SECTIONS_2016 = 11


def _day(rng: random.Random, period: str) -> str:
    year, quarter = int(period[:4]), int(period[-1])
    month = 3 * quarter - rng.randint(0, 2)
    return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"


def events(rng: random.Random) -> list[list[str]]:
    """Item events: deductions, bonuses and one veto of excellence."""
    out: list[list[str]] = []
    ids = [subject for subject, _, _ in SECTIONS]
    deducted = set(rng.sample(ids, DEDUCTED_SECTIONS_2016))
    for period in PERIODS:
        in_2016 = period.startswith("2016")
        for subject in ids:
            if (in_2016 and subject in deducted and rng.random() < 0.6) or (
                not in_2016 and rng.random() < 0.3
            ):
                item = rng.choice(sorted(DEDUCTIONS))
                reason, evidence = DEDUCTIONS[item]
                out.append(
                    [_day(rng, period), subject, item, str(rng.randint(1, 2)), reason, evidence]
                )
            if rng.random() < 0.15:
                item = rng.choice(sorted(BONUSES))
                reason, evidence = BONUSES[item]
                out.append([_day(rng, period), subject, item, "1", reason, evidence])
    # Make sure every deducted section has at least one 2016 deduction.
    seen = {row[1] for row in out if row[0].startswith("2016") and row[2] in DEDUCTIONS}
    for subject in sorted(deducted - seen):
        out.append([_day(rng, "2016Q2"), subject, "task_overdue", "1", *DEDUCTIONS["task_overdue"]])
    veto_subject = rng.choice(sorted(set(ids) - deducted))
    out.append(
        ["2016-08-16", veto_subject, "adverse_publicity", "1", "被省局通报造成不良影响", "省局通报"]
    )
    out.sort()
    return out


SUPERVISION_COLUMNS = [
    "id", "letter", "issued", "subject", "matter", "due", "closed", "corrected", "evidence",
]  # fmt: skip
# Supervision letters (督办函) per quarter, on these (month of the quarter, day):
# four a quarter, so January-September 2016 has the source's 12 letters.
LETTER_DAYS = [(1, 3), (1, 20), (2, 8), (2, 25)]
# Problems found by supervision and corrected (整改到位), January-September 2016.
CORRECTED_2016 = 20
MATTERS = [
    "市局党组会议议定事项", "市政府督办重点工作", "省局督查发现问题整改", "人大代表建议办理",
    "政协委员提案办理", "领导批示件办理", "重点税源监控任务", "纳税服务投诉处理",
]  # fmt: skip


def supervision(section_rows: list[list[str]]) -> list[list[str]]:
    """Supervision items consistent with sections.csv: a section's items due in a
    quarter are its 督办事项 there, those closed by their due date its 按期办结;
    the others closed late (or, in the last quarter, still open).  A separate
    random stream, so the other tables stay as they were."""
    rng = random.Random(SEED + 1)
    due_column, on_time_column = COLUMNS.index("督办事项"), COLUMNS.index("按期办结")
    out: list[list[str]] = []
    numbers: dict[int, int] = {}  # year -> items so far
    for period in PERIODS:
        year, quarter = int(period[:4]), int(period[-1])
        first = date(year, 3 * quarter - 2, 1)
        letters = []
        for index, (month, day) in enumerate(LETTER_DAYS, start=1):
            sequence = 4 * (quarter - 1) + index
            issued = date(year, 3 * quarter - 3 + month, day)
            letters.append((f"永地税督〔{year}〕{sequence}号", issued))
        for row in [r for r in section_rows if r[0] == period]:
            total, on_time = int(row[due_column]), int(row[on_time_column])
            for k in range(total):
                letter, issued = letters[k % len(letters)]
                due = issued + timedelta(days=20)
                if k < on_time:
                    closed: date | None = due - timedelta(days=rng.randint(0, 10))
                elif period == PERIODS[-1] and rng.random() < 0.5:
                    closed = None
                else:
                    closed = due + timedelta(days=rng.randint(3, 20))
                numbers[year] = numbers.get(year, 0) + 1
                out.append([
                    f"DB{year}-{numbers[year]:03d}", letter, issued.isoformat(), row[1],
                    rng.choice(MATTERS), due.isoformat(),
                    closed.isoformat() if closed else "", "",
                    "办结报告" if closed else "",
                ])  # fmt: skip
        assert first <= min(issued for _, issued in letters)
    in_2016 = [r for r in out if r[0].startswith("DB2016") and r[6] and r[6] <= r[5]]
    for item in rng.sample(in_2016, CORRECTED_2016):
        item[7], item[8] = "是", "整改报告"
    return out


def mark_uncorrected(table: list[list[str]], found: list[list[str]]) -> None:
    """Problems found by supervision and not corrected on time (督查发现问题未按期
    整改): the rules count them from the supervision table (`corrected` 否), so
    each such deduction of the fitted figures marks that many of the section's
    items due in the quarter, first by id, instead of an event row."""
    for day, subject, _, count, *_ in found:
        year, quarter = int(day[:4]), (int(day[5:7]) - 1) // 3 + 1
        months = range(3 * quarter - 2, 3 * quarter + 1)
        candidates = [
            item for item in table
            if item[3] == subject and int(item[5][:4]) == year and int(item[5][5:7]) in months
            and item[7] == ""
        ]  # fmt: skip
        if len(candidates) < int(count):
            raise SystemExit(f"{subject} has too few supervision items in {year}Q{quarter}")
        for item in sorted(candidates)[: int(count)]:
            item[7] = "否"


PERSON_COLUMNS = [
    "period", "subject", "name", "履职评价", "差错次数", "缺勤天数", "学习得分",
    "带队评价", "联络迟报次数",
]  # fmt: skip
# Posts assessed on an indicator of their own (rules/yongzhou/people.yaml): the
# other posts leave its cell empty (the indicator does not apply to them).
LEADING_POSTS = ("科长", "副科长")
LIAISON_POST = "绩效联络员"
# The post columns are drawn from their own generator, after the others, so
# adding them left every other generated value as it was.
POST_SEED = SEED + 1
PERSON_DEDUCTIONS = {
    "late_or_absent": ("迟到早退", "考勤记录"),
    "personal_error": ("工作差错被科室通报", "科室通报"),
}
TARGET_GAP = Decimal("10.00")


def people() -> list[tuple[str, str]]:
    """(id, name) of every person in the bundled organization file."""
    sys.path.insert(0, str(ROOT))
    from compiler.pipeline import check
    from dsl.ruleset import DirectorySource

    program = check(DirectorySource(str(ROOT / "rules" / "yongzhou"))).programs["section"]
    assert program is not None and program.organization is not None
    return [(p.id, p.name) for p in program.organization.people]


def posts() -> dict[str, str | None]:
    """Each person's post in the bundled organization file."""
    sys.path.insert(0, str(ROOT))
    from compiler.pipeline import check
    from dsl.ruleset import DirectorySource

    program = check(DirectorySource(str(ROOT / "rules" / "yongzhou"))).programs["section"]
    assert program is not None and program.organization is not None
    return {p.id: p.post for p in program.organization.people}


def person_rows(rng: random.Random, staff: list[tuple[str, str]]) -> list[list[str]]:
    out = []
    for period in PERIODS:
        for ident, name in staff:
            out.append([
                period, ident, name,
                rng.choices(LEVELS, weights=[5, 5, 1, 0])[0],
                str(rng.choice([0, 0, 0, 1])),
                str(rng.choice([0, 0, 1])),
                str(Decimal(rng.randint(1200, 1500)) / 100),
            ])  # fmt: skip
    return out


def add_post_columns(table: list[list[str]], post_of: dict[str, str | None]) -> None:
    """The leadership rating of heads and deputies, the late reports of liaisons."""
    rng = random.Random(POST_SEED)
    for row in table:
        post = post_of.get(row[1])
        leading = rng.choices(LEVELS, weights=[5, 4, 1, 0])[0]
        late = str(rng.choice([0, 0, 0, 1]))
        row += [leading if post in LEADING_POSTS else "", late if post == LIAISON_POST else ""]


def person_events(rng: random.Random, staff: list[tuple[str, str]]) -> list[list[str]]:
    """Every individual gets at least one deduction in January-September 2016."""
    out = []
    for ident, _ in staff:
        for period in rng.sample(PERIODS[4:], rng.randint(1, 2)):
            item = rng.choice(sorted(PERSON_DEDUCTIONS))
            out.append(
                [_day(rng, period), ident, item, str(rng.randint(1, 3)), *PERSON_DEDUCTIONS[item]]
            )
        if rng.random() < 0.3:
            item = rng.choice(sorted(PERSON_DEDUCTIONS))
            out.append(
                [_day(rng, rng.choice(PERIODS[:4])), ident, item, "1", *PERSON_DEDUCTIONS[item]]
            )
        if rng.random() < 0.08:
            out.append([_day(rng, rng.choice(PERIODS[4:])), ident, "personal_commendation", "1",
                        "获市级先进个人", "市局表彰文件"])  # fmt: skip
    return out


def write(path: Path, header: list[str], rows_: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows_)


def person_totals(folder: Path) -> dict[str, Decimal]:
    """January-September 2016 totals of every person, as the rules compute them."""
    from compiler.pipeline import compile_rules
    from dsl.ruleset import DirectorySource
    from runtime.engine.run import evaluate_rules
    from runtime.inputs.periods import parse_periods

    compilation = compile_rules(DirectorySource(str(ROOT / "rules" / "yongzhou")))
    evaluation = evaluate_rules(compilation, str(folder), parse_periods("2016Q1..2016Q3"))
    return {r.id: r.total for r in evaluation.people}


def tune_gap(folder: Path, person_table: list[list[str]]) -> None:
    """Move one person's learning scores until the gap is exactly 10 points.

    When the gap is too small, the lowest person's scores go down; when it is
    too large, the highest person's go down (raising the lowest would only
    hand the bottom place to the next one).  A change of d in each 2016
    quarter moves that person's total by about 0.7 d (the own share), so the
    search starts there and walks in hundredths.
    """
    totals = person_totals(folder)
    lowest = min(totals, key=lambda ident: (totals[ident], ident))
    highest = max(totals, key=lambda ident: (totals[ident], ident))
    gap = totals[highest] - totals[lowest]
    tuned = lowest if gap < TARGET_GAP else highest
    rows_ = [r for r in person_table if r[1] == tuned and r[0].startswith("2016")]
    original = [Decimal(r[6]) for r in rows_]
    guess = (-abs(gap - TARGET_GAP) / Decimal("0.7")).quantize(Decimal("0.01"))
    for step in range(0, 200):
        for delta in (guess + Decimal(step) / 100, guess - Decimal(step) / 100):
            scores = [o + delta for o in original]
            if not all(Decimal(0) <= s <= Decimal(15) for s in scores):
                continue
            for row, score in zip(rows_, scores, strict=True):
                row[6] = str(score)
            write(folder / "people.csv", PERSON_COLUMNS, person_table)
            totals = person_totals(folder)
            if max(totals.values()) - min(totals.values()) == TARGET_GAP:
                return
    raise SystemExit("could not tune the individual gap to 10 points")


def main() -> None:
    rng = random.Random(SEED)
    folder = Path(__file__).parent
    section_rows = rows(rng)
    write(folder / "sections.csv", COLUMNS, section_rows)
    supervision_table = supervision(section_rows)
    staff = people()
    person_table = person_rows(rng, staff)
    add_post_columns(person_table, posts())
    all_events = events(rng) + person_events(rng, staff)
    mark_uncorrected(supervision_table, [e for e in all_events if e[2] == "supervision_issue"])
    write(folder / "supervision.csv", SUPERVISION_COLUMNS, supervision_table)
    all_events = [e for e in all_events if e[2] != "supervision_issue"]
    all_events.sort()
    write(folder / "events.csv", EVENT_COLUMNS, all_events)
    write(folder / "people.csv", PERSON_COLUMNS, person_table)
    tune_gap(folder, person_table)


if __name__ == "__main__":
    main()
