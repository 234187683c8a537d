"""The imported records' key reordered (resident first) on a store that already holds records: the rows
stay, the key still refuses a second copy, and an import after the upgrade skips what was stored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from adapters.inbound.files.pipeline import import_file
from broker import migrate
from broker.store import Store
from tests.support import sqlite_url
from tests.test_import_export import legacy_csv

ROW = {"batch_id": 1, "lg_code": "243035", "atena_no": "1", "row_sha256": "a" * 64, "file_sha256": "b" * 64,
       "row_no": 1, "mapping_id": "m", "mapping_version": "1", "canonical": "{}", "source_row": "{}",
       "lineage_sha256": "c" * 64, "created_at": datetime(2026, 11, 1, tzinfo=UTC)}
INSERT = text("INSERT INTO imported_records (batch_id, lg_code, atena_no, row_sha256, file_sha256, row_no, "
              "mapping_id, mapping_version, canonical, source_row, lineage_sha256, created_at) VALUES (:batch_id, "
              ":lg_code, :atena_no, :row_sha256, :file_sha256, :row_no, :mapping_id, :mapping_version, "
              ":canonical, :source_row, :lineage_sha256, :created_at)")


def _key(engine_url: str) -> list[str]:
    engine = create_engine(engine_url)
    try:
        found = [c for c in inspect(engine).get_unique_constraints("imported_records")
                 if c["name"] == "uq_imported_records_key"]
    finally:
        engine.dispose()
    return list(found[0]["column_names"])


def test_the_key_is_reordered_with_the_records_kept(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    store = Store(url)
    migrate.upgrade(store.engine, "0013_outbox_watch_indexes")
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO import_batches (id, file_name, file_sha256, layout, mapping_id, "
                          "mapping_version, encoding, last_row, rows_read, accepted, rejected, started_at) VALUES "
                          "(1, 'old.csv', :sha, 'csv.chukan_jumin', 'm', '1', 'utf-8', 1, 1, 1, 0, :at)"),
                     {"sha": "b" * 64, "at": ROW["created_at"]})
        conn.execute(text("INSERT INTO import_lineages (sha256, mapping_id, mapping_version, lineage) "
                          "VALUES (:sha, 'm', '1', '[]')"), {"sha": "c" * 64})
        conn.execute(INSERT, ROW)
    assert _key(url) == ["row_sha256", "lg_code", "atena_no"]
    store.migrate()
    assert _key(url) == ["lg_code", "atena_no", "row_sha256"]
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM imported_records")).scalar_one() == 1
        with pytest.raises(IntegrityError):
            conn.execute(INSERT, ROW)
    (tmp_path / "a.csv").write_bytes(legacy_csv("utf-8", False))
    first = import_file(tmp_path / "a.csv", layout="chukan_jumin", store=store, processes=0)
    again = import_file(tmp_path / "a.csv", layout="chukan_jumin", store=store, processes=0)
    store.dispose()
    assert first.accepted > 0 and (again.accepted, again.duplicates) == (0, first.accepted)
