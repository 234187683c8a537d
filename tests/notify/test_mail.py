"""Mail over a real SMTP conversation, read back with the standard ``email`` package; and a down
SMTP server loses no notice."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from sqlalchemy import select

from adapters.outbound.mail.sink import MailSink, free_port
from broker.models import Delivery, DeliveryAttempt
from broker.services.notify.models import NotifySubscriber
from simulators.sandbox import LG, RunningHub, sqlite_url, start_hub
from tests.notify.support import GAUGE, at, body_text, service, sink, subscribe, wait_mail, water


def test_japanese_mail_is_well_formed(notify_hub: RunningHub) -> None:
    address = "山田@example.jp"  # a non-ASCII local part needs SMTPUTF8 (RFC 6531/6532)
    subscribe(notify_hub, "ascii@example.jp", [{"kind": "water_gauge", "key": GAUGE}])
    subscribe(notify_hub, address, [{"kind": "water_gauge", "key": GAUGE}])
    service(notify_hub).observe(water(1.05, at(9, 0)))
    mail = wait_mail(notify_hub, "ascii@example.jp", 2)[1]
    raw = next(r.raw for r in sink(notify_hub).received if b"X-Chipla-Notice: " + str(mail["X-Chipla-Notice"]).encode()
               in r.raw)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii(), "header bytes of a mail to an ASCII address stay ASCII (RFC 2047 encoded-words)"
    assert b"Subject: =?utf-8?" in head
    assert str(mail["subject"]) == "【木曽岬町】加路戸 排水路 氾濫注意水位を超えました"
    assert mail["from"].addresses[0].display_name == "木曽岬町 お知らせメール"
    assert mail.get_content_type() == "multipart/alternative"
    plain, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    assert "氾濫注意情報（警戒レベル2相当）" in body_text(mail)
    assert "<strong>1.05m</strong>" in html.get_content()
    assert str(mail["List-Unsubscribe"]).startswith(f"<{notify_hub.url}/api/v1/notify/unsubscribe?token=")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Message-ID"] and mail["Date"] and mail["Auto-Submitted"] == "auto-generated"
    wait_mail(notify_hub, address, 2)
    utf8 = [r for r in sink(notify_hub).received if address in r.recipients]
    assert len(utf8) == 2 and all(r.smtputf8 for r in utf8)
    assert {r.parsed()["to"].addresses[0].username for r in utf8} == {"山田"}
    assert any(b"\r\nSubject: \xe3\x80\x90" in b"\r\n" + r.raw for r in utf8)  # RFC 6532: UTF-8 headers


def test_down_smtp_server_loses_no_notice(tmp_path: Path) -> None:
    port = free_port()
    hub = start_hub(sqlite_url(tmp_path), smtp_url=f"smtp://127.0.0.1:{port}", notify_tick_seconds=0,
                    max_attempts=100, retry_cap=0.3)
    relay: MailSink | None = None
    try:
        svc = service(hub)
        people = [f"p{i}@example.jp" for i in range(3)]
        for p in people:
            r = httpx.post(f"{hub.url}/api/v1/notify/subscriptions", timeout=30,
                           json={"lgCode": LG, "email": p, "topics": [{"kind": "water_gauge", "key": GAUGE}]})
            assert r.status_code == 202
        with hub.parts.store.read() as s:
            ids = list(s.execute(select(NotifySubscriber.id).where(NotifySubscriber.role == "resident")).scalars())
        for sid in ids:  # the confirmation mails cannot go out: confirm as the links would
            svc.confirm(svc.tokens.make("confirm", sid))
        svc.observe(water(1.35, at(8, 0)))
        deadline = time.monotonic() + 10
        failed = 0
        while time.monotonic() < deadline and failed < 12:
            with hub.parts.store.read() as s:
                failed = len(s.execute(select(DeliveryAttempt.id).where(DeliveryAttempt.outcome == "failed")).all())
            time.sleep(0.1)
        assert failed >= 12, "every mail was tried and failed while the server was down"
        with hub.parts.store.read() as s:
            assert {d.status for d in s.execute(select(Delivery)).scalars()} <= {"pending", "in_flight"}
        relay = MailSink(tmp_path / "relay", port=port).start()  # the server comes back
        for p in people:
            got = relay.wait_for(7, timeout=15)
            mails = [r.parsed() for r in got if p in r.recipients]
            assert sorted(str(m["subject"]) for m in mails) == [
                "【木曽岬町】メール配信の登録確認", "【木曽岬町】加路戸 排水路 避難判断水位を超えました"], p
        statuses: set[str] = set()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and statuses != {"delivered"}:
            with hub.parts.store.read() as s:
                statuses = {d.status for d in s.execute(select(Delivery)).scalars()}
            time.sleep(0.1)
        assert statuses == {"delivered"}
    finally:
        hub.stop()
        if relay is not None:
            relay.stop()
