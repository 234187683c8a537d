"""Reprocess a quarantined 異動通知 after an operator corrected it.

The corrected bytes go through the same checks as at the door they came in by — the common header
and the body against the XSD, the hub's code lists, ACL and rules — and are accepted on behalf of
the system that sent them. Only the WS-Security token is not checked again: the original one has
expired, and the operator's reprocess is itself audited (who, which quarantine entry, which receipt).
The quarantine entry stays as it was: the original refusal remains evidence.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.soap import envelope, xmlsafe
from adapters.wire import intake
from broker import audit
from broker.envelope import Envelope
from broker.errors import HeaderInvalid, MalformedInput, NotAllowed, SchemaInvalid
from broker.hub import Hub


def parse_corrected(hub: Hub, raw: bytes, max_bytes: int) -> Envelope:
    """An envelope from corrected SOAP (XML) or REST (JSON) bytes, through the doors' shared intake."""
    if raw.lstrip()[:1] == b"{":
        try:
            body: Any = json.loads(raw)
        except ValueError as exc:
            raise MalformedInput(f"JSON として解析できません: {exc}") from exc
        if not isinstance(body, dict) or not isinstance(body.get("meta"), dict):
            raise SchemaInvalid("meta を持つ JSON が必要です")
        service = hub.services[str(body["meta"].get("service", ""))]
        fields = {k: v for k, v in body.items() if k != "meta"}
        return intake.envelope_from_dicts(service, str(body["meta"].get("operation", "")), body["meta"], fields,
                                          original=raw, content_type="application/json", transport="rest")
    req = envelope.split(xmlsafe.parse(raw, max_bytes))
    for service in hub.services:
        for name in service.operations:
            if service.contract.xsd and req.body_element.tag == service.contract.request_element(name):
                return intake.envelope_from_xml(service, name, req.header_block, req.body_element, original=raw,
                                                content_type="text/xml", transport="soap")
    raise HeaderInvalid(f"未定義の操作です: {req.body_element.tag}")


def reprocess(hub: Hub, qid: int, sender: str | None, raw: bytes, actor: str, reason: str, max_bytes: int) -> str:
    """Accept the corrected bytes for the original sender; returns the receipt id."""
    if not sender:
        raise NotAllowed("送信元が分からない隔離電文は再処理できません (送信元システムから再送してください)")
    env = parse_corrected(hub, raw, max_bytes)
    caller = hub.registry.system(sender)
    receipt = hub.accept(env, caller)
    with hub.store.write() as s:
        audit.append(s, actor, "quarantine.reprocessed", f"quarantine:{qid}",
                     {"receiptId": receipt.receipt_id, "duplicate": receipt.duplicate, "reason": reason[:200]})
    return receipt.receipt_id
