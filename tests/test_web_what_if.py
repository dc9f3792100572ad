"""What-if in the workbench (issue #14 item 2): one subject's cells changed,
every subject evaluated again, nothing written; the result equals ``jixiao
evaluate`` on the same changed data, and a liaison may try it on their own
section only."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from runtime.store import Store
from runtime.web.accounts import add_account
from tests.clirun import run
from tests.webbench import (
    ACCOUNTS,
    PASSWORD,
    PENDING,
    PERIOD,
    RULES,
    app_for,
    make_store,
    signed_in,
)

DATA = Path("examples/yongzhou")
CHANGE = {"实际入库": "13000", "机关管理评价": "差"}


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def data_app(tmp_path_factory: pytest.TempPathFactory) -> tuple[FastAPI, Path]:
    folder = tmp_path_factory.mktemp("what-if")
    store = folder / "results.sqlite"
    opened = Store(str(store))
    try:
        for name, (role, section) in ACCOUNTS.items():
            add_account(opened, name, role, section, PASSWORD, None)
    finally:
        opened.close()
    return app_for(store, data=str(DATA)), store


def _changed_folder(folder: Path) -> Path:
    """The bundled data with s04's 2016Q3 cells changed, as a person would
    change the file before running ``jixiao evaluate``."""
    target = folder / "changed"
    shutil.copytree(DATA, target)
    path = target / "sections.csv"
    with open(path, encoding="utf-8-sig", newline="") as file:
        header, *rows = list(csv.reader(file))
    for row in rows:
        if row[0] == PERIOD and row[1] == "s04":
            for column, value in CHANGE.items():
                row[header.index(column)] = value
    with open(path, "w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([header, *rows])
    return target


def _what_if(client: TestClient, subject: str = "s04") -> Any:
    params: dict[str, Any] = {"set": [f"{c}={v}" for c, v in CHANGE.items()], "full": "true"}
    response = client.get(f"/api/periods/{PERIOD}/subjects/{subject}/what-if", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_what_if_equals_evaluate_on_the_changed_data(
    data_app: tuple[FastAPI, Path], tmp_path: Path
) -> None:
    app, store = data_app
    before = _digest(DATA)
    found = _what_if(signed_in(app, "office"))
    code, out, err = run(
        "evaluate", RULES, "--data", str(_changed_folder(tmp_path)), "--period", PERIOD,
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    # The same, but for where the changed data was: the copy, or the bundled folder.
    expected = json.loads(out.replace(str(tmp_path / "changed"), str(DATA)))
    assert found["results"]["subjects"] == expected["subjects"]
    assert found["after"]["total"] != found["before"]["total"]
    assert found["after"]["rank"] > found["before"]["rank"]
    # Nothing written: the data as it was, no run recorded.
    assert _digest(DATA) == before
    opened = Store(str(store))
    try:
        assert opened.runs() == []
    finally:
        opened.close()


def test_the_what_if_page_shows_the_change_and_is_its_own_link(
    data_app: tuple[FastAPI, Path],
) -> None:
    app, _ = data_app
    office = signed_in(app, "office")
    found = _what_if(office)
    params = {f"v.{column}": value for column, value in CHANGE.items()}
    page = office.get(f"/results/{PERIOD}/subjects/s04/what-if", params=params)
    assert page.status_code == 200
    assert f'id="then-total">{found["after"]["total"]}<' in page.text
    assert f'id="then-rank">{found["after"]["rank"]}<' in page.text
    assert 'value="13000" class="changed"' in page.text
    assert "jixiao-what-if-" not in page.text  # results name the data folder, not the copy
    plain = office.get(f"/results/{PERIOD}/subjects/s04/what-if")
    assert f'id="then-total">{found["before"]["total"]}<' in plain.text
    assert 'name="e.lasts"' not in plain.text  # no item here takes a duration per event


def test_a_what_if_on_an_unknown_column_is_located(data_app: tuple[FastAPI, Path]) -> None:
    office = signed_in(data_app[0], "office")
    response = office.get(
        f"/api/periods/{PERIOD}/subjects/s04/what-if", params=[("set", "没有这列=1")]
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["code"] == "E1109"
    page = office.get(f"/results/{PERIOD}/subjects/s04/what-if", params={"v.实际入库": "很多"})
    assert page.status_code == 200 and 'id="failure"' in page.text and "E0802" in page.text


def test_a_liaison_tries_their_own_section_only(data_app: tuple[FastAPI, Path]) -> None:
    app, _ = data_app
    liaison = signed_in(app, "liaison04")
    own = _what_if(liaison)
    assert {s["id"] for s in own["results"]["subjects"]} <= {"s04"} | {
        f"p04{n:02d}" for n in range(1, 20)
    }
    for subject in ("s05", "p0501"):
        assert liaison.get(f"/api/periods/{PERIOD}/subjects/{subject}/what-if").status_code == 403
        assert liaison.get(f"/results/{PERIOD}/subjects/{subject}/what-if").status_code == 403


def test_a_what_if_from_submissions_gives_the_same_scores(
    data_app: tuple[FastAPI, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Evaluating from submissions equals evaluating the data folder
    (tests/test_submissions.py); so do their what-ifs."""
    store = make_store(tmp_path_factory.mktemp("what-if-submissions"))
    from_submissions = _what_if(signed_in(app_for(store), "office"))["after"]
    from_data = _what_if(signed_in(data_app[0], "office"))["after"]
    for key in ("total", "rank", "grade", "indicators"):
        assert from_submissions[key] == from_data[key], key
    assert PENDING  # every section submitted in this store


@pytest.mark.parametrize(
    ("subject", "changes"),
    [
        ("s04", CHANGE),
        ("s11", {"迟报次数": "4"}),
        ("p0401", {"差错次数": "2", "履职评价": "差"}),
    ],
)
def test_the_workbench_what_if_equals_evaluating_the_changed_data_again(
    data_app: tuple[FastAPI, Path], subject: str, changes: dict[str, str]
) -> None:
    """The workbench evaluates only the changed subject again (the rest
    remembered, ranks and grades over everyone); it equals ``what_if_data``,
    which copies the folder, changes the file and evaluates it all."""
    from runtime.inputs.periods import Period
    from runtime.tools.what_if import what_if_data

    bench = data_app[0].state.workbench
    period = Period.parse(PERIOD)
    asked = dict(changes)
    fast = bench.what_if(period, subject, asked)
    with bench.store() as store:
        slow = what_if_data(bench.compilation, str(DATA), period, store, subject, asked)
    assert bench.document(fast) == bench.document(slow)
    assert fast is not bench.evaluate(period)


def test_a_scenario_becomes_a_rule_test_that_passes(
    data_app: tuple[FastAPI, Path], tmp_path: Path
) -> None:
    """The what-if page's scenario downloaded as a rule test: put in the
    rules' tests folder, ``jixiao test`` runs it and it passes; with an
    expected total changed it fails (it does test something)."""
    office = signed_in(data_app[0], "office")
    params = {f"v.{column}": value for column, value in CHANGE.items()}
    page = office.get(f"/results/{PERIOD}/subjects/s04/what-if", params=params)
    assert 'id="rule-test"' in page.text
    found = office.get(f"/results/{PERIOD}/subjects/s04/what-if/test.yaml", params=params)
    assert found.status_code == 200
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "tests" / "what_if.yaml").write_text(found.text, encoding="utf-8")
    code, out, err = run("test", str(rules), "what_if.yaml", "--lang", "en")
    assert code == 0, out + err
    assert "1 passed" in out
    after = _what_if(office)["after"]["total"]
    assert f"total: '{after}'" in found.text
    (rules / "tests" / "what_if.yaml").write_text(
        found.text.replace(f"total: '{after}'", "total: '1.00'"), encoding="utf-8"
    )
    code, out, _ = run("test", str(rules), "what_if.yaml", "--lang", "en")
    assert code != 0 and "1 failed" in out
    liaison = signed_in(data_app[0], "liaison04")
    assert liaison.get(f"/results/{PERIOD}/subjects/s05/what-if/test.yaml").status_code == 403


def test_a_what_if_with_events_equals_evaluate_on_the_changed_events(
    data_app: tuple[FastAPI, Path], tmp_path: Path
) -> None:
    """s04's 2016Q3 occurrence of adverse_publicity (events.csv row 167)
    removed and a provincial commendation added: the same as ``evaluate``
    on the events file changed so."""
    office = signed_in(data_app[0], "office")
    rows = (DATA / "events.csv").read_text(encoding="utf-8-sig").splitlines()
    veto = next(n for n, line in enumerate(rows) if ",s04,adverse_publicity," in line)
    source = f"{DATA / 'events.csv'}:{veto + 1}"
    params: dict[str, Any] = {
        "add": "provincial_commendation:1", "remove": source, "full": "true",
    }  # fmt: skip
    response = office.get(f"/api/periods/{PERIOD}/subjects/s04/what-if", params=params)
    assert response.status_code == 200, response.text
    found = response.json()
    target = tmp_path / "events"
    shutil.copytree(DATA, target)
    path = target / "events.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert ",s04,adverse_publicity," in lines[veto]
    del lines[veto]
    lines.append("2016-09-30,s04,provincial_commendation,1,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(
        "evaluate", RULES, "--data", str(target), "--period", PERIOD, "--format", "json"
    )
    assert code == 0, err
    expected = json.loads(out)["subjects"]
    mine = next(s for s in expected if s["id"] == "s04")
    assert found["after"]["total"] == mine["total"] != found["before"]["total"]
    assert found["after"]["rank"] == mine["rank"]

    def scores(subjects: list[dict[str, Any]]) -> dict[str, Any]:
        return {s["id"]: (s["total"], s["rank"], s["grade"]) for s in subjects}

    assert scores(found["results"]["subjects"]) == scores(expected)
    unknown = office.get(
        f"/api/periods/{PERIOD}/subjects/s04/what-if", params={"add": "no_such_item"}
    )
    assert unknown.status_code == 422


def test_the_what_if_page_changes_events_and_its_rule_test_passes(
    data_app: tuple[FastAPI, Path], tmp_path: Path
) -> None:
    office = signed_in(data_app[0], "office")
    source = f"{DATA / 'events.csv'}:167"
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("e.remove", source),
        ("e.add", "provincial_commendation"),
    ]
    api = office.get(
        f"/api/periods/{PERIOD}/subjects/s04/what-if",
        params=[("remove", source), ("add", "provincial_commendation")],
    ).json()
    page = office.get(f"/results/{PERIOD}/subjects/s04/what-if", params=params)
    assert page.status_code == 200
    assert f'id="then-total">{api["after"]["total"]}<' in page.text
    assert 'name="e.remove" value="' in page.text and " checked" in page.text
    found = office.get(f"/results/{PERIOD}/subjects/s04/what-if/test.yaml", params=params)
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "tests" / "what_if.yaml").write_text(found.text, encoding="utf-8")
    code, out, err = run("test", str(rules), "what_if.yaml", "--lang", "en")
    assert code == 0 and "1 passed" in out, out + err
    assert f"total: '{api['after']['total']}'" in found.text


def test_a_sections_rule_test_lists_its_people_and_consequences(
    data_app: tuple[FastAPI, Path], tmp_path: Path
) -> None:
    """s12 is in the last two in 2016Q3 and was in 2015Q3 (the bundled
    published results): its what-if's rule test carries that year's
    results as ``history``, expects the links it triggers and what its
    head receives, and lists every person with the section's people
    expected; ``jixiao test`` passes it."""
    office = signed_in(data_app[0], "office")
    params = {"v.迟报次数": "3"}
    found = office.get(f"/results/{PERIOD}/subjects/s12/what-if/test.yaml", params=params)
    assert found.status_code == 200
    document = yaml.safe_load(found.text)
    case = document["cases"][0]
    assert "2015Q3" in case["history"] and "p0101" in case["people"]
    expect = case["expect"]
    assert expect["s12"]["links"] == ["bottom_two_reorganize", "bottom_two_talk"]
    members = [p for p in expect if p.startswith("p12")]
    assert members and any("bottom_two_talk" in expect[p]["receives"] for p in members)
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "tests" / "what_if.yaml").write_text(found.text, encoding="utf-8")
    code, out, err = run("test", str(rules), "what_if.yaml", "--lang", "en")
    assert code == 0 and "1 passed" in out, out + err


def test_remembered_what_ifs_follow_the_data(tmp_path: Path) -> None:
    """A what-if asked again is answered from memory, but not once the data
    files change: the period is read again and so is the scenario."""
    from runtime.inputs.periods import Period
    from runtime.web.workbench import Config, Workbench

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    bench = Workbench(Config(RULES, str(tmp_path / "results.sqlite"), str(data), "zh"))
    period = Period.parse(PERIOD)
    first = bench.what_if(period, "s04", {"迟报次数": "3"})
    assert bench.what_if(period, "s04", {"迟报次数": "3"}) is first
    changed = _changed_folder(tmp_path / "elsewhere")
    shutil.copy(changed / "sections.csv", data / "sections.csv")
    again = bench.what_if(period, "s04", {"迟报次数": "3"})
    assert again is not first
    assert bench.find(again, "s04")[1].total != bench.find(first, "s04")[1].total


def test_what_ifs_remembered_are_few_and_the_heap_settles(tmp_path: Path) -> None:
    """At most ``WHAT_IF_MEMORY`` scenarios are kept (each holds an
    evaluation), the least recently asked dropped first; a server's
    workbench (``settling``) freezes the heap once a period is prepared, so
    the collector's full passes skip the compiled rules and the periods."""
    import gc

    from runtime.inputs.periods import Period
    from runtime.web.workbench import WHAT_IF_MEMORY, Config, Workbench

    bench = Workbench(Config(RULES, str(tmp_path / "results.sqlite"), str(DATA), "zh"))
    bench.settling = True
    period = Period.parse(PERIOD)
    try:
        first = bench.what_if(period, "s04", {"迟报次数": "0"})
        assert gc.get_freeze_count() > 0
        asked = [bench.what_if(period, "s04", {"满意率": f"{n}%"}) for n in range(WHAT_IF_MEMORY)]
        assert len(bench._what_ifs) == WHAT_IF_MEMORY
        assert bench.what_if(period, "s04", {"满意率": f"{WHAT_IF_MEMORY - 1}%"}) is asked[-1]
        again = bench.what_if(period, "s04", {"迟报次数": "0"})
        assert again is not first and bench.document(again) == bench.document(first)
    finally:
        gc.unfreeze()
