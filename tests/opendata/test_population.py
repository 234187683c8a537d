"""地域・年齢別人口: counted from the canonical resident records as of a date, with small cells
suppressed so that an attacker holding the published table cannot work any of them out again."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from adapters.outbound.opendata.population import BANDS, count_population, population_rows, residents_as_of
from adapters.outbound.opendata.tabular import csv_bytes
from broker.clock import JST
from broker.models import Message
from broker.services.jumin.projection import ResidentVersion
from broker.store import Store
from mappings.opendata.rows import Town
from mappings.opendata.templates import template
from simulators.samples import SampleTown
from tests.support import sqlite_url
from vocab.address import OazaList

TOWN = Town("243035", "三重県", "木曽岬町")
AS_OF = date(2026, 10, 1)
TPL = template("地域・年齢別人口")
BAND_COLUMNS = [f"{b}の{s}" for b in BANDS for s in ("男性", "女性")]


def _records(n: int, seed: int) -> list[dict[str, Any]]:
    town = SampleTown(seed=seed)
    return [town.tennyu()["jumin"] for _ in range(n)]


def _published(records: list[dict[str, Any]], floor: int = 3) -> tuple[list[dict[str, str]], Any]:
    table = count_population(records, TOWN, OazaList.load(), AS_OF, floor)
    data = csv_bytes(list(TPL.columns), population_rows(table, TOWN, AS_OF, list(TPL.columns)))
    return list(csv.DictReader(io.StringIO(data.decode()))), table


Cell = tuple[str, str]  # (地域名, column)


def _equations(rows: list[dict[str, str]]) -> list[tuple[Cell, list[Cell]]]:
    """What anyone reading the table knows: the totals are sums (by row, by column, 男+女)."""
    regions = [r["地域名"] for r in rows]
    town = regions[-1]
    eqs: list[tuple[Cell, list[Cell]]] = []
    for region in regions:
        for sex in ("男性", "女性"):
            eqs.append(((region, sex), [(region, c) for c in BAND_COLUMNS if c.endswith(sex)]))
        eqs.append(((region, "総人口"), [(region, "男性"), (region, "女性")]))
    for column in [*BAND_COLUMNS, "男性", "女性", "総人口", "世帯数"]:
        eqs.append(((town, column), [(r, column) for r in regions[:-1]]))
    return eqs


def attack(rows: list[dict[str, str]]) -> dict[tuple[str, str], Fraction]:
    """Every hidden cell the published equations pin down, with its value (exact Gaussian elimination)."""
    value = {(r["地域名"], c): r[c] for r in rows for c in [*BAND_COLUMNS, "男性", "女性", "総人口", "世帯数"]}
    unknown = sorted(k for k, v in value.items() if v == "X")
    index = {k: i for i, k in enumerate(unknown)}
    matrix = []
    for total, members in _equations(rows):
        row = [Fraction(0)] * (len(unknown) + 1)
        for key, sign in [(total, -1), *((m, 1) for m in members)]:
            if key in index:
                row[index[key]] += sign
            else:
                row[-1] -= sign * int(value[key])
        if any(row[:-1]):
            matrix.append(row)
    pivot_of: dict[int, list[Fraction]] = {}
    r = 0
    for col in range(len(unknown)):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        matrix[r] = [x / matrix[r][col] for x in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][col] != 0:
                factor = matrix[i][col]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivot_of[col] = matrix[r]
        r += 1
    return {unknown[col]: row[-1] for col, row in pivot_of.items()
            if sum(1 for x in row[:-1] if x != 0) == 1}


@pytest.mark.parametrize("people, seed", [(150, 1), (600, 2), (2500, 3)])
def test_no_small_cell_is_shown_and_none_can_be_recovered(people: int, seed: int) -> None:
    rows, table = _published(_records(people, seed))
    shown = [int(r[c]) for r in rows for c in [*BAND_COLUMNS, "男性", "女性", "総人口", "世帯数"] if r[c] != "X"]
    assert all(v == 0 or v >= 3 for v in shown)
    assert any(r[c] == "X" for r in rows for c in BAND_COLUMNS)
    assert attack(rows) == {}
    assert rows[-1]["地域名"] == "木曽岬町" and rows[-1]["調査年月日"] == "2026-10-01"
    assert int(rows[-1]["総人口"]) == table.values[("木曽岬町", "総人口")] == people


def test_the_attack_works_on_primary_suppression_alone() -> None:
    """The attacker is real: with only the 1–2 cells hidden it recovers them, exactly."""
    rows, table = _published(_records(300, 4))
    primary = [{k: ("X" if k in BAND_COLUMNS and 0 < table.values[(r["地域名"], k)] < 3 else
                    (str(table.values[(r["地域名"], k)]) if k in BAND_COLUMNS else v)) for k, v in r.items()}
               for r in rows]
    recovered = attack(primary)
    assert recovered
    for key, found in recovered.items():
        assert found == table.values[key]


def _store(tmp_path: Path) -> Store:
    store = Store(sqlite_url(tmp_path))
    store.migrate()
    return store


def _insert(store: Store, versions: list[tuple[str, dict[str, Any]]]) -> None:
    with store.write() as s:
        for valid_from, record in versions:
            seq = s.execute(insert(Message).values(
                receipt_id=str(uuid.uuid4()), message_id=str(uuid.uuid4()), sender_system_id="juki", lg_code="243035",
                service="jumin", operation="IdoTsuchi", subject_key=record["shikibetsu"]["atenaNo"], transport="rest",
                content_type="application/json", original=b"{}", original_sha256="0" * 64, content_sha256="0" * 64,
                envelope={}, canonical={}, accepted_at=datetime(2026, 4, 1, tzinfo=JST),
            ).returning(Message.seq)).scalar_one()
            s.execute(insert(ResidentVersion).values(
                lg_code="243035", atena_no=record["shikibetsu"]["atenaNo"], setai_no=record["shikibetsu"]["setaiNo"],
                valid_from=valid_from, message_seq=seq, record=record))


def test_counted_from_resident_versions_as_of_a_date(tmp_path: Path) -> None:
    town = SampleTown(seed=7)
    people = [town.tennyu()["jumin"] for _ in range(3)]
    moved = {**people[0], "jusho": {**people[0]["jusho"], "oaza": "栄"}}
    left = {**people[1], "jotai": {**people[1]["jotai"], "juminJotai": "2"}}
    store = _store(tmp_path)
    try:
        _insert(store, [("2026-04-01", p) for p in people] + [("2026-06-01", moved), ("2026-12-01", left)])
        now = residents_as_of(store, "243035", AS_OF)
        assert sorted(r["shikibetsu"]["atenaNo"] for r in now) == sorted(p["shikibetsu"]["atenaNo"] for p in people)
        first = next(r for r in now if r["shikibetsu"]["atenaNo"] == people[0]["shikibetsu"]["atenaNo"])
        assert first["jusho"]["oaza"] == "栄"
        assert len(residents_as_of(store, "243035", date(2027, 1, 1))) == 2
        assert residents_as_of(store, "243035", date(2026, 3, 31)) == []
    finally:
        store.dispose()


def test_published_with_suppressed_cells_and_valid(tmp_path: Path) -> None:
    import frictionless

    from adapters.outbound.opendata.build import BuildOptions, build_site, default_town_folder

    store = _store(tmp_path)
    try:
        _insert(store, [("2026-04-01", r) for r in _records(200, 9)])
        build_site(default_town_folder(), tmp_path / "out", BuildOptions(
            now=datetime(2026, 11, 29, tzinfo=JST), as_of=AS_OF, store=store))
    finally:
        store.dispose()
    package = tmp_path / "out" / "population" / "v1" / "datapackage.json"
    report = frictionless.validate(str(package))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])
    rows = list(csv.DictReader(io.StringIO((package.parent / "243035_population.csv").read_text(encoding="utf-8"))))
    assert any(r[c] == "X" for r in rows for c in BAND_COLUMNS) and attack(rows) == {}
    assert rows[-1]["総人口"] == "200"
