"""The accept-time rules of 住民異動通知: what the schema alone cannot express.

Before the store: every coded field is on its code list (1004). In the accept transaction, for a
whole group at once: a 異動 dated before the latest recorded one for the same resident is refused
(1010), and accepted ones are projected into ``resident_versions``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, func, select

from broker.accept import Pending
from broker.errors import CodeUnknown, HubError, Stale
from broker.keyset import keyed
from broker.models import table_of
from broker.services.jumin.projection import ResidentVersion, version_row
from vocab import codelists

_VERSIONS = table_of(ResidentVersion)
# The latest 異動日 per resident of a group, built once (the writer runs it for every group). Grouped
# by 宛名番号 first: grouped by 団体コード first, SQLite walks every row of the town in the order of
# another index (ix_resident_versions_setai) rather than looking each resident up.
_LATEST = keyed(lambda where: select(_VERSIONS.c.lg_code, _VERSIONS.c.atena_no, func.max(_VERSIONS.c.valid_from))
                .where(where).group_by(_VERSIONS.c.atena_no, _VERSIONS.c.lg_code),
                _VERSIONS.c.lg_code, _VERSIONS.c.atena_no)


def subject_key(ido: dict[str, Any]) -> str:
    """宛名番号: one resident's changes reach each destination in accept order."""
    return str(ido["jumin"]["shikibetsu"]["atenaNo"])


def check_codes(ido: dict[str, Any]) -> None:
    """Every coded field must be on its code list; the error names the list and the value."""
    jumin = ido["jumin"]
    checks = [
        ("ido_jiyu", ido.get("idoJiyu"), "ido.idoJiyu"),
        ("ido_jiyu", jumin.get("jotai", {}).get("idoJiyu"), "ido.jumin.jotai.idoJiyu"),
        ("seibetsu", jumin.get("zokusei", {}).get("seibetsu"), "ido.jumin.zokusei.seibetsu"),
        ("zokugara", jumin.get("zokusei", {}).get("zokugara"), "ido.jumin.zokusei.zokugara"),
    ]
    for list_name, value, where in checks:
        if value is None:
            continue
        try:
            codelists.load(list_name).label(str(value))
        except ValueError as exc:
            raise CodeUnknown(f"{where}: {exc}") from exc


def ido_category(ido: dict[str, Any]) -> str | None:
    """増 / 減 / 変更 of the 異動事由, for subscriptions that want only some."""
    try:
        return codelists.load("ido_jiyu").category(str(ido["idoJiyu"]))
    except (KeyError, ValueError):
        return None


def facts(lg_code: str, ido: dict[str, Any]) -> dict[str, str]:
    return {"lg_code": lg_code, "atena_no": subject_key(ido), "ido_date": str(ido["idoDate"])}


class JuminRules:
    """Stale 異動日 refused, accepted 異動 projected; one query per group."""

    def refusals(self, conn: Connection, items: list[Pending]) -> dict[int, HubError]:
        keys = {(p.derived.facts["lg_code"], p.derived.facts["atena_no"]) for p in items}
        latest: dict[tuple[str, str], str] = {
            (lg, atena): day for lg, atena, day in _LATEST.run(conn, keys)
        }
        refused: dict[int, HubError] = {}
        for k, p in enumerate(items):
            f = p.derived.facts
            key = (f["lg_code"], f["atena_no"])
            day = latest.get(key)
            if day is not None and f["ido_date"] < day:
                refused[k] = Stale(f"異動日 {f['ido_date']} は宛名番号 {f['atena_no']} の最新の異動日 {day} より前です")
            else:
                latest[key] = max(day or "", f["ido_date"])
        return refused

    def rows(self, accepted: list[tuple[Pending, int]]) -> list[tuple[Table, list[dict[str, Any]]]]:
        return [(_VERSIONS, [
            version_row(p.derived.facts["lg_code"], p.derived.facts["atena_no"], p.derived.facts["ido_date"],
                        p.envelope.body["ido"], seq)
            for p, seq in accepted])]
