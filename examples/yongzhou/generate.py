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


def main() -> None:
    rng = random.Random(SEED)
    target = Path(__file__).with_name("sections.csv")
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows(rng))


if __name__ == "__main__":
    main()
