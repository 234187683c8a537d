"""Tables of the durable core.

``messages`` keeps every accepted original byte-exact; ``deliveries`` is the outbox (one row per
entitled destination, written in the accept transaction); ``quarantine`` keeps what failed
validation; ``audit_log`` is the hash chain. A service's projections (the tables its 照会 read) are declared in
the service's own folder on the same metadata.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

BigInt = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class DeliveryStatus(StrEnum):
    """Where a delivery stands in the outbox (the ``deliveries.status`` column)."""

    PENDING = "pending"  # waiting for its first attempt or a retry; claimable when due and not blocked
    IN_FLIGHT = "in_flight"  # claimed by a dispatcher under a lease
    DELIVERED = "delivered"
    DEAD = "dead"  # in the dead letter channel, until retried


class AttemptOutcome(StrEnum):
    """What one delivery attempt came to (the ``delivery_attempts.outcome`` column)."""

    DELIVERED = "delivered"
    FAILED = "failed"  # to be retried
    DEAD = "dead"  # no more retries: dead-lettered


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class, for set-based inserts without the ORM's per-row work."""
    return cast(Table, model.__table__)


class System(Base):
    """A vendor system registered at the hub (sender, receiver or both)."""

    __tablename__ = "systems"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    lg_code: Mapped[str] = mapped_column(String(6))
    api_key_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    wss_username: Mapped[str | None] = mapped_column(String(64), unique=True)
    # UsernameToken PasswordDigest needs the shared secret itself, not a hash of it.
    wss_secret: Mapped[str | None] = mapped_column(String(200))
    bango_riyo: Mapped[bool] = mapped_column(Boolean, default=False)
    roles: Mapped[list[Any]] = mapped_column(default=list)
    delivery_kind: Mapped[str | None] = mapped_column(String(16))
    endpoint_url: Mapped[str | None] = mapped_column(String(500))
    wsdl_url: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # HMAC key the hub signs webhook deliveries with (the receiver verifies X-Chipla-Signature)
    webhook_secret: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AclEntry(Base):
    """May ``system_id`` call ``service``/``operation``? ``*`` is a wildcard."""

    __tablename__ = "acl"
    system_id: Mapped[str] = mapped_column(ForeignKey("systems.id", ondelete="CASCADE"), primary_key=True)
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    operation: Mapped[str] = mapped_column(String(64), primary_key=True)


class Subscription(Base):
    """``system_id`` receives every accepted ``service``/``operation`` message of its tenant."""

    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    system_id: Mapped[str] = mapped_column(ForeignKey("systems.id", ondelete="CASCADE"))
    service: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(64))
    categories: Mapped[list[Any] | None] = mapped_column("ido_categories", JSON, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("system_id", "service", "operation"),)


class Message(Base):
    """An accepted message: the original bytes, its envelope, and its canonical form."""

    __tablename__ = "messages"
    seq: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    receipt_id: Mapped[str] = mapped_column(String(36), unique=True)
    message_id: Mapped[str] = mapped_column(String(64))
    sender_system_id: Mapped[str] = mapped_column(String(64))
    lg_code: Mapped[str] = mapped_column(String(6))
    service: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(64))
    subject_key: Mapped[str] = mapped_column(String(64))
    transport: Mapped[str] = mapped_column("channel", String(16))
    content_type: Mapped[str] = mapped_column(String(100))
    original: Mapped[bytes] = mapped_column(LargeBinary)
    original_sha256: Mapped[str] = mapped_column(String(64))
    # digest of service, operation and canonical body: a re-send with a fresh security header is
    # still the same message
    content_sha256: Mapped[str] = mapped_column(String(64))
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    canonical: Mapped[dict[str, Any]] = mapped_column(JSON)
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # the audit entry of its accept group (``messages.accepted``); empty for messages accepted before
    # group entries (their ``message.accepted`` entry has the receipt id as subject) and for messages
    # the hub made itself (notices, NGSI notifications), which have no accept entry
    audit_seq: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    __table_args__ = (
        UniqueConstraint("sender_system_id", "message_id", name="uq_messages_sender_message_id"),
        Index("ix_messages_tenant_service_seq", "lg_code", "service", "seq"),
    )


class MappedRecord(Base):
    """A derived form of a message, with the mapping id and version that made it and its lineage."""

    __tablename__ = "mapped_records"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    message_seq: Mapped[int] = mapped_column(ForeignKey("messages.seq", ondelete="CASCADE"), index=True)
    mapping_id: Mapped[str] = mapped_column(String(64))
    mapping_version: Mapped[str] = mapped_column(String(32))
    output: Mapped[dict[str, Any]] = mapped_column(JSON)
    lineage: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeriveFailure(Base):
    """A message whose mapped forms could not be made: why, how often, and when the derive stage tries
    again (with backoff; the row goes when an attempt succeeds). The original is kept as accepted."""

    __tablename__ = "derive_failures"
    message_seq: Mapped[int] = mapped_column(ForeignKey("messages.seq", ondelete="CASCADE"), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Delivery(Base):
    """One outbox row: deliver message ``message_seq`` to ``destination``."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    message_seq: Mapped[int] = mapped_column(ForeignKey("messages.seq", ondelete="CASCADE"))
    destination: Mapped[str] = mapped_column(String(64))
    subject_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # pending | in_flight | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    __table_args__ = (
        UniqueConstraint("message_seq", "destination", name="uq_deliveries_message_destination"),
        Index("ix_deliveries_claim", "destination", "status", "next_attempt_at"),
        Index("ix_deliveries_order", "destination", "subject_key", "message_seq"),
        # the rows still in the outbox, for supervisors, /readyz and the backlog gauges (all destinations)
        Index("ix_deliveries_undelivered", "status", "next_attempt_at",
              postgresql_where=text("status IN ('pending', 'in_flight')"),
              sqlite_where=text("status IN ('pending', 'in_flight')")),
    )


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"
    __table_args__ = (Index("ix_delivery_attempts_finished_at", "finished_at"),)
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    attempt_no: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16))  # delivered | failed | dead
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the audit entry of the group of outcomes it was recorded with (``deliveries.recorded``); empty
    # for attempts recorded before group entries (their entry's subject is ``destination:delivery id``)
    audit_seq: Mapped[int | None] = mapped_column(BigInt, nullable=True)


class Quarantine(Base):
    """Input that failed validation or authorisation: kept with its reason, never dropped."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    transport: Mapped[str] = mapped_column("channel", String(16))
    sender: Mapped[str | None] = mapped_column(String(64), nullable=True)
    result_code: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(Text)
    original: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)


class Nonce(Base):
    """WS-Security nonces seen within the freshness window (replay cache)."""

    __tablename__ = "wss_nonces"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuditEntry(Base):
    """One link of an audit stream: ``hash = sha256(prev_hash + canonical JSON of the entry)``."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    stream: Mapped[int] = mapped_column(Integer, server_default="1")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_audit_log_stream_seq", "stream", "seq"), Index("ix_audit_log_subject", "subject"))


class AuditHead(Base):
    """One row per audit stream holding its last hash; a writer locks the head of the stream it appends to."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInt)
    last_hash: Mapped[str] = mapped_column(String(64))
