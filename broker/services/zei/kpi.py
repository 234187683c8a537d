"""特別徴収税額通知 電子化率, from hub data.

For one 年度 of one town: every accepted notice counts once (a 変更 is a notice of its own). A notice
is *electronic* when its employer was reachable electronically — it has a delivery to the employer's
endpoint, or its employer is registered to download (``download_addressees``) — and *paper*
otherwise. 電子化率 = electronic ÷ all. Of the electronic ones, 受領率 = those already received
(delivered or downloaded) ÷ electronic.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.models import Delivery
from broker.registry import Snapshot
from broker.services.zei.models import ZeiNotice
from broker.services.zei.notices import DELIVERED, DOWNLOADED, FAILED, PENDING, statuses
from broker.services.zei.queries import NOTIFY, SERVICE


def download_addressees(snapshot: Snapshot, lg_code: str) -> set[str]:
    """指定番号 of the town's employers registered to fetch their notices (subscribed, no endpoint)."""
    return {str(c) for sub in snapshot.subscriptions
            if sub.service == SERVICE and sub.operation in (NOTIFY, "*")
            and (system := snapshot.systems.get(sub.system_id)) is not None and system.active
            and system.lg_code == lg_code and not system.endpoint_url
            for c in (sub.categories or ())}


def denshika(s: Session, lg_code: str, nendo: int, download_addressees: Collection[str]) -> dict[str, Any]:
    rows = s.execute(select(ZeiNotice.message_seq, ZeiNotice.shitei_no)
                     .where(ZeiNotice.lg_code == lg_code, ZeiNotice.nendo == nendo)).all()
    seqs = [r.message_seq for r in rows]
    pushed = set(s.execute(select(Delivery.message_seq).where(Delivery.message_seq.in_(seqs))).scalars()) \
        if seqs else set()
    status = statuses(s, seqs)
    counts = {DELIVERED: 0, DOWNLOADED: 0, PENDING: 0, FAILED: 0, "paper": 0}
    for r in rows:
        reachable = r.message_seq in pushed or r.shitei_no in download_addressees or \
            status[r.message_seq] == DOWNLOADED
        counts[status[r.message_seq] if reachable else "paper"] += 1
    total = len(rows)
    electronic = total - counts["paper"]
    received = counts[DELIVERED] + counts[DOWNLOADED]
    return {"lgCode": lg_code, "nendo": nendo, "notices": total, "electronic": electronic,
            "paper": counts["paper"], "delivered": counts[DELIVERED], "downloaded": counts[DOWNLOADED],
            "pending": counts[PENDING], "failed": counts[FAILED],
            "denshikaRitsu": round(electronic / total, 4) if total else None,
            "juryoRitsu": round(received / electronic, 4) if electronic else None}
