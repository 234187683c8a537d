"""Sample 特別徴収税額通知 of 木曽岬町 for the demo and the tests: made-up employers and employees.

Employers (特別徴収義務者) with how they take their notices at the hub:

- 20260001 株式会社木曽岬製作所: its own SOAP endpoint (``SeihonTsuchi``);
- 20260002 有限会社西対海地運送: no endpoint; downloads its 正本 over REST with its own key;
- 20260003 木曽岬農園: not registered for electronic receipt (paper), counted in the 電子化率.

Amounts are whole hundreds of yen, as the 年税額 of 市町村民税 and 道府県民税 each are, and the
months follow the split rule of :mod:`broker.services.zei.getsugaku`.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from broker.clock import now
from broker.services.zei import getsugaku
from simulators.samples import FAMILY, GIVEN_F, GIVEN_M, LG_CODE


@dataclass(frozen=True)
class Employer:
    shitei_no: str
    meisho: str
    system_id: str | None  # registered system at the hub, None for an employer on paper
    receipt: str  # "soap" | "webhook" | "download" | "paper"


EMPLOYERS = (
    Employer("20260001", "株式会社木曽岬製作所", "tokucho-seisakusho", "soap"),
    Employer("20260002", "有限会社西対海地運送", "tokucho-unso", "download"),
    Employer("20260003", "木曽岬農園", None, "paper"),
)


def kojin_bango(rng: random.Random) -> str:
    """A 12-digit 個人番号 with a correct check digit (made-up, never a real person's)."""
    digits = [rng.randrange(10) for _ in range(11)]
    total = sum(d * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(reversed(digits), start=1))
    rest = total % 11
    check = 0 if rest <= 1 else 11 - rest
    return "".join(map(str, digits)) + str(check)


def employee(rng: random.Random, atena_no: str) -> dict[str, Any]:
    family = rng.choice(FAMILY)
    given = rng.choice(GIVEN_M + GIVEN_F)
    kenminzei = rng.randrange(20, 1200) * 100
    shichosonminzei = kenminzei * 3 // 2 // 100 * 100
    annual = kenminzei + shichosonminzei
    return {"atenaNo": atena_no, "kojinBango": kojin_bango(rng), "shimei": f"{family[0]}　{given[0]}",
            "shimeiKana": f"{family[1]}　{given[1]}", "jukyushaNo": f"E{rng.randrange(10**5):05d}",
            "shichosonminzei": shichosonminzei, "kenminzei": kenminzei, "nenzeigaku": annual,
            "getsugaku": [{"tsuki": m, "gaku": g}
                          for m, g in zip(getsugaku.COLLECTION_MONTHS, getsugaku.split(annual), strict=True)]}


def tsuchi(employer: Employer, nendo: int, rng: random.Random, *, employees: int = 3,
           first_atena: int = 300000, kubun: str = getsugaku.KETTEI) -> dict[str, Any]:
    """One employer's 決定 notice for ``nendo`` with ``employees`` people."""
    people = [employee(rng, str(first_atena + k)) for k in range(employees)]
    return {"tsuchiKubun": kubun, "nendo": nendo, "lgCode": LG_CODE,
            "tsuchiDate": date(nendo, 5, 15).isoformat(),
            "tokuchoGimusha": {"shiteiNo": employer.shitei_no, "meisho": employer.meisho},
            "nozeiGimusha": people, "gokeiGaku": sum(p["nenzeigaku"] for p in people)}


def header(sender: str, shitei_no: str, lg_code: str = LG_CODE, message_id: str | None = None) -> dict[str, str]:
    return {"messageId": message_id or str(uuid.uuid4()), "sentAt": now().isoformat(), "lgCode": lg_code,
            "senderSystemId": sender, "service": "zei", "operation": "ZeigakuTsuchi", "specVersion": "1.0",
            "operatorId": "kisosaki-zei-01", "subjectKey": shitei_no}
