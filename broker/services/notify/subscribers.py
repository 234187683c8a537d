"""What a person (and, for guardian links, an operator) can do with a subscription.

Double opt-in: a new address is ``pending`` until the link in the confirmation mail is opened, and
pending addresses receive nothing but that mail. Answers never tell whether an address is known, so
the form cannot be used to learn who subscribed. A guardian link (gate tag → guardian) is made by an
operator after the town verified the guardian, never by the guardian alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from broker import audit
from broker.errors import NotFound, RequestInvalid
from broker.services.notify import addresses
from broker.services.notify.events import TOPIC_KINDS
from broker.services.notify.models import NotifyGuardianLink, NotifyNotice, NotifySubscriber, NotifyTopic
from broker.services.notify.tokens import CONFIRM_SECONDS

MAX_TOPICS = 50


def check_topics(topics: list[dict[str, Any]], known: Mapping[str, frozenset[str]]) -> list[tuple[str, str]]:
    """The wanted (kind, key) pairs, each one a rule of the town can mail: a misspelt 大字 or stop is
    refused with what there is, instead of a subscription that never hears anything."""
    if len(topics) > MAX_TOPICS:
        raise RequestInvalid(f"登録できる項目は{MAX_TOPICS}件までです")
    out: list[tuple[str, str]] = []
    for t in topics:
        kind, key = str(t.get("kind", "")), str(t.get("key", "")).strip()
        if kind not in TOPIC_KINDS:
            raise RequestInvalid(f"kind {kind!r} は登録できる種類ではありません（{', '.join(TOPIC_KINDS)}）")
        if not key or len(key) > 64:
            raise RequestInvalid("key は1〜64文字で指定してください")
        if key not in known.get(kind, frozenset()):
            raise RequestInvalid(_unknown(kind, key, known.get(kind, frozenset())))
        if (kind, key) not in out:
            out.append((kind, key))
    return out


def _unknown(kind: str, key: str, keys: frozenset[str], shown: int = 30) -> str:
    if not keys:
        return f"この町では {kind} のお知らせを配信していません"
    listed = sorted(keys)
    more = f" ほか{len(listed) - shown}件" if len(listed) > shown else ""
    return f"{kind} {key!r} はありません（登録できるもの: {'、'.join(listed[:shown])}{more}）"


def find(s: Session, key: bytes, lg_code: str, address: str) -> NotifySubscriber | None:
    digest = addresses.lookup_hash(key, address)
    return s.execute(select(NotifySubscriber).where(
        NotifySubscriber.lg_code == lg_code, NotifySubscriber.address_hash == digest)).scalar_one_or_none()


def create_or_reopen(s: Session, key: bytes, lg_code: str, address: str, now: datetime,
                     role: str = "resident") -> tuple[NotifySubscriber, bool]:
    """The subscriber for this address, new (pending) or known; an unsubscribed one starts over."""
    address = addresses.normalise(address)
    sub = find(s, key, lg_code, address)
    if sub is None:
        sub = NotifySubscriber(lg_code=lg_code, address=address, address_hash=addresses.lookup_hash(key, address),
                               role=role, status="pending", created_at=now)
        s.add(sub)
        s.flush()
        return sub, True
    if sub.status == "unsubscribed":
        sub.status, sub.unsubscribed_at, sub.confirmed_at = "pending", None, None
        return sub, True
    return sub, False


def replace_topics(s: Session, sub: NotifySubscriber, topics: list[tuple[str, str]]) -> None:
    s.execute(delete(NotifyTopic).where(NotifyTopic.subscriber_id == sub.id))
    for kind, key in topics:
        s.add(NotifyTopic(subscriber_id=sub.id, kind=kind, key=key))


def confirm(s: Session, subscriber_id: int, now: datetime) -> NotifySubscriber:
    sub = _get(s, subscriber_id)
    if sub.status == "pending":
        sub.status, sub.confirmed_at = "active", now
        audit.append(s, "notify", "subscriber.confirmed", f"subscriber:{sub.id}")
    return sub


def unsubscribe(s: Session, subscriber_id: int, now: datetime) -> None:
    sub = s.get(NotifySubscriber, subscriber_id)
    if sub is None or sub.status == "unsubscribed":
        return  # one-click must answer the same however often it is clicked
    sub.status, sub.unsubscribed_at = "unsubscribed", now
    audit.append(s, "notify", "subscriber.unsubscribed", f"subscriber:{sub.id}")


def erase(s: Session, subscriber_id: int) -> None:
    """Delete the person and everything kept about them (topics, links, notices by cascade)."""
    sub = _get(s, subscriber_id)
    s.execute(delete(NotifyNotice).where(NotifyNotice.subscriber_id == sub.id))
    s.execute(delete(NotifyTopic).where(NotifyTopic.subscriber_id == sub.id))
    s.execute(delete(NotifyGuardianLink).where(NotifyGuardianLink.subscriber_id == sub.id))
    s.delete(sub)
    audit.append(s, "notify", "subscriber.erased", f"subscriber:{subscriber_id}")


def export(s: Session, subscriber_id: int) -> dict[str, Any]:
    """Everything stored about the person, in their own words (their address unmasked: it is theirs)."""
    sub = _get(s, subscriber_id)
    topics = s.execute(select(NotifyTopic.kind, NotifyTopic.key).where(NotifyTopic.subscriber_id == sub.id)
                       .order_by(NotifyTopic.id)).all()
    links = s.execute(select(NotifyGuardianLink.tag_id, NotifyGuardianLink.created_at).where(
        NotifyGuardianLink.subscriber_id == sub.id)).all()
    notices = s.execute(select(NotifyNotice).where(NotifyNotice.subscriber_id == sub.id)
                        .order_by(NotifyNotice.id.desc()).limit(200)).scalars().all()
    return {
        "lgCode": sub.lg_code, "email": sub.address, "status": sub.status, "role": sub.role,
        "createdAt": _iso(sub.created_at), "confirmedAt": _iso(sub.confirmed_at),
        "topics": [{"kind": k, "key": v} for k, v in topics],
        "guardianOf": [{"tagId": t[:4] + "…", "since": _iso(at)} for t, at in links],
        "notices": [{"kind": n.kind, "title": n.title, "status": n.status, "createdAt": _iso(n.created_at),
                     "sentAt": _iso(n.sent_at)} for n in notices],
    }


def link_guardian(s: Session, key: bytes, lg_code: str, address: str, tag_id: str, operator: str,
                  now: datetime) -> tuple[NotifyGuardianLink, NotifySubscriber, bool]:
    sub, new = create_or_reopen(s, key, lg_code, address, now)
    link = s.execute(select(NotifyGuardianLink).where(
        NotifyGuardianLink.subscriber_id == sub.id, NotifyGuardianLink.tag_id == tag_id)).scalar_one_or_none()
    if link is None:
        link = NotifyGuardianLink(subscriber_id=sub.id, tag_id=tag_id, created_by=operator, created_at=now)
        s.add(link)
        s.flush()
        audit.append(s, operator, "guardian.linked", f"subscriber:{sub.id}", {"link": link.id})
    return link, sub, new


def unlink_guardian(s: Session, link_id: int, operator: str) -> None:
    link = s.get(NotifyGuardianLink, link_id)
    if link is None:
        raise NotFound(f"見守りの登録 {link_id} はありません")
    s.delete(link)
    audit.append(s, operator, "guardian.unlinked", f"link:{link_id}")


def listing(s: Session, lg_code: str | None, limit: int, offset: int) -> dict[str, Any]:
    """For operators: masked addresses, status and topics; never the address itself."""
    q = select(NotifySubscriber).order_by(NotifySubscriber.id)
    count = select(func.count()).select_from(NotifySubscriber)
    if lg_code:
        q, count = q.where(NotifySubscriber.lg_code == lg_code), count.where(NotifySubscriber.lg_code == lg_code)
    subs = s.execute(q.limit(limit).offset(offset)).scalars().all()
    ids = [x.id for x in subs]
    topics: dict[int, list[dict[str, str]]] = {}
    for sid, kind, key in s.execute(select(NotifyTopic.subscriber_id, NotifyTopic.kind, NotifyTopic.key)
                                    .where(NotifyTopic.subscriber_id.in_(ids))).tuples():
        topics.setdefault(sid, []).append({"kind": kind, "key": key})
    links: dict[int, int] = dict(s.execute(
        select(NotifyGuardianLink.subscriber_id, func.count()).where(NotifyGuardianLink.subscriber_id.in_(ids))
        .group_by(NotifyGuardianLink.subscriber_id)).tuples().all())
    return {"total": s.execute(count).scalar_one(), "subscribers": [
        {"id": x.id, "lgCode": x.lg_code, "email": addresses.mask(x.address), "status": x.status, "role": x.role,
         "topics": topics.get(x.id, []), "guardianLinks": links.get(x.id, 0), "createdAt": _iso(x.created_at)}
        for x in subs]}


def _get(s: Session, subscriber_id: int) -> NotifySubscriber:
    sub = s.get(NotifySubscriber, subscriber_id)
    if sub is None:
        raise NotFound("登録が見つかりません（削除済みの可能性があります）")
    return sub


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


CONFIRM_HOURS = CONFIRM_SECONDS // 3600
