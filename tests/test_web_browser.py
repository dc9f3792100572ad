"""The workbench in a real browser (issue #14, "Must show"): headless
Chromium, the system's own (``which chromium``; never a downloaded one),
driven by Playwright against the server on 127.0.0.1.

A liaison signs in, downloads their section's form, uploads it with one bad
cell and sees the located error, fixes it and sees the submission accepted
and their status change; the office signs in, opens a section, clicks
through a score to the data cell it was computed from, and publishes the
period.  Screenshots of the main pages are saved under ``JIXIAO_ARTIFACTS``
(``artifacts/`` is ignored by git) or the test's temporary folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.store import Store
from tests.test_forms import _fill
from tests.webbench import PASSWORD, PENDING, PERIOD, app_for, make_store, served

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, sync_playwright

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no system chromium")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("pending"), skip=PENDING)


@pytest.fixture(scope="module")
def url(store: Path) -> Iterator[str]:
    with served(app_for(store)) as found:
        yield found


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("JIXIAO_ARTIFACTS", tmp_path)) / "web"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sign_in(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"**/results/{PERIOD}")


def _states(page: Page) -> list[str]:
    cells = page.locator("#status td[data-state]")
    return [str(cells.nth(i).get_attribute("data-state")) for i in range(cells.count())]


def test_a_liaison_submits_and_the_office_publishes(
    url: str, store: Path, shots: Path, tmp_path: Path
) -> None:
    assert CHROMIUM is not None
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            context = browser.new_context(
                accept_downloads=True, viewport={"width": 1280, "height": 900}
            )
            page = context.new_page()
            _sign_in(page, url, "liaison04")
            page.click("header >> text=数据报送")
            page.wait_for_selector("#upload")
            before = _states(page)
            assert before and all(state in ("missing", "overdue") for state in before)
            page.screenshot(path=str(shots / "1-liaison-submissions.png"), full_page=True)
            with page.expect_download() as download:
                page.click("a.form")
            form = tmp_path / download.value.suggested_filename
            download.value.save_as(form)
            assert form.name == f"{PENDING}-{PERIOD}.xlsx"

            bad = _fill(form, tmp_path / "bad.xlsx", ("s04", "实际入库", "一万五"))
            page.set_input_files("#file", str(bad))
            page.click("#send")
            failure = page.wait_for_selector("#failure")
            assert failure is not None
            text = failure.inner_text()
            assert "bad.xlsx" in text and "[实际入库]" in text and "一万五" in text
            page.screenshot(path=str(shots / "2-liaison-located-error.png"), full_page=True)

            good = _fill(form, tmp_path / "good.xlsx")
            page.set_input_files("#file", str(good))
            page.click("#send")
            page.wait_for_selector("#accepted")
            after = _states(page)
            assert after and all(state in ("in", "late") for state in after)
            page.screenshot(path=str(shots / "3-liaison-accepted.png"), full_page=True)
            context.close()

            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            _sign_in(page, url, "office")
            page.wait_for_selector("#row-s05")
            page.screenshot(path=str(shots / "4-office-results.png"), full_page=True)
            page.click("#row-s04 a.total")
            page.wait_for_selector("#tree")
            page.click("#indicators >> text=税收收入完成率")
            page.wait_for_url("**indicator=revenue")
            page.wait_for_selector("#tree a.cell")
            page.screenshot(path=str(shots / "5-office-derivation.png"), full_page=True)
            page.click("#tree a.cell >> nth=0")
            value = page.wait_for_selector("#value")
            assert value is not None and value.inner_text().strip() != ""
            assert page.locator("#cell a[href^='/submissions/view/']").count() == 1
            page.screenshot(path=str(shots / "6-office-data-cell.png"), full_page=True)

            page.goto(f"{url}/results/{PERIOD}/subjects/s04")
            page.click("#what-if")
            total = page.wait_for_selector("#then-total")
            rank = page.wait_for_selector("#then-rank")
            assert total is not None and rank is not None
            then = (total.inner_text(), rank.inner_text())
            page.fill("input[name='v.实际入库']", "13000")
            page.click("#evaluate")
            page.wait_for_function(
                "before => document.querySelector('#then-total').innerText !== before",
                arg=then[0],
            )
            changed = (page.inner_text("#then-total"), page.inner_text("#then-rank"))
            assert changed[0] != then[0] and int(changed[1]) > int(then[1])
            assert "v.%E5%AE%9E%E9%99%85%E5%85%A5%E5%BA%93=13000" in page.url  # the scenario's link
            page.screenshot(path=str(shots / "7-office-what-if.png"), full_page=True)

            page.click("#nav-dry-run")
            page.wait_for_selector("#dry-run-form")
            assert page.input_value("#periods") == PERIOD
            page.click("#run-dry-run")
            page.wait_for_selector("#report", timeout=120_000)
            assert page.locator("#dry-run-downloads a").count() == 5
            page.screenshot(path=str(shots / "7a-office-dry-run.png"), full_page=True)

            page.click("#nav-rules")
            page.wait_for_selector("#in-force-section")
            page.wait_for_selector("#findings-now", timeout=120_000)
            page.screenshot(path=str(shots / "7b-office-rules.png"), full_page=True)

            page.goto(f"{url}/results/{PERIOD}")
            page.click("#publish")
            page.wait_for_selector("#published >> text=已发布")
            page.screenshot(path=str(shots / "8-office-published.png"), full_page=True)
        finally:
            browser.close()
    opened = Store(str(store))
    try:
        published = [run for run in opened.runs() if run.published]
        uploads = [e for e in opened.audit_entries("upload") if e.user == "liaison04"]
        refused = [e for e in opened.audit_entries("upload_refused") if e.user == "liaison04"]
    finally:
        opened.close()
    assert [run.label for run in published] == [PERIOD]
    assert len(uploads) == 1 and len(refused) == 1
