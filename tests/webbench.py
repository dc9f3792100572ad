"""What the web workbench tests share: a store with the bundled 2016Q3 sent in
by every assessing section (or by all but one), accounts of each role, a
signed-in TestClient, and the workbench served by uvicorn on the loopback
interface in a thread.

The submissions are the bundled data split by assessing section, as
``tests/test_submissions.py`` splits them; forms are filled as
``tests/test_forms.py`` fills them (their helpers are reused, not copied).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from runtime.store import Store
from runtime.web.accounts import add_account
from runtime.web.app import create_app
from runtime.web.workbench import Config
from tests.clirun import run
from tests.test_submissions import _split

RULES = "rules/yongzhou"
PERIOD = "2016Q3"
PASSWORD = "correct horse battery"
# name -> (role, section)
ACCOUNTS = {
    "office": ("office", None),
    "leader": ("leader", None),
    "liaison04": ("liaison", "s04"),  # 收入核算科
    "liaison05": ("liaison", "s05"),  # 征收管理科
}
PENDING = "收入核算科"  # the section that has not yet submitted in the "pending" store


def make_store(folder: Path, rules: str = RULES, skip: str | None = None) -> Path:
    """A store with the quarter submitted by every assessing section but
    ``skip``, and the four accounts."""
    store = folder / "results.sqlite"
    parts = _split(folder)
    for assessor, files in parts.items():
        if assessor == skip:
            continue
        for file in files:
            code, _, err = run(
                "submit", rules, "--store", str(store), "--period", PERIOD, "--assessor",
                assessor, "--file", str(file), "--at", "2016-10-03T09:00", "--by", "联络员",
            )  # fmt: skip
            assert code == 0, err
    opened = Store(str(store))
    try:
        for name, (role, section) in ACCOUNTS.items():
            add_account(opened, name, role, section, PASSWORD, None)
    finally:
        opened.close()
    return store


def app_for(store: Path, rules: str = RULES, data: str | None = None) -> FastAPI:
    return create_app(Config(rules, str(store), data, "zh"))


def token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, page[:500]
    return found.group(1)


def signed_in(app: FastAPI, name: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"csrf": token(form.text), "name": name, "password": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 (only) in a thread; its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
