"""The fifth bundled real scheme, rules/licheng_disclosure, end to end.

政务公开绩效考评 of 泉州市鲤城区 (2020), its first four categories: the
依申请公开 part deducts 6 points for every request answered after the deadline
of 《政府信息公开条例》 art. 33 — 20 official working days after receipt, 40
when extended — counted on the official calendar with its make-up days.
Checked here: the rules are clean and proven in bounds, their own rule tests
pass at full coverage, the example year evaluates without warnings, every
request's lateness agrees with a day-by-day walk over chinesecalendar, the
generator reproduces the bundled file, and the year's table is a golden file.
"""

from __future__ import annotations

import csv
import datetime
import importlib.util
import json
from pathlib import Path
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]

from tests.clirun import run
from tests.golden import assert_golden

RULES = "rules/licheng_disclosure"
DATA = "examples/licheng_disclosure"
GOLDEN = Path("tests/cases/licheng_disclosure")


def _evaluate() -> dict[str, Any]:
    code, out, err = run("evaluate", RULES, "--data", DATA, "--period", "2020", "--format", "json")
    assert code == 0 and err == "", err
    document = json.loads(out)
    assert isinstance(document, dict)
    return {s["id"]: s for s in document["subjects"]}


def test_check_is_clean() -> None:
    code, out, err = run("--lang", "en", "check", RULES)
    assert code == 0 and err == "", err
    assert "4 indicators" in out


def test_verify_proves_every_score_within_its_points() -> None:
    code, out, err = run("--lang", "en", "verify", RULES)
    assert code == 0 and "warning" not in out + err and "error" not in out + err, out + err


def test_rule_tests_pass_at_full_coverage() -> None:
    code, out, err = run("--lang", "en", "test", RULES, "--fail-under", "100")
    assert code == 0, out + err
    assert "0 failed" in out and "100.0%" in out


def _deadline(received: datetime.date, days: int) -> datetime.date:
    """Walk the calendar day by day, counting official working days."""
    day = received
    while days:
        day += datetime.timedelta(days=1)
        days -= chinese_calendar.is_workday(day)
    return day


def _late_by_hand(row: dict[str, str]) -> int:
    late = 0
    for n in (1, 2, 3):
        received = row[f"申请{n}收到日期"]
        if received:
            allowed = 40 if row[f"申请{n}延期"] == "是" else 20
            deadline = _deadline(datetime.date.fromisoformat(received), allowed)
            late += datetime.date.fromisoformat(row[f"申请{n}答复日期"]) > deadline
    return late


def test_late_answers_are_those_of_the_calendar() -> None:
    with open(f"{DATA}/sections.csv", encoding="utf-8", newline="") as handle:
        rows = {r["subject"]: r for r in csv.DictReader(handle)}
    departments = _evaluate()
    assert sorted(departments) == sorted(rows)
    lates = {}
    for department, result in departments.items():
        (on_request,) = (i for i in result["indicators"] if i["id"] == "on_request")
        lates[department] = _late_by_hand(rows[department])
        if lates[department]:
            assert on_request["score"] in ("0", "0.00"), department
    assert lates["d2"] >= 1  # the request placed across National Day 2020
    assert any(n == 0 for n in lates.values())


def test_the_bundled_file_is_what_the_generator_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("licheng_generate", f"{DATA}/generate.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.write_all(tmp_path)
    assert (tmp_path / "sections.csv").read_bytes() == (Path(DATA) / "sections.csv").read_bytes()


def test_the_year_table_is_golden() -> None:
    code, out, err = run("--lang", "zh", "evaluate", RULES, "--data", DATA, "--period", "2020")
    assert code == 0 and err == ""
    assert_golden(GOLDEN / "evaluate_2020.zh.txt", out)
