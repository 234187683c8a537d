"""Realistic sample 異動 for 木曽岬町 residents (made-up people, real 大字 and postcodes).

Names include variant kanji that are registered as such (髙橋, 山﨑, 渡邊, 齋藤) next to their common
forms, and no 外字: every character here is in Unicode without the private-use area.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from broker.clock import now
from vocab.address import OazaList

LG_CODE = "243035"
FAMILY = [("伊藤", "イトウ"), ("加藤", "カトウ"), ("水谷", "ミズタニ"), ("服部", "ハットリ"), ("佐藤", "サトウ"),
          ("森", "モリ"), ("近藤", "コンドウ"), ("髙橋", "タカハシ"), ("高橋", "タカハシ"), ("山﨑", "ヤマザキ"),
          ("山崎", "ヤマザキ"), ("渡邊", "ワタナベ"), ("齋藤", "サイトウ"), ("日比野", "ヒビノ"), ("平野", "ヒラノ"),
          ("大橋", "オオハシ"), ("早川", "ハヤカワ"), ("鈴木", "スズキ")]
GIVEN_M = [("太郎", "タロウ"), ("翔太", "ショウタ"), ("蓮", "レン"), ("大輔", "ダイスケ"), ("健一", "ケンイチ"),
           ("悠真", "ユウマ"), ("茂", "シゲル"), ("勝", "マサル")]
GIVEN_F = [("花子", "ハナコ"), ("陽菜", "ヒナ"), ("結衣", "ユイ"), ("美咲", "ミサキ"), ("由美子", "ユミコ"),
           ("さくら", "サクラ"), ("千代子", "チヨコ"), ("葵", "アオイ")]
# 異動事由 codes of vocab's ido_jiyu list with rough weights of how often a town sees them
IDO_MIX = [("10", 20), ("20", 15), ("30", 25), ("11", 8), ("21", 8), ("32", 6), ("31", 10), ("35", 3)]


@dataclass
class Person:
    atena_no: str
    setai_no: str
    family: tuple[str, str]
    given: tuple[str, str]
    seibetsu: str
    birth: date
    zokugara: str
    oaza: Any
    banchi: str
    kojin_bango: str


class SampleTown:
    """A deterministic stream of residents and their changes (seeded)."""

    def __init__(self, seed: int = 243035, start_atena: int = 100000001) -> None:
        self.rng = random.Random(seed)
        self.oaza = list(OazaList.load())
        self.next_atena = start_atena
        self.people: list[Person] = []
        self.day = date(2026, 4, 1)

    def _person(self) -> Person:
        rng = self.rng
        seibetsu = rng.choice("12")
        given = rng.choice(GIVEN_M if seibetsu == "1" else GIVEN_F)
        atena = str(self.next_atena)
        self.next_atena += 1
        p = Person(
            atena_no=atena, setai_no=str(200000000 + int(atena) % 100000000 // 2 + 1),
            family=rng.choice(FAMILY), given=given, seibetsu=seibetsu,
            birth=date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 84)),
            zokugara="01" if int(atena) % 2 else rng.choice(["02", "03", "10"]),
            oaza=rng.choice(self.oaza), banchi=str(rng.randrange(1, 2400)),
            kojin_bango="".join(rng.choice("0123456789") for _ in range(12)),
        )
        self.people.append(p)
        return p

    def record(self, p: Person, ido_jiyu: str, ido_date: date) -> dict[str, Any]:
        jotai = {"20": "2", "21": "3"}.get(ido_jiyu, "1")
        return {
            "shikibetsu": {"atenaNo": p.atena_no, "kojinBango": p.kojin_bango, "setaiNo": p.setai_no,
                           "lgCode": LG_CODE},
            "jotai": {"juminShubetsu": "1", "juminJotai": jotai, "idoJiyu": ido_jiyu,
                      "idoDate": ido_date.isoformat(), "todokedeDate": ido_date.isoformat()},
            "shimei": {"shimei": f"{p.family[0]}　{p.given[0]}", "shimeiKana": f"{p.family[1]}　{p.given[1]}"},
            "zokusei": {"birthDate": p.birth.isoformat(), "seibetsu": p.seibetsu, "zokugara": p.zokugara},
            "jusho": {"postcode": p.oaza.postcode, "prefecture": "三重県", "city": "桑名郡木曽岬町",
                      "oaza": p.oaza.name, "banchi": p.banchi},
            "honseki": {"honseki": f"三重県桑名郡木曽岬町大字{p.oaza.name}{p.banchi}番地",
                        "hittosha": f"{p.family[0]}　{p.given[0]}"},
        }

    def tennyu(self) -> dict[str, Any]:
        """A 転入 of a new resident (no ordering constraint with any other change)."""
        p = self._person()
        return {"idoJiyu": "10", "idoDate": self.day.isoformat(), "todokedeDate": self.day.isoformat(),
                "jumin": self.record(p, "10", self.day)}

    def next_ido(self) -> dict[str, Any]:
        """The next change: a new resident (転入/出生) or a change to a known one."""
        codes, weights = zip(*IDO_MIX, strict=True)
        code = self.rng.choices(codes, weights)[0]
        self.day += timedelta(days=self.rng.choice([0, 0, 1]))
        if code in ("10", "11") or not self.people:
            code = code if code in ("10", "11") else "10"
            p = self._person()
            if code == "11":
                p.birth = self.day
        else:
            p = self.rng.choice(self.people)
            if code == "30":
                p.oaza, p.banchi = self.rng.choice(self.oaza), str(self.rng.randrange(1, 2400))
            elif code == "32":
                p.family = self.rng.choice(FAMILY)
            elif code in ("20", "21"):
                self.people.remove(p)
        return {"idoJiyu": code, "idoDate": self.day.isoformat(), "todokedeDate": self.day.isoformat(),
                "jumin": self.record(p, code, self.day)}


def header(sender: str, lg_code: str = LG_CODE, message_id: str | None = None) -> dict[str, str]:
    return {"messageId": message_id or str(uuid.uuid4()), "sentAt": now().isoformat(), "lgCode": lg_code,
            "senderSystemId": sender, "service": "jumin", "operation": "IdoTsuchi", "specVersion": "1.0",
            "operatorId": "kisosaki-0001"}
