"""The workbench's dry-run page (issue #14 item 3): office and leadership
only; the report is ``jixiao dry-run --format html``'s, with its downloads;
a version names the server's rules only."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi import FastAPI

from runtime.store import Store
from runtime.web.accounts import add_account
from tests.clirun import run
from tests.webbench import ACCOUNTS, PASSWORD, PERIOD, RULES, app_for, make_store, signed_in

DATA = "examples/yongzhou"
ASKED = {"b_kind": "revision", "b_value": "HEAD", "c_kind": "working", "c_value": "",
         "periods": PERIOD}  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    store = tmp_path_factory.mktemp("office") / "results.sqlite"
    opened = Store(str(store))
    try:
        for name, (role, section) in ACCOUNTS.items():
            add_account(opened, name, role, section, PASSWORD, None)
    finally:
        opened.close()
    return app_for(store, data=DATA)


def test_the_office_runs_a_dry_run_and_downloads_it(app: FastAPI) -> None:
    office = signed_in(app, "office")
    page = office.get("/dry-run", params=ASKED)
    assert page.status_code == 200, page.text[:2000]
    assert 'id="report"' in page.text and "dry-run/report.xlsx?" in page.text
    found = office.get("/dry-run/report.json", params=ASKED)
    assert found.status_code == 200
    code, out, err = run(
        "dry-run", "--baseline", f"{RULES}@HEAD", "--candidate", RULES, "--data", DATA,
        "--periods", PERIOD, "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(found.text) == json.loads(out)
    for fmt in ("xlsx", "csv", "html"):
        assert office.get(f"/dry-run/report.{fmt}", params=ASKED).status_code == 200
    leader = signed_in(app, "leader")
    assert leader.get("/dry-run", params=ASKED).status_code == 200


def test_a_liaison_may_not_run_a_dry_run(app: FastAPI) -> None:
    liaison = signed_in(app, "liaison04")
    assert liaison.get("/dry-run").status_code == 403
    assert liaison.get("/dry-run/report.json", params=ASKED).status_code == 403


@pytest.mark.parametrize("value", ["../../etc", "HEAD;rm", "/tmp/x", "--output=x"])
def test_a_version_names_the_servers_rules_only(app: FastAPI, value: str) -> None:
    office = signed_in(app, "office")
    page = office.get("/dry-run", params={**ASKED, "b_value": value})
    assert page.status_code == 409 and "E1110" in page.text


def test_a_dry_run_from_submissions(tmp_path: Path) -> None:
    """Without --data the periods' submissions are the data: the same
    report as on the data folder they were split from."""
    store = make_store(tmp_path)
    office = signed_in(app_for(store), "office")
    page = office.get("/dry-run", params=ASKED)
    assert page.status_code == 200 and 'id="report"' in page.text
    found = json.loads(office.get("/dry-run/report.json", params=ASKED).text)
    code, out, err = run(
        "dry-run", "--baseline", f"{RULES}@HEAD", "--candidate", RULES, "--data", DATA,
        "--periods", PERIOD, "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    expected = json.loads(out)
    assert found["periods"] == expected["periods"]
    missing = office.get("/dry-run", params={**ASKED, "periods": "2016Q1"})
    assert missing.status_code == 409 and "E0953" in missing.text


def test_the_rules_page_shows_what_is_in_force_its_revisions_and_a_diff(app: FastAPI) -> None:
    office = signed_in(app, "office")
    page = office.get("/rules")
    assert page.status_code == 200
    assert 'id="in-force-section"' in page.text and 'id="revisions"' in page.text
    # 周期 in the page's language, not the rule file's key.
    assert "<td>季度</td>" in page.text and "<td>月度</td>" in page.text
    assert "<td>半年</td>" in page.text
    assert not re.search(r"<td>(quarterly|monthly|half_year|annual|None)</td>", page.text)
    dated = office.get("/rules", params={"date": "2016-01-01"})
    assert dated.status_code == 200
    diff = office.get(
        "/rules", params={"o_kind": "revision", "o_value": "HEAD", "n_kind": "working"}
    )
    assert diff.status_code == 200 and 'id="diff"' in diff.text
    assert office.get("/rules", params={"date": "not a day"}).status_code == 409
    liaison = signed_in(app, "liaison04")
    assert liaison.get("/rules").status_code == 403
    assert liaison.get("/rules/findings").status_code == 403


def test_the_findings_follow_the_files(tmp_path: Path) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    store = tmp_path / "results.sqlite"
    opened = Store(str(store))
    try:
        add_account(opened, "office", "office", None, PASSWORD, None)
    finally:
        opened.close()
    office = signed_in(app_for(store, rules=str(rules), data=DATA), "office")
    before = office.get("/rules/findings")
    assert before.status_code == 200 and "错误[" not in before.text  # warnings only
    manifest = next(rules.glob("*.yaml"))
    # A rule set that no longer compiles: its error located in the file.
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n: [\n", encoding="utf-8")
    after = office.get("/rules/findings")
    assert "错误[" in after.text and manifest.name in after.text


# -- the same operations through the JSON API (item 7) ----------------------------


def test_the_api_runs_a_dry_run_as_the_cli_does(app: FastAPI) -> None:
    office = signed_in(app, "office")
    found = office.get("/api/dry-run", params=ASKED)
    assert found.status_code == 200, found.text[:2000]
    code, out, err = run(
        "dry-run", "--baseline", f"{RULES}@HEAD", "--candidate", RULES, "--data", DATA,
        "--periods", PERIOD, "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert found.json() == json.loads(out)
    refused = office.get("/api/dry-run", params={**ASKED, "b_value": "../../etc"})
    assert refused.status_code == 409
    assert [p["code"] for p in refused.json()["problems"]] == ["E1110"]
    assert signed_in(app, "leader").get("/api/dry-run", params=ASKED).status_code == 200


def test_the_api_gives_the_rules_their_revisions_and_a_diff(app: FastAPI) -> None:
    office = signed_in(app, "office")
    found = office.get("/api/rules")
    assert found.status_code == 200
    body = found.json()
    page = office.get("/rules").text
    for indicator in body["indicators"]["section"]:
        assert f"<td>{indicator['id']}</td>" in page
    code, out, err = run("revisions", RULES, "--format", "json")
    assert code == 0, err
    assert body["revisions"] == json.loads(out)
    dated = office.get("/api/rules", params={"date": "2016-01-01"})
    assert dated.status_code == 200 and dated.json()["as_of"] == "2016-01-01"
    bad = office.get("/api/rules", params={"date": "not a day"})
    assert bad.status_code == 409 and bad.json()["problems"][0]["code"] == "E1110"
    diff = office.get("/api/rules/diff", params={"o_kind": "revision", "o_value": "HEAD"})
    assert diff.status_code == 200
    code, out, err = run("diff", f"{RULES}@HEAD", RULES, "--format", "json")
    assert code == 0, err
    assert diff.json() == json.loads(out)


def test_a_liaison_gets_403_from_the_office_api(app: FastAPI) -> None:
    liaison = signed_in(app, "liaison04")
    for path, params in (
        ("/api/dry-run", ASKED), ("/api/rules", {}), ("/api/rules/diff", {}),
        ("/api/rules/findings", {}),
    ):  # fmt: skip
        assert liaison.get(path, params=params).status_code == 403, path


def test_the_openapi_description_lists_the_office_operations(app: FastAPI) -> None:
    paths = set(signed_in(app, "office").get("/api/openapi.json").json()["paths"])
    assert {"/api/dry-run", "/api/rules", "/api/rules/diff", "/api/rules/findings"} <= paths


def test_findings_are_verified_once_per_content(tmp_path: Path) -> None:
    """check on the request, verify in the background (``pending`` until
    done); a file saved with the same content is not verified again."""
    import os
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    store = tmp_path / "results.sqlite"
    opened = Store(str(store))
    try:
        add_account(opened, "office", "office", None, PASSWORD, None)
    finally:
        opened.close()
    office = signed_in(app_for(store, rules=str(rules), data=DATA), "office")
    first = office.get("/api/rules/findings", params={"wait": "true"}).json()
    assert first["ok"] and not first["pending"] and first["verified"]
    manifest = next(rules.glob("*.yaml"))
    stat = manifest.stat()
    os.utime(manifest, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched, not changed
    again = office.get("/api/rules/findings").json()
    assert again["digest"] == first["digest"] and not again["pending"]
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n: [\n", encoding="utf-8")
    broken = office.get("/api/rules/findings").json()
    assert broken["digest"] != first["digest"] and not broken["ok"] and not broken["pending"]
    assert any(manifest.name in str(p.get("file") or p.get("location")) for p in broken["findings"])
