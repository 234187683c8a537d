"""The observation store: one transaction per batch of readings, answered per reading.

A batch is checked (``readings.check``), then ordered per device against the last stored reading
(idempotent consumer: the same (device, time, seq) is a ``duplicate``; an earlier one that was never
stored is ``out_of_order``), then written — readings, observations, threshold events, quarantine
rows, one audit entry and whatever the taps add (NGSI notifications into the outbox) — in one
transaction. The caller acknowledges readings to the MQTT broker only after ``write`` returns, so
what the broker handed over is either stored or quarantined before it is released.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.orm import Session

from broker import audit, metrics
from broker.clock import now
from broker.models import Quarantine, table_of
from broker.services.sensors import contract, readings
from broker.services.sensors.contract import ReadingRefused
from broker.services.sensors.devices import Device, DeviceRegistry
from broker.services.sensors.models import Datastream, Observation, Reading, SensorEvent, SensorModel, SensorThing
from broker.services.sensors.readings import CheckedReading
from broker.store import Store

log = logging.getLogger(__name__)

# 処理結果コード kept with each quarantined reading
RESULT_CODES = {"malformed": "1001", "too_large": "1007", "schema_invalid": "1002", "unknown_device": "2005",
                "time_in_future": "1012", "out_of_order": "1010", "duplicate": "0001"}
JUMP_METRES = 0.5  # a water level changing more than this between two readings is flagged, not refused


@dataclass(frozen=True)
class Incoming:
    topic: str
    payload: bytes
    qos: int = 1
    redelivered: bool = False


@dataclass(frozen=True)
class Outcome:
    stored: bool
    reason: str = ""
    detail: str = ""


@dataclass(frozen=True)
class StoredReading:
    reading_id: int
    reading: CheckedReading
    result_time: datetime
    quality: dict[str, list[str]]


Tap = Callable[[Session, list[StoredReading]], None]


class ObservationStore:
    def __init__(self, store: Store, registry: DeviceRegistry, taps: Sequence[Tap] = ()) -> None:
        self.store = store
        self.registry = registry
        self.taps = list(taps)
        readings.datastreams()  # the contract is compiled here, so a bad schema stops the start
        contract.validators()
        self._last: dict[str, tuple[int, int]] = {}  # device → (phenomenon ms, seq) of the last stored
        self._level: dict[str, float] = {}  # water-level gauge → last level
        self._streams: dict[tuple[str, str], int] = {}

    def sync_registry(self) -> None:
        """Make things, sensors and datastreams match the registry (run at start)."""
        t = now()
        with self.store.write() as s:
            for m in self.registry.sensors.values():
                s.merge(SensorModel(id=m.id, description=m.description, encoding_type=m.encoding_type,
                                    sensor_metadata={}))
            s.flush()
            for d in self.registry.devices.values():
                s.merge(SensorThing(id=d.id, lg_code=d.lg_code, family=d.family, name=d.name, oaza=d.oaza,
                                    lat=d.lat, lon=d.lon, sensor_id=d.sensor, updated_at=t,
                                    properties={**d.properties, "intervalSeconds": d.interval_seconds}))
            s.flush()
            known = {(r.thing_id, r.observed_property) for r in s.execute(
                select(Datastream.thing_id, Datastream.observed_property))}
            wanted = [{"thing_id": d.id, "observed_property": prop, "unit": unit}
                      for d in self.registry.devices.values()
                      for prop, unit in readings.datastreams()[d.family] if (d.id, prop) not in known]
            if wanted:
                s.execute(insert(table_of(Datastream)), wanted)
            self._streams = {(r.thing_id, r.observed_property): r.id for r in s.execute(
                select(Datastream.id, Datastream.thing_id, Datastream.observed_property))}

    # -- the batch ---------------------------------------------------------------------------------
    def write(self, batch: Sequence[Incoming]) -> list[Outcome]:
        t = now()
        checked: list[CheckedReading | ReadingRefused] = []
        for item in batch:
            try:
                checked.append(readings.check(self.registry, item.topic, item.payload, t))
            except ReadingRefused as exc:
                checked.append(exc)
        if not self._streams:
            self.sync_registry()
        try:
            with self.store.write() as s:
                outcomes, stored = self._write(s, batch, checked, t)
        except Exception:
            self._last.clear()  # the cache may hold readings that were rolled back
            self._level.clear()
            raise
        for o in outcomes:
            if not o.stored:
                metrics.REFUSED.labels("mqtt", RESULT_CODES[o.reason]).inc()
        for sr in stored:
            metrics.ACCEPTED.labels("sensors", sr.reading.device.family).inc()
        return outcomes

    def _write(self, s: Session, batch: Sequence[Incoming], checked: list[CheckedReading | ReadingRefused],
               t: datetime) -> tuple[list[Outcome], list[StoredReading]]:
        self._load_last(s, {c.device.id for c in checked if isinstance(c, CheckedReading)})
        earlier = [(c.device.id, c.phenomenon_ms, c.seq) for c in checked if isinstance(c, CheckedReading)
                   and (c.phenomenon_ms, c.seq) <= self._last.get(c.device.id, (-1, -1))]
        existing: set[tuple[str, int, int]] = set()
        if earlier:
            existing = set(s.execute(select(Reading.thing_id, Reading.phenomenon_ms, Reading.seq).where(
                tuple_(Reading.thing_id, Reading.phenomenon_ms, Reading.seq).in_(earlier))).tuples())
        outcomes: list[Outcome] = []
        accepted: list[CheckedReading] = []
        quarantined: list[dict[str, Any]] = []
        for item, c in zip(batch, checked, strict=True):
            if isinstance(c, CheckedReading):
                key = (c.phenomenon_ms, c.seq)
                last = self._last.get(c.device.id, (-1, -1))
                if key <= last:
                    reason = "duplicate" if (c.device.id, *key) in existing else "out_of_order"
                    c = ReadingRefused(reason, f"{c.device.id} time {c.phenomenon_time} seq {c.seq}; last stored "
                                               f"is {_ms_text(last[0])} seq {last[1]}")
                else:
                    self._last[c.device.id] = key
                    existing.add((c.device.id, *key))
                    accepted.append(c)
                    outcomes.append(Outcome(True))
                    continue
            outcomes.append(Outcome(False, c.reason, c.detail))
            device = self.registry.by_topic(item.topic)
            quarantined.append({
                "received_at": t, "channel": "mqtt", "sender": device.id if device else None,
                "result_code": RESULT_CODES[c.reason], "reason": f"{c.reason}: {c.detail}"[:4000],
                "original": item.payload[: 4 * 1024 * 1024],
                "headers": {"topic": item.topic[:300], "reason": c.reason, "bytes": len(item.payload),
                            "qos": item.qos, "redelivered": item.redelivered}})
        stored = self._insert(s, accepted, batch, checked, t)
        if quarantined:
            s.execute(insert(table_of(Quarantine)), quarantined)
        entries = [("mqtt", "reading.quarantined", q["sender"] or "unknown",
                    {"code": q["result_code"], "reason": q["reason"][:300]}) for q in quarantined]
        if stored:
            kept = {id(c) for c in accepted}
            digest = hashlib.sha256(b"".join(item.payload for item, c in zip(batch, checked, strict=True)
                                             if id(c) in kept)).hexdigest()
            entries.append(("mqtt", "readings.accepted", f"{stored[0].reading_id}-{stored[-1].reading_id}",
                            {"count": len(stored), "sha256": digest}))
        audit.append_many(s, entries)
        for tap in self.taps:
            if stored:
                tap(s, stored)
        return outcomes, stored

    def _insert(self, s: Session, accepted: list[CheckedReading], batch: Sequence[Incoming],
                checked: list[CheckedReading | ReadingRefused], t: datetime) -> list[StoredReading]:
        if not accepted:
            return []
        payloads = {id(c): item.payload for item, c in zip(batch, checked, strict=True)}
        rows = [{"thing_id": c.device.id, "lg_code": c.device.lg_code, "phenomenon_ms": c.phenomenon_ms,
                 "phenomenon_time": c.phenomenon_time, "seq": c.seq, "result_time": t,
                 "original": payloads[id(c)], "facts": c.facts} for c in accepted]
        ids = self._insert_readings(s, rows)
        observations: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        stored: list[StoredReading] = []
        for c, reading_id in zip(accepted, ids, strict=True):
            quality: dict[str, list[str]] = {}
            if c.device.family == "water_level" and "waterLevel" in c.values:
                quality, event = self._water_level(c, t)
                if event:
                    events.append(event)
            for prop, value in c.values.items():
                observations.append({"datastream_id": self._streams[(c.device.id, prop)], "reading_id": reading_id,
                                     "phenomenon_ms": c.phenomenon_ms, "result": value,
                                     "quality": quality.get(prop)})
            stored.append(StoredReading(reading_id, c, t, quality))
        if observations:
            self._insert_observations(s, observations)
        if events:
            s.execute(insert(table_of(SensorEvent)), events)
        return stored

    def _insert_readings(self, s: Session, rows: list[dict[str, Any]]) -> list[int]:
        """Insert and return the ids in row order. On SQLite the transaction holds the only write lock
        (BEGIN IMMEDIATE), so ids are assigned here and the insert runs as one executemany — SQLite
        cannot return ids of a batched insert in parameter order, which would mean one statement per row."""
        table = table_of(Reading)
        if self.store.is_sqlite:
            base = int(s.execute(select(func.coalesce(func.max(Reading.id), 0))).scalar_one())
            ids = list(range(base + 1, base + 1 + len(rows)))
            stamps = {t: _sqlite_time(t) for t in {r["result_time"] for r in rows}}
            # plain executemany: the values are already in SQLite's storage form (JST wall time, JSON text)
            s.connection().exec_driver_sql(
                "INSERT INTO sensor_readings (id, thing_id, lg_code, phenomenon_ms, phenomenon_time, seq, result_time,"
                " original, facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(i, r["thing_id"], r["lg_code"], r["phenomenon_ms"], r["phenomenon_time"], r["seq"],
                  stamps[r["result_time"]], r["original"], json.dumps(r["facts"], ensure_ascii=False))
                 for i, r in zip(ids, rows, strict=True)])
            return ids
        return list(s.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())

    def _insert_observations(self, s: Session, rows: list[dict[str, Any]]) -> None:
        if not self.store.is_sqlite:
            s.execute(insert(table_of(Observation)), rows)
            return
        s.connection().exec_driver_sql(
            "INSERT INTO sensor_observations (datastream_id, reading_id, phenomenon_ms, result, quality)"
            " VALUES (?, ?, ?, ?, ?)",
            [(r["datastream_id"], r["reading_id"], r["phenomenon_ms"], r["result"],
              None if r["quality"] is None else json.dumps(r["quality"])) for r in rows])

    def _water_level(self, c: CheckedReading, t: datetime) -> tuple[dict[str, list[str]], dict[str, Any] | None]:
        """Quality flags and the threshold event (the highest level reached, when it changes)."""
        level = c.values["waterLevel"]
        before = self._level.get(c.device.id)
        self._level[c.device.id] = level
        quality = {"waterLevel": ["jump"]} if before is not None and abs(level - before) > JUMP_METRES else {}
        if before is None:
            return quality, None
        was, now_at = level_reached(c.device, before), level_reached(c.device, level)
        if was == now_at:
            return quality, None
        return quality, {"thing_id": c.device.id, "lg_code": c.device.lg_code, "kind": "threshold", "at": t,
                         "detail": {"level": now_at, "previous": was, "value": level, "unit": "m",
                                    "time": c.phenomenon_time, "rising": level > before}}

    def _load_last(self, s: Session, device_ids: set[str]) -> None:
        missing = [d for d in device_ids if d not in self._last]
        for device_id in missing:
            row = s.execute(select(Reading.phenomenon_ms, Reading.seq, Reading.id)
                            .where(Reading.thing_id == device_id)
                            .order_by(Reading.phenomenon_ms.desc(), Reading.seq.desc()).limit(1)).first()
            self._last[device_id] = (row.phenomenon_ms, row.seq) if row else (-1, -1)
            if row and self.registry.devices[device_id].family == "water_level":
                level = s.execute(select(Observation.result).where(
                    Observation.reading_id == row.id,
                    Observation.datastream_id == self._streams[(device_id, "waterLevel")])).scalar()
                if level is not None:
                    self._level[device_id] = float(level)


def level_reached(device: Device, value: float) -> str | None:
    """The highest 基準水位 at or below ``value`` (the name an alert would give), or None."""
    reached = None
    for name, threshold in device.levels:
        if value >= threshold:
            reached = name
    return reached


def _sqlite_time(t: datetime) -> str:
    """How SQLAlchemy stores a DateTime on SQLite: the JST wall time, read back by ``as_jst``."""
    return t.astimezone(now().tzinfo).strftime("%Y-%m-%d %H:%M:%S.%f")


def _ms_text(ms: int) -> str:
    return "nothing" if ms < 0 else datetime.fromtimestamp(ms / 1000, tz=now().tzinfo).isoformat()
