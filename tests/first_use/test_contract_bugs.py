"""Contract bugs a first integration ran into, each checked at both doors."""

from __future__ import annotations

import secrets
from datetime import datetime

import httpx
from lxml import etree

from simulators.samples import SampleTown, header
from tests.support import RunningHub, raw_soap

NS = "{urn:chipla:ns:common:1}"
JNS = "{urn:chipla:ns:jumin:1}"


def _aware(text: str) -> bool:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is not None


def test_a_duplicate_receipt_keeps_the_offset_of_accepted_at(hub: RunningHub) -> None:
    meta, ido = header("juki"), SampleTown(seed=21).next_ido()
    soap_times = []
    for _ in range(2):
        resp = httpx.post(f"{hub.url}/soap/jumin", content=raw_soap(
            meta, f"{JNS}IdoTsuchiRequest", {"ido": ido}, "juki", hub.juki_password))
        root = etree.fromstring(resp.content)
        soap_times.append((root.findtext(f".//{NS}code") or root.findtext(f".//{JNS}code"),
                           root.findtext(f".//{JNS}acceptedAt")))
    assert [c for c, _ in soap_times] in (["0000", "0001"],), soap_times
    assert all(t and _aware(t) for _, t in soap_times), soap_times
    body = {"meta": header("juki"), "ido": SampleTown(seed=22, start_atena=100000501).next_ido()}
    rest = [httpx.post(f"{hub.url}/api/v1/jumin/ido", json=body, headers={"X-API-Key": hub.juki_key})
            for _ in range(2)]
    assert [r.json().get("result", r.json())["code"] for r in rest] == ["0000", "0001"], rest[0].text
    assert all(_aware(r.json()["acceptedAt"]) for r in rest)


def test_bango_riyo_purpose_without_registration_is_2006_at_both_doors(hub: RunningHub) -> None:
    key, password = secrets.token_urlsafe(24), secrets.token_urlsafe(16)
    created = httpx.post(f"{hub.url}/api/v1/systems", headers={"X-API-Key": hub.admin_key}, json={
        "id": "fukushi", "name": "福祉システム", "lgCode": "243035", "apiKey": key, "wssUsername": "fukushi",
        "wssPassword": password, "allow": ["jumin/JuminShokai"]})
    assert created.status_code in (200, 201), created.text
    rest = httpx.get(f"{hub.url}/api/v1/jumin/residents/100000001",
                     headers={"X-API-Key": key, "X-Chipla-Purpose": "bango_riyo"})
    assert rest.status_code == 403 and rest.json()["code"] == "2006"
    meta = header("fukushi") | {"operation": "JuminShokai", "purposeCode": "bango_riyo"}
    soap = httpx.post(f"{hub.url}/soap/jumin", content=raw_soap(
        meta, f"{JNS}JuminShokaiRequest", {"atenaNo": "100000001"}, "fukushi", password))
    assert etree.fromstring(soap.content).findtext(f".//{NS}code") == "2006"
    # without that purpose the same system is answered as usual (not found here)
    plain = httpx.get(f"{hub.url}/api/v1/jumin/residents/100000001", headers={"X-API-Key": key})
    assert plain.json()["code"] == "3001"
