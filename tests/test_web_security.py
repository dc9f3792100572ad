"""The web workbench keeps each section to its own (issue #14, "Must show":
security): login required for everything, a liaison refused (403, not the
data) for another section's results, explanations and submissions by page
and by API including guessed ids, CSRF tokens on every form, rule text and
uploaded cells escaped, upload names that cannot leave the store, wrong
passwords rate-limited, no serving beyond localhost without accounts; and
the pages and API doing their job for the roles allowed."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from runtime.store import Store
from runtime.web.workbench import safe_file_name
from tests.clirun import run
from tests.webbench import PASSWORD, PERIOD, RULES, app_for, make_store, signed_in, token


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("complete"))


@pytest.fixture(scope="module")
def app(complete: Path) -> FastAPI:
    return app_for(complete)


@pytest.fixture(scope="module")
def office(app: FastAPI) -> TestClient:
    return signed_in(app, "office")


@pytest.fixture(scope="module")
def liaison(app: FastAPI) -> TestClient:
    return signed_in(app, "liaison04")


def _api(client: TestClient) -> str:
    """Sign in through the API; the CSRF token it returns."""
    response = client.post("/api/login", json={"name": "liaison04", "password": PASSWORD})
    assert response.status_code == 200
    csrf: str = response.json()["csrf"]
    return csrf


def _submission_ids(store: Path, assessor: str) -> list[int]:
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT id FROM submissions WHERE assessor = ?", (assessor,)).fetchall()
    return [int(row[0]) for row in rows]


# -- login required ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", f"/results/{PERIOD}", f"/results/{PERIOD}/subjects/s04", f"/submissions/{PERIOD}",
     f"/results/{PERIOD}/download.csv", "/submissions/view/1"],
)  # fmt: skip
def test_pages_need_a_login(app: FastAPI, path: str) -> None:
    response = TestClient(app).get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


@pytest.mark.parametrize(
    "path",
    [f"/api/periods/{PERIOD}/results", f"/api/periods/{PERIOD}/status",
     f"/api/periods/{PERIOD}/subjects/s04/explanation", "/api/submissions/1",
     "/api/openapi.json"],
)  # fmt: skip
def test_the_api_needs_a_login(app: FastAPI, path: str) -> None:
    assert TestClient(app).get(path).status_code == 401


def test_a_forged_session_cookie_is_no_session(app: FastAPI) -> None:
    client = TestClient(app, cookies={"jixiao_session": "eyJ1c2VyIjogIm9mZmljZSJ9.forged.x"})
    assert client.get(f"/results/{PERIOD}", follow_redirects=False).status_code == 303


def test_only_the_login_page_and_the_script_are_public(app: FastAPI) -> None:
    client = TestClient(app)
    assert client.get("/login").status_code == 200
    script = client.get("/static/htmx.min.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    page = client.get("/login")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert 'src="/static/htmx.min.js"' in page.text and "http" not in page.text.split("<body")[0]


# -- a liaison sees their own section only --------------------------------------------


def test_a_liaison_sees_their_section_and_people_only(liaison: TestClient) -> None:
    page = liaison.get(f"/results/{PERIOD}")
    assert page.status_code == 200
    assert 'id="row-s04"' in page.text and 'id="row-p0401"' in page.text
    assert 'id="row-s05"' not in page.text and 'id="row-p0501"' not in page.text
    document = liaison.get(f"/results/{PERIOD}/download.json").json()
    subjects = {s["id"] for s in document["subjects"]}
    assert "s04" in subjects and "s05" not in subjects and "p0501" not in subjects
    assert "s05" not in liaison.get(f"/results/{PERIOD}/download.csv").text


@pytest.mark.parametrize(
    "path",
    [f"/results/{PERIOD}/subjects/s05", f"/results/{PERIOD}/subjects/p0501",
     f"/results/{PERIOD}/subjects/s05?indicator=collection",
     f"/results/{PERIOD}/subjects/s05/cell?column=征管质量得分",
     f"/results/{PERIOD}/subjects/nobody", f"/submissions/{PERIOD}/form.xlsx?assessor=征收管理科"],
)  # fmt: skip
def test_a_liaison_is_refused_another_sections_pages(liaison: TestClient, path: str) -> None:
    response = liaison.get(path)
    assert response.status_code == 403
    assert "征管质量得分 =" not in response.text and "p0501" not in response.text


def test_a_liaison_is_refused_other_submissions_even_guessed(
    liaison: TestClient, complete: Path
) -> None:
    theirs = _submission_ids(complete, "征收管理科")
    mine = _submission_ids(complete, "收入核算科")
    assert theirs and mine
    for ident in [*theirs, 9999, 0, -1]:
        assert liaison.get(f"/submissions/view/{ident}").status_code == 403
        assert liaison.get(f"/api/submissions/{ident}").status_code in (401, 403)
    assert liaison.get(f"/submissions/view/{mine[0]}").status_code == 200


def test_a_liaison_is_refused_by_the_api_too(app: FastAPI) -> None:
    client = TestClient(app)
    csrf = _api(client)
    assert client.get(f"/api/periods/{PERIOD}/subjects/s05/explanation").status_code == 403
    assert client.get(f"/api/periods/{PERIOD}/subjects/p0501/explanation").status_code == 403
    own = client.get(f"/api/periods/{PERIOD}/subjects/s04/explanation")
    assert own.status_code == 200 and own.json()["text"].startswith("收入核算科 (s04)")
    results = client.get(f"/api/periods/{PERIOD}/results").json()
    assert {s["id"] for s in results["subjects"]} >= {"s04", "p0401"}
    assert all(s["id"] in ("s04",) or s["id"].startswith("p04") for s in results["subjects"])
    status = client.get(f"/api/periods/{PERIOD}/status").json()
    assert {line["assessor"] for line in status["lines"]} == {"收入核算科"}
    upload = client.post(
        f"/api/periods/{PERIOD}/submissions", params={"assessor": "征收管理科"},
        files={"file": ("x.csv", b"period,subject,name\n", "text/csv")},
        headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert upload.status_code == 403
    publish = client.post(f"/api/periods/{PERIOD}/publish", headers={"X-CSRF-Token": csrf})
    assert publish.status_code == 403


def test_refusals_are_in_the_audit_log(liaison: TestClient, complete: Path) -> None:
    liaison.get(f"/results/{PERIOD}/subjects/s07")
    store = Store(str(complete))
    try:
        refused = [e for e in store.audit_entries("refused") if e.user == "liaison04"]
        logins = [e.user for e in store.audit_entries("login")]
    finally:
        store.close()
    assert any(json.loads(e.detail)["path"].endswith("/subjects/s07") for e in refused)
    assert "liaison04" in logins


def test_leadership_reads_everything_and_changes_nothing(app: FastAPI) -> None:
    leader = signed_in(app, "leader")
    assert leader.get(f"/results/{PERIOD}/subjects/s05").status_code == 200
    page = leader.get(f"/submissions/{PERIOD}")
    assert page.status_code == 200 and 'id="upload"' not in page.text
    csrf = token(page.text)
    response = leader.post(f"/results/{PERIOD}/publish", data={"csrf": csrf})
    assert response.status_code == 403


# -- CSRF ----------------------------------------------------------------------------


def test_forms_without_their_token_are_refused(app: FastAPI, complete: Path) -> None:
    client = TestClient(app)
    client.get("/login")
    login = client.post("/login", data={"name": "office", "password": PASSWORD})
    assert login.status_code == 403
    office = signed_in(app, "office")
    for data in ({}, {"csrf": "guessed"}):
        assert office.post(f"/results/{PERIOD}/publish", data=data).status_code == 403
        upload = office.post(
            f"/submissions/{PERIOD}/upload", data={**data, "assessor": "收入核算科"},
            files={"file": ("a.csv", b"period,subject,name\n", "text/csv")},
        )  # fmt: skip
        assert upload.status_code == 403
        assert office.post("/logout", data=data).status_code == 403
    # Another session's token is no token.
    other = token(signed_in(app, "leader").get(f"/submissions/{PERIOD}").text)
    assert office.post(f"/results/{PERIOD}/publish", data={"csrf": other}).status_code == 403
    store = Store(str(complete))
    try:
        assert store.published("永州市地方税务局机关绩效考核", PERIOD) is None
        assert all(not run.published for run in store.runs())
    finally:
        store.close()


# -- escaping --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The bundled rules with markup in a section's name and an indicator's
    name, on the bundled data."""
    folder = tmp_path_factory.mktemp("hostile")
    rules = folder / "rules"
    shutil.copytree(RULES, rules)
    organization = rules / "organization.yaml"
    organization.write_text(
        organization.read_text(encoding="utf-8").replace(
            "name: 税政一科", "name: 税政一科<script>alert(1)</script>", 1
        ),
        encoding="utf-8",
    )
    indicators = rules / "indicators.yaml"
    text = indicators.read_text(encoding="utf-8")
    assert "name: 税收收入完成率" in text
    indicators.write_text(
        text.replace("name: 税收收入完成率", 'name: "税收收入完成率<script>alert(2)</script>"', 1),
        encoding="utf-8",
    )
    store = make_store(folder, str(rules))
    return app_for(store, str(rules))


def test_names_from_the_rules_are_escaped(hostile: FastAPI) -> None:
    office = signed_in(hostile, "office")
    for path in (f"/results/{PERIOD}", f"/results/{PERIOD}/subjects/s06",
                 f"/results/{PERIOD}/subjects/s04?indicator=revenue"):  # fmt: skip
        page = office.get(path)
        assert page.status_code == 200, page.text[-2000:]
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert" in page.text


def test_uploaded_cells_are_escaped(office: TestClient) -> None:
    page = office.get(f"/submissions/{PERIOD}")
    bad = (
        "period,subject,name,实际入库,收入计划\n2016Q3,s04,收入核算科,<script>alert(3)</script>,1\n"
    )
    response = office.post(
        f"/submissions/{PERIOD}/upload", data={"csrf": token(page.text), "assessor": "收入核算科"},
        files={"file": ("<b>bad</b>.csv", bad.encode("utf-8"), "text/csv")},
    )  # fmt: skip
    assert response.status_code == 422
    assert "<script>alert(3)" not in response.text and "<b>bad" not in response.text
    assert "&lt;script&gt;alert(3)" in response.text
    assert "[实际入库]" in response.text  # the located error: file:row [column]


# -- uploads cannot write outside the store ----------------------------------------------


def test_upload_names_are_reduced_to_one_harmless_part() -> None:
    assert safe_file_name("../../etc/passwd.csv") == "passwd.csv"
    assert safe_file_name("..\\..\\x.xlsx") == "x.xlsx"
    assert safe_file_name("../") == ""
    assert safe_file_name("收入 核算/../表.xlsx") == "表.xlsx"
    assert "/" not in safe_file_name("a/b/../../c") and ".." not in safe_file_name("..")


def test_an_upload_named_with_dots_writes_nothing_outside(
    office: TestClient, complete: Path, tmp_path: Path
) -> None:
    target = complete.parent.parent / "escaped.csv"
    before = sorted(p.name for p in complete.parent.iterdir())
    content = (complete.parent / "sections-收入核算科.csv").read_bytes()
    page = office.get(f"/submissions/{PERIOD}")
    response = office.post(
        f"/submissions/{PERIOD}/upload", data={"csrf": token(page.text), "assessor": "收入核算科"},
        files={"file": ("../../escaped.csv", content, "text/csv")},
    )  # fmt: skip
    assert response.status_code == 200, response.text[-1500:]
    assert not target.exists() and not Path("escaped.csv").exists()
    assert sorted(p.name for p in complete.parent.iterdir()) == before
    with sqlite3.connect(complete) as db:
        names = [row[0] for row in db.execute("SELECT file_name FROM submissions")]
    assert names[-1] == "escaped.csv"


def test_only_forms_and_csv_are_taken(office: TestClient) -> None:
    page = office.get(f"/submissions/{PERIOD}")
    response = office.post(
        f"/submissions/{PERIOD}/upload", data={"csrf": token(page.text), "assessor": "收入核算科"},
        files={"file": ("run.sh", b"#!/bin/sh\n", "text/plain")},
    )  # fmt: skip
    assert response.status_code == 422 and "E1106" in response.text


# -- passwords ----------------------------------------------------------------------------


def test_wrong_passwords_are_rate_limited(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    opened = Store(str(store))
    from runtime.web.accounts import add_account

    add_account(opened, "office", "office", None, PASSWORD, None)
    opened.close()
    app = app_for(store)
    client = TestClient(app)
    csrf = token(client.get("/login").text)
    for _ in range(5):
        wrong = client.post("/login", data={"csrf": csrf, "name": "office", "password": "nope"})
        assert wrong.status_code == 401
    right = client.post("/login", data={"csrf": csrf, "name": "office", "password": PASSWORD})
    assert right.status_code == 429  # even the right password, until the window passes
    api = TestClient(app).post("/api/login", json={"name": "office", "password": PASSWORD})
    assert api.status_code == 429
    opened = Store(str(store))
    try:
        assert len(opened.audit_entries("login_failed")) == 5
        assert len(opened.audit_entries("login_throttled")) == 2
        stored = opened.account("office")
    finally:
        opened.close()
    assert stored is not None and stored.password.startswith("scrypt$16384$8$1$")
    assert PASSWORD not in stored.password


def test_the_audit_log_cannot_be_rewritten(complete: Path) -> None:
    with sqlite3.connect(complete) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM audit_log")


# -- accounts from the command line; binding ----------------------------------------------------


def test_users_add_reads_the_password_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = str(tmp_path / "s.sqlite")
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
    code, out, err = run(
        "users", "add", "张三", "--role", "liaison", "--section", "s04", "--rules", RULES,
        "--store", store, "--lang", "zh",
    )  # fmt: skip
    assert (code, err) == (0, "") and "张三" in out
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
    code, _, err = run("users", "add", "张三", "--role", "office", "--store", store, "--lang", "en")
    assert code == 1 and "E1100" in err
    for extra, code_ in ((["--role", "liaison"], "E1102"), (["--role", "office", "--section", "s01"], "E1102"),
                         (["--role", "liaison", "--section", "s99", "--rules", RULES], "E1101")):  # fmt: skip
        monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
        code, _, err = run("users", "add", "李四", *extra, "--store", store, "--lang", "en")
        assert code == 1 and code_ in err, err
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    code, _, err = run("users", "add", "李四", "--role", "leader", "--store", store)
    assert code == 1 and "E1103" in err


def test_serving_beyond_localhost_needs_accounts(tmp_path: Path) -> None:
    store = str(tmp_path / "empty.sqlite")
    code, _, err = run("serve", RULES, "--store", store, "--host", "0.0.0.0", "--lang", "en")
    assert code == 1 and "E1104" in err


# -- the pages and API work for those allowed -----------------------------------------------------


def test_the_office_sees_every_section_and_downloads_every_format(office: TestClient) -> None:
    page = office.get(f"/results/{PERIOD}")
    assert 'id="row-s05"' in page.text and 'id="row-s04"' in page.text
    for fmt in ("xlsx", "csv", "json"):
        response = office.get(f"/results/{PERIOD}/download.{fmt}")
        assert (
            response.status_code == 200 and "attachment" in response.headers["content-disposition"]
        )
    assert office.get(f"/results/{PERIOD}/download.xlsx").content[:2] == b"PK"
    assert office.get(f"/results/{PERIOD}/download.pdf").status_code == 404
    assert office.get("/results/2099Q1").status_code == 404
    assert office.get("/results/nonsense").status_code == 404


def test_a_score_leads_to_its_data_cell_and_submission(office: TestClient) -> None:
    page = office.get(f"/results/{PERIOD}/subjects/s04?indicator=revenue")
    assert page.status_code == 200 and 'id="trend"' in page.text
    assert "indicators.yaml:" in page.text  # the rule line
    cell = office.get(f"/results/{PERIOD}/subjects/s04/cell", params={"column": "实际入库"})
    assert cell.status_code == 200
    assert 'id="value">15473<' in cell.text and "/submissions/view/" in cell.text


def test_the_openapi_description_lists_the_operations(office: TestClient) -> None:
    description = office.get("/api/openapi.json").json()
    paths = set(description["paths"])
    assert {"/api/periods/{period}/results", "/api/periods/{period}/status",
            "/api/periods/{period}/subjects/{subject}/explanation",
            "/api/periods/{period}/submissions", "/api/periods/{period}/publish"} <= paths  # fmt: skip


def test_the_session_cookie_is_signed_strict_and_expires(app: FastAPI) -> None:
    client = TestClient(app)
    form = client.get("/login")
    response = client.post(
        "/login", data={"csrf": token(form.text), "name": "office", "password": PASSWORD},
        follow_redirects=False,
    )  # fmt: skip
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=28800" in cookie


def test_a_liaison_submits_through_the_api(complete: Path) -> None:
    client = TestClient(app_for(complete))
    csrf = _api(client)
    content = (complete.parent / "sections-收入核算科.csv").read_bytes()
    response = client.post(
        f"/api/periods/{PERIOD}/submissions", params={"assessor": "收入核算科"},
        files={"file": ("收入.csv", content, "text/csv")}, headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    found = response.json()["submission"]
    assert found["assessor"] == "收入核算科" and found["submitted_by"] == "liaison04"
    assert client.get(f"/api/submissions/{found['id']}").json()["file_name"] == "收入.csv"
    bad = content.replace(b"15473", b"abc", 1)
    refused = client.post(
        f"/api/periods/{PERIOD}/submissions", params={"assessor": "收入核算科"},
        files={"file": ("收入.csv", bad, "text/csv")}, headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert refused.status_code == 422
    (problem,) = refused.json()["problems"]
    assert problem["code"] == "E0802" and "收入.csv" in json.dumps(problem, ensure_ascii=False)
    without = client.post(
        f"/api/periods/{PERIOD}/submissions", params={"assessor": "收入核算科"},
        files={"file": ("收入.csv", content, "text/csv")},
    )  # fmt: skip
    assert without.status_code == 403


def test_jixiao_serve_listens_on_loopback_and_asks_for_a_login(complete: Path) -> None:
    """The command itself: ``jixiao serve`` in its own process."""
    import subprocess
    import time
    import urllib.error
    import urllib.request

    from tests.webbench import free_port

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "runtime", "serve", RULES, "--store", str(complete),
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        assert page.status == 200 and "登录" in page.read().decode("utf-8")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/periods/{PERIOD}/results")
        assert refused.value.code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_trend_shows_published_quarters_it_cannot_evaluate(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    store = make_store(tmp_path_factory.mktemp("trend"))
    code, _, err = run(
        "evaluate", RULES, "--data", "examples/yongzhou", "--period", "2016Q2",
        "--store", str(store), "--publish", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    opened = Store(str(store))
    try:
        (run_,) = [r for r in opened.runs() if r.published]
        total = next(s["total"] for s in opened.results(run_.id) if s["id"] == "s04")
    finally:
        opened.close()
    page = signed_in(app_for(store), "office").get(f"/results/{PERIOD}/subjects/s04").text
    trend = page.split('id="trend"', 1)[1].split("</table>", 1)[0]
    q2 = trend.split("2016Q2</a>", 1)[1].split("</tr>", 1)[0]
    assert f">{total} <small>(已发布结果)</small>" in q2
    assert '2016Q1</a></td>\n<td colspan="3">—' in trend


def test_every_page_speaks_english_when_asked(complete: Path) -> None:
    from runtime.web.app import create_app
    from runtime.web.workbench import Config

    app = create_app(Config(RULES, str(complete), None, "en"))
    office = signed_in(app, "office")
    ident = _submission_ids(complete, "收入核算科")[0]
    for path, word in (
        (f"/results/{PERIOD}", "Results"), (f"/results/{PERIOD}/subjects/s04", "Derivation"),
        (f"/results/{PERIOD}/subjects/s04/cell?column=实际入库", "Data cell"),
        (f"/results/{PERIOD}/subjects/s04/what-if", "What-if"),
        (f"/submissions/{PERIOD}", "Status"), (f"/submissions/view/{ident}", "Submission"),
    ):  # fmt: skip
        page = office.get(path)
        assert page.status_code == 200 and word in page.text, path
        assert "考核结果" not in page.text  # the navigation too
