"""Issue the employer's signed 正本: made once per notice and recipient, then served byte-exact.

The 正本 is the notice as the recipient may see it (fields of a class it is not entitled to, such as
個人番号 for an employer not registered to receive it, are left out), with the hub's receipt id and
the accept time as its issue time, signed by the town (enveloped XML-DSig, :mod:`broker.xmldsig`).
It is made lazily — on first delivery or first download — outside any write transaction, so the
single accept writer never waits for RSA; two makers racing for the same row produce the same bytes
(same content, same issue time, deterministic RSA-PKCS#1 v1.5), and the first insert wins.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from broker import xmldsig
from broker.classification import entitled_classes
from broker.clock import as_jst, now
from broker.errors import NotFound
from broker.models import Message
from broker.services.zei import seihon
from broker.services.zei.models import ZeiSeihon
from broker.store import Store


@dataclass(frozen=True)
class Issuer:
    """Who signs: the town's key and certificate, and the issuer name printed in the 正本."""

    signer: xmldsig.Signer
    name: str


class Redactor(Protocol):
    """The service's field classes, as far as issuing needs them (``FieldClasses.redact``)."""

    def redact(self, body: dict[str, Any], allowed: frozenset[str]) -> tuple[dict[str, Any], list[str]]: ...


def seihon_document(store: Store, issuer: Issuer, classes: Redactor, message_seq: int, recipient: str,
                    *, specific_allowed: bool) -> bytes:
    """The signed 正本 of a notice for ``recipient``: the stored one, or a new one stored now."""
    with store.read() as s:
        kept = s.execute(select(ZeiSeihon.document).where(
            ZeiSeihon.message_seq == message_seq, ZeiSeihon.system_id == recipient)).scalar()
        if kept is not None:
            return bytes(kept)
        msg = s.execute(select(Message.receipt_id, Message.accepted_at, Message.canonical)
                        .where(Message.seq == message_seq)).one_or_none()
    if msg is None:
        raise NotFound("該当する通知がありません", code="message_not_found")
    view, _removed = classes.redact({"tsuchi": msg.canonical["tsuchi"]},
                                    entitled_classes(bango_riyo=specific_allowed))
    unsigned = seihon.build(msg.receipt_id, as_jst(msg.accepted_at), issuer.name, view["tsuchi"])
    document = issuer.signer.sign(unsigned)
    try:
        with store.write() as s:
            s.add(ZeiSeihon(message_seq=message_seq, system_id=recipient, document=document,
                            sha256=hashlib.sha256(document).hexdigest(), made_at=now(), downloads=0))
    except IntegrityError:  # made by a concurrent delivery or download a moment ago: serve that one
        with store.read() as s:
            return bytes(s.execute(select(ZeiSeihon.document).where(
                ZeiSeihon.message_seq == message_seq, ZeiSeihon.system_id == recipient)).scalar_one())
    return document


def for_receipt(store: Store, issuer: Issuer, classes: Redactor, receipt_id: str, recipient: str,
                *, specific_allowed: bool) -> bytes:
    """The signed 正本 of the notice with this receipt id, for ``recipient`` (outbound deliveries)."""
    with store.read() as s:
        seq = s.execute(select(Message.seq).where(Message.receipt_id == receipt_id)).scalar()
    if seq is None:
        raise NotFound(f"受領ID {receipt_id} の通知はありません", code="message_not_found")
    return seihon_document(store, issuer, classes, int(seq), recipient, specific_allowed=specific_allowed)


def record_download(store: Store, message_seq: int, recipient: str) -> None:
    """The recipient fetched its 正本: the first time is its receipt; every time is counted."""
    at = now()
    with store.write() as s:
        s.execute(update(ZeiSeihon).where(ZeiSeihon.message_seq == message_seq, ZeiSeihon.system_id == recipient,
                                          ZeiSeihon.downloaded_at.is_(None)).values(downloaded_at=at))
        s.execute(update(ZeiSeihon).where(ZeiSeihon.message_seq == message_seq, ZeiSeihon.system_id == recipient)
                  .values(downloads=ZeiSeihon.downloads + 1))
