"""The employer's 照会: its own notices (通知一覧照会) and one signed 正本 (正本取得).

Who the caller is, as an employer, is the set of 指定番号 it subscribed to for 特別徴収税額通知; a
caller with none sees nothing. Both queries answer only from the caller's own notices.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from broker.models import Subscription
from broker.service import QueryContext
from broker.services.zei import issuing, notices

SERVICE = "zei"
NOTIFY = "ZeigakuTsuchi"


def shitei_nos_of(ctx: QueryContext) -> set[str]:
    """The 指定番号 the calling system is registered for."""
    with ctx.store.read() as s:
        rows = s.execute(select(Subscription.categories).where(
            Subscription.system_id == ctx.caller.id, Subscription.service == SERVICE,
            Subscription.operation.in_([NOTIFY, "*"]), Subscription.active.is_(True))).scalars()
        return {str(c) for cats in rows if cats for c in cats}


def tsuchi_ichiran(ctx: QueryContext, fields: dict[str, Any]) -> dict[str, Any]:
    nendo = int(fields["nendo"]) if fields.get("nendo") not in (None, "") else None
    own = shitei_nos_of(ctx)
    with ctx.store.read() as s:
        return {"entry": notices.list_for(s, ctx.lg_code, own, nendo)}


def seihon_shutoku(ctx: QueryContext, fields: dict[str, Any], issuer: issuing.Issuer,
                   classes: issuing.Redactor) -> dict[str, Any]:
    document = fetch_seihon(ctx, str(fields["receiptId"]), issuer, classes)
    return {"receiptId": str(fields["receiptId"]), "seihon": document}


def fetch_seihon(ctx: QueryContext, receipt_id: str, issuer: issuing.Issuer, classes: issuing.Redactor) -> bytes:
    """The caller's signed 正本 (3003 unless the notice is the caller's own), recorded as downloaded."""
    own = shitei_nos_of(ctx)
    with ctx.store.read() as s:
        seq = notices.own_notice(s, ctx.lg_code, receipt_id, own)
    # the 正本 is one document per recipient: 個人番号 in it only for an employer registered for it
    document = issuing.seihon_document(ctx.store, issuer, classes, seq, ctx.caller.id,
                                       specific_allowed=ctx.caller.bango_riyo)
    issuing.record_download(ctx.store, seq, ctx.caller.id)
    return document
