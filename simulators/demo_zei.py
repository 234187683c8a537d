"""The 個人住民税 part of ``chipla demo``: the 個人住民税 system sends this 年度's 特別徴収税額通知 for the
town's three sample employers, one takes its signed 正本 at its endpoint, one downloads it, one is on
paper; the 電子化率 the hub counts is printed at the end."""

from __future__ import annotations

import random
import time
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from broker.clock import as_jst, now
from simulators import zei_samples
from simulators.employer_download import EmployerDownloader
from simulators.sandbox import RunningHub
from simulators.zei_sender import ZeiSender
from vocab.nendo import nendo_of


def run(console: Console, hub: RunningHub, nendo: int | None = None) -> dict[str, Any]:
    nendo = nendo or nendo_of(as_jst(now()).date())
    r = hub.receivers["zei"]
    sender = ZeiSender(hub.url, r.username, r.password)
    rng = random.Random(nendo)
    for k, employer in enumerate(zei_samples.EMPLOYERS):
        notice = zei_samples.tsuchi(employer, nendo, rng, employees=3 + k, first_atena=300000 + 100 * k)
        code = sender.send(zei_samples.header("zei", employer.shitei_no), notice)["result"]["code"]
        console.print(f"特別徴収税額通知 指定番号 {employer.shitei_no} {employer.meisho} "
                      f"({len(notice['nozeiGimusha'])} 人, 合計 {notice['gokeiGaku']:,} 円) → {code}")
    pushed = [e for e in hub.employers.values() if e.inbox is not None]
    deadline = time.monotonic() + 15
    while any(not e.inbox.items for e in pushed if e.inbox) and time.monotonic() < deadline:
        time.sleep(0.1)
    for e in pushed:
        assert e.inbox is not None
        console.print(f"  {e.employer.meisho}: 受信 {len(e.inbox.items)} 件 (署名検証済み), "
                      f"拒否 {len(e.inbox.refused)} 件")
    for e in hub.employers.values():
        if e.server is None:
            got = EmployerDownloader(hub.url, e.api_key, hub.town_cert).sync(nendo)
            console.print(f"  {e.employer.meisho}: REST で取得 {len(got)} 件 (署名検証済み)")
    kpi = _kpi(hub, nendo)
    deadline = time.monotonic() + 10
    while kpi["pending"] and time.monotonic() < deadline:  # the hub records a delivery just after it
        time.sleep(0.1)
        kpi = _kpi(hub, nendo)
    table = Table(title=f"特別徴収税額通知 電子化率 ({nendo} 年度)")
    for col in ("通知", "電子", "紙", "送付済", "取得済", "未受領", "電子化率", "受領率"):
        table.add_column(col)
    table.add_row(*(str(kpi[k]) for k in ("notices", "electronic", "paper", "delivered", "downloaded", "pending")),
                  f"{kpi['denshikaRitsu']:.1%}" if kpi["denshikaRitsu"] is not None else "—",
                  f"{kpi['juryoRitsu']:.1%}" if kpi["juryoRitsu"] is not None else "—")
    console.print(table)
    return dict(kpi)


def _kpi(hub: RunningHub, nendo: int) -> dict[str, Any]:
    resp = httpx.get(f"{hub.url}/api/v1/zei/kpi", params={"nendo": nendo}, headers={"X-API-Key": hub.admin_key},
                     timeout=30)
    resp.raise_for_status()
    return dict(resp.json())
