"""``chipla bench opendata``: 地域・年齢別人口 for a town and for a large city — counting the residents
and suppressing small cells — beside a baseline measured in the same run: the same counting with
primary suppression only (hide 1–2, nothing else). The ratio is the price of making suppressed cells
unrecoverable."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from adapters.outbound.opendata import population
from adapters.outbound.opendata.suppression import suppress
from mappings.opendata.rows import Town
from vocab.address import Oaza, OazaList

TOWN = Town("243035", "三重県", "木曽岬町")
AS_OF = date(2026, 10, 1)


@dataclass
class Result:
    residents: int
    regions: int
    hidden_primary: int
    hidden: int
    baseline_seconds: float
    seconds: float


def _records(residents: int, regions: list[str], seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    weights = [rng.random() ** 3 for _ in regions]  # some regions tiny, some large: many small cells
    homes = rng.choices(regions, weights, k=residents)
    return [{"jusho": {"oaza": home}, "shikibetsu": {"setaiNo": str(rng.randrange(residents // 2 + 1))},
             "zokusei": {"seibetsu": rng.choice("12"),
                         "birthDate": (date(1925, 1, 1) + timedelta(days=rng.randrange(365 * 100))).isoformat()},
             "jotai": {"juminJotai": "1"}} for home in homes]


def measure(residents: int, regions: int, seed: int = 1) -> Result:
    names = [f"地区{n:04d}" for n in range(regions)]
    oaza = OazaList(Oaza(name, "", None) for name in names)
    records = _records(residents, names, seed)
    original = population.suppress
    try:
        population.suppress = lambda values, lines, floor=3: {k for k, v in values.items() if 0 < v < floor}
        started = time.perf_counter()
        baseline = population.count_population(records, TOWN, oaza, AS_OF)
        baseline_seconds = time.perf_counter() - started
    finally:
        population.suppress = original
    started = time.perf_counter()
    table = population.count_population(records, TOWN, oaza, AS_OF)
    seconds = time.perf_counter() - started
    assert table.hidden >= baseline.hidden and suppress is original
    return Result(residents, regions, len(baseline.hidden), len(table.hidden), baseline_seconds, seconds)


def run(sizes: list[tuple[int, int]]) -> list[Result]:
    results = [measure(residents, regions) for residents, regions in sizes]
    print(f"{'residents':>10} {'regions':>7} {'cells':>7} {'hidden 1-2':>10} {'hidden':>7} "
          f"{'baseline s':>10} {'suppressed s':>12} {'ratio':>6}")
    for r in results:
        cells = (r.regions + 1) * 40
        print(f"{r.residents:>10,} {r.regions:>7} {cells:>7,} {r.hidden_primary:>10,} {r.hidden:>7,} "
              f"{r.baseline_seconds:>10.2f} {r.seconds:>12.2f} {r.seconds / r.baseline_seconds:>6.1f}")
    return results
