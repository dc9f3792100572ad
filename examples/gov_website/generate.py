"""Generate the bundled example data for rules/gov_website (seeded, reproducible).

Plausible, not real: the 8 websites of rules/gov_website/organization.yaml
(made-up names) in the four quarterly spot checks of 2020 (2020Q1..2020Q4).  A
quarter's row holds what the inspection team recorded for a website: the week's
monitoring of the home page (20–24 visits a day for 7 days, and how many took 15
seconds or more), the home page's updates in two weeks, the stale and blank
columns, the messages left unanswered for over three months, the deduction
part's score (out of 100) and, for the portals, the bonus part's score (out of
30).  A few single-veto findings are placed on purpose so that every kind shows
in the example year (PLANTED); the event table holds one 严重错误 finding.

Nothing here is a finding about any real website.
tests/test_bundled_gov_website.py checks that running it again gives the same
files byte for byte.

Run: python examples/gov_website/generate.py   (rewrites sections.csv, events.csv)
"""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RULES = ROOT / "rules" / "gov_website"
SEED = 20190401
YEAR = 2020
PORTALS = {"w1", "w2", "w3"}

# (quarter, website, column, value): single-veto findings placed in the example year.
PLANTED: list[tuple[int, str, str, int]] = [
    (1, "w7", "无法访问次数", 9),  # 9 of the week's visits: ≥ 5% → 站点无法访问
    (2, "w8", "空白栏目数", 5),  # 栏目不更新 (3)
    (4, "w6", "超三个月未回应留言数", 2),  # 互动回应差
    (4, "w8", "首页更新条数", 0),  # 首页不更新
]

# (date, website, item, reason, evidence): the inspection team's event findings.
EVENTS = [
    (
        "2020-08-12",
        "w5",
        "serious",
        "转载的通知中将领导同志姓名写错",
        "2020年第三季度政府网站抽查记录第5号",
    ),
]

COLUMNS = [
    "监测次数",
    "无法访问次数",
    "首页更新条数",
    "动态要闻及通知政策未更新栏目数",
    "长期未更新栏目数",
    "空白栏目数",
    "超三个月未回应留言数",
    "扣分指标得分",
    "加分指标得分",
]


def websites() -> list[tuple[str, str]]:
    """(id, name) of every website of the rule set's organization, in order."""
    text = (RULES / "organization.yaml").read_text(encoding="utf-8")
    return re.findall(r"\{id: (w\d+), name: ([^,]+), group:", text)


def section_rows() -> list[list[str]]:
    """One row per website and quarter: the inspection team's record."""
    rng = random.Random(SEED)
    rows = [["period", "subject", "name", *COLUMNS]]
    for quarter in range(1, 5):
        for site, name in websites():
            visits = 7 * rng.randint(20, 24)
            record = {
                "监测次数": visits,
                "无法访问次数": rng.choice([0, 0, 0, 1, 2, 3]),
                "首页更新条数": rng.randint(3, 40),
                "动态要闻及通知政策未更新栏目数": rng.randint(0, 3),
                "长期未更新栏目数": rng.randint(0, 6),
                "空白栏目数": rng.randint(0, 2),
                "超三个月未回应留言数": 0,
            }
            for planted_quarter, planted_site, column, value in PLANTED:
                if (planted_quarter, planted_site) == (quarter, site):
                    record[column] = value
            deduction_part = f"{rng.randint(1240, 1960) / 20:.2f}"  # 62.00 … 98.00
            bonus_part = f"{rng.randint(20, 56) / 2:.1f}" if site in PORTALS else ""
            values = [str(record[c]) for c in COLUMNS[:7]] + [deduction_part, bonus_part]
            rows.append([f"{YEAR}Q{quarter}", site, name, *values])
    return rows


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def write_all(target: Path) -> None:
    """Every bundled file into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "sections.csv").write_text(csv_text(section_rows()), encoding="utf-8")
    events = [["date", "subject", "item", "count", "reason", "evidence"]]
    events += [[d, s, i, "1", r, e] for d, s, i, r, e in EVENTS]
    (target / "events.csv").write_text(csv_text(events), encoding="utf-8")


if __name__ == "__main__":
    write_all(HERE)
