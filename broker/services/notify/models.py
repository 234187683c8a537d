"""Tables of the notification service.

    notify_subscribers ─┬─ notify_topics (ごみ 大字, bus route/stop, gauge, farm site)
                        └─ notify_guardian_links (gate tag → guardian; written by an operator only)
    notify_notices   the sent-notice log and the idempotent consumer: one row per (rule, subject,
                     window, subscriber), unique, so a rule firing twice never mails twice
    notify_rule_state  what a rule remembers between events (level reached, episode, last pass)
    notify_keys      the signing key of tokens and the address-hash key, made once per store

Addresses are ``personal``: stored for sending, found by a keyed hash of the normalised address,
masked wherever they are shown, never logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from broker.models import Base, BigInt


class NotifySubscriber(Base):
    __tablename__ = "notify_subscribers"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    lg_code: Mapped[str] = mapped_column(String(6))
    address: Mapped[str] = mapped_column(String(320))
    address_hash: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default="resident")  # resident | producer | operator
    status: Mapped[str] = mapped_column(String(16))  # pending | active | unsubscribed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    __table_args__ = (UniqueConstraint("lg_code", "address_hash", name="uq_notify_subscribers_address"),)


class NotifyTopic(Base):
    __tablename__ = "notify_topics"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("notify_subscribers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # gomi_area | bus_route | bus_stop | water_gauge | farm_site
    key: Mapped[str] = mapped_column(String(64))
    __table_args__ = (
        UniqueConstraint("subscriber_id", "kind", "key", name="uq_notify_topics"),
        Index("ix_notify_topics_lookup", "kind", "key"),
    )


class NotifyGuardianLink(Base):
    """A guardian may hear of one child's gate passes only through a link an operator made."""

    __tablename__ = "notify_guardian_links"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("notify_subscribers.id", ondelete="CASCADE"))
    tag_id: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        UniqueConstraint("subscriber_id", "tag_id", name="uq_notify_guardian_links"),
        Index("ix_notify_guardian_links_tag", "tag_id"),
    )


class NotifyNotice(Base):
    __tablename__ = "notify_notices"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    lg_code: Mapped[str] = mapped_column(String(6))
    rule_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # water | bus | gomi | mimamori | farm | stale | digest
    subject: Mapped[str] = mapped_column(String(100))
    window: Mapped[str] = mapped_column(String(64))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("notify_subscribers.id", ondelete="CASCADE"))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))  # queued | held | digested | sent | suppressed
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)  # rendered text and html
    message_seq: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    __table_args__ = (
        UniqueConstraint("rule_id", "subject", "window", "subscriber_id", name="uq_notify_notices_dedup"),
        Index("ix_notify_notices_subscriber", "subscriber_id", "created_at"),
        Index("ix_notify_notices_status", "status", "subscriber_id"),
    )


class NotifyRuleState(Base):
    __tablename__ = "notify_rule_state"
    rule_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(100), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NotifyKey(Base):
    __tablename__ = "notify_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))
