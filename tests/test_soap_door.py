"""The SOAP door answers on its own, before any framework layer: what those layers did, it still does.

Raw HTTP to a running hub: a body over the limit sent in chunks (no length announced), other methods
(405 from the route), the schema documents, a SOAP 1.2 fault's content type, the headers kept with a
refusal, a client that leaves before its body is read, and an unexpected exception (a plain 500).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from broker.models import Quarantine
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.support import RunningHub

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


def _last_quarantined(hub: RunningHub) -> Quarantine:
    with hub.parts.store.read() as s:
        kept = s.execute(select(Quarantine).order_by(Quarantine.id.desc())).scalars().first()
    assert kept is not None
    return kept


def _still_serving(hub: RunningHub) -> None:
    ok = JukiSender(hub.url, "juki", hub.juki_password).send(header("juki"), SampleTown().next_ido())
    assert ok["result"]["code"] == "0000"


def test_a_body_over_the_limit_in_chunks_is_1007_and_kept_with_its_headers(hub: RunningHub) -> None:
    limit = hub.parts.settings.max_message_bytes

    def chunks() -> Iterator[bytes]:
        for _ in range(limit // 65536 + 2):
            yield b"<" + b"x" * 65535

    resp = httpx.post(f"{hub.url}/soap/jumin", content=chunks(), timeout=30,
                      headers={"content-type": "text/xml; charset=utf-8", "soapaction": '"urn:x"'})
    assert resp.status_code == 500 and resp.headers["content-type"] == "text/xml; charset=utf-8"
    assert b"<code>1007</code>" in resp.content.replace(b"c:code", b"code")
    kept = _last_quarantined(hub)
    assert kept.result_code == "1007" and kept.transport == "soap"
    assert kept.headers == {"content-type": "text/xml; charset=utf-8", "soapaction": '"urn:x"',
                            "client": "127.0.0.1"}
    _still_serving(hub)


def test_a_soap12_refusal_is_a_soap12_fault(hub: RunningHub) -> None:
    body = (f'<e:Envelope xmlns:e="{SOAP12}"><e:Body><j:JuminShokaiRequest xmlns:j="urn:chipla:ns:jumin:1">'
            "<j:atenaNo>1</j:atenaNo></j:JuminShokaiRequest></e:Body></e:Envelope>")
    resp = httpx.post(f"{hub.url}/soap/jumin", content=body.encode(), timeout=30,
                      headers={"content-type": "application/soap+xml; charset=utf-8"})
    assert resp.status_code == 500
    assert resp.headers["content-type"] == "application/soap+xml; charset=utf-8"
    assert SOAP12.encode() in resp.content and b"soap:Sender" in resp.content
    assert int(resp.headers["content-length"]) == len(resp.content)
    assert _last_quarantined(hub).result_code == "2001"


def test_other_methods_are_405_and_the_schemas_are_served(hub: RunningHub) -> None:
    put = httpx.put(f"{hub.url}/soap/jumin", content=b"<x/>", timeout=30)
    assert put.status_code == 405 and set(put.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    xsd = httpx.get(f"{hub.url}/soap/jumin", params={"xsd": "common.xsd"}, timeout=30)
    assert xsd.status_code == 200 and b"urn:chipla:ns:common:1" in xsd.content
    assert httpx.get(f"{hub.url}/soap/jumin", params={"xsd": "../secret.xsd"}, timeout=30).status_code == 404
    assert httpx.get(f"{hub.url}/soap/jumin", params={"other": "1"}, timeout=30).status_code == 400
    assert httpx.get(f"{hub.url}/soap/nosuchservice?wsdl", timeout=30).status_code == 404


def test_a_client_that_leaves_before_its_body_is_read_is_not_answered(hub: RunningHub) -> None:
    host, port = hub.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"POST /soap/jumin HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
                     b"Content-Length: 5000\r\n\r\n<soap:Envelope")
    _still_serving(hub)


def test_an_unexpected_failure_is_a_plain_500_and_the_door_stays_open(hub: RunningHub,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("quarantine broke")

    monkeypatch.setattr(hub.parts.hub, "quarantine", broken)
    resp = httpx.post(f"{hub.url}/soap/jumin", content=b"not xml", timeout=30,
                      headers={"content-type": "text/xml"})
    assert resp.status_code == 500 and resp.text == "Internal Server Error"
    assert resp.headers["content-type"].startswith("text/plain")
    monkeypatch.undo()
    _still_serving(hub)
