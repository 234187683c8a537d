"""みまもり (school-route gates): the only place that knows which child carries which tag.

Gates publish a pseudonymous ``tagId`` and a direction, never a name. The mapping tag → child →
guardian is personal information, kept in its own table (``mimamori_tags``), read only through
this module — every look is audited — and deleted when its retention ends or on request. Nothing in
``adapters/`` imports it: it is never routed to NGSI or open data (a test checks that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from broker import audit
from broker.clock import as_jst, now
from broker.services.sensors.models import MimamoriTag, Reading, SensorThing
from broker.store import Store, affected


@dataclass(frozen=True)
class Guardian:
    tag_id: str
    child_name: str
    guardian_name: str
    guardian_contact: str
    retain_until: datetime


def register(store: Store, lg_code: str, tag_id: str, child_name: str, guardian_name: str, guardian_contact: str,
             retention_days: int, actor: str) -> None:
    t = now()
    with store.write() as s:
        s.merge(MimamoriTag(tag_id=tag_id, lg_code=lg_code, child_name=child_name, guardian_name=guardian_name,
                            guardian_contact=guardian_contact, registered_at=t,
                            retain_until=t + timedelta(days=retention_days)))
        audit.append(s, actor, "mimamori.registered", tag_id, {"lgCode": lg_code, "retentionDays": retention_days})


def guardian_of(store: Store, lg_code: str, tag_id: str, actor: str, purpose: str) -> Guardian | None:
    """Who to tell about a pass; the look itself is audited (who, which tag, why)."""
    with store.write() as s:
        row = s.get(MimamoriTag, tag_id)
        audit.append(s, actor, "mimamori.looked_up", tag_id, {"purpose": purpose, "found": row is not None})
        if row is None or row.lg_code != lg_code:
            return None
        return Guardian(row.tag_id, row.child_name, row.guardian_name, row.guardian_contact, as_jst(row.retain_until))


def forget(store: Store, tag_id: str, actor: str) -> bool:
    """Delete on request (a child leaves the school, a guardian withdraws consent)."""
    with store.write() as s:
        gone = affected(s.execute(delete(MimamoriTag).where(MimamoriTag.tag_id == tag_id)))
        audit.append(s, actor, "mimamori.deleted", tag_id, {"deleted": gone})
    return gone > 0


def purge_expired(store: Store, pass_retention_days: int, at: datetime | None = None) -> tuple[int, int]:
    """Drop tags past their retention and gate passes older than ``pass_retention_days``."""
    t = at or now()
    cutoff_ms = int((t - timedelta(days=pass_retention_days)).timestamp() * 1000)
    with store.write() as s:
        tags = affected(s.execute(delete(MimamoriTag).where(MimamoriTag.retain_until < t)))
        gates = select(SensorThing.id).where(SensorThing.family == "gate_pass")
        passes = affected(s.execute(delete(Reading).where(Reading.thing_id.in_(gates),
                                                          Reading.phenomenon_ms < cutoff_ms)))
        if tags or passes:
            audit.append(s, "hub", "mimamori.purged", "retention", {"tags": tags, "passes": passes})
    return tags, passes
