"""``chipla bench notify``: water-level readings at a steady rate → rule → notice → outbox → SMTP.

A real hub (SQLite store, inline dispatcher, the embedded aiosmtpd sink) with G gauges and one
subscriber each. Readings arrive at ``rate`` per second in batches, as the MQTT door hands them
over; one reading in ``every`` per gauge crosses 氾濫注意水位 after a full reset, so it must become a
mail. Latency is measured from the moment the batch holding that reading is handed to the rules to
the moment the SMTP server accepted the mail (end of DATA), from the same clock.

The baseline, measured in the same run at the same mail rate: composing the same kind of mail and
handing it to the same SMTP server over one kept connection — the least any notifier must do. The
ratio hub / baseline is what to compare across machines.

What this does not include: the MQTT door before the rules (see ``chipla bench`` of the sensor
feeds for ingest), and a real relay's own queueing.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml
from sqlalchemy import select

from adapters.outbound.mail.compose import Links, compose
from adapters.outbound.mail.sink import MailSink
from broker.clock import now
from broker.services.notify.events import Reading
from broker.services.notify.models import NotifyNotice
from chipla.notify import runtime_of
from simulators.sandbox import LG, start_hub


@dataclass(frozen=True)
class Result:
    readings: int
    seconds: float
    mails: int
    delivered: int
    hub_ms: list[float]
    baseline_ms: list[float]


def _rules(gauges: int) -> dict[str, object]:
    return {"lgCode": LG, "townName": "木曽岬町", "ratePerHour": 1000, "rules": [
        {"id": f"water-bench-{g:03d}", "kind": "water_level", "device": f"wl-bench-{g:03d}", "name": f"排水路 {g}",
         "levels": {"水防団待機水位": 0.7, "氾濫注意水位": 1.0, "避難判断水位": 1.3, "氾濫危険水位": 1.6},
         "riseMetres": 50, "staleMinutes": 600} for g in range(gauges)]}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(rate: float = 1000.0, seconds: float = 10.0, gauges: int = 50, every: int = 20,
        batch: int = 50) -> Result:
    tmp = Path(tempfile.mkdtemp(prefix="chipla-bench-notify-"))
    rules = tmp / "rules.yaml"
    rules.write_text(yaml.safe_dump(_rules(gauges), allow_unicode=True), encoding="utf-8")
    hub = start_hub(f"sqlite:///{tmp / 'chipla.db'}", notify_tick_seconds=0, notify_rules=str(rules),
                    retry_base=0.2, max_attempts=20, retry_cap=1.0, sqlite_synchronous="NORMAL")
    try:
        runtime = runtime_of(hub.parts.hub)
        assert runtime is not None and runtime.sink is not None
        svc, sink = runtime.service, runtime.sink
        for g in range(gauges):  # active subscribers, one per gauge, as a confirmed link would make them
            svc.subscribe(LG, f"resident{g}@example.jp", [{"kind": "water_gauge", "key": f"wl-bench-{g:03d}"}])
        sink.wait_for(gauges, timeout=30)
        with hub.parts.store.read() as s:
            ids = list(s.execute(select(NotifyNotice.subscriber_id)).scalars())
        for sid in ids:
            svc.confirm(svc.tokens.make("confirm", sid))
        before = len(sink.received)
        sent_at: dict[tuple[str, int], float] = {}
        total = int(rate * seconds)
        t0 = time.perf_counter()
        at = now() - timedelta(days=1)
        counter = [0] * gauges
        seq = [0] * gauges
        n = 0
        while n < total:
            due = t0 + n / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            readings = []
            crossing: list[tuple[str, int]] = []
            for _ in range(min(batch, total - n)):
                g = n % gauges
                counter[g] += 1
                phase = counter[g] % every
                level = 1.05 if phase == 0 else (0.3 + 0.01 * phase)
                if phase == 0:
                    seq[g] += 1
                    crossing.append((f"wl-bench-{g:03d}", seq[g]))
                readings.append(Reading(LG, f"wl-bench-{g:03d}", "water_level", at + timedelta(milliseconds=n),
                                        {"waterLevel": level}))
                n += 1
            handed = time.time()
            for key in crossing:
                sent_at[key] = handed
            svc.observe_many(readings)
        load_seconds = time.perf_counter() - t0
        expected = len(sent_at)
        got = sink.wait_for(before + expected, timeout=60)[before:]
        with hub.parts.store.read() as s:
            notice_key = {nid: (subject, int(window.split("-")[1])) for nid, subject, window in s.execute(
                select(NotifyNotice.id, NotifyNotice.subject, NotifyNotice.window)
                .where(NotifyNotice.kind == "water")).tuples()}
        hub_ms = []
        for mail in got:
            nid = int(str(mail.parsed()["X-Chipla-Notice"]))
            made = notice_key.get(nid)
            if made is not None and made in sent_at:
                hub_ms.append((mail.at - sent_at[made]) * 1000)
        baseline_ms = _baseline(sink, min(expected, 2000), expected / load_seconds if load_seconds else 50.0)
        return Result(total, load_seconds, expected, len(got), hub_ms, baseline_ms)
    finally:
        hub.stop()


def _baseline(sink: MailSink, count: int, mails_per_second: float) -> list[float]:
    """Compose and send the same kind of mail over one kept SMTP connection, at the same rate."""
    import smtplib

    notice = {"id": 0, "to": "baseline@example.jp", "subject": "【木曽岬町】排水路 0 氾濫注意水位を超えました",
              "text": "排水路 0の水位が氾濫注意水位を超えました。\n観測水位: 1.05m\n", "html": "<p>観測水位 1.05m</p>"}
    links = Links("http://127.0.0.1/api/v1/notify/unsubscribe?token=x", "http://127.0.0.1/api/v1/notify/me?token=x")
    out: list[float] = []
    lock = threading.Lock()
    with smtplib.SMTP("127.0.0.1", sink.port) as conn:
        start = time.perf_counter()
        for i in range(count):
            due = start + i / max(mails_per_second, 1.0)
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            handed = time.time()
            before = len(sink.received)
            conn.send_message(compose({**notice, "id": i}, links, "木曽岬町 お知らせメール", "noreply@chipla.invalid"))
            got = sink.wait_for(before + 1, timeout=5)
            with lock:
                out.append((got[-1].at - handed) * 1000)
    return out


def report(r: Result) -> str:
    hub95, base95 = pct(r.hub_ms, 95), pct(r.baseline_ms, 95)
    lines = [
        f"readings: {r.readings} in {r.seconds:.1f} s = {r.readings / r.seconds:,.0f}/s offered to the rules",
        f"mails expected {r.mails}, accepted by SMTP {r.delivered} (latency measured for {len(r.hub_ms)})",
        f"hub      reading → SMTP accepted: p50 {pct(r.hub_ms, 50):.1f} ms  p95 {hub95:.1f} ms  "
        f"p99 {pct(r.hub_ms, 99):.1f} ms  max {max(r.hub_ms, default=float('nan')):.1f} ms",
        f"baseline compose + SMTP send:    p50 {pct(r.baseline_ms, 50):.1f} ms  p95 {base95:.1f} ms "
        f"({len(r.baseline_ms)} mails, same rate, same server)",
        f"ratio p95 hub / baseline: {hub95 / base95:.1f}×" if base95 else "ratio: n/a",
        f"goal p95 < 1000 ms: {'met' if hub95 < 1000 else 'NOT met'}",
        f"mean hub latency {statistics.fmean(r.hub_ms):.1f} ms" if r.hub_ms else "",
    ]
    return "\n".join(x for x in lines if x)
