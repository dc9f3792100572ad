"""Generate the bundled example data for rules/hongqiao_reporting (seeded, reproducible).

Plausible, not real: the 8 enterprises of rules/hongqiao_reporting/organization.yaml
(made-up names) in the 2020 assessment.  An enterprise's row holds what the
town's 统计站 recorded: the day each month's industrial report was submitted
online — mostly within 26–28, some earlier, a few one to a week late, now and
then a month not submitted at all (empty).  One late report across a weekend is
placed on purpose (PLANTED): due Saturday 2020-03-28, submitted Monday
2020-03-30, two calendar days late.

Nothing here is a finding about any real enterprise.
tests/test_bundled_hongqiao_reporting.py checks that running it again gives the
same file byte for byte.

Run: python examples/hongqiao_reporting/generate.py   (rewrites sections.csv)
"""

from __future__ import annotations

import csv
import datetime
import io
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RULES = ROOT / "rules" / "hongqiao_reporting"
SEED = 20200328
YEAR = 2020
MONTHS = "一 二 三 四 五 六 七 八 九 十 十一 十二".split()
COLUMNS = [f"{month}月报送日期" for month in MONTHS]
PLANTED = {("e3", 3): "2020-03-30"}


def enterprises() -> list[tuple[str, str]]:
    """(id, name) of every enterprise of the rule set's organization, in order."""
    text = (RULES / "organization.yaml").read_text(encoding="utf-8")
    return re.findall(r"\{id: (e\d+), name: ([^,]+), group:", text)


def submitted(rng: random.Random, month: int) -> str:
    """The day the month's report went in: relative to the 28th, or "" if never."""
    draw = rng.random()
    if draw < 0.02:
        return ""
    if draw < 0.85:
        offset = -rng.randint(0, 2)  # within 26–28
    elif draw < 0.93:
        offset = -rng.randint(3, 6)  # early
    else:
        offset = rng.randint(1, 7)  # late
    return (datetime.date(YEAR, month, 28) + datetime.timedelta(days=offset)).isoformat()


def section_rows() -> list[list[str]]:
    """One row per enterprise: the 统计站's record of 2020."""
    rng = random.Random(SEED)
    rows = [["period", "subject", "name", *COLUMNS]]
    for enterprise, name in enterprises():
        days = [submitted(rng, month) for month in range(1, 13)]
        for (planted, month), day in PLANTED.items():
            if planted == enterprise:
                days[month - 1] = day
        rows.append([str(YEAR), enterprise, name, *days])
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
