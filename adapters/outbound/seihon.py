"""Delivery of a signed 正本 to the employer it is for (個人住民税, service ``zei``).

An employer registered for electronic receipt takes its 正本 either at a SOAP endpoint implementing
``SeihonTsuchi`` of ``api_specs/wsdl/zei_tokucho.wsdl`` (the hub signs in with the UsernameToken
registered for it) or at a webhook taking ``{meta, receiptId, nendo, shiteiNo, seihon}`` with the
正本 base64-encoded. Either way the bytes are the stored signed 正本, made on first use; the receipt
id is the idempotency key. 1xxx/2xxx faults and 4xx answers are permanent, the rest is retried.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

import httpx
import requests
import zeep
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

import api_specs
from adapters.outbound.webhook import post_json
from broker.errors import NotFound
from broker.outbound import DeliveryFailed, OutboundAdapter, OutboundMessage
from broker.service import Service
from broker.services.zei import ZeiService, issuing
from broker.store import Store

NS_COMMON = "urn:chipla:ns:common:1"
BINDING = "{urn:chipla:wsdl:zei-tokucho:1}ZeiTokuchoSoap11"
OPERATION = "SeihonTsuchi"
HEADER_ORDER = ("messageId", "correlationId", "sentAt", "lgCode", "senderSystemId", "receiverSystemId",
                "service", "operation", "specVersion", "operatorId", "purposeCode", "subjectKey")


class _Seihon:
    """What both forms share: the signed 正本 and the fields beside it."""

    def __init__(self, store: Store, issuer: issuing.Issuer, classes: issuing.Redactor) -> None:
        self.store, self.issuer, self.classes = store, issuer, classes

    def fields(self, message: OutboundMessage) -> dict[str, Any]:
        tsuchi = message.body["tsuchi"]
        try:
            document = issuing.for_receipt(self.store, self.issuer, self.classes, message.receipt_id,
                                           message.destination.id,
                                           specific_allowed=message.destination.bango_riyo)
        except NotFound as exc:
            raise DeliveryFailed(exc.message, retryable=False) from exc
        return {"receiptId": message.receipt_id, "nendo": int(tsuchi["nendo"]),
                "shiteiNo": str(tsuchi["tokuchoGimusha"]["shiteiNo"]), "seihon": document}

    @staticmethod
    def meta(message: OutboundMessage) -> dict[str, str]:
        meta = message.header.to_wire()
        meta.update({"messageId": message.receipt_id, "correlationId": message.header.message_id,
                     "receiverSystemId": message.destination.id, "operation": OPERATION})
        meta.pop("subjectKey", None)
        return meta


class SeihonSoapDelivery(OutboundAdapter, _Seihon):
    kind = "soap"

    def __init__(self, store: Store, issuer: issuing.Issuer, classes: issuing.Redactor,
                 timeout: float = 10.0) -> None:
        _Seihon.__init__(self, store, issuer, classes)
        self.timeout = timeout
        self._local = threading.local()

    def _service(self, message: OutboundMessage) -> tuple[Any, Any]:
        dest = message.destination
        wsdl = dest.wsdl_url or str(api_specs.path("wsdl", "zei_tokucho.wsdl"))
        cache: dict[tuple[str, str], Any] = getattr(self._local, "services", None) or {}
        self._local.services = cache
        if (dest.id, wsdl) not in cache:
            session = requests.Session()
            session.trust_env = False  # endpoints are registered explicitly; no proxy from the environment
            transport = Transport(session=session, timeout=self.timeout, operation_timeout=self.timeout)
            wsse = UsernameToken(dest.wss_username, dest.wss_secret, use_digest=True) if dest.wss_username else None
            client = zeep.Client(wsdl, transport=transport, wsse=wsse)
            cache[(dest.id, wsdl)] = (client, client.create_service(BINDING, dest.endpoint_url))
        return cache[(dest.id, wsdl)]

    def deliver(self, message: OutboundMessage) -> None:
        if not message.destination.endpoint_url:
            raise DeliveryFailed(f"system {message.destination.id} has no endpoint URL", retryable=False)
        fields = self.fields(message)
        client, service = self._service(message)
        meta = self.meta(message)
        header = client.get_element(f"{{{NS_COMMON}}}PfHeader")(**{k: meta[k] for k in HEADER_ORDER if k in meta})
        try:
            result = service.SeihonTsuchi(**fields, _soapheaders=[header])
        except Fault as fault:
            code = _fault_code(fault)
            raise DeliveryFailed(f"SOAP Fault {code or ''} {fault.message}",
                                 retryable=code is None or code.startswith("5")) from fault
        except (TransportError, requests.RequestException) as exc:
            raise DeliveryFailed(f"5003 {type(exc).__name__}: {exc}") from exc
        code = result["result"]["code"]
        if code not in ("0000", "0001"):
            raise DeliveryFailed(f"employer answered {code}", retryable=code.startswith("5"))


class SeihonWebhookDelivery(OutboundAdapter, _Seihon):
    kind = "webhook"

    def __init__(self, store: Store, issuer: issuing.Issuer, classes: issuing.Redactor,
                 timeout: float = 10.0) -> None:
        _Seihon.__init__(self, store, issuer, classes)
        self.client = httpx.Client(timeout=timeout, headers={"user-agent": "chipla-hub"}, trust_env=False)

    def deliver(self, message: OutboundMessage) -> None:
        url = message.destination.endpoint_url
        if not url:
            raise DeliveryFailed(f"system {message.destination.id} has no endpoint URL", retryable=False)
        fields = self.fields(message)
        payload = {"meta": self.meta(message), **fields, "seihon": base64.b64encode(fields["seihon"]).decode()}
        post_json(self.client, url, json.dumps(payload, ensure_ascii=False).encode("utf-8"), message)

    def close(self) -> None:
        self.client.close()


def _fault_code(fault: Fault) -> str | None:
    if fault.detail is None:
        return None
    el = fault.detail.find(f".//{{{NS_COMMON}}}code")
    return el.text if el is not None else None


def deliveries(service: Service, store: Store, timeout: float) -> dict[str, OutboundAdapter]:
    """The 正本 deliveries of the 個人住民税 service, by delivery kind (registered in chipla.services)."""
    if not isinstance(service, ZeiService):
        raise TypeError(f"正本 deliveries need the 個人住民税 service, not {service.id!r}")
    return {"soap": SeihonSoapDelivery(store, service.issuer, service.classes, timeout=timeout),
            "webhook": SeihonWebhookDelivery(store, service.issuer, service.classes, timeout=timeout)}
