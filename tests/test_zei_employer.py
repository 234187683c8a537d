"""The simulated SOAP employer, driven the way the hub will drive it: zeep loads its WSDL
(zei_tokucho) and calls SeihonTsuchi with a signed 正本. It keeps a 正本 once, refuses one whose
signature does not verify against the town's certificate (1014) and one addressed to another
employer (2005)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest
import requests
import zeep
from cryptography.hazmat.primitives import serialization
from zeep.exceptions import Fault
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from adapters.wire.codec import NS_COMMON
from broker import xmldsig
from broker.clock import now
from broker.services.zei import seihon
from simulators.employer import EmployerInbox, employer_app
from simulators.loopback import LoopbackServer
from simulators.sender import HEADER_ORDER
from tests.zei_samples import town_pki, tsuchi

SHITEI = "20260001"


@pytest.fixture(scope="module")
def signer() -> xmldsig.Signer:
    _, town = town_pki()
    return xmldsig.Signer.from_pem(town.key_pem, town.cert_pem)


@pytest.fixture(scope="module")
def employer(signer: xmldsig.Signer) -> Iterator[tuple[str, EmployerInbox]]:
    cert = signer.certificate.public_bytes(serialization.Encoding.PEM)
    app, inbox = employer_app(SHITEI, "hub", "s3cret-employer", cert)
    server = LoopbackServer(app, lifespan="off").start()
    yield server.url, inbox
    server.stop()


def _signed(signer: xmldsig.Signer, receipt_id: str, shitei_no: str = SHITEI) -> bytes:
    return signer.sign(seihon.build(receipt_id, now(), "木曽岬町長", tsuchi(shitei_no=shitei_no)))


def _client(url: str) -> tuple[zeep.Client, object]:
    session = requests.Session()
    session.trust_env = False
    client = zeep.Client(f"{url}/soap/zei-tokucho?wsdl", transport=Transport(session=session),
                         wsse=UsernameToken("hub", "s3cret-employer", use_digest=True))
    return client, client.service


def _call(client: zeep.Client, service: object, receipt_id: str, document: bytes) -> object:
    header = client.get_element(f"{{{NS_COMMON}}}PfHeader")
    meta = {"messageId": "6f1c0a52-8d7e-4b7a-9a51-3a0d2c1e9f00", "sentAt": now().isoformat(),
            "lgCode": "243035", "senderSystemId": "chipla-hub", "service": "zei", "operation": "SeihonTsuchi",
            "specVersion": "1.0"}
    return service.SeihonTsuchi(receiptId=receipt_id, nendo=2026, shiteiNo=SHITEI,  # type: ignore[attr-defined]
                                seihon=document,
                                _soapheaders=[header(**{k: meta[k] for k in HEADER_ORDER if k in meta})])


def test_keeps_a_signed_seihon_once(employer: tuple[str, EmployerInbox], signer: xmldsig.Signer) -> None:
    url, inbox = employer
    client, service = _client(url)
    document = _signed(signer, "r-once")
    first = _call(client, service, "r-once", document)
    again = _call(client, service, "r-once", document)
    assert first["result"]["code"] == "0000" and again["result"]["code"] == "0001"  # type: ignore[index]
    kept = [i for i in inbox.items if i["receiptId"] == "r-once"]
    assert len(kept) == 1 and kept[0]["signatureValid"] and kept[0]["employees"] == 2


def test_refuses_a_changed_amount_and_another_employers_seihon(employer: tuple[str, EmployerInbox],
                                                              signer: xmldsig.Signer) -> None:
    url, inbox = employer
    client, service = _client(url)
    tampered = _signed(signer, "r-tampered").replace(b"<gaku>10200</gaku>", b"<gaku>10201</gaku>", 1)
    with pytest.raises(Fault) as fault:
        _call(client, service, "r-tampered", tampered)
    assert fault.value.detail.find(f".//{{{NS_COMMON}}}code").text == "1014"
    with pytest.raises(Fault) as fault:
        _call(client, service, "r-other", _signed(signer, "r-other", shitei_no="20269999"))
    assert fault.value.detail.find(f".//{{{NS_COMMON}}}code").text == "2005"
    assert not any(i["receiptId"] in ("r-tampered", "r-other") for i in inbox.items)
    assert len(inbox.refused) == 2


def test_webhook_takes_the_same_content(employer: tuple[str, EmployerInbox], signer: xmldsig.Signer) -> None:
    url, inbox = employer
    body = {"receiptId": "r-hook", "seihon": base64.b64encode(_signed(signer, "r-hook")).decode()}
    assert httpx.post(f"{url}/webhook", json=body).status_code == 200
    assert httpx.post(f"{url}/webhook", json=body).status_code == 409
    bad = {**body, "seihon": base64.b64encode(b"<x/>").decode()}
    assert httpx.post(f"{url}/webhook", json=bad).json()["code"] == "1014"
    assert [i["via"] for i in inbox.items if i["receiptId"] == "r-hook"] == ["webhook"]
