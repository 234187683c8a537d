"""The import pipeline's guarantees with its compiled mapping, worker processes and writer thread.

A register with damaged rows goes through the import in this process and, through the real CLI,
with two worker processes: both store exactly the records, lineage and quarantine entries the
interpreter (`Spec.apply`) says each row should give. A row repeated in a file is stored once; an
import that fails half-way stores whole chunks only and, run again, completes without storing or
quarantining anything twice.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import mappings
from adapters.inbound.files.pipeline import import_file
from adapters.inbound.files.writer import ChunkWriter
from bench.import_bench import synthetic_csv
from broker.imports import ImportBatch, ImportedRecord, ImportLineage, ImportStore, source_row
from broker.models import Quarantine
from broker.store import Store
from mappings.csv_layout import write_rows
from mappings.layout_catalog import csv_layout
from tests.support import sqlite_url

CSV = csv_layout("csv.chukan_jumin")
SPEC = mappings.registry().latest("chukan-jumin-csv-import")
#: damage done to every 53rd row, in turn: each is a refusal a real file can hold
DAMAGE: list[dict[str, str]] = [
    {"性別": "7"}, {"氏名": ""}, {"生年月日": "5310430", "年号コード": "04"}, {"団体コード": "243036"},
    {"氏名": "木曽　\ue00f子"}, {"郵便番号": "498-08O7"}, {"続柄": ""}, {"住所": ""},
]


def damaged_register(rows: int) -> tuple[bytes, list[dict[str, str]]]:
    """A CP932 register of `rows` residents, every 53rd damaged, and the rows as the file holds them."""
    reader = csv.DictReader(io.StringIO(synthetic_csv(rows, seed=11).decode("cp932")))
    table = [dict(row) for row in reader]
    for number in range(0, rows, 53):
        table[number].update(DAMAGE[(number // 53) % len(DAMAGE)])
    return write_rows(table, CSV).encode("cp932"), table


def stored(url: str) -> dict[str, Any]:
    """Everything an import leaves in a store, without ids and times."""
    store = Store(url)
    try:
        with store.read() as s:
            lineages = {sha: lineage for sha, lineage in s.execute(select(ImportLineage.sha256, ImportLineage.lineage))}
            records = [(r.row_no, r.lg_code, r.atena_no, r.row_sha256, r.canonical,
                        source_row(r.source_row, CSV.name), lineages[r.lineage_sha256]) for r in s.execute(
                select(ImportedRecord).order_by(ImportedRecord.row_no)).scalars()]
            quarantined = [(q.headers["row"], q.result_code, q.reason, q.original, q.headers["errors"])
                           for q in s.execute(select(Quarantine).order_by(Quarantine.id)).scalars()]
            batches = [(b.rows_read, b.accepted, b.rejected, b.last_row)
                       for b in s.execute(select(ImportBatch)).scalars()]
    finally:
        store.dispose()
    return {"records": records, "quarantined": quarantined, "batches": batches}


def test_in_process_and_worker_imports_store_what_the_interpreter_says(tmp_path: Path) -> None:
    data, table = damaged_register(12_000)
    (tmp_path / "jumin.csv").write_bytes(data)
    inline_url, pooled_url = sqlite_url(tmp_path / "a"), sqlite_url(tmp_path / "b")
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    store = Store(inline_url)
    store.migrate()
    summary = import_file(tmp_path / "jumin.csv", layout="chukan_jumin", store=store, processes=0)
    store.dispose()
    assert summary.processes == 0
    env = {**os.environ, "CHIPLA_DB_URL": pooled_url}
    cli = subprocess.run([sys.executable, "-m", "chipla.cli", "import", "jumin.csv", "--layout", "chukan_jumin",
                          "--workers", "2"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert cli.returncode == 1, cli.stderr  # some rows refused
    assert "2 worker processes" in cli.stdout

    inline, pooled = stored(inline_url), stored(pooled_url)
    assert pooled == inline

    expected = [(row_no, SPEC.apply(row)) for row_no, row in enumerate(table, start=1)]
    accepted = [(row_no, m) for row_no, m in expected if m.ok]
    refused = [(row_no, m) for row_no, m in expected if not m.ok]
    assert len(refused) == len(range(0, 12_000, 53))
    assert [(r[0], r[4], r[5], r[6]) for r in inline["records"]] == [
        (row_no, m.output, table[row_no - 1], [e.to_dict() for e in m.lineage]) for row_no, m in accepted]
    assert [(q[0], q[4]) for q in inline["quarantined"]] == [
        (row_no, [e.to_dict() for e in m.errors]) for row_no, m in refused]
    assert inline["batches"] == [(12_000, len(accepted), len(refused), 12_000)]


def test_a_row_repeated_in_a_file_is_stored_once(tmp_path: Path) -> None:
    data, table = damaged_register(4)
    path = tmp_path / "twice.csv"
    path.write_bytes(write_rows(table[1:] + [table[2]], CSV).encode("cp932"))
    store = Store(sqlite_url(tmp_path))
    store.migrate()
    try:
        summary = import_file(path, layout="chukan_jumin", store=store)
        assert (summary.rows, summary.accepted, summary.duplicates, summary.rejected) == (4, 3, 1, 0)
    finally:
        store.dispose()
    assert [r[0] for r in stored(sqlite_url(tmp_path))["records"]] == [1, 2, 3]


def test_an_import_that_fails_half_way_completes_when_run_again(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    data, _ = damaged_register(1_000)
    path = tmp_path / "jumin.csv"
    path.write_bytes(data)
    url = sqlite_url(tmp_path)
    store = Store(url)
    store.migrate()
    write_chunk = ImportStore.write_chunk
    calls: list[int] = []

    def failing_on_the_third(self: ImportStore, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return write_chunk(self, *args, **kwargs)

    monkeypatch.setattr(ImportStore, "write_chunk", failing_on_the_third)
    with pytest.raises(OSError, match="disk full"):
        import_file(path, layout="chukan_jumin", store=store, chunk_rows=100, processes=0)
    assert len(calls) == 3, "nothing is written after the failed chunk"
    half = stored(url)
    assert half["batches"][0][3] == 200 and [r[0] for r in half["records"]][-1] <= 200
    monkeypatch.setattr(ImportStore, "write_chunk", write_chunk)
    again = import_file(path, layout="chukan_jumin", store=store, chunk_rows=100, processes=0)
    store.dispose()
    whole = stored(url)
    fresh_url = sqlite_url(tmp_path / "fresh")
    (tmp_path / "fresh").mkdir()
    fresh = Store(fresh_url)
    fresh.migrate()
    import_file(path, layout="chukan_jumin", store=fresh, processes=0)
    fresh.dispose()
    assert whole["records"] == stored(fresh_url)["records"]
    assert whole["quarantined"] == stored(fresh_url)["quarantined"]
    assert again.imported_before and again.duplicates == len(half["records"])


def test_the_writer_raises_the_first_failure_and_stores_nothing_after_it() -> None:
    done: list[int] = []

    def store(chunk: int) -> None:
        if chunk == 2:
            raise ValueError("chunk 2 refused")
        done.append(chunk)

    writer: ChunkWriter[int] = ChunkWriter(store, depth=1)
    with pytest.raises(ValueError, match="chunk 2 refused"):
        for chunk in range(1, 50):
            writer.put(chunk)
        writer.close()
    writer.abandon()
    assert done == [1]
