"""The お知らせメール part of ``chipla demo``: residents subscribe through the REST form and confirm
from the mail, then a rain event at 加路戸 and a late 町内バス (北回り) run through the rules; the mails
arrive in the demo inbox (``/console/mail/``)."""

from __future__ import annotations

import re
import shutil
import threading
import time
from datetime import datetime, timedelta

import httpx
from rich.console import Console

from broker.clock import JST, now
from broker.services.notify.events import Reading
from chipla.notify import runtime_of
from simulators.sandbox import LG, RunningHub

RESIDENTS = {
    "karoto.taro@example.jp": [{"kind": "water_gauge", "key": "wl-karoto-01"}, {"kind": "gomi_area", "key": "加路戸"}],
    "izumi.hanako@example.jp": [{"kind": "bus_stop", "key": "6_01"}],
    "bus.fan@example.jp": [{"kind": "bus_route", "key": "kita"}],
}
RAIN = [0.42, 0.55, 0.68, 0.79, 0.91, 1.03, 1.12, 1.21, 1.33, 1.38, 1.30, 1.12, 0.95, 0.74, 0.58]


def clear_inbox(hub: RunningHub) -> None:
    runtime = runtime_of(hub.parts.hub)
    if runtime is not None and runtime.sink is not None:
        for sub in ("new", "cur"):
            folder = runtime.sink.folder / sub
            if folder.exists():
                shutil.rmtree(folder)
                folder.mkdir()


def start(hub: RunningHub, console: Console, pause: float = 2.0) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(hub, console, pause), name="chipla-demo-notify", daemon=True)
    thread.start()
    return thread


def _subscribe(hub: RunningHub, address: str, topics: list[dict[str, str]]) -> None:
    runtime = runtime_of(hub.parts.hub)
    assert runtime is not None and runtime.sink is not None
    sink = runtime.sink
    before = len(sink.to(address))
    httpx.post(f"{hub.url}/api/v1/notify/subscriptions", json={"lgCode": LG, "email": address, "topics": topics},
               timeout=30).raise_for_status()
    deadline = time.monotonic() + 30
    while len(sink.to(address)) <= before and time.monotonic() < deadline:
        time.sleep(0.2)
    text = str(sink.to(address)[-1].get_body(("plain",)).get_content())  # type: ignore[union-attr]
    token = re.search(r"/notify/confirm\?token=([A-Za-z0-9_.-]+)", text)
    if token:
        httpx.post(f"{hub.url}/api/v1/notify/confirm", params={"token": token.group(1)}, timeout=30)


def _run(hub: RunningHub, console: Console, pause: float) -> None:
    try:
        runtime = runtime_of(hub.parts.hub)
        assert runtime is not None
        svc = runtime.service
        for address, topics in RESIDENTS.items():
            _subscribe(hub, address, topics)
        console.print(f"[green]お知らせメール: {len(RESIDENTS)} 人が登録・確認しました。"
                      f"受信箱 {hub.url}/console/mail/[/green]")
        t = now() - timedelta(minutes=10 * len(RAIN))
        for level in RAIN:  # 加路戸 排水路: 0.70 / 1.00 / 1.30 / 1.60 m
            svc.observe(Reading(LG, "wl-karoto-01", "water_level", t, {"waterLevel": level}))
            console.print(f"[cyan]水位計 wl-karoto-01: {level:.2f} m[/cyan]")
            t += timedelta(minutes=10)
            time.sleep(pause)
        today = now().astimezone(JST)
        day = datetime(today.year, today.month, today.day, tzinfo=JST)
        for stop, minute in (("1_01", 32), ("5_01", 36), ("4_01", 45), ("2_01", 49)):  # kita_0930, late at 見入
            svc.observe(Reading(LG, "bus-01-door", "bus_stop_pass", day + timedelta(hours=9, minutes=minute), {},
                                {"tripId": "kita_0930", "stopId": stop, "event": "departure"}))
            console.print(f"[cyan]町内バス 北回り kita_0930 停留所 {stop} 通過 09:{minute:02d}[/cyan]")
            time.sleep(pause)
        console.print(f"[green]洪水・バス遅延のお知らせは {hub.url}/console/mail/ に届いています。[/green]")
    except Exception as exc:  # shown, not hidden: the demo is for people watching
        console.print(f"[red]お知らせメールのデモが止まりました: {exc}[/red]")
