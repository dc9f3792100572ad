"""Generate the bundled example data for rules/staff_annual (seeded, reproducible).

Plausible, not real: the 32 staff of a made-up county hospital (the people of
rules/staff_annual/organization.yaml), one row per person and year for
2021-2024 with the unit's appraisal score (测评得分), and an event table of
disciplinary sanctions chosen to show each rule of the set on real-looking
data: a 警告 in November (its period crosses the year end, the grade cap does
not), a 记过, a 降低岗位等级 under the 2012 rules that holds into the next year,
a 警告 and a 记过 in one year (the harshest wins), a 开除 (the person leaves:
no rows afterwards), a refusal to take part (a data column), and after the
2023-11-06 regulation a 记过 and a 降低岗位等级 that leave the year ungraded
(the latter into 2024); a few scores are set by hand (PINNED) so that the
restarting count of the hospital's own nomination rule shows on the data.

Sanctions that hold into a later year reach its evaluation through published
results, as in a unit's results store: the script also evaluates 2021-2023 in
order and writes each year's results to published/YEAR.json (what a later
year reads: id, kind, group, total, rank, grade, vetoes, sanctions).
tests/test_bundled_staff_annual.py checks that running it again gives the same
files byte for byte.

Run: python examples/staff_annual/generate.py   (rewrites people.csv, events.csv, published/)
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RULES = ROOT / "rules" / "staff_annual"
SEED = 20230112
YEARS = [2021, 2022, 2023, 2024]
PUBLISHED = [2021, 2022, 2023]
NOTE = (
    "随示例附带的已发布年度结果（合成数据）：由 examples/staff_annual/generate.py 用本目录的数据和"
    " rules/staff_annual 逐年计算。 Bundled published annual results of the example (synthetic,"
    " like the data): computed by examples/staff_annual/generate.py from this folder's rows"
    " with rules/staff_annual, year by year."
)
KEPT = ("id", "kind", "group", "total", "rank", "grade", "vetoes", "sanctions")

# (date, person, item, reason, evidence): the sanctions of the example.
EVENTS = [
    ("2021-05-17", "p203", "warning_2012", "警告：违反诊疗规范", "院纪〔2021〕3号"),
    ("2022-03-01", "p407", "demotion_2012", "降低岗位等级：严重违反护理规程", "院纪〔2022〕1号"),
    ("2022-07-08", "p504", "dismissal", "开除：长期旷工", "院纪〔2022〕4号"),
    ("2022-09-15", "p302", "demerit_2012", "记过：收受药品回扣", "院纪〔2022〕5号"),
    ("2022-11-20", "p105", "warning_2012", "警告：违反财务制度", "院纪〔2022〕7号"),
    ("2023-02-01", "p206", "warning_2012", "警告：违反值班制度", "院纪〔2023〕1号"),
    ("2023-06-01", "p206", "demerit_2012", "记过：医疗差错未报告", "院纪〔2023〕2号"),
    ("2023-11-20", "p104", "demerit", "记过：违规发放津贴", "院纪〔2023〕6号"),
    ("2023-12-05", "p402", "demotion", "降低岗位等级：严重违反护理规程", "院纪〔2023〕8号"),
    ("2024-06-03", "p301", "warning", "警告：违反诊疗规范", "院纪〔2024〕2号"),
]
DISMISSED = {"p504": 2022}  # person -> last year with a row
REFUSED = {("p307", 2023)}  # (person, year) refusing to take part
# Scores set by hand over the drawn ones, for the restarting count of links.yaml's
# advanced_worker: p104 is 优秀 in 2021, 2022 and 2024 but ungraded in 2023 (记过
# under the 2023 regulation), so the count restarts and 2024 nominates nobody;
# p105 is 优秀 in 2021, 2023 and 2024 and capped at 合格 by a 2022 警告, which
# does not restart the count, so 2024 nominates p105.
PINNED = {("p104", 2021): 97, ("p104", 2022): 97, ("p104", 2024): 97,
          ("p105", 2021): 98, ("p105", 2024): 98}  # fmt: skip


def staff() -> list[tuple[str, str]]:
    """(id, name) of every person of the rule set's organization, in order."""
    text = (RULES / "organization.yaml").read_text(encoding="utf-8")
    return re.findall(r"\{id: (p\d+), name: ([^,]+), section:", text)


def people_rows() -> list[list[str]]:
    """One row per person and year: appraisal scores mostly 75-92, a few 90+."""
    rng = random.Random(SEED)
    rows = [["period", "subject", "name", "测评得分", "拒不参加考核"]]
    for year in YEARS:
        for person, name in staff():
            if person in DISMISSED and year > DISMISSED[person]:
                continue
            score = rng.choice([rng.randint(72, 89), rng.randint(80, 96), rng.randint(60, 75)])
            score = PINNED.get((person, year), score)
            refused = "是" if (person, year) in REFUSED else ""
            rows.append([str(year), person, name, str(score), refused])
    return rows


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def published(year: int, data: Path) -> str:
    """One year's published results as the bundled file's text."""
    sys.path.insert(0, str(ROOT))
    from runtime import cli  # the project, from this checkout

    out, err = io.StringIO(), io.StringIO()
    argv = ["--lang", "en", "evaluate", str(RULES), "--data", str(data), "--period", str(year)]
    if cli.main([*argv, "--format", "json"], stdout=out, stderr=err) != 0:
        raise SystemExit(f"{year}: {err.getvalue()}")
    # Rule positions relative to the checkout, so the files are the same in any clone.
    document = json.loads(out.getvalue().replace(f"{ROOT}/", ""))
    subjects = [{key: s[key] for key in KEPT if key in s} for s in document["subjects"]]
    head = {
        "note": NOTE,
        "scheme": document["scheme"],
        "version": document["version"],
        "period": document["period"],
    }
    lines = [
        f" {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)},"
        for k, v in head.items()
    ]
    rows = ",\n".join("  " + json.dumps(s, ensure_ascii=False) for s in subjects)
    return "{\n" + "\n".join(lines) + '\n "subjects": [\n' + rows + "\n ]\n}\n"


def write_all(target: Path) -> None:
    """Every bundled file into ``target``; each year is published before the next is evaluated."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "people.csv").write_text(csv_text(people_rows()), encoding="utf-8")
    events = [["date", "subject", "item", "count", "reason", "evidence"]]
    events += [[d, s, i, "1", r, e] for d, s, i, r, e in EVENTS]
    (target / "events.csv").write_text(csv_text(events), encoding="utf-8")
    folder = target / "published"
    if folder.exists():
        for old in folder.glob("*.json"):
            old.unlink()
    folder.mkdir(exist_ok=True)
    for year in PUBLISHED:
        (folder / f"{year}.json").write_text(published(year, target), encoding="utf-8")


if __name__ == "__main__":
    write_all(HERE)
