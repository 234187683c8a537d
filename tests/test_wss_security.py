"""WS-Security UsernameToken: replayed nonces and stale Created are refused (and audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from lxml import etree
from sqlalchemy import select

from adapters.soap import wsse
from adapters.wire import codec
from broker.models import AuditEntry
from simulators.samples import SampleTown, header
from tests.support import RunningHub, raw_soap

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def _code(resp: httpx.Response) -> str:
    return str(etree.fromstring(resp.content).findtext(f".//{{{codec.NS_COMMON}}}code"))


def _with_token(data: bytes, security: etree._Element) -> bytes:
    root = etree.fromstring(data)
    head = root.find(f"{{{SOAP}}}Header")
    head.replace(head.find(f"{{{wsse.WSSE}}}Security"), security)
    return etree.tostring(root)


def test_replayed_token_is_2003(hub: RunningHub) -> None:
    nonce, created = b"0123456789abcdef", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    first = _with_token(raw_soap(header("juki"), "{urn:chipla:ns:jumin:1}IdoTsuchiRequest",
                                 {"ido": SampleTown().next_ido()}, "juki", hub.juki_password),
                        wsse.build_security("juki", hub.juki_password, nonce=nonce, created=created))
    ok = httpx.post(f"{hub.url}/soap/jumin", content=first)
    assert ok.status_code == 200, ok.text
    again = httpx.post(f"{hub.url}/soap/jumin", content=first)
    assert again.status_code == 500 and _code(again) == "2003"
    with hub.parts.store.read() as s:
        actions = s.execute(select(AuditEntry.action)).scalars().all()
    assert "refused.token_replayed" in actions


def test_replay_is_refused_after_a_restart_of_the_cache(hub: RunningHub) -> None:
    """The nonce is in the store, not only in memory."""
    nonce, created = b"fedcba9876543210", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    data = _with_token(raw_soap(header("juki"), "{urn:chipla:ns:jumin:1}IdoTsuchiRequest",
                                {"ido": SampleTown().next_ido()}, "juki", hub.juki_password),
                       wsse.build_security("juki", hub.juki_password, nonce=nonce, created=created))
    assert httpx.post(f"{hub.url}/soap/jumin", content=data).status_code == 200
    hub.parts.hub.nonces._seen.clear()  # as after a restart
    again = httpx.post(f"{hub.url}/soap/jumin", content=data)
    assert _code(again) == "2003"


def test_stale_created_is_2004(hub: RunningHub) -> None:
    old = (datetime.now(UTC) - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    data = _with_token(raw_soap(header("juki"), "{urn:chipla:ns:jumin:1}IdoTsuchiRequest",
                                {"ido": SampleTown().next_ido()}, "juki", hub.juki_password),
                       wsse.build_security("juki", hub.juki_password, created=old))
    resp = httpx.post(f"{hub.url}/soap/jumin", content=data)
    assert resp.status_code == 500 and _code(resp) == "2004"


def test_password_text_is_refused(hub: RunningHub) -> None:
    data = raw_soap(header("juki"), "{urn:chipla:ns:jumin:1}IdoTsuchiRequest", {"ido": SampleTown().next_ido()},
                    "juki", hub.juki_password)
    root = etree.fromstring(data)
    pw = root.find(f".//{{{wsse.WSSE}}}Password")
    pw.set("Type", pw.get("Type").replace("PasswordDigest", "PasswordText"))
    pw.text = hub.juki_password
    resp = httpx.post(f"{hub.url}/soap/jumin", content=etree.tostring(root))
    assert _code(resp) == "2002"
