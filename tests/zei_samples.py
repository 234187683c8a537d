"""Test helpers for the 個人住民税 service: a throw-away CA with the town's certificate, and notices."""

from __future__ import annotations

from typing import Any

from broker.services.zei import getsugaku
from chipla.pki import Issued, certification_authority, organisation_certificate


def town_pki() -> tuple[Issued, Issued]:
    """(CA, town certificate issued by it), fresh keys each call."""
    ca = certification_authority()
    return ca, organisation_certificate(ca)


def employee(atena_no: str, nenzeigaku: int, *, kojin_bango: str | None = None) -> dict[str, Any]:
    person: dict[str, Any] = {"atenaNo": atena_no, "shimei": f"木曽 {atena_no}", "nenzeigaku": nenzeigaku,
                              "getsugaku": [{"tsuki": m, "gaku": g} for m, g in
                                            zip(getsugaku.COLLECTION_MONTHS, getsugaku.split(nenzeigaku),
                                                strict=True)]}
    if kojin_bango:
        person["kojinBango"] = kojin_bango
    return person


def tsuchi(shitei_no: str = "20260001", amounts: tuple[int, ...] = (123456, 98700), nendo: int = 2026,
           kubun: str = "1") -> dict[str, Any]:
    people = [employee(str(5000 + k), a, kojin_bango=f"{123456789000 + k:012d}") for k, a in enumerate(amounts)]
    return {"tsuchiKubun": kubun, "nendo": nendo, "lgCode": "243035", "tsuchiDate": f"{nendo}-05-15",
            "tokuchoGimusha": {"shiteiNo": shitei_no, "meisho": "株式会社木曽岬製作所"},
            "nozeiGimusha": people, "gokeiGaku": sum(amounts)}
