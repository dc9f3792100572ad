"""Submissions as records and what each assessing section still owes (issue #12,
point 1): a scripted 2016Q3 on the bundled rules.

The bundled data is split by assessing section (each indicator's
``assessor`` owns the columns its scoring reads), each part submitted at a
scripted time; ``status`` must show exactly who is in, who is late and who
is missing, and evaluating from the submissions must equal evaluating the
data folder."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from compiler.pipeline import Compilation
from runtime.cli import _compiled
from runtime.store import Store
from runtime.tools.submissions import column_owners
from tests.clirun import run

RULES = "rules/yongzhou"
DATA = Path("examples/yongzhou")
PERIOD = "2016Q3"


def _split(folder: Path) -> dict[str, list[Path]]:
    """The bundled 2016Q3 rows as each assessing section would send them: one
    CSV per table and assessor with that assessor's columns; the quarter's
    events go with 办公室."""
    compilation: Compilation = _compiled(RULES, generate=False)
    owner: dict[str, str] = {}
    for program in compilation.programs.values():
        for column, indicators in column_owners(program).items():
            owner[column] = indicators[0].assessor or ""
    parts: dict[str, list[Path]] = {}
    for table in ("sections", "people"):
        with open(DATA / f"{table}.csv", encoding="utf-8-sig", newline="") as file:
            header, *rows = list(csv.reader(file))
        rows = [row for row in rows if row[0] == PERIOD]
        by: dict[str, list[int]] = {}
        for index, column in enumerate(header[3:], start=3):
            by.setdefault(owner[column], []).append(index)
        for assessor, columns in by.items():
            path = folder / f"{table}-{assessor}.csv"
            with open(path, "w", encoding="utf-8", newline="") as file:
                writer = csv.writer(file)
                writer.writerow(header[:3] + [header[i] for i in columns])
                writer.writerows(row[:3] + [row[i] for i in columns] for row in rows)
            parts.setdefault(assessor, []).append(path)
    lines = (DATA / "events.csv").read_text(encoding="utf-8").splitlines()
    events = folder / "events-2016Q3.csv"
    events.write_text(
        "\n".join([lines[0], *(x for x in lines[1:] if x.startswith("2016-0") and x[6] in "789")])
        + "\n",
        encoding="utf-8",
    )
    parts["办公室"].append(events)
    # The office keeps the supervision table (督考合一): supervision_issue counts it.
    parts["办公室"].append(DATA / "supervision.csv")
    return parts


# The scripted quarter: due dates are 2016-10-05 (2016Q3's checkpoint + 5 days).
ON_TIME = "2016-10-03T09:00"
SCRIPT = {
    "收入核算科": ON_TIME,
    "征收管理科": "2016-10-05T17:30",  # the last day of the window: still in
    "政策法规科": ON_TIME,
    "办公室": ON_TIME,
    "监察室": ON_TIME,
    "政工科": "2016-10-06T08:45",  # late
    "机关党委": "2016-10-09T10:00",  # late
    "所在科室": ON_TIME,
    # 纳税服务科 (opinion_survey) never submits
}


def _submit(store: Path, assessor: str, file: Path, at: str, *extra: str) -> tuple[int, str, str]:
    return run(
        "submit", RULES, "--store", str(store), "--period", PERIOD, "--assessor", assessor,
        "--file", str(file), "--at", at, "--lang", "en", "--output-format", "concise", *extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    return _split(tmp_path_factory.mktemp("parts"))


@pytest.fixture(scope="module")
def scripted(parts: dict[str, list[Path]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("scripted") / "results.sqlite"
    for assessor, at in SCRIPT.items():
        for file in parts[assessor]:
            code, out, err = _submit(store, assessor, file, at, "--by", "联络员")
            assert (code, err) == (0, ""), err
            assert out.startswith("recorded submission #")
    # A correction: 收入核算科 resends its file the next day; the first stays on record.
    code, _, err = _submit(store, "收入核算科", parts["收入核算科"][0], "2016-10-04T11:00")
    assert code == 0, err
    return store


def _status(store: Path, *extra: str) -> dict[str, Any]:
    code, out, err = run(
        "status", RULES, "--store", str(store), "--period", PERIOD, "--format", "json", *extra
    )
    assert (code, err) == (0, "")
    document: dict[str, Any] = json.loads(out)
    return document


def test_status_shows_exactly_who_is_in_late_and_missing(scripted: Path) -> None:
    document = _status(scripted)
    states = {(line["assessor"], line["indicator"]): line["state"] for line in document["lines"]}
    assert states == {
        ("收入核算科", "revenue"): "in",
        ("征收管理科", "collection_quality"): "in",
        ("政策法规科", "rule_of_law"): "in",
        ("办公室", "supervision"): "in",
        ("办公室", "office_management"): "in",
        ("办公室", "sanitary_city"): "in",
        ("办公室", "on_duty"): "in",
        ("办公室", "public_security"): "in",
        ("办公室", "attendance"): "in",
        ("监察室", "integrity"): "in",
        ("政工科", "performance_reporting"): "late",
        ("政工科", "learning"): "late",
        ("政工科", "leadership"): "late",
        ("政工科", "liaison_duty"): "late",
        ("机关党委", "civilized_city"): "late",
        ("纳税服务科", "opinion_survey"): "missing",
        ("所在科室", "duty"): "in",
        ("所在科室", "work_quality"): "in",
    }
    by_id = {line["indicator"]: line for line in document["lines"]}
    # Indicators deleted by the second-quarter revision are not owed in Q3, nor
    # is half-year poverty alleviation: it is scored in Q2 and Q4 only.
    assert not {"publicity", "stability", "training", "poverty_alleviation"} & set(by_id)
    revenue = by_id["revenue"]
    assert revenue["due"] == "2016-10-05" and revenue["checkpoint"] == "2016-09-30"
    assert revenue["submissions"] == 2
    assert revenue["first"]["submitted_at"] == ON_TIME
    assert revenue["counted"]["submitted_at"] == "2016-10-04T11:00"
    assert by_id["civilized_city"]["counted"]["submitted_by"] == "联络员"


def test_status_as_it_stood_on_a_day(scripted: Path) -> None:
    document = _status(scripted, "--date", "2016-10-06")
    states = {line["indicator"]: line["state"] for line in document["lines"]}
    assert states["opinion_survey"] == "overdue"
    assert states["civilized_city"] == "overdue"  # came in on the 9th
    assert states["learning"] == "late"  # came in on the 6th
    assert states["revenue"] == "in"
    early = _status(scripted, "--date", "2016-10-03")  # the whole day counts
    early_states = {line["indicator"]: line["state"] for line in early["lines"]}
    assert early_states["collection_quality"] == "missing"  # window still open
    assert early_states["revenue"] == "in"
    revenue = next(line for line in early["lines"] if line["indicator"] == "revenue")
    assert revenue["submissions"] == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_status_text(scripted: Path, lang: str) -> None:
    code, out, err = run(
        "status", RULES, "--store", str(scripted), "--period", PERIOD, "--lang", lang
    )
    assert (code, err) == (0, "")
    if lang == "zh":
        assert out.startswith("2016Q3 考评数据报送情况\n")
        assert (
            "  opinion_survey 民意调查（民调）  季度  节点 2016-09-30，截止 2016-10-05  未报送\n"
            in out
        )
        assert out.endswith("已报送 12 项，逾期报送 5 项，未报送 1 项，逾期未报送 0 项。\n")
    else:
        assert out.startswith("Submissions for 2016Q3\n")
        assert "came in late  #" in out
        assert out.endswith("12 in, 5 late, 1 missing, 0 missing and overdue.\n")


def publish_2015q3(store: Path) -> None:
    """The office's store holds its published 2015Q3 (the example ships it beside
    the data, where the data-folder evaluation reads it), for the history links."""
    published = json.loads((DATA / "published" / "2015Q3.json").read_text(encoding="utf-8"))
    results = Store(str(store))
    results.record({**published, "rules_digest": "bundled"}, None, "bundled", True)
    results.close()


def without_sources(text: str) -> object:
    """An evaluation's JSON without the events' sources, which name where an
    event was read: a submission or a data file."""
    document = json.loads(text)
    for subject in document["subjects"]:
        for adjustment in subject["adjustments"]:
            for event in adjustment["events"]:
                event.pop("source")
    return document


def merged_and_direct(store: Path) -> tuple[str, str]:
    """The period's evaluation as JSON from the store's submissions, and
    from the data folder they were split from."""
    code, merged, err = run(
        "evaluate", RULES, "--store", str(store), "--from-submissions", "--period", PERIOD,
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    code, direct, err = run(
        "evaluate", RULES, "--data", str(DATA), "--period", PERIOD, "--format", "json"
    )
    assert code == 0, err
    return merged, direct


def test_evaluating_from_submissions_equals_the_data_folder(
    parts: dict[str, list[Path]], tmp_path: Path
) -> None:
    """Every section submits; 监察室 sends a workbook, the others CSV files."""
    store = tmp_path / "complete.sqlite"
    publish_2015q3(store)
    for assessor, files in parts.items():
        for file in files:
            if assessor == "监察室":
                file = _as_workbook(file, tmp_path)
            code, _, err = _submit(store, assessor, file, ON_TIME)
            assert code == 0, err
    merged, direct = merged_and_direct(store)

    assert without_sources(merged) == without_sources(direct)
    assert "events-2016Q3.csv (submission " in merged
    # The office publishes the quarter from the submissions: a run whose data
    # are the submitted files, verified and immutable like any published run.
    code, published_out, err = run(
        "evaluate", RULES, "--store", str(store), "--from-submissions", "--period", PERIOD,
        "--format", "json", "--publish",
    )  # fmt: skip
    assert code == 0, err
    assert published_out == merged
    opened = Store(str(store), read_only=True)
    try:
        run_ = opened.published(json.loads(merged)["scheme"], PERIOD)
        assert run_ is not None
        names = [
            name
            for (name,) in opened.connection.execute(
                "SELECT name FROM run_data WHERE run_id = ? ORDER BY name", (run_.id,)
            )
        ]
        count = len(opened.submissions(json.loads(merged)["scheme"], PERIOD))
    finally:
        opened.close()
    assert len(names) == count and all(n.startswith("submission-") for n in names)
    assert run("runs", "--store", str(store), "--verify")[0] == 0
    with sqlite3.connect(store) as connection, pytest.raises(sqlite3.IntegrityError):
        connection.execute("DELETE FROM run_data WHERE run_id = ?", (run_.id,))
    code, _, err = run(
        "evaluate", RULES, "--store", str(store), "--from-submissions", "--period", PERIOD,
        "--publish", "--lang", "en", "--output-format", "concise",
    )  # fmt: skip
    assert code == 1 and "E0910" in err  # published once, never overwritten


def test_a_missing_section_stops_the_evaluation_where_the_data_is_missing(scripted: Path) -> None:
    code, out, err = run(
        "evaluate", RULES, "--store", str(scripted), "--from-submissions", "--period", PERIOD,
        "--lang", "en", "--output-format", "concise",
    )  # fmt: skip
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{scripted} (2016Q3): error[E0954]: 纳税服务科 has not submitted indicator"
        " `opinion_survey` (column 满意率) for 2016Q3"
        " (help: jixiao status shows what each assessing section has submitted)",
    ]


def _as_workbook(file: Path, folder: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "廉政"
    with open(file, encoding="utf-8", newline="") as source:
        for row in csv.reader(source):
            sheet.append(row)
    path = folder / (file.stem + ".xlsx")
    workbook.save(path)
    return path


def test_a_correction_replaces_only_the_indicators_it_holds(
    parts: dict[str, list[Path]], tmp_path: Path
) -> None:
    """办公室 corrects 督查督办 alone: s01's supervision changes, its other
    indicators keep the first submission's values."""
    store = tmp_path / "s.sqlite"
    for assessor, files in parts.items():
        for file in files:
            if file.name != "supervision.csv":  # without the table, the cells count
                assert _submit(store, assessor, file, ON_TIME)[0] == 0

    def s01() -> dict[str, str | None]:
        code, out, err = run(
            "evaluate", RULES, "--store", str(store), "--from-submissions", "--period", PERIOD,
            "--format", "json",
        )  # fmt: skip
        assert code == 0, err
        subject = next(s for s in json.loads(out)["subjects"] if s["id"] == "s01")
        return {i["id"]: i["score"] for i in subject["indicators"]}

    before = s01()
    correction = tmp_path / "督办更正.csv"
    with open(parts["办公室"][0], encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    lines = ["period,subject,督办事项,按期办结"]
    for row in rows:
        done = row["督办事项"] if row["subject"] == "s01" else row["按期办结"]
        lines.append(f"{row['period']},{row['subject']},{row['督办事项']},{done}")
    correction.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = _submit(store, "办公室", correction, "2016-10-04T10:00")
    assert code == 0, err
    assert "indicators supervision;" in out
    after = s01()
    assert after["supervision"] == "10.00" != before["supervision"]
    assert {k: v for k, v in after.items() if k != "supervision"} == {
        k: v for k, v in before.items() if k != "supervision"
    }


def _count(store: Path) -> int:
    connection = sqlite3.connect(store)
    try:
        return int(connection.execute("SELECT COUNT(*) FROM submissions").fetchone()[0])
    finally:
        connection.close()


def test_another_sections_column_is_refused_and_nothing_recorded(
    parts: dict[str, list[Path]], tmp_path: Path
) -> None:
    store = tmp_path / "s.sqlite"
    Store(str(store)).close()
    file = parts["收入核算科"][0]
    code, out, err = _submit(store, "办公室", file, ON_TIME)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{file}:1 [实际入库]: error[E0950]: column 实际入库 belongs to indicator `revenue`,"
        " assessed by 收入核算科, not by 办公室",
        f"{file}:1 [收入计划]: error[E0950]: column 收入计划 belongs to indicator `revenue`,"
        " assessed by 收入核算科, not by 办公室",
    ]
    assert _count(store) == 0


def test_located_data_errors_record_nothing(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    file = tmp_path / "revenue.csv"
    file.write_text(
        "period,subject,name,实际入库,收入计划\n"
        "2016Q3,s04,收入核算科,abc,25904\n"
        "2016Q2,s05,征收管理科,1,2\n",
        encoding="utf-8",
    )
    code, _, err = _submit(store, "收入核算科", file, ON_TIME)
    assert code == 1
    assert f"{file}:3 [period]: error[E0951]: row 3: 2016Q2 is outside the period" in err
    file.write_text(
        "period,subject,name,实际入库,收入计划\n2016Q3,s04,收入核算科,abc,25904\n",
        encoding="utf-8",
    )
    code, _, err = _submit(store, "收入核算科", file, ON_TIME)
    assert code == 1
    assert err.startswith(f"{file}:2 [实际入库]: error[E0802]")
    assert _count(store) == 0


def test_an_unknown_assessor_is_named_with_the_known_ones(tmp_path: Path) -> None:
    file = tmp_path / "x.csv"
    file.write_text("period,subject,name\n", encoding="utf-8")
    code, _, err = run(
        "submit", RULES, "--store", str(tmp_path / "s.sqlite"), "--period", PERIOD,
        "--assessor", "财务科", "--file", str(file), "--lang", "en",
    )  # fmt: skip
    assert code == 1
    assert "error[E0952]: no indicator is assessed by 财务科" in err
    assert "the assessing sections are: 收入核算科、征收管理科" in err


@pytest.mark.parametrize(
    "argv",
    [
        ("--at", "2016-10-03 09:00"),
        ("--period", "2016Q1..2016Q3"),
    ],
)
def test_usage_errors(parts: dict[str, list[Path]], tmp_path: Path, argv: tuple[str, str]) -> None:
    args = {"--at": ON_TIME, "--period": PERIOD, **dict([argv])}
    code, _, err = run(
        "submit", RULES, "--store", str(tmp_path / "s.sqlite"), "--assessor", "监察室",
        "--file", str(parts["监察室"][0]), *(x for kv in args.items() for x in kv),
    )  # fmt: skip
    assert code == 2 and err.startswith("jixiao: ")


def test_the_time_defaults_to_now(parts: dict[str, list[Path]], tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    code, _, err = run(
        "submit", RULES, "--store", str(store), "--period", PERIOD, "--assessor", "监察室",
        "--file", str(parts["监察室"][0]),
    )  # fmt: skip
    assert code == 0, err
    (submission,) = Store(str(store)).submissions("永州市地方税务局机关绩效管理", PERIOD)
    assert len(submission.submitted_at) == len("2026-12-06T20:00")
    assert submission.submitted_by is None


def test_only_the_office_submits_the_supervision_table(tmp_path: Path) -> None:
    """The supervision table is 办公室's record (its 督查督办 inputs are counted
    from it); another section sending it is refused at the table, nothing kept."""
    store = tmp_path / "s.sqlite"
    code, out, err = _submit(store, "监察室", DATA / "supervision.csv", ON_TIME)
    assert code == 1 and out == "" and "Traceback" not in err
    assert "supervision.csv:1" in err and "E0955" in err
    assert "submitted by 办公室, not by 监察室" in err


def test_submitted_parquet_files_evaluate_as_the_data_folder(
    parts: dict[str, list[Path]], tmp_path: Path
) -> None:
    """``submit --file x.parquet``: every section sends its tables as typed
    Parquet (as a warehouse exports them); the quarter evaluates as the data
    folder does."""
    from tests.parquetdata import csv_to_parquet

    store = tmp_path / "parquet.sqlite"
    publish_2015q3(store)
    for assessor, files in parts.items():
        for file in files:
            typed = tmp_path / assessor / f"{file.stem}.parquet"
            typed.parent.mkdir(exist_ok=True)
            csv_to_parquet(file, typed)
            code, _, err = _submit(store, assessor, typed, ON_TIME)
            assert code == 0, err
    merged, direct = merged_and_direct(store)
    assert without_sources(merged) == without_sources(direct)
    assert "events-2016Q3.parquet (submission " in merged
