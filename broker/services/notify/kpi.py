"""The plan's KPIs from the hub's own tables, and the sent-notice log (addresses masked).

| KPI | counted as |
|---|---|
| ごみ mail subscribers | active subscribers with at least one ごみ 大字 |
| みまもり registered users | active subscribers with at least one guardian link |
| farm producers served | active subscribers with at least one farm site |
| bus subscribers | active subscribers with a route or stop |
| notices per kind | notices mailed (accepted by the SMTP server), per kind |
| bus delay notices | notices of kind ``bus`` mailed |
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from broker.services.notify import addresses
from broker.services.notify.models import NotifyGuardianLink, NotifyNotice, NotifySubscriber, NotifyTopic


def _active_with_topic(s: Session, lg_code: str | None, kinds: tuple[str, ...]) -> int:
    q = (select(func.count(distinct(NotifySubscriber.id)))
         .join(NotifyTopic, NotifyTopic.subscriber_id == NotifySubscriber.id)
         .where(NotifySubscriber.status == "active", NotifyTopic.kind.in_(kinds)))
    if lg_code:
        q = q.where(NotifySubscriber.lg_code == lg_code)
    return int(s.execute(q).scalar_one())


def compute(s: Session, lg_code: str | None) -> dict[str, Any]:
    guardians = (select(func.count(distinct(NotifySubscriber.id)))
                 .join(NotifyGuardianLink, NotifyGuardianLink.subscriber_id == NotifySubscriber.id)
                 .where(NotifySubscriber.status == "active"))
    sent = (select(NotifyNotice.kind, func.count()).where(NotifyNotice.status == "sent")
            .group_by(NotifyNotice.kind))
    if lg_code:
        guardians = guardians.where(NotifySubscriber.lg_code == lg_code)
        sent = sent.where(NotifyNotice.lg_code == lg_code)
    per_kind = {k: int(n) for k, n in s.execute(sent).tuples()}
    return {
        "lgCode": lg_code,
        "gomiSubscribers": _active_with_topic(s, lg_code, ("gomi_area",)),
        "mimamoriUsers": int(s.execute(guardians).scalar_one()),
        "farmProducers": _active_with_topic(s, lg_code, ("farm_site",)),
        "busSubscribers": _active_with_topic(s, lg_code, ("bus_route", "bus_stop")),
        "waterSubscribers": _active_with_topic(s, lg_code, ("water_gauge",)),
        "noticesSentByKind": per_kind,
        "busDelayNotices": per_kind.get("bus", 0),
    }


def notice_log(s: Session, kind: str | None, limit: int, offset: int) -> dict[str, Any]:
    q = (select(NotifyNotice, NotifySubscriber.address)
         .join(NotifySubscriber, NotifySubscriber.id == NotifyNotice.subscriber_id)
         .order_by(NotifyNotice.id.desc()))
    count = select(func.count()).select_from(NotifyNotice)
    if kind:
        q, count = q.where(NotifyNotice.kind == kind), count.where(NotifyNotice.kind == kind)
    rows = s.execute(q.limit(limit).offset(offset)).tuples().all()
    return {"total": int(s.execute(count).scalar_one()), "notices": [
        {"id": n.id, "lgCode": n.lg_code, "rule": n.rule_id, "kind": n.kind, "subject": n.subject,
         "window": n.window, "to": addresses.mask(address), "urgent": n.urgent, "status": n.status,
         "title": n.title, "createdAt": n.created_at.isoformat(), "notBefore": n.not_before.isoformat(),
         "sentAt": n.sent_at.isoformat() if n.sent_at else None}
        for n, address in rows]}
