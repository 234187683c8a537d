"""SOAP delivery with zeep to a subscriber's 住民異動通知 (IdoTsuchi) operation.

The subscriber's WSDL (or, when it registered none, the hub's own contract) describes the call; the
endpoint address is the one registered for the system. The hub signs in with the UsernameToken
(PasswordDigest) registered for that system. A fault with a 1xxx/2xxx 結果コード is permanent;
5xxx and transport errors are retried.
"""

from __future__ import annotations

import threading
from typing import Any

import requests
import zeep
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

import api_specs
from adapters.wire.codec import NS_COMMON
from broker.outbound import DeliveryFailed, OutboundAdapter, OutboundMessage

BINDING = "{urn:chipla:wsdl:jumin:1}JuminSoap11"


class SoapDeliveryAdapter(OutboundAdapter):
    kind = "soap"

    def __init__(self, timeout: float = 10.0) -> None:
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
            # endpoints are registered explicitly; reading proxy settings from the environment on every
            # call costs about a millisecond and could route 個人情報 through an unexpected proxy
            session.trust_env = False
            transport = Transport(session=session, timeout=self.timeout, operation_timeout=self.timeout)
            wsse = UsernameToken(dest.wss_username, dest.wss_secret, use_digest=True) if dest.wss_username else None
            client = zeep.Client(wsdl, transport=transport, wsse=wsse)
            cache[key] = (client, client.create_service(BINDING, dest.endpoint_url))
        return cache[key]

    def deliver(self, message: OutboundMessage) -> None:
        if not message.destination.endpoint_url:
            raise DeliveryFailed(f"system {message.destination.id} has no endpoint URL", retryable=False)
        client, service = self._service(message)
        header_type = client.get_element(f"{{{NS_COMMON}}}PfHeader")
        meta = message.header.to_wire()
        meta.update({"messageId": message.receipt_id, "correlationId": message.header.message_id,
                     "receiverSystemId": message.destination.id})
        meta.pop("subjectKey", None)
        ordered = {k: meta[k] for k in _HEADER_ORDER if k in meta}
        try:
            result = service.IdoTsuchi(ido=message.body["ido"], _soapheaders=[header_type(**ordered)])
        except Fault as fault:
            code = _fault_code(fault)
            retryable = code is None or code.startswith("5")
            raise DeliveryFailed(f"SOAP Fault {code or ''} {fault.message}", retryable=retryable) from fault
        except (TransportError, requests.RequestException) as exc:
            raise DeliveryFailed(f"5003 {type(exc).__name__}: {exc}") from exc
        code = result["result"]["code"]
        if code not in ("0000", "0001"):
            raise DeliveryFailed(f"receiver answered {code}", retryable=code.startswith("5"))


_HEADER_ORDER = ("messageId", "correlationId", "sentAt", "lgCode", "senderSystemId", "receiverSystemId",
                 "service", "operation", "specVersion", "operatorId", "purposeCode", "subjectKey")


def _fault_code(fault: Fault) -> str | None:
    if fault.detail is None:
        return None
    el = fault.detail.find(f".//{{{NS_COMMON}}}code")
    return el.text if el is not None else None
