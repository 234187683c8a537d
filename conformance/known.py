"""What the provider under test is known to hold: records the kit seeded, or ones the vendor named.

The kit seeds its own residents (fresh 宛名番号 each run) through 住民異動通知 when the product accepts
them, because 照会 and 異動一覧 can only be judged against data whose history the kit knows. A product
that does not accept 異動通知 is run with ``--atena-no`` / ``--setai-no`` naming existing records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from conformance.client import KitClient
from conformance.contract import NS_JUMIN
from conformance.options import KitOptions
from conformance.samples import Resident, days_ago, fresh_resident, ido_ichiran, ido_tsuchi

J = f"{{{NS_JUMIN}}}"
EPOCH = "1970-01-01T00:00:00+09:00"


@dataclass
class KnownData:
    atena_no: str
    setai_no: str
    since: str
    seeded: bool
    receipts: list[str] = field(default_factory=list)  # seeded, in send order
    same_subject: list[str] = field(default_factory=list)  # receipts of one resident, in send order
    missing_atena_no: str = ""
    missing_setai_no: str = ""


def _missing(prefix: str) -> str:
    return prefix + "".join(random.SystemRandom().choice("0123456789") for _ in range(14))


def _seed(options: KitOptions, client: KitClient) -> tuple[Resident, list[str], list[str]] | None:
    first = fresh_resident(options.lg_code)
    partner = Resident(fresh_resident(options.lg_code).atena_no, first.setai_no, options.lg_code,
                       shimei="木曽 花子")
    moved = Resident(first.atena_no, first.setai_no, options.lg_code, banchi="252")
    plan = [(first, "10", days_ago(3)), (moved, "30", days_ago(2)), (partner, "10", days_ago(2))]
    receipts, accepted = [], []
    for res, jiyu, when in plan:
        reply = client.soap("IdoTsuchi", ido_tsuchi(res, jiyu, when),
                            header=client.header("IdoTsuchi", subject_key=res.atena_no),
                            label="準備: 住民異動通知で照会用の住民を登録")
        if reply.fault is not None or reply.body is None:
            return None
        receipts.append(reply.body.findtext(J + "receiptId") or "")
        accepted.append(reply.body.findtext(J + "acceptedAt") or "")
    return first, receipts, accepted


def _since(accepted: list[str]) -> str:
    try:
        earliest = min(datetime.fromisoformat(a) for a in accepted)
    except ValueError:
        return EPOCH
    return (earliest - timedelta(seconds=1)).isoformat()


def _discover(client: KitClient) -> tuple[str, str] | None:
    reply = client.soap("IdoIchiranShokai", ido_ichiran(since=EPOCH, page_size=1),
                        label="準備: 異動一覧から既存の住民を探す")
    if reply.body is None:
        return None
    atena = reply.body.findtext(f"{J}entry/{J}ido/{J}jumin/{J}shikibetsu/{J}atenaNo")
    setai = reply.body.findtext(f"{J}entry/{J}ido/{J}jumin/{J}shikibetsu/{J}setaiNo")
    return (atena, setai) if atena and setai else None


def establish(options: KitOptions, client: KitClient) -> KnownData:
    seeded = _seed(options, client) if options.seed else None
    missing_atena, missing_setai = _missing("7"), _missing("6")
    if seeded is not None:
        res, receipts, accepted = seeded
        return KnownData(options.atena_no or res.atena_no, options.setai_no or res.setai_no,
                         _since(accepted), True, receipts, receipts[:2], missing_atena, missing_setai)
    atena, setai = options.atena_no, options.setai_no
    if not (atena and setai):
        found = _discover(client)
        atena, setai = (atena or (found[0] if found else "0")), (setai or (found[1] if found else "0"))
    return KnownData(atena, setai, EPOCH, False, missing_atena_no=missing_atena,
                     missing_setai_no=missing_setai)
