"""Generate the bundled example data for rules/chuzhou_quarterly (seeded, reproducible).

Plausible, not real: the 8 county units of rules/chuzhou_quarterly/organization.yaml
(made-up names) with the four cumulative reporting periods of 2022 (一季度, 上半年,
前三季度, 全年 = 2022Q1..2022Q4).  Each unit has a yearly size for each of the four
modelled indicators (财政收入, 固定资产投资, 社会消费品零售总额, 进出口总额, in 万元)
and a growth trend; a quarter's row holds the cumulative amount to date and the
amount of the same period a year earlier, as the statistics bureau reports them.
The event table holds the city's 约谈 (月度 −0.5, 季度 −1) of the units whose figures
lagged, dated inside the quarter they count for.

Nothing here is a statistic of 滁州 or of any real county.
tests/test_bundled_chuzhou_quarterly.py checks that running it again gives the
same files byte for byte.

Run: python examples/chuzhou_quarterly/generate.py   (rewrites sections.csv, events.csv)
"""

from __future__ import annotations

import csv
import io
import random
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RULES = ROOT / "rules" / "chuzhou_quarterly"
SEED = 20220401
YEAR = 2022
INDICATORS = ["财政收入", "固定资产投资", "社会消费品零售总额", "进出口总额"]
# Share of the year's amount reached by the end of each quarter (cumulative).
SHARE = [Decimal("0.23"), Decimal("0.49"), Decimal("0.74"), Decimal("1")]
# Typical yearly amount of each indicator for a unit, in 万元 (scaled per unit).
SIZE = {
    "财政收入": 260_000,
    "固定资产投资": 3_200_000,
    "社会消费品零售总额": 1_500_000,
    "进出口总额": 450_000,
}

# (date, unit, item, reason, evidence): the city's 约谈 of the example year.
EVENTS = [
    (
        "2022-02-18",
        "c7",
        "monthly_talk",
        "1—2月固定资产投资增速低于全市水平",
        "市政府月度约谈纪要〔2022〕1号",
    ),
    (
        "2022-04-08",
        "c7",
        "quarterly_talk",
        "一季度主要经济指标增速低于全市水平",
        "市政府季度约谈纪要〔2022〕1号",
    ),
    ("2022-05-20", "c5", "monthly_talk", "1—4月进出口总额负增长", "市政府月度约谈纪要〔2022〕3号"),
    (
        "2022-07-12",
        "c8",
        "quarterly_talk",
        "上半年财政收入增速全市末位",
        "市政府季度约谈纪要〔2022〕2号",
    ),
    (
        "2022-08-19",
        "c8",
        "monthly_talk",
        "1—7月社会消费品零售总额增速低于全市水平",
        "市政府月度约谈纪要〔2022〕6号",
    ),
    (
        "2022-11-17",
        "c5",
        "monthly_talk",
        "1—10月固定资产投资增速回落",
        "市政府月度约谈纪要〔2022〕9号",
    ),
]


def units() -> list[tuple[str, str]]:
    """(id, name) of every county unit of the rule set's organization, in order."""
    text = (RULES / "organization.yaml").read_text(encoding="utf-8")
    return re.findall(r"\{id: (c\d+), name: ([^,]+), group:", text)


def wan(value: Decimal) -> str:
    """An amount in 万元 with one decimal, as statistical tables print it."""
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def section_rows() -> list[list[str]]:
    """One row per unit and quarter: cumulative amounts this year and a year earlier."""
    rng = random.Random(SEED)
    header = ["period", "subject", "name"]
    for indicator in INDICATORS:
        header += [indicator, f"{indicator}上年同期"]
    plan: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for unit, _ in units():
        scale = Decimal(rng.randint(55, 160)) / 100
        for indicator in INDICATORS:
            last_year = Decimal(SIZE[indicator]) * scale * Decimal(rng.randint(80, 120)) / 100
            growth = Decimal(rng.randint(-40, 180)) / 1000  # −4.0% … +18.0% for the year
            plan[(unit, indicator)] = (last_year, growth)
    rows = [header]
    for quarter, share in enumerate(SHARE, start=1):
        for unit, name in units():
            row = [f"{YEAR}Q{quarter}", unit, name]
            for indicator in INDICATORS:
                last_year, growth = plan[(unit, indicator)]
                drift = Decimal(rng.randint(-30, 30)) / 1000  # the quarter's own wobble
                earlier = last_year * share
                row += [wan(earlier * (1 + growth + drift)), wan(earlier)]
            rows.append(row)
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
