"""The demo's 個人住民税 part runs against the sandbox: the employer with an endpoint receives its
正本, the downloading employer fetches and verifies its own, and the 電子化率 is 2 of 3."""

from __future__ import annotations

from rich.console import Console

from simulators import demo_zei
from tests.support import RunningHub


def test_demo_sends_delivers_downloads_and_counts(hub: RunningHub) -> None:
    console = Console(record=True, width=160)
    kpi = demo_zei.run(console, hub, nendo=2027)
    assert (kpi["notices"], kpi["electronic"], kpi["paper"], kpi["delivered"], kpi["downloaded"]) == (3, 2, 1, 1, 1)
    text = console.export_text()
    assert "電子化率" in text and "66.7%" in text and "REST で取得 1 件" in text
