"""The must-show scripted quarter of issue #12 (warnings from status): 2016Q3
on the bundled rules, as the office runs it.

Every assessing section submits its part of the bundled data (split by the
columns it owns, as ``tests/test_submissions.py`` does): 收入核算科 early,
most in the window, two late, 纳税服务科 never.  ``status`` shows exactly
that; the September tables go out and are recorded; on the reminder day the
second warnings go to the sections with nothing in that day; once the window
has closed they would go to the missing one alone; warnings are signed and
listed since July; evaluating from the submissions equals evaluating the data
folder once the missing section has sent its data (until then the evaluation
stops, naming it)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]
import pytest

from runtime.store import Store
from runtime.tools.warning_records import issued_warnings
from tests.clirun import run
from tests.test_submissions import _split, merged_and_direct, publish_2015q3, without_sources

RULES = "rules/yongzhou"
DATA = Path("examples/yongzhou")
PERIOD = "2016Q3"
CHECKPOINT = date(2016, 9, 30)

SCRIPT = {
    "收入核算科": "2016-09-26T16:00",  # early: before the reminder day
    "征收管理科": "2016-10-05T17:30",  # the last day of the window: still in
    "政策法规科": "2016-10-03T09:00",
    "办公室": "2016-10-03T09:00",
    "监察室": "2016-10-04T10:00",
    "政工科": "2016-10-06T08:45",  # late
    "机关党委": "2016-10-09T10:00",  # late
    "所在科室": "2016-10-03T09:00",
    # 纳税服务科 (opinion_survey) never submits
}
MISSING = "纳税服务科"


def _reminder_day_by_hand() -> date:
    """Three working days before the checkpoint, counted on the official
    calendar without our code: the checkpoint itself is not counted."""
    day, found = CHECKPOINT, 0
    while found < 3:
        day -= timedelta(days=1)
        found += bool(chinese_calendar.is_workday(day))
    return day


def test_the_reminder_day_by_hand() -> None:
    # Thursday 29, Wednesday 28 and Tuesday 27 September are working days.
    assert _reminder_day_by_hand() == date(2016, 9, 27)


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    return _split(tmp_path_factory.mktemp("cycle-parts"))


@pytest.fixture(scope="module")
def quarter(parts: dict[str, list[Path]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store after the quarter: the scripted submissions, the September
    tables issued on 1 September and the reminders on 27 September, each
    recorded as it stood on its day."""
    store = tmp_path_factory.mktemp("cycle") / "results.sqlite"
    assert set(parts) == set(SCRIPT) | {MISSING}
    for assessor, at in SCRIPT.items():
        for file in parts[assessor]:
            code, _, err = run(
                "submit", RULES, "--store", str(store), "--period", PERIOD, "--assessor",
                assessor, "--file", str(file), "--at", at, "--by", "联络员",
            )  # fmt: skip
            assert (code, err) == (0, ""), err
    for day in ("2016-09-01", "2016-09-27"):
        code, _, err = run(
            "warn", RULES, "--date", day, "--store", str(store), "--as-of", day, "--record",
            "--by", "绩效办", "--lang", "en",
        )  # fmt: skip
        assert code == 0 and err.startswith("recorded "), err
    return store


def _json(*argv: str) -> Any:
    code, out, err = run(*argv, "--format", "json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


def test_status_shows_exactly_the_script(quarter: Path) -> None:
    lines = _json("status", RULES, "--store", str(quarter), "--period", PERIOD)["lines"]
    states: dict[str, set[str]] = {}
    for line in lines:
        states.setdefault(line["assessor"], set()).add(line["state"])
    assert states == {
        "收入核算科": {"in"}, "征收管理科": {"in"}, "政策法规科": {"in"}, "办公室": {"in"},
        "监察室": {"in"}, "所在科室": {"in"},
        "政工科": {"late"}, "机关党委": {"late"},
        MISSING: {"missing"},
    }  # fmt: skip


def _second(quarter: Path, *extra: str) -> list[tuple[str, str, str, str]]:
    """(reminder day, recipient, liaison, indicator) of September's second warnings."""
    code, out, err = run(
        "warn", RULES, "--date", "2016-09-01", "--store", str(quarter), "--lang", "en", *extra
    )
    assert (code, err) == (0, ""), err
    block = out.split("2. Second warnings", 1)[1].splitlines()[4:]
    return [tuple(line.split()[:4]) for line in block if line.strip()]  # type: ignore[misc]


def test_after_the_window_the_second_warning_goes_only_to_the_missing_one(quarter: Path) -> None:
    expected = _reminder_day_by_hand().isoformat()
    assert _second(quarter) == [(expected, MISSING, "江辉磊", "opinion_survey")]


def test_on_the_reminder_day_it_goes_to_every_section_with_nothing_in(quarter: Path) -> None:
    rows = _second(quarter, "--as-of", "2016-09-27")
    assert {day for day, *_ in rows} == {"2016-09-27"}
    indicators = {(section, indicator) for _, section, _, indicator in rows}
    assert ("收入核算科", "revenue") not in indicators  # sent on the 26th
    assert {("政工科", "performance_reporting"), ("机关党委", "civilized_city"),
            (MISSING, "opinion_survey")} <= indicators  # fmt: skip
    # 所在科室 (each section assesses its own people) had nothing in: all 17 sections.
    assert len({s for s, i in indicators if i == "duty"}) == 17


def test_without_a_store_status_is_unknown_and_said() -> None:
    code, out, _ = run("warn", RULES, "--date", "2016-09-01", "--lang", "en")
    assert code == 0
    assert "(no submission status read (--store): the second warnings list everything owed)" in out


def test_warnings_recorded_signed_and_listed_since_july(quarter: Path, tmp_path: Path) -> None:
    store = tmp_path / "signed.sqlite"
    shutil.copy(quarter, store)
    listed = _json("warnings", "--store", str(store), "--since", "2016-07-01")
    warnings = listed["warnings"]
    first = [w for w in warnings if w["kind"] == "first"]
    second = [w for w in warnings if w["kind"] == "second"]
    # One table per assessed section on 1 September, one reminder per section
    # owing data on the 27th (every section: each owes its people's duty).
    assert len(first) == 17 and {w["issued_on"] for w in first} == {"2016-09-01"}
    assert len(second) == 17 and {w["issued_on"] for w in second} == {"2016-09-27"}
    assert listed["counts"]["total"] == 34
    revenue = next(w for w in second if w["section_name"] == "收入核算科")
    assert "revenue" not in {i["indicator"] for i in revenue["items"]}
    missing = next(w for w in second if w["section_name"] == MISSING)
    assert missing["signer"] == "江辉磊"
    assert {i["indicator"] for i in missing["items"]} == {"opinion_survey", "duty", "work_quality"}
    head = next(w for w in first if w["section_name"] == MISSING)
    for ident, by, at in ((head["id"], head["signer"], "2016-09-02T10:00"),
                          (missing["id"], "江辉磊", "2016-09-27T16:00")):  # fmt: skip
        code, out, err = run(
            "warnings", "--store", str(store), "--sign", str(ident), "--by", by, "--at", at,
            "--lang", "en",
        )  # fmt: skip
        assert (code, err) == (0, "") and out.startswith(f"warning #{ident} ({MISSING}, 2016-09)")
    # A signature is a record: not signed twice, not edited behind the tool's back.
    code, _, err = run(
        "warnings", "--store", str(store), "--sign", str(missing["id"]), "--by", "x",
        "--lang", "en", "--output-format", "concise",
    )  # fmt: skip
    assert code == 1 and "error[E0931]: warning #" in err and "江辉磊" in err
    with sqlite3.connect(store) as connection, pytest.raises(sqlite3.IntegrityError):
        connection.execute("UPDATE warning_signatures SET signed_by = 'x'")
    with sqlite3.connect(store) as connection, pytest.raises(sqlite3.IntegrityError):
        connection.execute("DELETE FROM warnings")
    # The query the bulletin and the master ledger read.
    opened = Store(str(store), read_only=True)
    try:
        since_july = issued_warnings(opened, date(2016, 7, 1))
        assert len(since_july) == 34
        signed = [w for w in since_july if w.signed_by]
        assert {(w.kind, w.signed_by) for w in signed} == {
            ("first", head["signer"]),
            ("second", "江辉磊"),
        }
        assert issued_warnings(opened, date(2016, 10, 1)) == []
        assert len(issued_warnings(opened, None, date(2016, 9, 26))) == 17
    finally:
        opened.close()
    code, out, _ = run("warnings", "--store", str(store), "--since", "2016-07-01", "--lang", "en")
    assert code == 0
    assert out.endswith("34 warnings: 17 first (1 signed), 17 second (1 signed), to 17 sections.\n")
    # The bulletin counts them from the store (the source: "12 warnings, 12 signatures").
    code, out, err = run(
        "report", "bulletin", RULES, "--data", "examples/yongzhou", "--period", "2016Q3",
        "--store", str(store),
    )  # fmt: skip
    assert code == 0, err
    assert "本期发出指标预警提醒 34 次（其中二次预警 17 次），已签字 2 次。" in out
    code, out, _ = run(
        "report", "bulletin", RULES, "--data", "examples/yongzhou", "--period", "2016Q2",
        "--store", str(store),
    )  # fmt: skip
    assert code == 0 and "本期发出指标预警提醒 0 次" in out


def test_evaluating_from_submissions_equals_the_data_folder(
    quarter: Path, parts: dict[str, list[Path]], tmp_path: Path
) -> None:
    """While 纳税服务科 is missing the evaluation stops naming it (E0954: its
    indicator's column is required); once it sends its data (late), the
    evaluation from submissions equals the data folder's."""
    code, out, err = run(
        "evaluate", RULES, "--store", str(quarter), "--from-submissions", "--period", PERIOD,
        "--lang", "en", "--output-format", "concise",
    )  # fmt: skip
    assert code == 1 and out == ""
    assert "error[E0954]: 纳税服务科 has not submitted indicator `opinion_survey`" in err
    store = tmp_path / "complete.sqlite"
    shutil.copy(quarter, store)
    publish_2015q3(store)
    for file in parts[MISSING]:
        code, _, err = run(
            "submit", RULES, "--store", str(store), "--period", PERIOD, "--assessor", MISSING,
            "--file", str(file), "--at", "2016-10-12T09:00",
        )  # fmt: skip
        assert code == 0, err
    lines = _json("status", RULES, "--store", str(store), "--period", PERIOD)["lines"]
    assert {line["state"] for line in lines if line["assessor"] == MISSING} == {"late"}
    merged, direct = merged_and_direct(store)
    assert without_sources(merged) == without_sources(direct)
