"""What-if with a veto item whose duration each event gives (``lasts:
{column, unit}``, tests/cases/sanctions_per_event): an added occurrence
carries its duration (``ITEM:COUNT:DURATION``, or the page's duration
field), the result equals ``jixiao evaluate`` on the data with that event
row, a missing duration is refused located (E1150), and the scenario's
rule test writes every such event's ``lasts`` and passes ``jixiao test``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI

from dsl.diagnostics import UserError
from runtime.store import Store
from runtime.tools.what_if import _check_durations
from runtime.web.accounts import add_account
from runtime.web.workbench import occurrences
from tests.clirun import run
from tests.webbench import PASSWORD, app_for, signed_in

RULES = Path("tests/cases/sanctions_per_event/rules")
PERIOD = "2016Q4"
EVENTS_HEADER = "date,subject,item,count,reason,evidence,处分期\n"
# s2 already punished, for 12 months: its cell travels into the rule test.
EVENTS = EVENTS_HEADER + "2016-10-10,s2,punished,1,,,12\n"


def _data(folder: Path, events: str) -> Path:
    folder.mkdir()
    (folder / "sections.csv").write_text(
        "period,subject,name,得分\n2016Q4,s1,一科,95\n2016Q4,s2,二科,80\n", encoding="utf-8"
    )
    (folder / "events.csv").write_text(events, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = tmp_path_factory.mktemp("what-if-lasts")
    data = _data(folder / "data", EVENTS)
    store = folder / "results.sqlite"
    opened = Store(str(store))
    try:
        add_account(opened, "office", "office", None, PASSWORD, None)
    finally:
        opened.close()
    return app_for(store, rules=str(RULES), data=str(data))


def _evaluated(folder: Path, events: str) -> dict[str, Any]:
    code, out, err = run(
        "evaluate", str(RULES), "--data", str(_data(folder, events)), "--period", PERIOD,
        "--format", "json",
    )  # fmt: skip
    assert code == 0 and not err.strip(), err
    return {s["id"]: s for s in json.loads(out)["subjects"]}


def test_an_added_occurrence_with_its_duration_equals_evaluate(
    app: FastAPI, tmp_path: Path
) -> None:
    office = signed_in(app, "office")
    url = f"/api/periods/{PERIOD}/subjects/s1/what-if"
    response = office.get(url, params={"add": "punished:1:6", "full": "true"})
    assert response.status_code == 200, response.text
    found = response.json()
    expected = _evaluated(tmp_path / "changed", EVENTS + "2016-12-31,s1,punished,1,,,6\n")
    assert found["before"]["grade"] == "优秀"
    assert found["after"]["grade"] == expected["s1"]["grade"] == "基本称职"
    assert found["after"]["total"] == expected["s1"]["total"]

    def summary(subjects: list[dict[str, Any]]) -> dict[str, Any]:
        return {s["id"]: (s["total"], s["rank"], s["grade"]) for s in subjects}

    assert summary(found["results"]["subjects"]) == summary(list(expected.values()))


def test_an_added_occurrence_without_its_duration_is_refused_located(app: FastAPI) -> None:
    office = signed_in(app, "office")
    url = f"/api/periods/{PERIOD}/subjects/s1/what-if"
    response = office.get(url, params={"add": "punished"})
    assert response.status_code == 422, response.text
    (problem,) = response.json()["problems"]
    assert problem["code"] == "E1150" and "what-if:1" in json.dumps(problem, ensure_ascii=False)
    assert "处分期" in json.dumps(problem, ensure_ascii=False)
    page = office.get(f"/results/{PERIOD}/subjects/s1/what-if", params={"e.add": "punished"})
    assert page.status_code == 200 and "E1150" in page.text
    # A bad duration is the reader's own message, located in the added occurrence.
    bad = office.get(url, params={"add": "punished:1:99"})
    assert bad.status_code == 422 and "E0558" in bad.text and "what-if:1" in bad.text


def test_durations_asked_and_checked() -> None:
    """``ITEM:COUNT:DURATION``; the page's duration field for those giving
    none; E1151 for a known item that takes none, nothing for an unknown one
    (E0815 when read)."""
    assert occurrences(["punished::6", "a:2", "b:1:"], "12") == [
        ("punished", "1", "6"), ("a", "2", "12"), ("b", "1", ""),
    ]  # fmt: skip
    durations = {"punished": ("处分期", "months")}
    with pytest.raises(UserError) as raised:
        _check_durations([("other", "1", "6"), ("punished", "1", "")], durations, {"other"})
    codes = [d.code for d in raised.value.diagnostics]
    assert codes == ["E1151", "E1150"]
    _check_durations([("unknown", "1", "6"), ("punished", "1", "6")], durations, {"punished"})


def test_the_scenario_as_a_rule_test_writes_durations_and_passes(
    app: FastAPI, tmp_path: Path
) -> None:
    office = signed_in(app, "office")
    params = {"e.add": "punished", "e.lasts": "6"}
    page = office.get(f"/results/{PERIOD}/subjects/s1/what-if", params=params)
    assert page.status_code == 200
    assert 'id="failure"' not in page.text and "基本称职" in page.text
    assert 'value="punished:1:6" checked' in page.text
    assert 'name="e.lasts"' in page.text
    found = office.get(f"/results/{PERIOD}/subjects/s1/what-if/test.yaml", params=params)
    assert found.status_code == 200, found.text
    case = yaml.safe_load(found.text)["cases"][0]
    lasts = {(e["subject"], e["item"]): e.get("lasts") for e in case["events"]}
    assert lasts == {("s2", "punished"): "12", ("s1", "punished"): "6"}
    assert case["expect"]["s1"]["grade"] == "基本称职"
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "tests" / "what_if.yaml").write_text(found.text, encoding="utf-8")
    code, out, err = run("test", str(rules), "what_if.yaml", "--lang", "en")
    assert code == 0 and "1 passed" in out, out + err
