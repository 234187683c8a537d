"""SOAP requests built by hand with lxml (no client-side validation): for tests of what the hub
refuses, and for load generators that must not spend their time in a SOAP client."""

from __future__ import annotations

from typing import Any

from lxml import etree

from adapters.soap import wsse
from adapters.wire import codec
from broker.service import Contract
from broker.services.jumin import JuminService


def raw_soap(meta: dict[str, Any], body_qname: str, body: dict[str, Any], username: str, password: str,
             *, version: str = "http://schemas.xmlsoap.org/soap/envelope/",
             contract: Contract = JuminService.contract) -> bytes:
    """One signed request: WS-Security UsernameToken (fresh nonce), PfHeader and the body."""
    env = etree.Element(f"{{{version}}}Envelope", nsmap={"soap": version})
    head = etree.SubElement(env, f"{{{version}}}Header")
    head.append(wsse.build_security(username, password))
    pf = etree.SubElement(head, f"{{{codec.NS_COMMON}}}PfHeader", nsmap={"c": codec.NS_COMMON})
    for key in ("messageId", "correlationId", "sentAt", "lgCode", "senderSystemId", "receiverSystemId",
                "service", "operation", "specVersion", "operatorId", "purposeCode", "subjectKey"):
        if key in meta:
            etree.SubElement(pf, f"{{{codec.NS_COMMON}}}{key}").text = str(meta[key])
    etree.SubElement(env, f"{{{version}}}Body").append(codec.for_contract(contract).to_xml(body_qname, body))
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")
