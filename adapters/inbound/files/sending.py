"""Imported records as notices through the doors' shared intake and the hub's pipeline, so a batch
reaches the subscribers.

Each record is sent as the registered sender system would send it (stage 3 of docs/architecture.md),
through the shared intake (4) and the hub (5–10): same header, same schema, same ACL, same routing,
same outbox. Which notice a record makes is the service's to say
(``Service.notice_of_record``: for 住民基本台帳 a record that names its 異動事由 and 異動年月日 is a
住民異動通知; one that does not describes a resident, not a change, and is not sent). The message id
is derived from the record's key, so sending again (a re-run after a failure) is answered by the
hub's idempotent consumer with the first receipt instead of a second delivery.
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
from broker.service import Service

SPEC_VERSION = "1.0"
TRANSPORT = "file"
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


def envelope(target: SendTarget, service: Service, operation: str, body: dict[str, Any],
             row_sha256: str) -> Envelope:
    """The record's notice through the doors' shared intake (header and body against the XSD)."""
    wire = {
        "messageId": message_id(row_sha256), "correlationId": str(uuid.uuid4()), "sentAt": now().isoformat(),
        "lgCode": target.caller.lg_code, "senderSystemId": target.caller.id, "service": service.id,
        "operation": operation, "specVersion": SPEC_VERSION,
    }
    if target.operator_id:
        wire["operatorId"] = target.operator_id
    original = json.dumps({"meta": wire, **body}, ensure_ascii=False).encode("utf-8")
    return intake.envelope_from_dicts(service, operation, wire, body, original=original,
                                      content_type="application/json", transport=TRANSPORT)


def send_records(target: SendTarget, service_id: str, imports: ImportStore, keys: list[tuple[str, str, str]],
                 row_of: dict[str, int]) -> SendResult:
    """Send the records among `keys` that have no receipt yet; keep each receipt beside its record."""
    result = SendResult()
    pending: list[tuple[int, str, Future[Any]]] = []
    service = target.hub.services[service_id]
    for record_id, row_sha256, canonical in imports.unsent(keys):
        row = row_of.get(row_sha256, 0)
        try:
            notice = service.notice_of_record(canonical)
            if notice is None:
                result.refused.append((row, "a record that describes no change (e.g. no 異動事由 / 異動年月日)"))
                continue
            operation, body = notice
            env = envelope(target, service, operation, body, row_sha256)
            pending.append((record_id, row_sha256, target.hub.submit(env, target.caller)))
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


__all__ = ["SendResult", "SendTarget", "envelope", "message_id", "send_records"]
