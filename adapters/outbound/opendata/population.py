"""地域・年齢別人口 from the hub's canonical resident records: residents registered (住民状態 1) on a
date, by 大字 × 5-year age band × sex, with 世帯数, and the small cells suppressed.

Only counts leave this module; names, addresses and dates of birth are read to count and dropped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from adapters.outbound.opendata.suppression import Line, suppress
from broker.services.jumin.projection import ResidentVersion
from broker.store import Store
from mappings.opendata.rows import Town
from vocab.address import OazaList

__all__ = ["BANDS", "SUPPRESSED", "PopulationTable", "count_population", "population_rows", "residents_as_of"]

BANDS = [f"{a}-{a + 4}歳" for a in range(0, 85, 5)] + ["85歳以上"]
SEXES = {"1": "男性", "2": "女性"}
SUPPRESSED = "X"
OTHER = "その他（大字不明）"


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _band(age: int) -> str:
    return BANDS[min(age // 5, len(BANDS) - 1)]


def residents_as_of(store: Store, lg_code: str, as_of: date) -> list[dict[str, Any]]:
    """The newest record of each resident on ``as_of`` who is registered (住民状態 1) then."""
    ranked = select(ResidentVersion.record, func.row_number().over(
        partition_by=ResidentVersion.atena_no,
        order_by=(ResidentVersion.valid_from.desc(), ResidentVersion.message_seq.desc())).label("rank")
    ).where(ResidentVersion.lg_code == lg_code, ResidentVersion.valid_from <= as_of.isoformat()).subquery()
    with store.read() as s:
        records = s.execute(select(ranked.c.record).where(ranked.c.rank == 1)).scalars().all()
    return [r for r in records if r.get("jotai", {}).get("juminJotai") == "1"]


@dataclass
class PopulationTable:
    regions: list[str]  # 大字 in the town's order, then the town itself (the column totals)
    columns: list[str]  # "0-4歳の男性", … , "男性", "女性", "総人口", "世帯数"
    values: dict[tuple[str, str], int]
    hidden: set[tuple[str, str]]
    lines: list[Line]

    def shown(self, region: str, column: str) -> str:
        key = (region, column)
        return SUPPRESSED if key in self.hidden else str(self.values[key])


def count_population(records: list[dict[str, Any]], town: Town, oaza: OazaList, as_of: date,
                     floor: int = 3) -> PopulationTable:
    cells: Counter[tuple[str, str]] = Counter()
    households: dict[str, set[str]] = {}
    names = [o.name for o in oaza]
    for r in records:
        sex = SEXES.get(str(r.get("zokusei", {}).get("seibetsu")))
        birth = r.get("zokusei", {}).get("birthDate")
        if sex is None or not birth:
            continue
        region = r.get("jusho", {}).get("oaza")
        region = region if region in names else OTHER
        cells[(region, f"{_band(_age(date.fromisoformat(birth), as_of))}の{sex}")] += 1
        households.setdefault(region, set()).add(str(r.get("shikibetsu", {}).get("setaiNo")))
    regions = names + ([OTHER] if any(k[0] == OTHER for k in cells) else [])
    band_columns = [f"{b}の{s}" for b in BANDS for s in ("男性", "女性")]
    columns = band_columns + ["男性", "女性", "総人口", "世帯数"]
    values: dict[tuple[str, str], int] = {}
    lines: list[Line] = []
    for region in regions:
        for c in band_columns:
            values[(region, c)] = cells[(region, c)]
        for sex in ("男性", "女性"):
            members = tuple((region, c) for c in band_columns if c.endswith(f"の{sex}"))
            values[(region, sex)] = sum(values[m] for m in members)
            lines.append(Line((region, sex), members))
        values[(region, "総人口")] = values[(region, "男性")] + values[(region, "女性")]
        lines.append(Line((region, "総人口"), ((region, "男性"), (region, "女性"))))
        values[(region, "世帯数")] = len(households.get(region, ()))
    for c in columns:
        values[(town.city, c)] = sum(values[(r, c)] for r in regions)
        lines.append(Line((town.city, c), tuple((r, c) for r in regions)))
    for sex in ("男性", "女性"):
        lines.append(Line((town.city, sex), tuple((town.city, c) for c in band_columns if c.endswith(f"の{sex}"))))
    lines.append(Line((town.city, "総人口"), ((town.city, "男性"), (town.city, "女性"))))
    return PopulationTable(regions + [town.city], columns, values, suppress(values, lines, floor), lines)


def population_rows(table: PopulationTable, town: Town, as_of: date, header: list[str]) -> list[list[str]]:
    """Rows in the template's column order (by name: the template and our columns share names)."""
    out = []
    for region in table.regions:
        whole = region == town.city
        row = {"都道府県コード又は市区町村コード": town.lg_code, "地域コード": town.lg_code if whole else "",
               "都道府県名": town.prefecture, "市区町村名": town.city, "調査年月日": as_of.isoformat(),
               "地域名": region, "備考": "町全体" if whole else ""}
        row.update({c: table.shown(region, c) for c in table.columns})
        out.append([row.get(h, "") for h in header])
    return out
