"""Imported records as 住民異動通知 through the hub's pipeline, so a batch reaches the subscribers.

Each record is sent as the registered sender system would send it: same header, same ACL, same
routing, same outbox. The message id is derived from the record's key, so sending again (a re-run
after a failure) is answered by the hub's idempotent consumer with the first receipt instead of a
second delivery. A record without 異動事由 and 異動年月日 describes a resident, not a change, and is
not sent.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from adapters.wire import intake
from broker.clock import now
from broker.envelope import Envelope
from broker.errors import HubError
from broker.hub import Hub
from broker.imports import ImportStore
from broker.registry import SystemInfo
from broker.services import jumin

SPEC_VERSION = "1.0"
#: seconds to wait for the hub to make one record durable
ACCEPT_TIMEOUT = 60.0


@dataclass(frozen=True)
class SendTarget:
    """Where and as whom: the hub, the registered sender system, and the operator (職員ID)."""

    hub: Hub
    caller: SystemInfo
    operator_id: str | None = None


@dataclass
class SendResult:
    sent: int = 0
    already: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


#: namespace of the message ids of imported records (UUID v5 of the record's row digest)
MESSAGE_ID_NAMESPACE = uuid.UUID("5f0c3b1e-7d2a-5c4e-9a61-243035000001")


def message_id(row_sha256: str) -> str:
    """Stable per record: the same record is the same message however often it is sent."""
    return str(uuid.uuid5(MESSAGE_ID_NAMESPACE, row_sha256))


def ido_of(canonical: dict[str, Any]) -> dict[str, Any] | None:
    """The 異動 a record describes, or None when it names no 異動事由 and 異動年月日."""
    jotai = canonical.get("jotai", {})
    if not jotai.get("idoJiyu") or not jotai.get("idoDate"):
        return None
    ido = {"idoJiyu": jotai["idoJiyu"], "idoDate": jotai["idoDate"]}
    if jotai.get("todokedeDate"):
        ido["todokedeDate"] = jotai["todokedeDate"]
    ido["jumin"] = canonical
    return ido


def envelope(target: SendTarget, ido: dict[str, Any], row_sha256: str) -> Envelope:
    """The record as a 住民異動通知 through the doors' shared intake (header and body against the XSD)."""
    wire = {
        "messageId": message_id(row_sha256), "correlationId": str(uuid.uuid4()), "sentAt": now().isoformat(),
        "lgCode": target.caller.lg_code, "senderSystemId": target.caller.id, "service": jumin.SERVICE,
        "operation": jumin.NOTIFY, "specVersion": SPEC_VERSION,
    }
    if target.operator_id:
        wire["operatorId"] = target.operator_id
    original = json.dumps({"meta": wire, "ido": ido}, ensure_ascii=False).encode("utf-8")
    return intake.envelope_from_dicts(target.hub.services[jumin.SERVICE], jumin.NOTIFY, wire, {"ido": ido},
                                      original=original, content_type="application/json", transport="file")


def send_records(target: SendTarget, imports: ImportStore, keys: list[tuple[str, str, str]],
                 row_of: dict[str, int]) -> SendResult:
    """Send the records among `keys` that have no receipt yet; keep each receipt beside its record."""
    result = SendResult()
    pending: list[tuple[int, str, Future[Any]]] = []
    for record_id, row_sha256, canonical in imports.unsent(keys):
        row = row_of.get(row_sha256, 0)
        ido = ido_of(canonical)
        if ido is None:
            result.refused.append((row, "no 異動事由 / 異動年月日: a resident record, not a change"))
            continue
        try:
            pending.append((record_id, row_sha256, target.hub.submit(envelope(target, ido, row_sha256),
                                                                      target.caller)))
        except HubError as exc:
            result.refused.append((row, f"{exc.result.code} {exc.message}"))
    receipts: list[tuple[int, str]] = []
    for record_id, row_sha256, future in pending:
        try:
            receipt = future.result(timeout=ACCEPT_TIMEOUT)
        except HubError as exc:
            result.refused.append((row_of.get(row_sha256, 0), f"{exc.result.code} {exc.message}"))
            continue
        receipts.append((record_id, receipt.receipt_id))
        if receipt.duplicate:
            result.already += 1
        else:
            result.sent += 1
    imports.mark_sent(receipts)
    return result


__all__ = ["SendResult", "SendTarget", "envelope", "ido_of", "message_id", "send_records"]
