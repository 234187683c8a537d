"""NGSI-v2 subscriptions whose notifications go through the hub's outbox.

Each subscription registers a destination system (delivery kind ``ngsi``) with the notification
URL. When readings are stored, the tap builds the changed entities from the batch, matches them
against the tenant's subscriptions (entity id / idPattern / type, condition attributes) and writes
one notification message and its delivery per match — in the same transaction as the readings. The
dispatcher then delivers with retries and a dead letter channel like any other delivery, so a
subscriber that is down gets its notifications when it is back (Orion drops them).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from adapters.outbound.ngsi import entities as ent
from adapters.outbound.ngsi import states
from broker.clock import now
from broker.envelope import Header
from broker.models import Delivery, DeliveryStatus, Message, table_of
from broker.registry import SystemRegistry
from broker.services.sensors import readings
from broker.services.sensors.models import NgsiSubscription
from broker.services.sensors.store import StoredReading
from broker.store import Store

SENDER = "chipla-ngsi"


class SubscriptionInvalid(ValueError):
    pass


def _check(body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(body, dict):
        raise SubscriptionInvalid("the subscription must be a JSON object")
    subject, notification = body.get("subject"), body.get("notification")
    if not isinstance(subject, dict) or not isinstance(subject.get("entities"), list) or not subject["entities"]:
        raise SubscriptionInvalid("subject.entities must be a non-empty list")
    for e in subject["entities"]:
        if not isinstance(e, dict) or not (isinstance(e.get("id"), str) or isinstance(e.get("idPattern"), str)):
            raise SubscriptionInvalid("each subject entity needs id or idPattern")
        if "idPattern" in e:
            try:
                re.compile(e["idPattern"])
            except re.error as exc:
                raise SubscriptionInvalid(f"idPattern is not a regular expression: {exc}") from exc
    if not isinstance(notification, dict) or not isinstance(notification.get("http"), dict):
        raise SubscriptionInvalid("notification.http.url is required")
    url = notification["http"].get("url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise SubscriptionInvalid("notification.http.url must be an http or https URL")
    if notification.get("attrsFormat", "normalized") not in ("normalized", "keyValues"):
        raise SubscriptionInvalid("notification.attrsFormat must be normalized or keyValues")
    return subject, notification


def create(store: Store, registry: SystemRegistry, lg_code: str, body: Any) -> str:
    subject, notification = _check(body)
    sub_id = uuid.uuid4().hex[:24]
    system_id = f"ngsi-{sub_id}"
    registry.upsert_system({"id": system_id, "name": f"NGSI subscription {sub_id}", "lgCode": lg_code,
                            "deliveryKind": "ngsi", "endpointUrl": notification["http"]["url"], "allow": []})
    with store.write() as s:
        s.add(NgsiSubscription(id=sub_id, lg_code=lg_code, system_id=system_id,
                               description=str(body.get("description", ""))[:500], subject=subject,
                               notification=notification, status="active", expires=body.get("expires"),
                               throttling=int(body.get("throttling", 0) or 0), created_at=now()))
    return sub_id


def as_wire(sub: NgsiSubscription) -> dict[str, Any]:
    out: dict[str, Any] = {"id": sub.id, "description": sub.description, "subject": sub.subject,
                           "notification": {"attrsFormat": "normalized", **sub.notification}, "status": sub.status}
    if sub.expires:
        out["expires"] = sub.expires
    if sub.throttling:
        out["throttling"] = sub.throttling
    return out


def listing(store: Store, lg_code: str) -> list[dict[str, Any]]:
    with store.read() as s:
        return [as_wire(x) for x in s.execute(select(NgsiSubscription).where(NgsiSubscription.lg_code == lg_code)
                                              .order_by(NgsiSubscription.created_at, NgsiSubscription.id)).scalars()]


def one(store: Store, lg_code: str, sub_id: str) -> dict[str, Any] | None:
    with store.read() as s:
        sub = s.get(NgsiSubscription, sub_id)
        return as_wire(sub) if sub is not None and sub.lg_code == lg_code else None


def delete(store: Store, registry: SystemRegistry, lg_code: str, sub_id: str) -> bool:
    with store.write() as s:
        sub = s.get(NgsiSubscription, sub_id)
        if sub is None or sub.lg_code != lg_code:
            return False
        system_id = sub.system_id
        s.delete(sub)
    registry.delete_system(system_id)
    return True


def _subject_matches(subject: dict[str, Any], entity: dict[str, Any]) -> bool:
    for e in subject["entities"]:
        if "type" in e and e["type"] != entity["type"]:
            continue
        if "id" in e and e["id"] == entity["id"]:
            return True
        if "idPattern" in e and re.fullmatch(e["idPattern"], entity["id"]):
            return True
    return False


def _condition_matches(subject: dict[str, Any], entity: dict[str, Any]) -> bool:
    watched = (subject.get("condition") or {}).get("attrs") or []
    return not watched or any(a in entity for a in watched)


def _project(notification: dict[str, Any], entity: dict[str, Any]) -> dict[str, Any]:
    attrs = notification.get("attrs") or []
    shown = {k: v for k, v in entity.items() if k in ("id", "type") or not attrs or k in attrs}
    return ent.key_values(shown) if notification.get("attrsFormat") == "keyValues" else shown


class NotificationTap:
    """Runs inside the observation store's transaction (a wire tap on the stored readings)."""

    def __init__(self) -> None:
        self.units = {family: dict(pairs) for family, pairs in readings.datastreams().items()}

    def __call__(self, s: Session, stored: list[StoredReading]) -> None:
        tenants = {sr.reading.device.lg_code for sr in stored}
        subs = list(s.execute(select(NgsiSubscription).where(NgsiSubscription.lg_code.in_(tenants),
                                                             NgsiSubscription.status == "active")).scalars())
        if not subs:
            return
        t = now()
        messages: list[dict[str, Any]] = []
        targets: list[tuple[str, str]] = []
        for state in states.from_stored(stored, self.units):
            for entity in ent.entities_of(state):
                for sub in subs:
                    if sub.lg_code != state.lg_code or not _subject_matches(sub.subject, entity) \
                            or not _condition_matches(sub.subject, entity):
                        continue
                    body = {"subscriptionId": sub.id, "data": [_project(sub.notification, entity)]}
                    messages.append(_message(sub, entity["id"], body, t))
                    targets.append((sub.system_id, entity["id"]))
        if not messages:
            return
        table = table_of(Message)
        seqs = list(s.execute(insert(table).returning(table.c.seq, sort_by_parameter_order=True), messages).scalars())
        s.execute(insert(table_of(Delivery)), [
            {"message_seq": seq, "destination": system_id, "subject_key": entity_id, "status": DeliveryStatus.PENDING,
             "attempts": 0, "next_attempt_at": t, "created_at": t}
            for seq, (system_id, entity_id) in zip(seqs, targets, strict=True)])


def _message(sub: NgsiSubscription, entity_id: str, body: dict[str, Any], t: Any) -> dict[str, Any]:
    original = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
    digest = hashlib.sha256(original).hexdigest()
    header = Header(message_id=str(uuid.uuid4()), sent_at=t.isoformat(), lg_code=sub.lg_code,
                    sender_system_id=SENDER, service="ngsi", operation="notify", spec_version="NGSI-v2",
                    receiver_system_id=sub.system_id, subject_key=entity_id[:64])
    return {"receipt_id": str(uuid.uuid4()), "message_id": header.message_id, "sender_system_id": SENDER,
            "lg_code": sub.lg_code, "service": "ngsi", "operation": "notify", "subject_key": entity_id[:64],
            "channel": "ngsi", "content_type": "application/json", "original": original,
            "original_sha256": digest, "content_sha256": digest,
            "envelope": {"header": asdict(header), "transport": "ngsi", "contentType": "application/json",
                         "attrsFormat": sub.notification.get("attrsFormat", "normalized")},
            "canonical": body, "accepted_at": t}
