"""SOAP 1.1 / 1.2 envelopes: take one apart, build responses and faults.

The version is told by the envelope namespace; the answer uses the same version (a SOAP 1.2 request
gets a SOAP 1.2 fault with Sender/Receiver codes).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from adapters.wire.codec import NS_COMMON
from broker.errors import HubError, MalformedInput, RequestInvalid

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
CONTENT_TYPE = {SOAP11: "text/xml; charset=utf-8", SOAP12: "application/soap+xml; charset=utf-8"}
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"


@dataclass
class SoapRequest:
    version: str  # envelope namespace
    header_block: etree._Element | None  # c:PfHeader
    security: etree._Element | None  # wsse:Security
    body_element: etree._Element  # the operation's request element


_ENVELOPE = {f"{{{SOAP11}}}Envelope": SOAP11, f"{{{SOAP12}}}Envelope": SOAP12}
_PF_HEADER = f"{{{NS_COMMON}}}PfHeader"
_SECURITY = f"{{{WSSE}}}Security"


def split(root: etree._Element) -> SoapRequest:
    ns = _ENVELOPE.get(root.tag)
    if ns is None:
        raise RequestInvalid("SOAP Envelope ではありません（名前空間が違います）", code="unknown_operation")
    parts = first_children(root, (f"{{{ns}}}Header", f"{{{ns}}}Body"))
    header = parts.get(f"{{{ns}}}Header")
    body = parts.get(f"{{{ns}}}Body")
    if body is None:
        raise MalformedInput("SOAP Body がありません")
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise MalformedInput("SOAP Body には要素がちょうど一つ必要です")
    pf = sec = None
    if header is not None:
        blocks = first_children(header, (_PF_HEADER, _SECURITY))
        pf, sec = blocks.get(_PF_HEADER), blocks.get(_SECURITY)
    return SoapRequest(ns, pf, sec, children[0])


def first_children(elem: etree._Element, tags: tuple[str, ...]) -> dict[str, etree._Element]:
    """The first child of each of ``tags`` (what ``elem.find(tag)`` gives for each), in one pass over
    the children instead of one path search per tag."""
    found: dict[str, etree._Element] = {}
    for child in elem:
        tag = child.tag
        if tag in tags and tag not in found:
            found[tag] = child
    return found


_OPEN = {v: f"<?xml version='1.0' encoding='utf-8'?>\n<soap:Envelope xmlns:soap=\"{v}\"><soap:Body>".encode()
         for v in (SOAP11, SOAP12)}
_CLOSE = b"</soap:Body></soap:Envelope>"


def envelope(version: str, body: etree._Element) -> bytes:
    """The answer: ``body`` serialised alone between the envelope's fixed start and end. The bytes are
    those of a tree with the body moved into a Body element (the body declares its own namespaces),
    without building that tree for every answer."""
    return _OPEN[version] + etree.tostring(body, encoding="utf-8", with_tail=False) + _CLOSE


def fault(version: str, error: HubError, message_id: str | None = None) -> bytes:
    detail = etree.Element(f"{{{NS_COMMON}}}ResultFault", nsmap={"c": NS_COMMON})
    etree.SubElement(detail, f"{{{NS_COMMON}}}code").text = error.result.code
    etree.SubElement(detail, f"{{{NS_COMMON}}}message").text = error.message
    if message_id:
        etree.SubElement(detail, f"{{{NS_COMMON}}}messageId").text = message_id
    env = etree.Element(f"{{{version}}}Envelope", nsmap={"soap": version})
    body = etree.SubElement(env, f"{{{version}}}Body")
    f = etree.SubElement(body, f"{{{version}}}Fault")
    client = error.faultcode == "Client"
    if version == SOAP11:
        etree.SubElement(f, "faultcode").text = "soap:Client" if client else "soap:Server"
        etree.SubElement(f, "faultstring").text = f"{error.result.code} {error.message}"
        etree.SubElement(f, "detail").append(detail)
    else:
        code = etree.SubElement(f, f"{{{version}}}Code")
        etree.SubElement(code, f"{{{version}}}Value").text = "soap:Sender" if client else "soap:Receiver"
        reason = etree.SubElement(f, f"{{{version}}}Reason")
        text = etree.SubElement(reason, f"{{{version}}}Text")
        text.set("{http://www.w3.org/XML/1998/namespace}lang", "ja")
        text.text = f"{error.result.code} {error.message}"
        etree.SubElement(f, f"{{{version}}}Detail").append(detail)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")
