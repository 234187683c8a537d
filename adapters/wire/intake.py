"""The one path from wire to hub that every door shares: envelope from wire → validate → submit.

Stage 4 of the one stage order (docs/architecture.md), then the hand-over to the hub:

    door: 1 read → 2 parse → 3 authenticate
    here: 4 envelope_from_xml / envelope_from_dicts: common header against common.xsd, the header
          names the door's service and operation, body against the service's XSD
          run: a notice is submitted (hub stages 5–9) and answered with the receipt (10); a query
          is answered from the service's projection

The SOAP door validates the XML it received; the REST and file doors validate their dicts by
building the same XML (the schema-guided codec), so all doors admit exactly the same messages.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from lxml import etree
from starlette.concurrency import run_in_threadpool

from adapters.wire import codec
from broker.envelope import Envelope, Header
from broker.errors import HeaderInvalid, RequestInvalid, SchemaInvalid
from broker.hub import Hub
from broker.registry import SystemInfo
from broker.result_codes import table
from broker.service import OperationKind, Service


@dataclass(frozen=True)
class Answer:
    """What a door sends back: the response fields (with ``result``), and for a notice whether it
    was a re-send of an accepted message."""

    fields: dict[str, Any]
    duplicate: bool = False


def result(code: str) -> dict[str, str]:
    return {"code": code, "message": table()[code].ja}


def _matching(header: Header, service: Service, operation: str) -> Header:
    if header.service != service.id or header.operation != operation:
        raise HeaderInvalid(f"共通ヘッダの service/operation ({header.service}/{header.operation}) が"
                            f"本文の操作 ({service.id}/{operation}) と一致しません")
    return header


def envelope_from_xml(service: Service, operation: str, header_block: etree._Element | None,
                      body_element: etree._Element, *, original: bytes, content_type: str,
                      transport: str) -> Envelope:
    """An envelope from a SOAP message's PfHeader block and body element."""
    if header_block is None:
        raise HeaderInvalid("共通ヘッダ (PfHeader) がありません")
    common = codec.common()
    common.validate(header_block, HeaderInvalid, "共通ヘッダの誤り")
    header = _matching(Header.from_wire(common.to_dict(header_block)), service, operation)
    service_codec = codec.for_contract(service.contract)
    service_codec.validate(body_element, SchemaInvalid)
    body = service_codec.to_dict(body_element)
    return Envelope(header=header, body=body, original=original, content_type=content_type, transport=transport)


def envelope_from_dicts(service: Service, operation: str, meta: dict[str, Any], body: dict[str, Any], *,
                        original: bytes, content_type: str, transport: str) -> Envelope:
    """An envelope from a header dict (REST ``meta``) and the body fields of ``{op}Request``."""
    codec.check_header(meta)
    header = _matching(Header.from_wire(meta), service, operation)
    codec.for_contract(service.contract).check(service.contract.request_element(operation), body, SchemaInvalid)
    return Envelope(header=header, body=body, original=original, content_type=content_type, transport=transport)


def check_fields(service: Service, operation: str, fields: dict[str, Any]) -> None:
    """A query's parameters obey the XSD of the request they stand for: the doors admit the same."""
    codec.for_contract(service.contract).check(service.contract.request_element(operation), fields,
                                               RequestInvalid)


async def run(hub: Hub, envelope: Envelope, caller: SystemInfo, nonce: tuple[str, str] | None = None) -> Answer:
    """Hand the envelope to the hub: a notice is made durable, a query is answered."""
    h = envelope.header
    service = hub.services[h.service]
    op = service.operation(h.operation)
    if op is not None and op.kind is OperationKind.QUERY:
        fields = await run_in_threadpool(hub.answer, envelope, caller, nonce)
        return Answer({"result": result("0000"), **fields})
    receipt = await asyncio.wrap_future(hub.submit(envelope, caller, nonce))
    code = "0001" if receipt.duplicate else "0000"
    return Answer({"result": result(code), "receiptId": receipt.receipt_id, "acceptedAt": receipt.accepted_at,
                   "duplicate": receipt.duplicate}, duplicate=receipt.duplicate)
