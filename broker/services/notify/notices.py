"""From intents to queued mails: recipients, dedup, rate limit, quiet hours, digest — then the outbox.

Everything happens in the caller's transaction, so a rule's new state, the sent-notice log and the
outbox rows commit together or not at all:

    intent ─► recipients (topics │ guardian links │ operators; active subscribers only)
           ─► dedup (rule, subject, window, subscriber) — the unique key of notify_notices
           ─► rate limit: non-urgent mail beyond ``ratePerHour`` per address is held for a digest
           ─► quiet hours: non-urgent mail waits until the quiet hours end (flood, みまもり are urgent)
           ─► notice row + message + delivery to the town's mail destination (the outbox)

A notice is a message of service ``notify`` like any other: stored, retried with backoff, dead-lettered,
visible in the operations API. Each has its own subject key, so a mail held until morning never
holds back an urgent one behind it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from broker import audit
from broker.clock import JST
from broker.clock import now as clock_now
from broker.envelope import Header
from broker.models import Delivery, Message
from broker.services.notify.definitions import TownRules
from broker.services.notify.events import GUARDIANS_OF, OPERATORS, Intent
from broker.services.notify.models import NotifyGuardianLink, NotifyNotice, NotifySubscriber, NotifyTopic
from broker.services.notify.render import render

SERVICE, OPERATION, SENDER = "notify", "notice", "notify"
TRANSACTIONAL = ("confirm", "manage")  # mails a person asked for: sent at once, even unconfirmed


def mail_destination(lg_code: str) -> str:
    """The outbox destination (a registered system with delivery kind ``mail``) of a town."""
    return f"mail-{lg_code}"


def quiet_until(town: TownRules, at: datetime) -> datetime | None:
    """End of the quiet hours ``at`` falls in, or None outside them (hours may span midnight)."""
    local = at.astimezone(JST)
    start, end, t = town.quiet_start, town.quiet_end, local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=JST)


def recipients(s: Session, lg_code: str, audience: Iterable[tuple[str, str]]) -> list[tuple[int, str]]:
    topics = [(k, v) for k, v in audience if k not in (GUARDIANS_OF, OPERATORS)]
    tags = [v for k, v in audience if k == GUARDIANS_OF]
    found: dict[int, str] = {}
    base = select(NotifySubscriber.id, NotifySubscriber.address).where(
        NotifySubscriber.lg_code == lg_code, NotifySubscriber.status == "active")
    for kind in {k for k, _ in topics}:
        keys = [v for k, v in topics if k == kind]
        q = base.join(NotifyTopic, NotifyTopic.subscriber_id == NotifySubscriber.id).where(
            NotifyTopic.kind == kind, NotifyTopic.key.in_(keys))
        found.update(s.execute(q).tuples().all())
    if tags:
        q = base.join(NotifyGuardianLink, NotifyGuardianLink.subscriber_id == NotifySubscriber.id).where(
            NotifyGuardianLink.tag_id.in_(tags))
        found.update(s.execute(q).tuples().all())
    if any(k == OPERATORS for k, _ in audience):
        found.update(s.execute(base.where(NotifySubscriber.role == "operator")).tuples().all())
    return sorted(found.items())


class NoticeWriter:
    def __init__(self, towns: dict[str, TownRules]) -> None:
        self.towns = towns

    def write(self, s: Session, intents: list[Intent], now: datetime) -> set[str]:
        """Queue what the intents mean; returns the outbox destinations that got work."""
        touched: set[str] = set()
        for intent in intents:
            town = self.towns[intent.lg_code]
            people = recipients(s, intent.lg_code, intent.audience)
            if not people:
                continue
            ids = [p for p, _ in people]
            seen = set(s.execute(select(NotifyNotice.subscriber_id).where(
                NotifyNotice.rule_id == intent.rule_id, NotifyNotice.subject == intent.subject,
                NotifyNotice.window == intent.window, NotifyNotice.subscriber_id.in_(ids))).scalars())
            busy = {} if intent.urgent else self._recent_counts(s, ids, now)
            rendered = render(intent.template, {"town": town.town_name, **intent.context})
            body = {"text": rendered.text, "html": rendered.html}
            later = None if intent.urgent else quiet_until(town, now)
            at_once = min(now, clock_now())  # a replayed or simulated clock never delays sending
            for sid, address in people:
                if sid in seen:
                    continue
                held = busy.get(sid, 0) >= town.rate_per_hour
                notice = NotifyNotice(
                    lg_code=intent.lg_code, rule_id=intent.rule_id, kind=intent.kind, subject=intent.subject,
                    window=intent.window, subscriber_id=sid, urgent=intent.urgent,
                    status="held" if held else "queued", title=rendered.subject, body=body,
                    created_at=now, not_before=later or at_once)
                s.add(notice)
                s.flush()
                if not held:
                    busy[sid] = busy.get(sid, 0) + 1
                    touched.add(self.enqueue(s, notice, address, now))
        return touched

    def direct(self, s: Session, subscriber: NotifySubscriber, kind: str, template: str,
               context: dict[str, Any], now: datetime) -> str:
        """A mail the person asked for (confirmation, manage link): no topic, no limit, no quiet hours."""
        town = self.towns[subscriber.lg_code]
        rendered = render(template, {"town": town.town_name, **context})
        notice = NotifyNotice(
            lg_code=subscriber.lg_code, rule_id="subscription", kind=kind, subject=kind,
            window=now.strftime("%Y%m%dT%H%M%S.%f"), subscriber_id=subscriber.id, urgent=True, status="queued",
            title=rendered.subject, body={"text": rendered.text, "html": rendered.html}, created_at=now,
            not_before=min(now, clock_now()))
        s.add(notice)
        s.flush()
        return self.enqueue(s, notice, subscriber.address, now)

    def digest(self, s: Session, now: datetime) -> set[str]:
        """One mail for each address whose held notices have waited ``digestMinutes``."""
        touched: set[str] = set()
        held = s.execute(select(NotifyNotice).where(NotifyNotice.status == "held")
                         .order_by(NotifyNotice.subscriber_id, NotifyNotice.id)).scalars().all()
        groups: dict[int, list[NotifyNotice]] = {}
        for n in held:
            groups.setdefault(n.subscriber_id, []).append(n)
        for sid, notices in groups.items():
            town = self.towns.get(notices[0].lg_code)
            oldest = notices[0].created_at
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=JST)
            if town is None or now - oldest < timedelta(minutes=town.digest_minutes):
                continue
            subscriber = s.get(NotifySubscriber, sid)
            for n in notices:
                n.status = "digested"
            if subscriber is None or subscriber.status != "active":
                continue
            items = [{"title": n.title, "text": n.body["text"]} for n in notices]
            rendered = render("digest", {"town": town.town_name, "items": items})
            digest = NotifyNotice(
                lg_code=town.lg_code, rule_id="digest", kind="digest", subject=f"subscriber-{sid}",
                window=f"from-{notices[0].id}", subscriber_id=sid, urgent=False, status="queued",
                title=rendered.subject, body={"text": rendered.text, "html": rendered.html, "items": len(items)},
                created_at=now, not_before=quiet_until(town, now) or min(now, clock_now()))
            s.add(digest)
            s.flush()
            touched.add(self.enqueue(s, digest, subscriber.address, now))
        return touched

    def enqueue(self, s: Session, notice: NotifyNotice, address: str, now: datetime) -> str:
        destination = mail_destination(notice.lg_code)
        key = f"notice-{notice.id}"
        canonical = {"notice": {"id": notice.id, "lgCode": notice.lg_code, "kind": notice.kind,
                                "subscriberId": notice.subscriber_id, "to": address, "subject": notice.title,
                                "text": notice.body["text"], "html": notice.body["html"],
                                "urgent": notice.urgent}}
        original = json.dumps(canonical, ensure_ascii=False, sort_keys=True).encode("utf-8")
        digest = hashlib.sha256(original).hexdigest()
        header = Header(message_id=key, sent_at=now.isoformat(), lg_code=notice.lg_code, sender_system_id=SENDER,
                        service=SERVICE, operation=OPERATION, spec_version="1", subject_key=key)
        message = Message(
            receipt_id=str(uuid.uuid4()), message_id=key, sender_system_id=SENDER, lg_code=notice.lg_code,
            service=SERVICE, operation=OPERATION, subject_key=key, transport="notify",
            content_type="application/json", original=original, original_sha256=digest, content_sha256=digest,
            envelope={"header": asdict(header), "transport": "notify", "contentType": "application/json"},
            canonical=canonical, accepted_at=now)
        s.add(message)
        s.flush()
        notice.message_seq = message.seq
        s.add(Delivery(message_seq=message.seq, destination=destination, subject_key=key, status="pending",
                       attempts=0, next_attempt_at=notice.not_before, created_at=now))
        audit.append(s, SENDER, "notice.queued", key, {"rule": notice.rule_id, "kind": notice.kind,
                                                       "notBefore": notice.not_before.isoformat()})
        return destination

    @staticmethod
    def _recent_counts(s: Session, ids: list[int], now: datetime) -> dict[int, int]:
        rows = s.execute(select(NotifyNotice.subscriber_id, func.count()).where(
            NotifyNotice.subscriber_id.in_(ids), NotifyNotice.created_at >= now - timedelta(hours=1),
            NotifyNotice.status.in_(("queued", "sent")), NotifyNotice.urgent.is_(False))
            .group_by(NotifyNotice.subscriber_id)).tuples().all()
        return dict(rows)
