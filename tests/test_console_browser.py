"""The operator console in a real browser (headless Chromium from Debian, driven by Playwright):
an operator signs in with the admin key, sees deliveries and a dead letter, and retries it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from broker.models import Delivery
from chipla.vendors.samples import SampleTown, header
from chipla.vendors.sender import JukiSender
from tests.support import RunningHub
from tests.wait import until

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser


def test_console_shows_dead_letter_and_retries_it(hub: RunningHub, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "chromium is installed by scripts/system-deps.sh"
    kaigo = hub.receivers["kaigo"]
    kaigo.control(down=True)
    JukiSender(hub.url, "juki", hub.juki_password).send(header("juki"), SampleTown().tennyu())
    until(lambda: _dead(hub) == 1, what="one dead letter")
    kaigo.control(down=False)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page()
        page.goto(f"{hub.url}/console/")
        page.fill("#key", "wrong-key")
        page.click("button[type=submit]")
        page.wait_for_selector("#status:has-text('表示できません')")
        page.fill("#key", hub.admin_key)
        page.click("button[type=submit]")
        page.wait_for_selector("#dead tbody tr")
        assert "kaigo" in page.inner_text("#dead")
        assert page.inner_text("#total") == "1"
        recent = page.inner_text("#recent")
        assert "100000001" not in recent and "10*****01" in recent  # 宛名番号 masked
        page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
        page.click("#dead tbody tr button")
        until(lambda: len(kaigo.inbox.items) == 1, what="retried from the console")
        page.wait_for_selector("#dead tbody:not(:has(tr))", state="attached", timeout=15000)
        browser.close()


def _dead(hub: RunningHub) -> int:
    with hub.parts.store.read() as s:
        return int(s.execute(select(func.count()).select_from(Delivery).where(Delivery.status == "dead")).scalar_one())
