"""Generate the bundled example data for rules/econ_monthly (seeded, reproducible).

Plausible, not real: the 10 county units of rules/econ_monthly/organization.yaml
(made-up names) through the 12 monthly evaluations of 2020.  A unit's row holds,
for every month, the evaluation total the city published (0–100, one decimal)
and the unit's own cumulative growth of GDP, fixed-asset investment and the
eight fiscal expenditures (percent, one decimal) — drawn around the thresholds
8% / 8% / 10% so that some top-three units miss the bonus.  One tie for first
place is placed on purpose (PLANTED: June, c2 and c5 both 91.5).

Nothing here is a finding about any real place.
tests/test_bundled_econ_monthly.py checks that running it again gives the same
file byte for byte.

Run: python examples/econ_monthly/generate.py   (rewrites sections.csv)
"""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RULES = ROOT / "rules" / "econ_monthly"
SEED = 20201012
YEAR = 2020
MONTHS = "一 二 三 四 五 六 七 八 九 十 十一 十二".split()
FIELDS = ["评估总分", "地区生产总值增速", "固定资产投资增速", "财政八项支出增速"]
PLANTED = {("c2", "六"): "91.5", ("c5", "六"): "91.5"}


def units() -> list[tuple[str, str]]:
    """(id, name) of every unit of the rule set's organization, in order."""
    text = (RULES / "organization.yaml").read_text(encoding="utf-8")
    return re.findall(r"\{id: (c\d+), name: ([^,]+), group:", text)


def month_cells(rng: random.Random, strength: float) -> list[str]:
    """One month of one unit: total, then the three growth rates."""
    total = min(99.0, max(50.0, rng.gauss(75 + strength, 6)))
    gdp = rng.gauss(8.7, 0.6)
    investment = rng.gauss(9.3, 1.5)
    fiscal = rng.gauss(11.4, 1.8)
    return [f"{total:.1f}", f"{gdp:.1f}%", f"{investment:.1f}%", f"{fiscal:.1f}%"]


def section_rows() -> list[list[str]]:
    """One row per unit: the 12 monthly evaluations of 2020."""
    rng = random.Random(SEED)
    header = [f"{month}月{field}" for month in MONTHS for field in FIELDS]
    rows = [["period", "subject", "name", *header]]
    for unit, name in units():
        strength = rng.uniform(-6, 6)
        cells: list[str] = []
        for month in MONTHS:
            month_values = month_cells(rng, strength)
            if (unit, month) in PLANTED:
                month_values[0] = PLANTED[(unit, month)]
            elif month == "六":  # below the planted tie, so that the tie is for first place
                month_values[0] = min(month_values[0], "91.0", key=float)
            cells += month_values
        rows.append([str(YEAR), unit, name, *cells])
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
