"""The envelope every inbound adapter produces: common header + canonical body + original bytes.

The header fields are those of the platform header block (api_specs/xsd/common.xsd); SOAP carries
them in ``c:PfHeader``, REST in the ``meta`` object, both with the same camelCase names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from broker.errors import HeaderInvalid
from vocab import lgcode

HEADER_FIELDS = (
    "messageId", "correlationId", "sentAt", "lgCode", "senderSystemId", "receiverSystemId",
    "service", "operation", "specVersion", "operatorId", "purposeCode", "subjectKey",
)
REQUIRED_HEADER_FIELDS = ("messageId", "sentAt", "lgCode", "senderSystemId", "service", "operation",
                          "specVersion")


@dataclass(frozen=True)
class Header:
    message_id: str
    sent_at: str
    lg_code: str
    sender_system_id: str
    service: str
    operation: str
    spec_version: str
    correlation_id: str | None = None
    receiver_system_id: str | None = None
    operator_id: str | None = None
    purpose_code: str | None = None
    subject_key: str | None = None

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> Header:
        """Build from the camelCase wire form, checking what the schema alone cannot."""
        missing = [f for f in REQUIRED_HEADER_FIELDS if not raw.get(f)]
        if missing:
            raise HeaderInvalid(f"共通ヘッダの必須項目がありません: {', '.join(missing)}")
        lg = str(raw["lgCode"])
        if not lgcode.is_valid(lg):
            raise HeaderInvalid(f"団体コード {lg} の検査数字が正しくありません", code="lg_code_invalid")
        try:
            datetime.fromisoformat(str(raw["sentAt"]))
        except ValueError as exc:
            raise HeaderInvalid(f"sentAt is not an ISO 8601 date-time: {raw['sentAt']!r}") from exc
        return cls(
            message_id=str(raw["messageId"]),
            sent_at=str(raw["sentAt"]),
            lg_code=lg,
            sender_system_id=str(raw["senderSystemId"]),
            service=str(raw["service"]),
            operation=str(raw["operation"]),
            spec_version=str(raw["specVersion"]),
            correlation_id=_opt(raw, "correlationId"),
            receiver_system_id=_opt(raw, "receiverSystemId"),
            operator_id=_opt(raw, "operatorId"),
            purpose_code=_opt(raw, "purposeCode"),
            subject_key=_opt(raw, "subjectKey"),
        )

    def to_wire(self) -> dict[str, str]:
        wire = {
            "messageId": self.message_id, "correlationId": self.correlation_id, "sentAt": self.sent_at,
            "lgCode": self.lg_code, "senderSystemId": self.sender_system_id,
            "receiverSystemId": self.receiver_system_id, "service": self.service,
            "operation": self.operation, "specVersion": self.spec_version,
            "operatorId": self.operator_id, "purposeCode": self.purpose_code,
            "subjectKey": self.subject_key,
        }
        return {k: v for k, v in wire.items() if v is not None}


def _opt(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return None if value in (None, "") else str(value)


@dataclass
class Envelope:
    header: Header
    body: dict[str, Any]
    original: bytes
    content_type: str
    transport: str  # the door it came through: soap, rest, file, mqtt …
    meta: dict[str, Any] = field(default_factory=dict)

    def as_record(self) -> dict[str, Any]:
        """What ``messages.envelope`` keeps. The header's fields are all text, so a shallow dict of
        them is what ``dataclasses.asdict`` would make, without its recursive copy per field."""
        return {"header": dict(vars(self.header)), "transport": self.transport, "contentType": self.content_type}
