"""Tables of the sensor feeds, SensorThings-like, on the same metadata as the rest of the store.

    sensor_things ─┬─ sensor_datastreams (one per observed property, with its UCUM unit) ─ sensor_observations
                   └─ sensor_readings (the original bytes of each accepted reading, byte-exact)
    sensor_sensors (the device model that measures)   sensor_events (stale, recovered, threshold crossed)
    mimamori_tags (tag → child → guardian: personal, kept apart, never routed)

A reading is identified by (thing, phenomenon time in epoch milliseconds, sequence number); the
unique constraint on that key is the idempotent consumer's last word, so a reading redelivered
after a crash can never be stored twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from broker.models import Base, BigInt


class SensorThing(Base):
    """A device where it stands: family, WGS84 location, the 大字, and its settings (thresholds …)."""

    __tablename__ = "sensor_things"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6))
    family: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    oaza: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    sensor_id: Mapped[str] = mapped_column(ForeignKey("sensor_sensors.id"))
    properties: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_sensor_things_tenant", "lg_code", "family"),)


class SensorModel(Base):
    """The instrument (SensorThings ``Sensor``): a device model and its description."""

    __tablename__ = "sensor_sensors"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(String(500))
    encoding_type: Mapped[str] = mapped_column(String(100))
    sensor_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)


class Datastream(Base):
    """The observations of one property of one thing, all in one unit."""

    __tablename__ = "sensor_datastreams"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    thing_id: Mapped[str] = mapped_column(ForeignKey("sensor_things.id", ondelete="CASCADE"))
    observed_property: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32))  # UCUM case-sensitive code
    __table_args__ = (UniqueConstraint("thing_id", "observed_property", name="uq_sensor_datastreams_property"),)


class Reading(Base):
    """One accepted reading as the device sent it, with the facts the hub took from it."""

    __tablename__ = "sensor_readings"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    thing_id: Mapped[str] = mapped_column(ForeignKey("sensor_things.id", ondelete="CASCADE"))
    lg_code: Mapped[str] = mapped_column(String(6))
    phenomenon_ms: Mapped[int] = mapped_column(BigInt)
    phenomenon_time: Mapped[str] = mapped_column(String(40))  # as sent, with its offset
    seq: Mapped[int] = mapped_column(Integer)
    result_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # when the hub stored it
    original: Mapped[bytes] = mapped_column(LargeBinary)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)  # position, stop, route, tag …
    __table_args__ = (
        UniqueConstraint("thing_id", "phenomenon_ms", "seq", name="uq_sensor_readings_key"),
        Index("ix_sensor_readings_tenant_time", "lg_code", "phenomenon_ms"),
    )


class Observation(Base):
    """One result of one datastream; ``quality`` lists flags such as ``jump`` (implausible change)."""

    __tablename__ = "sensor_observations"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    datastream_id: Mapped[int] = mapped_column(ForeignKey("sensor_datastreams.id", ondelete="CASCADE"))
    reading_id: Mapped[int] = mapped_column(ForeignKey("sensor_readings.id", ondelete="CASCADE"))
    phenomenon_ms: Mapped[int] = mapped_column(BigInt)
    result: Mapped[float] = mapped_column(Float)
    quality: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    __table_args__ = (Index("ix_sensor_observations_stream_time", "datastream_id", "phenomenon_ms"),)


class SensorEvent(Base):
    """Health and threshold events: ``stale``, ``recovered``, ``threshold`` (level reached, up or down)."""

    __tablename__ = "sensor_events"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    thing_id: Mapped[str] = mapped_column(ForeignKey("sensor_things.id", ondelete="CASCADE"))
    lg_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    __table_args__ = (Index("ix_sensor_events_thing", "thing_id", "id"),)


class MimamoriTag(Base):
    """Personal: which child carries a gate tag and whom to tell. Read only by the みまもり service;
    deleted when ``retain_until`` has passed or on request."""

    __tablename__ = "mimamori_tags"
    tag_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6))
    child_name: Mapped[str] = mapped_column(String(200))
    guardian_name: Mapped[str] = mapped_column(String(200))
    guardian_contact: Mapped[str] = mapped_column(String(300))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retain_until: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class NgsiSubscription(Base):
    """An NGSI-v2 subscription of one tenant (団体コード). Its notifications are deliveries of the
    outbox to the system ``system_id`` registered for it, so a subscriber that is down loses nothing."""

    __tablename__ = "ngsi_subscriptions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    lg_code: Mapped[str] = mapped_column(String(6))
    system_id: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(500))
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"entities": [...], "condition": {...}}
    notification: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"http": {"url"}, "attrs", "attrsFormat"}
    status: Mapped[str] = mapped_column(String(16))
    expires: Mapped[str | None] = mapped_column(String(40), nullable=True)
    throttling: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_ngsi_subscriptions_tenant", "lg_code"),)
