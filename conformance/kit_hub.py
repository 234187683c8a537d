"""The kit playing the hub for a sender under test: a loopback ``/soap/jumin`` that records deliveries.

It answers like the contract says a hub answers (receipt, or a Fault with a result code) so that a
sender behaves as it would in production, but judging is left to the scenarios: they read the
recorded deliveries, so one bad message shows up under the one requirement it breaks.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.contract import (
    MAX_MESSAGE_BYTES,
    NS_COMMON,
    NS_JUMIN,
    SOAP11,
    SOAP12,
    WSSE,
    result_codes,
)
from conformance.soap import now_jst
from conformance.wsdl_serving import document
from conformance.wsse import ReceivedToken, read_token

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
C = f"{{{NS_COMMON}}}"
J = f"{{{NS_JUMIN}}}"


@dataclass
class Delivery:
    """One message a sender delivered, kept raw and taken apart."""

    received_at: datetime
    headers: dict[str, str]
    raw: bytes
    version: str | None = None
    pf_header: etree._Element | None = None
    body: etree._Element | None = None
    token: ReceivedToken | None = None
    problem: str | None = None

    def header_value(self, name: str) -> str | None:
        if self.pf_header is None:
            return None
        return self.pf_header.findtext(C + name)

    def body_bytes(self) -> bytes:
        return etree.tostring(self.body, method="c14n") if self.body is not None else b""


@dataclass
class Inbox:
    deliveries: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    receipts: dict[str, str] = field(default_factory=dict)

    def add(self, delivery: Delivery) -> None:
        with self.lock:
            self.deliveries.append(delivery)

    def snapshot(self) -> list[Delivery]:
        with self.lock:
            return list(self.deliveries)


def take_apart(raw: bytes, headers: dict[str, str]) -> Delivery:
    d = Delivery(datetime.now(UTC), headers, raw)
    if len(raw) > MAX_MESSAGE_BYTES:
        d.problem = "too_large"
        return d
    if b"<!DOCTYPE" in raw.upper():
        d.problem = "forbidden_xml"
        return d
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        d.problem = f"malformed: {exc}"
        return d
    ns = etree.QName(root).namespace
    if ns not in (SOAP11, SOAP12) or etree.QName(root).localname != "Envelope":
        d.problem = "unknown_operation"
        return d
    d.version = ns
    header = root.find(f"{{{ns}}}Header")
    if header is not None:
        d.pf_header = header.find(C + "PfHeader")
        d.token = read_token(header.find(f"{{{WSSE}}}Security"))
    body = root.find(f"{{{ns}}}Body")
    children = [c for c in body if isinstance(c.tag, str)] if body is not None else []
    d.body = children[0] if len(children) == 1 else None
    return d


def _answer(d: Delivery, inbox: Inbox) -> tuple[int, bytes]:
    version = d.version or SOAP11
    env = etree.Element(f"{{{version}}}Envelope", nsmap={"soap": version})
    body = etree.SubElement(env, f"{{{version}}}Body")
    if d.problem or d.body is None or d.body.tag != J + "IdoTsuchiRequest":
        code = {"too_large": "1007", "forbidden_xml": "1006", "unknown_operation": "1011"}.get(
            (d.problem or "").split(":")[0], "1001" if d.problem else "1011")
        fault = etree.SubElement(body, f"{{{version}}}Fault")
        detail_parent: etree._Element
        if version == SOAP11:
            etree.SubElement(fault, "faultcode").text = "soap:Client"
            etree.SubElement(fault, "faultstring").text = f"{code} {result_codes()[code].ja}"
            detail_parent = etree.SubElement(fault, "detail")
        else:
            etree.SubElement(etree.SubElement(fault, f"{{{version}}}Code"), f"{{{version}}}Value").text = \
                "soap:Sender"
            etree.SubElement(etree.SubElement(fault, f"{{{version}}}Reason"), f"{{{version}}}Text").text = \
                f"{code} {result_codes()[code].ja}"
            detail_parent = etree.SubElement(fault, f"{{{version}}}Detail")
        rf = etree.SubElement(detail_parent, C + "ResultFault", nsmap={"c": NS_COMMON})
        etree.SubElement(rf, C + "code").text = code
        etree.SubElement(rf, C + "message").text = result_codes()[code].ja
        return 500, etree.tostring(env, xml_declaration=True, encoding="utf-8")
    message_id = d.header_value("messageId") or str(uuid.uuid4())
    with inbox.lock:
        duplicate = message_id in inbox.receipts
        receipt = inbox.receipts.setdefault(message_id, "kit-" + uuid.uuid4().hex[:16])
    resp = etree.SubElement(body, J + "IdoTsuchiResponse", nsmap={"j": NS_JUMIN, "c": NS_COMMON})
    result = etree.SubElement(resp, J + "result")
    code = "0001" if duplicate else "0000"
    etree.SubElement(result, C + "code").text = code
    etree.SubElement(result, C + "message").text = result_codes()[code].ja
    etree.SubElement(resp, J + "receiptId").text = receipt
    etree.SubElement(resp, J + "acceptedAt").text = now_jst()
    etree.SubElement(resp, J + "duplicate").text = "true" if duplicate else "false"
    return 200, etree.tostring(env, xml_declaration=True, encoding="utf-8")


def create_app(inbox: Inbox) -> Starlette:
    async def soap_jumin(request: Request) -> Response:
        raw = await request.body()
        d = take_apart(raw, {k.lower(): v for k, v in request.headers.items()})
        inbox.add(d)
        status, content = _answer(d, inbox)
        media = "application/soap+xml; charset=utf-8" if d.version == SOAP12 else "text/xml; charset=utf-8"
        return Response(content, status_code=status, media_type=media)

    async def wsdl(request: Request) -> Response:
        return document(request, "jumin")

    return Starlette(routes=[Route("/soap/jumin", soap_jumin, methods=["POST"]),
                             Route("/soap/jumin", wsdl, methods=["GET"])])
