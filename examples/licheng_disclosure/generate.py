"""Generate the bundled example data for rules/licheng_disclosure (seeded, reproducible).

Plausible, not real: the 6 departments of rules/licheng_disclosure/organization.yaml
(made-up names) in the 2020 annual assessment.  A department's row holds what
the district's 政务公开办 recorded: the findings of each of the four categories
modelled (counts and yes/no), and up to three 依申请公开 requests with the day
received, the day answered and whether the answer was extended — the answer day
drawn a number of official working days after receipt, a few beyond the 20 (or
40) working days the regulation allows, some across the 2020 holidays; one late
request across National Day is placed on purpose (PLANTED).

Nothing here is a finding about any real department.
tests/test_bundled_licheng_disclosure.py checks that running it again gives the
same file byte for byte.

Run: python examples/licheng_disclosure/generate.py   (rewrites sections.csv)
"""

from __future__ import annotations

import csv
import datetime
import io
import random
import re
from pathlib import Path

import chinese_calendar  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RULES = ROOT / "rules" / "licheng_disclosure"
SEED = 20201214
YEAR = 2020
COUNTS = [
    "提前或超期公开条数",
    "要素未规范录入条数",
    "正文不能正常显示条数",
    "被纠错件数",
    "拒绝配合次数",
    "未及时送交次数",
    "转发非主动公开文件例数",
    "引用未处理例数",
]
FLAGS = [
    "年报未及时备案",
    "年报未及时公开",
    "年报未按要素撰写",
    "年报雷同",
    "年报被退回未及时修改",
    "公开涉密或隐私信息",
]
# A request placed on purpose: received Friday 2020-09-18, answered 2020-10-23 — one
# working day late, because the make-up Sunday 9-27 and Saturday 10-10 count
# (the deadline is 2020-10-22; without them it would be 2020-10-26).
PLANTED = {"d2": ("2020-09-18", "2020-10-23", "否")}
REQUESTS = [f"申请{n}{part}" for n in (1, 2, 3) for part in ("收到日期", "答复日期", "延期")]


def departments() -> list[tuple[str, str]]:
    """(id, name) of every department of the rule set's organization, in order."""
    text = (RULES / "organization.yaml").read_text(encoding="utf-8")
    return re.findall(r"\{id: (d\d+), name: ([^,]+), group:", text)


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The day ``n`` official working days after ``day`` (holidays and make-up days)."""
    while n > 0:
        day += datetime.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def request_cells(rng: random.Random) -> list[str]:
    """Up to three requests: received, answered, extended ("是"/"否"; empty when none)."""
    cells: list[str] = []
    for _ in range(rng.choice([0, 1, 2, 3])):
        received = datetime.date(YEAR, 1, 2) + datetime.timedelta(days=rng.randint(0, 300))
        extended = rng.random() < 0.25
        allowed = 40 if extended else 20
        late = rng.random() < 0.1
        taken = allowed + rng.randint(1, 4) if late else rng.randint(3, allowed)
        answered = add_working_days(received, taken)
        cells += [received.isoformat(), answered.isoformat(), "是" if extended else "否"]
    return cells + [""] * (9 - len(cells))


def section_rows() -> list[list[str]]:
    """One row per department: the 政务公开办's record of 2020."""
    rng = random.Random(SEED)
    rows = [["period", "subject", "name", *COUNTS, *FLAGS, *REQUESTS]]
    for department, name in departments():
        counts = [str(rng.choice([0] * 8 + [1, 1, 2])) for _ in COUNTS]
        flags = ["是" if rng.random() < 0.08 else "否" for _ in FLAGS]
        requests = request_cells(rng)
        if department in PLANTED:  # the last free slot takes the planted request
            free = requests.index("") if "" in requests else 6
            requests[free : free + 3] = list(PLANTED[department])
        rows.append([str(YEAR), department, name, *counts, *flags, *requests])
    return rows


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def write_all(target: Path) -> None:
    """Every bundled file into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "sections.csv").write_text(csv_text(section_rows()), encoding="utf-8")


if __name__ == "__main__":
    write_all(HERE)
