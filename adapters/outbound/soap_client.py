"""SOAP delivery to a subscriber's 住民異動通知 (IdoTsuchi) operation.

A subscriber that speaks the hub's own contract gets a request written from a template compiled once
from the XSD (``soap_template``), posted over a kept connection (``pooled_http``); one that registered a
WSDL of its own is called through zeep with that WSDL. Either way the endpoint address is the one
registered for the system, and the hub signs in with the UsernameToken (PasswordDigest) registered
for it. A fault with a 1xxx/2xxx 結果コード is permanent; 5xxx and transport errors are retried.
"""

from __future__ import annotations

import threading
from typing import Any

import requests
import zeep
from lxml import etree
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

import api_specs
from adapters.outbound import pooled_http
from adapters.outbound.soap_template import RequestTemplate
from adapters.soap import envelope, xmlsafe
from adapters.wire import codec
from adapters.wire.codec import NS_COMMON
from broker.errors import HubError
from broker.outbound import DeliveryFailed, OutboundAdapter, OutboundMessage
from broker.service import Contract

BINDING = "{urn:chipla:wsdl:jumin:1}JuminSoap11"
ACCEPTED = ("0000", "0001")


def wire_header(message: OutboundMessage) -> dict[str, Any]:
    """The PfHeader of a delivery: the hub's receipt id as message id, the sender's id as correlation."""
    meta = message.header.to_wire()
    meta.update({"messageId": message.receipt_id, "correlationId": message.header.message_id,
                 "receiverSystemId": message.destination.id})
    meta.pop("subjectKey", None)
    return meta


class SoapDeliveryAdapter(OutboundAdapter):
    kind = "soap"

    def __init__(self, contract: Contract, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self.contract = contract
        self.codec = codec.for_contract(contract)
        self._templates: dict[str, RequestTemplate] = {}
        #: answer element → the names of its result and code (``_result_code``)
        self._code_names: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()
        self.http = pooled_http.Connections(timeout)
        self._zeep = _ZeepCalls(timeout)

    def template(self, operation: str) -> RequestTemplate:
        with self._lock:
            found = self._templates.get(operation)
            if found is None:
                found = self._templates[operation] = RequestTemplate(self.codec,
                                                                     self.contract.request_element(operation))
            return found

    def deliver(self, message: OutboundMessage) -> None:
        dest = message.destination
        if not dest.endpoint_url:
            raise DeliveryFailed(f"system {dest.id} has no endpoint URL", retryable=False)
        if dest.wsdl_url:
            self._zeep.deliver(message)
            return
        operation = message.header.operation
        try:
            data = self.template(operation).render(wire_header(message), message.body,
                                                   username=dest.wss_username, secret=dest.wss_secret)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:  # a body the contract cannot carry
            raise DeliveryFailed(f"1001 {type(exc).__name__}: {exc}", retryable=False) from exc
        resp = self.http.post(dest.endpoint_url, data, {
            "content-type": envelope.CONTENT_TYPE[envelope.SOAP11],
            "soapaction": f'"urn:chipla:{message.header.service}:{operation}"'})
        self._check_answer(resp.status, resp.data)

    def _check_answer(self, status: int, content: bytes) -> None:
        if status not in (200, 500):
            raise DeliveryFailed(f"5003 HTTP {status}: {content[:300].decode('utf-8', 'replace')}")
        try:
            answer = envelope.split(xmlsafe.parse(content)).body_element
        except HubError as exc:
            raise DeliveryFailed(f"5003 HTTP {status}, no SOAP answer: {exc.message}") from exc
        if answer.tag == f"{{{envelope.SOAP11}}}Fault":
            code = answer.findtext(f".//{{{NS_COMMON}}}code")
            retryable = code is None or code.startswith("5")
            raise DeliveryFailed(f"SOAP Fault {code or ''} {answer.findtext('faultstring') or ''}",
                                 retryable=retryable)
        code = self._result_code(answer)
        if code is None:
            raise DeliveryFailed(f"5003 unexpected answer {etree.QName(answer).localname}")
        if code not in ACCEPTED:
            raise DeliveryFailed(f"receiver answered {code}", retryable=code.startswith("5"))

    def _result_code(self, answer: etree._Element) -> str | None:
        """The 結果コード of an answer: the text of the one ``code`` in its one ``result``, by the names
        the XSD gives them (the rest of the answer is not read); None when the answer is no element
        of the contract or has not exactly one of either."""
        names = self._code_names.get(answer.tag)
        if names is None:
            names = _result_code_names(self.codec, answer.tag)
            if names is None:
                return None  # not an element of the contract (not remembered: any name may come)
            self._code_names[answer.tag] = names
        if not names:
            return None
        results = answer.findall(names[0])
        if len(results) != 1:
            return None
        codes = results[0].findall(names[1])
        return (codes[0].text or "") if len(codes) == 1 else None

    def close(self) -> None:
        self.http.close()


def _result_code_names(xsd_codec: codec.XsdCodec, tag: str) -> tuple[str, ...] | None:
    """(qualified name of ``result``, of its ``code``) of an answer element; () when the element has
    no single result with a code; None when it is not an element of the contract."""
    try:
        decl = xsd_codec.element_decl(tag)
    except KeyError:
        return None
    for name, repeats, result in _child_decls(decl):
        if etree.QName(name).localname == "result" and not repeats:
            for code_name, code_repeats, _ in _child_decls(result):
                if etree.QName(code_name).localname == "code" and not code_repeats:
                    return (name, code_name)
    return ()


def _child_decls(decl: Any) -> tuple[tuple[str, bool, Any], ...]:
    return codec.schema_children(decl.type) if decl.type.is_complex() else ()


class _ZeepCalls:
    """Deliveries to a subscriber that registered its own WSDL: zeep reads it and builds each call."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._local = threading.local()

    def _service(self, message: OutboundMessage) -> Any:
        dest = message.destination
        wsdl = dest.wsdl_url or str(api_specs.path("wsdl", "jumin.wsdl"))
        key = (dest.id, wsdl)
        cache: dict[tuple[str, str], Any] = getattr(self._local, "services", None) or {}
        self._local.services = cache
        if key not in cache:
            session = requests.Session()
            # endpoints are registered explicitly; never route 個人情報 through a proxy from the environment
            session.trust_env = False
            transport = Transport(session=session, timeout=self.timeout, operation_timeout=self.timeout)
            wsse = UsernameToken(dest.wss_username, dest.wss_secret, use_digest=True) if dest.wss_username else None
            client = zeep.Client(wsdl, transport=transport, wsse=wsse)
            cache[key] = (client, client.create_service(BINDING, dest.endpoint_url))
        return cache[key]

    def deliver(self, message: OutboundMessage) -> None:
        client, service = self._service(message)
        header_type = client.get_element(f"{{{NS_COMMON}}}PfHeader")
        meta = wire_header(message)
        ordered = {k: meta[k] for k in HEADER_ORDER if k in meta}
        try:
            result = service.IdoTsuchi(ido=message.body["ido"], _soapheaders=[header_type(**ordered)])
        except Fault as fault:
            code = _fault_code(fault)
            retryable = code is None or code.startswith("5")
            raise DeliveryFailed(f"SOAP Fault {code or ''} {fault.message}", retryable=retryable) from fault
        except (TransportError, requests.RequestException) as exc:
            raise DeliveryFailed(f"5003 {type(exc).__name__}: {exc}") from exc
        code = result["result"]["code"]
        if code not in ACCEPTED:
            raise DeliveryFailed(f"receiver answered {code}", retryable=code.startswith("5"))


HEADER_ORDER = ("messageId", "correlationId", "sentAt", "lgCode", "senderSystemId", "receiverSystemId",
                 "service", "operation", "specVersion", "operatorId", "purposeCode", "subjectKey")


def _fault_code(fault: Fault) -> str | None:
    if fault.detail is None:
        return None
    el = fault.detail.find(f".//{{{NS_COMMON}}}code")
    return el.text if el is not None else None
