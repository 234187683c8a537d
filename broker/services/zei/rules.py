"""The accept-time rules of 特別徴収税額通知, for a whole accept group at once.

Without the store: the amounts must agree (:mod:`getsugaku`, 1013). With it: per employer and 年度,
notices are taken in 通知日 order — one dated before the latest accepted notice of the same employer
and 年度 is refused (1010), so a late-arriving old notice can never replace a newer 変更. Accepted
notices are projected into ``zei_notices``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, func, select

from broker.errors import HubError, SenderError, Stale
from broker.keyset import keyed
from broker.models import table_of
from broker.services.zei import getsugaku
from broker.services.zei.models import ZeiNotice

_NOTICES = table_of(ZeiNotice)
_KEY = (_NOTICES.c.lg_code, _NOTICES.c.shitei_no, _NOTICES.c.nendo)
# The latest 通知日 per employer and 年度 of a group, built once (the writer runs it for every group).
# Grouped by 指定番号 first: grouped by 団体コード first, SQLite walks every notice of the town in the
# order of another index (ix_zei_notices_nendo) rather than looking each employer up.
_LATEST = keyed(lambda where: select(*_KEY, func.max(_NOTICES.c.tsuchi_date)).where(where)
                .group_by(_NOTICES.c.shitei_no, _NOTICES.c.nendo, _NOTICES.c.lg_code), *_KEY)


def subject_key(tsuchi: dict[str, Any]) -> str:
    """The 指定番号: every notice of one employer reaches it in accept order."""
    return str(tsuchi["tokuchoGimusha"]["shiteiNo"])


def check(tsuchi: dict[str, Any]) -> None:
    try:
        getsugaku.check(tsuchi)
    except getsugaku.AmountInconsistent as exc:
        raise SenderError(str(exc), code="amount_inconsistent") from exc


def facts(lg_code: str, tsuchi: dict[str, Any]) -> dict[str, Any]:
    return {"lg_code": lg_code, "shitei_no": subject_key(tsuchi), "nendo": int(tsuchi["nendo"]),
            "tsuchi_kubun": str(tsuchi["tsuchiKubun"]), "tsuchi_date": str(tsuchi["tsuchiDate"]),
            "employees": len(tsuchi["nozeiGimusha"])}


class ZeiRules:
    def refusals(self, conn: Connection, items: list[Any]) -> dict[int, HubError]:
        keys = {(p.derived.facts["lg_code"], p.derived.facts["shitei_no"], p.derived.facts["nendo"]) for p in items}
        latest: dict[tuple[str, str, int], str] = {
            (lg, shitei, nendo): day for lg, shitei, nendo, day in _LATEST.run(conn, keys)
        }
        refused: dict[int, HubError] = {}
        for k, p in enumerate(items):
            f = p.derived.facts
            key = (f["lg_code"], f["shitei_no"], f["nendo"])
            day = latest.get(key)
            if day is not None and f["tsuchi_date"] < day:
                refused[k] = Stale(f"通知日 {f['tsuchi_date']} は指定番号 {f['shitei_no']} の {f['nendo']} 年度の"
                                   f"最新の通知日 {day} より前です")
            else:
                latest[key] = max(day or "", f["tsuchi_date"])
        return refused

    def rows(self, accepted: list[tuple[Any, int]]) -> list[tuple[Table, list[dict[str, Any]]]]:
        return [(_NOTICES, [{"message_seq": seq, **p.derived.facts} for p, seq in accepted])]
