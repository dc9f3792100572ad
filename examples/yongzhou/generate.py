"""Generate the bundled example data for rules/yongzhou (seeded, reproducible).

Plausible, not real: 17 sections of the municipal bureau's organs, 2015Q1 to
2016Q3, one row per section and quarter.  Business sections carry revenue and
collection-quality figures; the others leave those cells empty, which the
rules declare as "exempt" (the indicator is not scored and the total is
normalized).

Run: python examples/yongzhou/generate.py   (rewrites sections.csv beside it)
"""

from __future__ import annotations

import csv
import random
from decimal import Decimal
from pathlib import Path

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
                rng.choices(LEVELS, weights=[5, 4, 2, 1])[0],
                str(handled),
                str(handled - rng.choices([0, 0, 0, 1], k=1)[0]),
                str(rng.choices([0, 0, 0, 0, 0, 0, 1], k=1)[0]),
                str(rng.randint(0, 8)),
                str(rng.randint(0, 2)),
                rng.choices(LEVELS, weights=[4, 5, 2, 1])[0],
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


def main() -> None:
    rng = random.Random(SEED)
    folder = Path(__file__).parent
    with (folder / "sections.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows(rng))
    with (folder / "events.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(EVENT_COLUMNS)
        writer.writerows(events(rng))


if __name__ == "__main__":
    main()
