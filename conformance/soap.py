"""SOAP 1.1 / 1.2 envelopes as the contract describes them: build requests, read replies and faults.

Parsing of replies is deliberately strict and safe (no DTD, no network): the kit must not be the
weak side of an exchange with a product under test.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from lxml import etree

from conformance.contract import HEADER_ORDER, NS_COMMON, SOAP11, SOAP12, SOAP_ACTION_PREFIX

C = f"{{{NS_COMMON}}}"
JST = timezone(timedelta(hours=9))
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def new_message_id() -> str:
    return str(uuid.uuid4())


def now_jst() -> str:
    return datetime.now(JST).isoformat(timespec="seconds")


def header_fields(*, lg_code: str, sender_id: str, operation: str, subject_key: str | None = None,
                  message_id: str | None = None, service: str = "jumin") -> dict[str, str | None]:
    """A complete common header for one request (the kit's own requests are always conformant)."""
    return {"messageId": message_id or new_message_id(), "sentAt": now_jst(), "lgCode": lg_code,
            "senderSystemId": sender_id, "service": service, "operation": operation,
            "specVersion": "1.0", "operatorId": "conformance", "purposeCode": "jumin_kiroku",
            "subjectKey": subject_key}


def pf_header(fields: dict[str, str | None]) -> etree._Element:
    """``c:PfHeader`` with the fields in schema order; fields set to None are left out."""
    block = etree.Element(C + "PfHeader", nsmap={"c": NS_COMMON})
    for name in HEADER_ORDER:
        value = fields.get(name)
        if value is not None:
            etree.SubElement(block, C + name).text = value
    return block


def envelope(version: str, body: etree._Element, *, header: etree._Element | None = None,
             security: etree._Element | None = None) -> bytes:
    env = etree.Element(f"{{{version}}}Envelope", nsmap={"soap": version})
    if header is not None or security is not None:
        head = etree.SubElement(env, f"{{{version}}}Header")
        for block in (header, security):
            if block is not None:
                head.append(block)
    etree.SubElement(env, f"{{{version}}}Body").append(body)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def http_headers(version: str, operation: str, service: str = "jumin") -> dict[str, str]:
    action = SOAP_ACTION_PREFIX.replace(":jumin:", f":{service}:") + operation
    if version == SOAP12:
        return {"Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"'}
    return {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}


@dataclass
class Fault:
    """A SOAP fault reduced to what the contract rules talk about."""

    code_local: str  # Client / Server (1.1) or Sender / Receiver (1.2)
    code_namespace: str | None
    reason: str
    detail: etree._Element | None  # c:ResultFault
    result_code: str | None

    @property
    def is_client(self) -> bool:
        return self.code_local in ("Client", "Sender")


@dataclass
class SoapReply:
    """What came back: HTTP facts, the envelope version, the body element or the fault."""

    status: int
    content_type: str
    raw: bytes
    version: str | None = None
    body: etree._Element | None = None
    fault: Fault | None = None
    parse_error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def result_code(self) -> str | None:
        """The 処理結果コード, from the body ``result/code`` or from the fault detail."""
        if self.fault is not None:
            return self.fault.result_code
        if self.body is not None:
            return self.body.findtext(f"*/{C}code")
        return None

    def describe(self) -> str:
        if self.parse_error:
            return f"HTTP {self.status}, 解析できない応答: {self.parse_error}"
        if self.fault is not None:
            return (f"HTTP {self.status}, SOAP Fault {self.fault.code_local}, 結果コード "
                    f"{self.fault.result_code}: {self.fault.reason}")
        tag = etree.QName(self.body).localname if self.body is not None else "?"
        return f"HTTP {self.status}, {tag}, 結果コード {self.result_code}"


def _qname_value(el: etree._Element, text: str) -> tuple[str, str | None]:
    prefix, _, local = text.strip().rpartition(":")
    return local, el.nsmap.get(prefix or None)


def parse_reply(status: int, content_type: str, raw: bytes) -> SoapReply:
    reply = SoapReply(status, content_type, raw)
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        reply.parse_error = str(exc)
        return reply
    version = etree.QName(root).namespace
    if etree.QName(root).localname != "Envelope" or version not in (SOAP11, SOAP12):
        reply.parse_error = f"SOAP Envelope ではありません: {root.tag}"
        return reply
    reply.version = version
    body = root.find(f"{{{version}}}Body")
    children = [c for c in body if isinstance(c.tag, str)] if body is not None else []
    if len(children) != 1:
        reply.parse_error = "SOAP Body に要素がちょうど一つありません"
        return reply
    child = children[0]
    if child.tag == f"{{{version}}}Fault":
        reply.fault = _read_fault(version, child)
    else:
        reply.body = child
    return reply


def _read_fault(version: str, el: etree._Element) -> Fault:
    if version == SOAP11:
        code_el = el.find("faultcode")
        reason = el.findtext("faultstring") or ""
        detail_parent = el.find("detail")
    else:
        code_el = el.find(f"{{{version}}}Code/{{{version}}}Value")
        reason = el.findtext(f"{{{version}}}Reason/{{{version}}}Text") or ""
        detail_parent = el.find(f"{{{version}}}Detail")
    local, ns = _qname_value(code_el, code_el.text or "") if code_el is not None else ("", None)
    detail = detail_parent.find(C + "ResultFault") if detail_parent is not None else None
    code = detail.findtext(C + "code") if detail is not None else None
    return Fault(local, ns, reason, detail, code)
