"""``chipla bench import``: a town-sized register through the whole import path, against a baseline.

The file is generated: N synthetic residents of 木曽岬町 as a CP932 中間標準レイアウト CSV written the
way legacy systems write it — 和暦 birth dates (GYYMMDD), half-width カナ, full-width 番地 digits,
498-0807 postcodes, now and then a vendor 外字 — so the mapping does the work it does on real files.
Two numbers come from the same run on the same file: the baseline (decode + CSV parse, the least any
importer must do) and the import (mapping, 文字 handling, store in chunked transactions). Their
ratio is what to compare across machines; the absolute rate depends on the machine. The import runs
once per requested number of mapping processes (default: the import's default, then the other
way), each into a fresh store, so one run shows whether the worker processes pay on this machine.
"""

from __future__ import annotations

import cProfile
import csv
import io
import os
import pstats
import random
import resource
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import mappings
from adapters.inbound.files.pipeline import MAPPING_PROCESSES, ImportSummary, import_file
from broker.store import Store
from mappings.layout_catalog import csv_layout
from simulators.samples import FAMILY, GIVEN_F, GIVEN_M
from vocab.address import OazaList

LAYOUT = "chukan_jumin"
# the vendor 外字 of vocab/data/town_gaiji_map.csv that CP932 can carry (user-defined area F040…)
GAIJI = ["\ue001", "\ue003", "\ue004"]
ERAS = [(date(1926, 12, 25), 3), (date(1989, 1, 8), 4), (date(2019, 5, 1), 5)]


@dataclass(frozen=True)
class ImportRun:
    """One import of the file: with how many mapping processes, how long, what it did."""

    processes: int
    seconds: float
    summary: ImportSummary
    #: CPU seconds (user + system) of this process and of the mapping workers during the import
    cpu_self: float = 0.0
    cpu_workers: float = 0.0


@dataclass(frozen=True)
class BenchResult:
    rows: int
    baseline_seconds: float
    imports: list[ImportRun]

    @property
    def baseline_rate(self) -> float:
        return self.rows / self.baseline_seconds

    def rate(self, run: ImportRun) -> float:
        return self.rows / run.seconds

    def ratio(self, run: ImportRun) -> float:
        return self.rate(run) / self.baseline_rate

    @property
    def import_rate(self) -> float:
        """The rate of the first import (the default setting unless asked otherwise)."""
        return self.rate(self.imports[0])


def process_counts(spec: str) -> list[int]:
    """``default,other`` / ``0,2`` → mapping process counts; `default` is the import's own default."""
    other = 0 if MAPPING_PROCESSES else 2
    names = {"default": MAPPING_PROCESSES, "other": other}
    counts = [names[item] if item in names else int(item) for item in spec.split(",") if item.strip()]
    if not counts or any(count < 0 for count in counts):
        raise ValueError(f"mapping process counts must be 0 or more, got {spec!r}")
    return counts


def _wareki(day: date) -> str:
    """GYYMMDD with the 1-digit 年号 (3 昭和, 4 平成, 5 令和), as host systems store dates."""
    era_start, era = next((start, code) for start, code in reversed(ERAS) if day >= start)
    return f"{era}{day.year - era_start.year + 1:02d}{day.month:02d}{day.day:02d}"


def synthetic_csv(rows: int, seed: int = 243035) -> bytes:
    """`rows` residents as a CP932 CSV of layout csv.chukan_jumin (header included)."""
    import jaconv

    rng = random.Random(seed)
    oaza = list(OazaList.load())
    place, banchi = oaza[0], "1"
    layout = csv_layout(f"csv.{LAYOUT}")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(layout.columns)
    for n in range(rows):
        seibetsu = rng.choice("12")
        family, family_kana = rng.choice(FAMILY)
        given, given_kana = rng.choice(GIVEN_M if seibetsu == "1" else GIVEN_F)
        if rng.random() < 0.01:
            given = rng.choice(GAIJI) + given[1:]
        if n % 3 == 0:  # a household of three shares one address
            place, banchi = rng.choice(oaza), str(rng.randrange(1, 2400))
        birth = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 90))
        moved = date(2020, 1, 1) + timedelta(days=rng.randrange(0, 365 * 6))
        setai = 200000000 + n // 3
        writer.writerow(layout.complete({
            "団体コード": "243035", "宛名番号": str(100000000 + n), "世帯番号": str(setai),
            "住民票コード": str(rng.randrange(10**10, 10**11)),
            "個人番号": str(rng.randrange(10**11, 10**12)),
            "氏名": f"{family}\u3000{given}",
            "氏名カナ": jaconv.z2h(f"{family_kana} {given_kana}", kana=True, ascii=False, digit=False),
            "生年月日": _wareki(birth), "性別": seibetsu, "続柄": "02" if n % 3 else "01",
            "郵便番号": f"{place.postcode[:3]}-{place.postcode[3:]}" if place.postcode else "",
            "住所": f"三重県桑名郡木曽岬町大字{place.name}{jaconv.h2z(banchi, digit=True)}番地",
            "住民種別": "1", "住民状態": "1", "異動事由": "10", "異動年月日": moved.isoformat(),
            "届出年月日": moved.isoformat(),
        }).values())
    return buffer.getvalue().encode("cp932")


def baseline(path: Path) -> tuple[int, float]:
    """Rows and seconds to decode the file and parse it as CSV: the floor of any import."""
    started = time.perf_counter()
    text = path.read_bytes().decode("cp932")
    reader = csv.reader(io.StringIO(text))
    columns = next(reader)
    rows = sum(1 for values in reader if dict(zip(columns, values, strict=True)))
    return rows, time.perf_counter() - started


def run(rows: int = 100_000, *, db_url: str | None = None, profile: bool = False,
        workdir: Path | None = None, processes: list[int] | None = None) -> BenchResult:
    """Generate, measure the baseline, import once per process count into a fresh store."""
    folder = workdir or Path(tempfile.mkdtemp(prefix="chipla-bench-"))
    path = folder / "jumin.csv"
    path.write_bytes(synthetic_csv(rows))
    specs = mappings.registry()  # loaded once at start-up in the hub too; not part of the import
    counted, baseline_seconds = baseline(path)
    # a given database keeps what the first run stored: a second run would find only duplicates
    counts = (processes or [MAPPING_PROCESSES])[: 1 if db_url else None]
    runs = []
    for number, count in enumerate(counts):
        store = Store(db_url or f"sqlite:///{folder / f'bench-{number}.db'}")
        store.migrate()
        profiler = cProfile.Profile() if profile and number == 0 else None
        os.sync()  # the previous run's pages are written back now, not during this run
        try:
            cpu_before = _cpu()
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            summary = import_file(path, layout=LAYOUT, store=store, specs=specs, encoding="cp932",
                                  processes=count)
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - started
            cpu_after = _cpu()
        finally:
            store.dispose()
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        assert counted == rows and summary.rows == rows, (counted, summary.rows)
        runs.append(ImportRun(summary.processes, seconds, summary, cpu_after[0] - cpu_before[0],
                              cpu_after[1] - cpu_before[1]))
    return BenchResult(rows, baseline_seconds, runs)


def _cpu() -> tuple[float, float]:
    """CPU seconds so far of this process and of its finished child processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def report(result: BenchResult) -> str:
    first = result.imports[0].summary
    lines = [
        f"rows            {result.rows:>10,}   (accepted {first.accepted:,}, rejected {first.rejected:,})",
        f"baseline        {result.baseline_rate:>10,.0f} records/s   decode cp932 + csv parse "
        f"({result.baseline_seconds:.2f} s)",
    ]
    for number, run in enumerate(result.imports):
        how = f"{run.processes} mapping processes" if run.processes else "mapping in-process"
        label = "import" if number == 0 else "  compared"
        cpu = f"cpu {run.cpu_self:.1f} s" + (f" + workers {run.cpu_workers:.1f} s" if run.processes else "")
        cpu += f" = {(run.cpu_self + run.cpu_workers) / result.rows * 1e6:.0f} µs/record"
        lines += [
            f"{label:<15} {result.rate(run):>10,.0f} records/s   map + 文字 + store, {how} "
            f"({run.seconds:.2f} s, {cpu})",
            f"{'ratio' if number == 0 else '  ratio':<15} {result.ratio(run):>10.3f}   import / baseline",
        ]
    loads = " ".join(f"{load:.2f}" for load in os.getloadavg())
    lines.append(f"load average    {loads}   (1, 5, 15 min: the machine is shared, rates move with it)")
    return "\n".join(lines)


__all__ = ["BenchResult", "ImportRun", "baseline", "process_counts", "report", "run", "synthetic_csv"]
