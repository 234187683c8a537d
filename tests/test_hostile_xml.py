"""A hostile-XML corpus: each input is answered with a SOAP Fault and the right 結果コード, kept in
quarantine, and the hub goes on serving."""

from __future__ import annotations

import httpx
import pytest
from lxml import etree
from sqlalchemy import select
from zeep.exceptions import Fault

from broker.models import Message, Quarantine
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.support import RunningHub, raw_soap

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
BODY = (f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body>'
        '<j:JuminShokaiRequest xmlns:j="urn:chipla:ns:jumin:1"><j:atenaNo>1</j:atenaNo>'
        '</j:JuminShokaiRequest></soap:Body></soap:Envelope>')

XXE = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body><j:JuminShokaiRequest xmlns:j="urn:chipla:ns:jumin:1">'
       '<j:atenaNo>&x;</j:atenaNo></j:JuminShokaiRequest></soap:Body></soap:Envelope>')
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + f']><soap:Envelope xmlns:soap="{SOAP}"><soap:Body>&lol9;</soap:Body></soap:Envelope>')
EXTERNAL_DTD = f'<?xml version="1.0"?><!DOCTYPE e SYSTEM "http://127.0.0.1:9/evil.dtd">{BODY}'
OVERSIZED = BODY.replace("<j:atenaNo>", "<!--" + "x" * (1024 * 1024 + 10) + "--><j:atenaNo>")
SHIFT_JIS_NO_DECL = BODY.replace("<j:atenaNo>1", "<j:atenaNo>木曽").encode("shift_jis")
SHIFT_JIS_DECLARED = ('<?xml version="1.0" encoding="Shift_JIS"?>' + BODY).encode("shift_jis")
TRUNCATED = BODY[: len(BODY) // 2]
WRONG_ENVELOPE_NS = BODY.replace(SOAP, "http://example.invalid/soap")
WRONG_BODY_NS = BODY.replace("urn:chipla:ns:jumin:1", "urn:other:ns")
NOT_XML = "this is not xml"
EMPTY = ""

CORPUS = [
    ("xxe", XXE, "1006"),
    ("billion-laughs", LAUGHS, "1006"),
    ("external-dtd", EXTERNAL_DTD, "1006"),
    ("oversized", OVERSIZED, "1007"),
    ("shift-jis-no-declaration", SHIFT_JIS_NO_DECL, "1008"),
    ("shift-jis-declared", SHIFT_JIS_DECLARED, "1008"),
    ("truncated", TRUNCATED, "1001"),
    ("wrong-envelope-namespace", WRONG_ENVELOPE_NS, "1011"),
    ("wrong-body-namespace", WRONG_BODY_NS, "1011"),
    ("not-xml", NOT_XML, "1001"),
    ("empty", EMPTY, "1001"),
]


def fault_of(resp: httpx.Response) -> tuple[str, str]:
    root = etree.fromstring(resp.content)
    code = root.findtext(".//{urn:chipla:ns:common:1}code")
    faultcode = root.findtext(".//faultcode")
    assert code and faultcode, resp.text[:300]
    return code, faultcode


@pytest.mark.parametrize(("name", "payload", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_input_gets_a_fault_and_the_hub_goes_on(hub: RunningHub, name: str, payload: str | bytes,
                                                       expected: str) -> None:
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    resp = httpx.post(f"{hub.url}/soap/jumin", content=data, timeout=30,
                      headers={"content-type": "text/xml; charset=utf-8", "soapaction": "urn:chipla:jumin:JuminShokai"})
    assert resp.status_code == 500
    code, faultcode = fault_of(resp)
    assert code == expected, name
    assert faultcode == "soap:Client"
    assert b"root:" not in resp.content  # nothing of /etc/passwd came back
    with hub.parts.store.read() as s:
        kept = s.execute(select(Quarantine).order_by(Quarantine.id.desc())).scalars().first()
    assert kept is not None and kept.result_code == expected
    # still serving
    ok = JukiSender(hub.url, "juki", hub.juki_password).send(header("juki"), SampleTown().next_ido())
    assert ok["result"]["code"] == "0000"


def test_schema_invalid_body_is_1002_with_the_reason(hub: RunningHub) -> None:
    sender = JukiSender(hub.url, "juki", hub.juki_password)
    ido = SampleTown().next_ido()
    ido["jumin"]["shikibetsu"]["lgCode"] = "24303X"
    with pytest.raises(Fault) as exc:
        sender.send(header("juki"), ido)
    assert exc.value.detail.findtext(".//{urn:chipla:ns:common:1}code") == "1002"
    assert "lgCode" in exc.value.message


def test_missing_header_field_is_1003(hub: RunningHub) -> None:
    meta = header("juki")
    del meta["specVersion"]
    data = raw_soap(meta, "{urn:chipla:ns:jumin:1}IdoTsuchiRequest", {"ido": SampleTown().next_ido()},
                    "juki", hub.juki_password)
    resp = httpx.post(f"{hub.url}/soap/jumin", content=data, headers={"content-type": "text/xml"})
    assert resp.status_code == 500
    assert fault_of(resp)[0] == "1003"
    assert "specVersion" in resp.text


def test_a_hub_fault_is_a_server_fault_5001_and_nothing_is_half_stored(hub: RunningHub) -> None:
    sender = JukiSender(hub.url, "juki", hub.juki_password)
    service = hub.parts.services["jumin"]
    rules = service.rules
    assert rules is not None
    working_facts, working_rows = service.rule_facts, rules.rows

    def broken_facts(header, body):  # type: ignore[no-untyped-def]  # fails on the request path
        raise RuntimeError("rule engine failure")

    def broken_rows(accepted):  # type: ignore[no-untyped-def]  # fails inside the accept transaction
        raise RuntimeError("projection store failure")

    for attr, owner, broken, working, code in (("rule_facts", service, broken_facts, working_facts, "5001"),
                                               ("rows", rules, broken_rows, working_rows, "5002")):
        setattr(owner, attr, broken)
        try:
            with pytest.raises(Fault) as exc:
                sender.send(header("juki"), SampleTown().tennyu())
        finally:
            setattr(owner, attr, working)
        assert exc.value.code.endswith("Server")
        assert exc.value.detail.findtext(".//{urn:chipla:ns:common:1}code") == code
        with hub.parts.store.read() as s:
            assert s.execute(select(Quarantine.result_code).order_by(Quarantine.id.desc())).scalars().first() == code
            assert s.execute(select(Message)).first() is None
    assert sender.send(header("juki"), SampleTown().tennyu())["result"]["code"] == "0000"


def test_a_broken_mapping_does_not_refuse_the_change_it_cannot_map(hub: RunningHub) -> None:
    """Mapping runs after the accept, from the stored original: a fault there keeps the message (and its
    deliveries) and leaves the mapped form to be made again, never a refusal of what the sender sent."""
    sender = JukiSender(hub.url, "juki", hub.juki_password)
    service = hub.parts.services["jumin"]
    working = service.map

    def broken(body):  # type: ignore[no-untyped-def]
        raise RuntimeError("mapping engine failure")

    service.map = broken  # type: ignore[method-assign]
    try:
        answer = sender.send(header("juki"), SampleTown().tennyu())
    finally:
        service.map = working  # type: ignore[method-assign]
    assert answer["result"]["code"] == "0000"
    with hub.parts.store.read() as s:
        assert s.execute(select(Message.receipt_id)).scalar_one() == answer["receiptId"]
