"""Workbench accounts beyond ``users add`` (issue #14, second stop):
``users list|remove|passwd``, sessions that survive a restart (the key kept
in the store) but not a password change or a removal, and the server-level
cap on request bodies (refused before they are buffered)."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from runtime.store import Store
from runtime.web.accounts import add_account
from runtime.web.app import MAX_BODY
from tests.clirun import run
from tests.webbench import PASSWORD, PERIOD, app_for, signed_in


def _store(tmp_path: Path) -> Path:
    store = tmp_path / "results.sqlite"
    opened = Store(str(store))
    try:
        add_account(opened, "王五", "office", None, PASSWORD, None)
        add_account(opened, "李四", "liaison", "s04", PASSWORD, None)
    finally:
        opened.close()
    return store


def test_users_list_remove_and_passwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = str(_store(tmp_path))
    code, out, err = run("users", "list", "--store", store, "--lang", "en")
    assert code == 0, err
    assert "李四\tliaison\ts04" in out and "王五\toffice\t-" in out
    assert "$" not in out  # no hash shown
    monkeypatch.setattr(sys, "stdin", io.StringIO("another long password\n"))
    code, out, err = run("users", "passwd", "李四", "--store", store, "--lang", "en")
    assert code == 0 and "changed the password of 李四" in out, err
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    code, _, err = run("users", "passwd", "李四", "--store", store)
    assert code != 0 and "E1103" in err
    code, out, err = run("users", "remove", "李四", "--store", store, "--lang", "en")
    assert code == 0 and "removed the account 李四" in out
    code, _, err = run("users", "remove", "李四", "--store", store)
    assert code != 0 and "E1112" in err
    code, out, _ = run("users", "list", "--store", store)
    assert "李四" not in out


def test_sessions_survive_a_restart_but_not_a_password_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path)
    first = signed_in(app_for(store), "王五")
    cookies = dict(first.cookies)
    again = TestClient(app_for(store), cookies=cookies)  # a new server on the same store
    assert again.get(f"/submissions/{PERIOD}").status_code == 200
    monkeypatch.setattr(sys, "stdin", io.StringIO("another long password\n"))
    assert run("users", "passwd", "王五", "--store", str(store))[0] == 0
    ended = again.get(f"/submissions/{PERIOD}", follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"] == "/login"
    assert signed_in(app_for(store), "王五", "another long password") is not None


def test_a_body_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    store = _store(tmp_path)
    office = signed_in(app_for(store), "王五")
    declared = office.post(
        f"/api/periods/{PERIOD}/submissions?assessor=x",
        headers={"Content-Length": str(MAX_BODY + 1), "Content-Type": "application/octet-stream"},
        content=b"x",
    )
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:
        block = b"x" * (1024 * 1024)
        for _ in range(MAX_BODY // len(block) + 2):
            yield block

    streamed = office.post(
        f"/submissions/{PERIOD}/upload",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
        content=chunks(),
    )
    assert streamed.status_code == 413
