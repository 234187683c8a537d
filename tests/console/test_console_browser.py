"""The console in a real browser (headless Chromium from Debian, driven by Playwright): sign-in,
search, detail, retry of a dead letter, reprocess of a quarantined message, role masking checked in
the page HTML, CSRF refusal, and axe-core finding no WCAG 2.x A/AA violation (JIS X 8341-3:2016 AA)
on any page. Screenshots of every page are kept under reports/console/ (git-ignored)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console import gauges
from tests.console.helpers import People, Traffic, add_people, dead_letter_and_quarantine
from tests.support import RunningHub, sqlite_url, start_hub
from tests.wait import until

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "reports" / "console"
AXE_TAGS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningHub, People, Traffic]]:
    hub = start_hub(sqlite_url(tmp_path_factory.mktemp("console-browser")))
    people = add_people(hub)
    traffic = dead_letter_and_quarantine(hub)
    gauges.backfill(hub.parts.store)
    yield hub, people, traffic
    hub.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "chromium is installed by scripts/system-deps.sh"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def sign_in(browser: Any, hub: RunningHub, username: str, password: str) -> Any:
    page = browser.new_context().new_page()
    page.goto(f"{hub.url}/console/")
    assert page.url.endswith("/console/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('ダッシュボード')")
    return page


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_operator_searches_opens_retries_and_reprocesses(browser: Any,
                                                         running: tuple[RunningHub, People, Traffic]) -> None:
    hub, people, traffic = running
    page = sign_in(browser, hub, *people.operator)
    shot(page, "dashboard")
    page.click("nav >> text=電文の検索")
    page.fill("#subject_key", traffic.resident["shikibetsu"]["atenaNo"])
    page.click("form.filters button[type=submit]")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 1 and "デッドレターあり" in rows.inner_text()
    shot(page, "search")
    page.click(f"#results a:has-text('{traffic.receipt_id}')")
    page.wait_for_selector("h2:has-text('配信と試行')")
    assert "＊＊＊" in page.content() and traffic.resident["shimei"]["shimei"] not in page.content()
    assert page.locator(".lineage tbody tr").count() > 5  # per-field lineage of the IMI form
    shot(page, "detail")
    page.click("button:has-text('kaigo へ再送')")
    page.wait_for_selector("text=再送を予約しました")
    until(lambda: len(hub.receivers["kaigo"].inbox.items) == 1, what="kaigo receives the retried 転入")
    page.reload()
    assert page.locator("h3:has-text('kaigo')").inner_text().endswith("配信済み")

    page.goto(f"{hub.url}/console/messages?kind=quarantine")
    page.click(f"#results a:has-text('{traffic.quarantine_id}')")
    page.fill("#reason", "性別コードの訂正")
    page.click("#unmask button")
    text = page.input_value("#corrected")
    page.fill("#corrected", re.sub(r"(seibetsu>)7(<)", r"\g<1>1\g<2>", text))
    shot(page, "reprocess")
    page.click("#reprocess button")
    page.wait_for_selector("h1:has-text('電文 ')")
    assert "quarantine.reprocessed" not in page.content()  # audited under the quarantine entry
    page.goto(f"{hub.url}/console/quarantine/{traffic.quarantine_id}")
    assert page.locator("text=再処理の記録").count() == 1
    page.context.close()


def test_viewer_sees_no_personal_value_in_any_page_html(browser: Any,
                                                        running: tuple[RunningHub, People, Traffic]) -> None:
    hub, people, traffic = running
    page = sign_in(browser, hub, *people.viewer)
    r = traffic.resident
    secret_values = [r["shimei"]["shimei"], r["shimei"]["shimeiKana"], r["shikibetsu"]["kojinBango"],
                     r["shikibetsu"]["atenaNo"]]
    for path in ("/console/", "/console/messages", f"/console/messages/{traffic.receipt_id}",
                 "/console/messages?kind=quarantine", f"/console/quarantine/{traffic.quarantine_id}"):
        page.goto(f"{hub.url}{path}")
        html = page.content()
        assert [v for v in secret_values if v in html] == [], path
    assert page.locator("#unmask").count() == 0 and page.locator("#reprocess").count() == 0
    shot(page, "viewer-quarantine")
    # a forged form (no valid token) is refused even with a valid session cookie
    answer = page.request.post(f"{hub.url}/console/messages/{traffic.receipt_id}/unmask",
                               form={"csrf": "forged", "reason": "forged reason"})
    assert answer.status == 403
    page.context.close()


def test_every_page_has_no_axe_violation(browser: Any, running: tuple[RunningHub, People, Traffic]) -> None:
    from axe_playwright_python.sync_playwright import Axe

    hub, people, traffic = running
    axe = Axe()
    found: dict[str, list[tuple[str, int]]] = {}
    anonymous = browser.new_context().new_page()
    anonymous.goto(f"{hub.url}/console/login")
    found["/console/login"] = _violations(axe, anonymous)
    anonymous.context.close()
    page = sign_in(browser, hub, *people.admin)
    paths = ["/console/", "/console/messages", "/console/messages?kind=quarantine", "/console/messages?kind=dead",
             f"/console/messages/{traffic.receipt_id}", f"/console/quarantine/{traffic.quarantine_id}",
             "/console/sensors", "/console/kpi", "/console/workbench", "/console/users"]
    for path in paths:
        assert page.goto(f"{hub.url}{path}").status == 200, path
        assert page.get_attribute("html", "lang") == "ja"
        found[path] = _violations(axe, page)
        shot(page, re.sub(r"[^a-z0-9]+", "-", path.removeprefix("/console")).strip("-") or "home")
    # pages after an action: the unmasked detail and a workbench answer
    page.goto(f"{hub.url}/console/messages/{traffic.receipt_id}")
    page.fill("#reason", "画面の確認")
    page.click("#unmask button")
    found["detail unmasked"] = _violations(axe, page)
    page.goto(f"{hub.url}/console/workbench?op=jumin/JuminShokai")
    page.click("#send button")
    page.wait_for_selector("#answer-status")
    assert "結果コード" in page.inner_text("#answer-status")
    found["workbench answer"] = _violations(axe, page)
    shot(page, "workbench-answer")
    page.context.close()
    assert found == {k: [] for k in found}, json.dumps(found, ensure_ascii=False)


def _violations(axe: Any, page: Any) -> list[tuple[str, int]]:
    results = axe.run(page, options=AXE_TAGS)
    assert len(results.response["passes"]) > 10, "axe-core ran its rules on the page"
    return [(v["id"], len(v["nodes"])) for v in results.response["violations"]]
