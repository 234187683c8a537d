"""``chipla demo``: the hub with its embedded engines, the simulated vendor systems, this 年度's
特別徴収税額通知 to the sample employers with the 電子化率, and a stream of sample 住民異動通知 for
木曽岬町 — everything on loopback, with the URLs to open printed first."""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from chipla import notify_demo
from simulators import demo_zei
from simulators.demo_sensors import DemoSensors
from simulators.samples import SampleTown, header
from simulators.sandbox import RECEIVERS, RunningHub, start_hub
from simulators.sender import JukiSender


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo", help="hub + simulated vendor systems + sample traffic")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--rate", type=float, default=2.0, help="異動 per second (default 2)")
    p.add_argument("--duration", type=float, default=0, help="seconds to run (default: until Ctrl-C)")
    p.add_argument("--db", default="var/demo.db", help="SQLite file, recreated at start")
    p.add_argument("--mqtt-port", type=int, default=1883, help="port of the embedded Mosquitto (default 1883)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    console = Console()
    db = Path(args.db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    hub = start_hub(f"sqlite:///{db}", port=args.port, retry_base=1.0, max_attempts=6, retry_cap=8.0)
    sensors = None
    try:
        sensors = DemoSensors.start(hub, args.mqtt_port)
        _banner(console, hub, sensors)
        notify_demo.clear_inbox(hub)
        notify_demo.start(hub, console)
        demo_zei.run(console, hub)
        _stream(console, hub, args.rate, args.duration, sensors)
    except KeyboardInterrupt:
        console.print("\n停止します…")
    finally:
        if sensors is not None:
            sensors.stop()
        hub.stop()
    return 0


def _banner(console: Console, hub: RunningHub, sensors: DemoSensors) -> None:
    t = Table(title="chipla demo — 木曽岬町 (243035)", show_lines=False)
    t.add_column("what")
    t.add_column("URL")
    t.add_row("運用コンソール (operator console)", f"{hub.url}/console/")
    t.add_row("API コンソール (Swagger UI)", f"{hub.url}/api/v1/ui/")
    t.add_row("WSDL", f"{hub.url}/soap/jumin?wsdl  {hub.url}/soap/zei?wsdl")
    t.add_row("オープンデータ (open data)", f"{hub.url}/opendata/")
    t.add_row("metrics / health", f"{hub.url}/metrics  {hub.url}/healthz")
    t.add_row("デモ受信箱 お知らせメール (flood, bus)", f"{hub.url}/console/mail/")
    for rid, r in hub.receivers.items():
        t.add_row(f"受信箱 {RECEIVERS[rid][0]} ({rid})", f"{r.server.url}/inbox")
    for what, url in sensors.urls():
        t.add_row(what, url)
    console.print(t)
    console.print(f"運用コンソール サインイン: ユーザー [bold]{hub.console_user}[/bold] / パスワード "
                  f"[bold]{hub.console_password}[/bold] (管理者。`chipla console user add` で利用者を追加)")
    console.print(f"管理用 API キー (Swagger 'Authorize'): [bold]{hub.admin_key}[/bold]")
    console.print(f"住民記録システム: WS-Security user juki / password {hub.juki_password}; "
                  f"API key {hub.juki_key}")
    console.print("Ctrl-C で終了します。介護保険 (kaigo) は途中で一時停止し、再送で追いつく様子を示します。\n")


def _stream(console: Console, hub: RunningHub, rate: float, duration: float, sensors: DemoSensors) -> None:
    town = SampleTown(seed=random.randrange(1 << 30))
    sender = JukiSender(hub.url, "juki", hub.juki_password)
    rest = httpx.Client(base_url=f"{hub.url}/api/v1", headers={"X-API-Key": hub.juki_key}, timeout=30)
    started = time.monotonic()
    sent = 0
    while not duration or time.monotonic() - started < duration:
        ido = town.next_ido()
        via = "REST" if sent % 5 == 4 else "SOAP"
        try:
            if via == "SOAP":
                code = sender.send(header("juki"), ido)["result"]["code"]
            else:
                code = rest.post("/jumin/ido", json={"meta": header("juki"), "ido": ido}).json()["result"]["code"]
        except Exception as exc:  # shown, not hidden: the demo is for people watching
            code = f"error {exc}"
        sent += 1
        shimei = ido["jumin"]["shimei"]["shimei"]
        console.print(f"[dim]{sent:5d}[/dim] {via} 異動事由 {ido['idoJiyu']} {shimei} → {code}")
        if sent == 20:
            hub.receivers["kaigo"].control(down=True)
            console.print("[yellow]介護保険システムを停止しました (再送が始まります)[/yellow]")
        if sent == 45:
            hub.receivers["kaigo"].control(down=False)
            console.print("[green]介護保険システムを再開しました[/green]")
        if sent % 10 == 0:
            counts = {rid: len(r.inbox.items) for rid, r in hub.receivers.items()}
            console.print(f"[cyan]受信件数[/cyan] {counts}")
            for line in sensors.status():
                console.print(f"[magenta]{line}[/magenta]")
        time.sleep(1 / rate)
