"""Reads and writes of imported records: batches, chunks in one transaction each, export and replay.

A chunk (a few thousand rows) is written in one transaction with SQLAlchemy Core executemany:
its new records, the lineages they reference, the quarantine entries of its rejected rows and the
batch's progress. Either all of a chunk is durable or none of it, which is what makes re-running an
interrupted import safe: records are skipped by their key, rejected rows by the batch's ``last_row``.
Records are inserted by `broker.imports.bulk` with their JSON columns already serialised; reads go
through the JSON column type as usual.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from broker import audit
from broker.clock import now
from broker.imports.bulk import RecordInsert
from broker.imports.models import ImportBatch, ImportedRecord, ImportLineage
from broker.jsontext import json_text
from broker.models import Quarantine
from broker.store import Store
from mappings.csv_layout import CsvLayout
from mappings.layout_catalog import file_layouts

_RECORDS = cast(Table, ImportedRecord.__table__)
_QUARANTINE = cast(Table, Quarantine.__table__)
#: rows per `IN (…)` lookup; keeps every statement under SQLite's and PostgreSQL's parameter limits
_LOOKUP = 500


@dataclass
class BatchInfo:
    """The batch a run writes into; `last_row` > 0 means an earlier run got that far."""

    id: int
    last_row: int
    new: bool


class NewRecord(NamedTuple):
    """One accepted row, ready to store; its canonical record and source row as `json_text`.

    `write_chunk` takes these or plain tuples in the same field order (`RecordRow`): a register
    makes one per resident, often in a mapping process that sends them back pickled, and a plain
    tuple unpickles in C where a named tuple calls its class.
    """

    lg_code: str
    atena_no: str
    row_sha256: str
    row_no: int
    canonical_json: str
    source_json: str
    lineage_sha256: str


#: a `NewRecord` as a plain tuple: (lg_code, atena_no, row_sha256, row_no, canonical_json, source_json, lineage_sha256)
RecordRow = tuple[str, str, str, int, str, str, str]


@lru_cache(maxsize=64)
def _columns(layout: str) -> tuple[str, ...] | None:
    found = file_layouts().get(layout)
    return found.columns if isinstance(found, CsvLayout) else None


def source_row(stored: dict[str, Any] | list[str], layout: str) -> dict[str, Any]:
    """A stored source row as {column: value}: CSV rows are stored as their values in the order of
    the columns of their batch's layout (rows stored before that as the dict itself)."""
    if isinstance(stored, dict):
        return stored
    columns = _columns(layout)
    if columns is None or len(columns) != len(stored):
        raise ValueError(f"a stored row of {len(stored)} values does not fit layout {layout}")
    return dict(zip(columns, stored, strict=True))


@dataclass(frozen=True)
class Rejection:
    """One rejected row for the quarantine (channel ``file``)."""

    row_no: int
    result_code: str
    reason: str
    original: bytes
    errors: list[dict[str, Any]]


@dataclass
class ChunkResult:
    inserted: int = 0
    duplicates: int = 0
    quarantined: int = 0


@dataclass(frozen=True)
class StoredRecord:
    """An imported record as replay and export read it."""

    id: int
    file_sha256: str
    row_no: int
    mapping_id: str
    mapping_version: str
    canonical: dict[str, Any]
    source_row: dict[str, Any]


class ImportStore:
    """Import-side access to the hub's store (same engine, same transactions discipline)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._known_lineages: set[str] = set()
        self._insert_records = RecordInsert(store.engine.dialect)

    def open_batch(self, *, file_name: str, file_sha256: str, layout: str, mapping_id: str,
                   mapping_version: str, encoding: str) -> BatchInfo:
        """The batch of this file and mapping version: the earlier one when it was imported before."""
        with self.store.write() as s:
            found = s.execute(select(ImportBatch.id, ImportBatch.last_row).where(
                ImportBatch.file_sha256 == file_sha256, ImportBatch.layout == layout,
                ImportBatch.mapping_id == mapping_id, ImportBatch.mapping_version == mapping_version,
            )).first()
            if found is not None:
                return BatchInfo(found.id, found.last_row, new=False)
            batch_id = s.execute(insert(ImportBatch).returning(ImportBatch.id), [{
                "file_name": file_name[-500:], "file_sha256": file_sha256, "layout": layout,
                "mapping_id": mapping_id, "mapping_version": mapping_version, "encoding": encoding,
                "last_row": 0, "rows_read": 0, "accepted": 0, "rejected": 0, "started_at": now(),
            }]).scalar_one()
        return BatchInfo(batch_id, 0, new=True)

    def write_chunk(self, batch: BatchInfo, *, records: Sequence[RecordRow], rejections: Sequence[Rejection],
                    lineages: dict[str, tuple[str, str, list[dict[str, Any]]]], through_row: int,
                    file_sha256: str, mapping: tuple[str, str], quarantine_headers: dict[str, Any],
                    sender: str | None) -> ChunkResult:
        """Store one chunk; rows seen before (same key, or rejected in an earlier run) are skipped."""
        result = ChunkResult()
        at = now()
        with self.store.write() as s:
            added = self._insert_lineages(s, {r[6] for r in records}, lineages)  # lineage_sha256
            # records stored before (by this file or any other) are skipped by their key
            result.inserted = self._insert_records.execute(s.connection(), records, batch_id=batch.id,
                                                           file_sha256=file_sha256, mapping=mapping, created_at=at)
            result.duplicates = len(records) - result.inserted
            pending = [r for r in rejections if r.row_no > batch.last_row]
            if pending:
                s.connection().execute(insert(_QUARANTINE), [{
                    "received_at": at, "channel": "file", "sender": sender, "result_code": r.result_code,
                    "reason": r.reason, "original": r.original,
                    "headers": {**quarantine_headers, "row": r.row_no, "errors": r.errors},
                } for r in pending])
            result.quarantined = len(pending)
            if through_row > batch.last_row:
                s.execute(update(ImportBatch).where(ImportBatch.id == batch.id).values(
                    last_row=through_row,
                    rows_read=ImportBatch.rows_read + (through_row - batch.last_row),
                    accepted=ImportBatch.accepted + result.inserted,
                    rejected=ImportBatch.rejected + len(pending),
                ))
        # both only true once the transaction is committed
        batch.last_row = max(batch.last_row, through_row)
        self._known_lineages.update(added)
        return result

    def _insert_lineages(self, s: Session, wanted: set[str],
                         lineages: dict[str, tuple[str, str, list[dict[str, Any]]]]) -> list[str]:
        unknown = sorted(wanted - self._known_lineages)
        if not unknown:
            return []
        query = select(ImportLineage.sha256).where(ImportLineage.sha256.in_(unknown))
        stored = set(s.execute(query).scalars())
        missing = [sha for sha in unknown if sha not in stored]
        if missing:
            s.execute(insert(ImportLineage), [
                {"sha256": sha, "mapping_id": lineages[sha][0], "mapping_version": lineages[sha][1],
                 "lineage": lineages[sha][2]} for sha in missing
            ])
        return unknown

    def finish_batch(self, batch: BatchInfo, *, actor: str, subject: str, detail: dict[str, Any]) -> None:
        """Close the run and write it to the audit chain (every run, re-runs included)."""
        with self.store.write() as s:
            s.execute(update(ImportBatch).where(ImportBatch.id == batch.id).values(finished_at=now()))
            audit.append(s, actor, "import.file", subject, {"batch": batch.id, **detail})

    def unsent(self, keys: Sequence[tuple[str, str, str]]) -> list[tuple[int, str, dict[str, Any]]]:
        """(id, row digest, canonical) of records among `keys` that have no hub receipt yet."""
        found: list[tuple[int, str, dict[str, Any]]] = []
        with self.store.read() as s:
            for start in range(0, len(keys), _LOOKUP):
                part = keys[start:start + _LOOKUP]
                wanted = set(part)
                rows = s.execute(
                    select(ImportedRecord.id, ImportedRecord.lg_code, ImportedRecord.atena_no,
                           ImportedRecord.row_sha256, ImportedRecord.canonical)
                    # by the resident, the key's leading columns; the digest is checked below
                    .where(ImportedRecord.lg_code.in_(sorted({lg for lg, _, _ in part})),
                           ImportedRecord.atena_no.in_(sorted({atena for _, atena, _ in part})),
                           ImportedRecord.receipt_id.is_(None))
                    .order_by(ImportedRecord.id)
                ).tuples()
                found.extend((i, digest, canonical) for i, lg, atena, digest, canonical in rows
                             if (lg, atena, digest) in wanted)
        return found

    def mark_sent(self, receipts: Sequence[tuple[int, str]]) -> None:
        """Keep the hub's receipt id beside each record that was sent."""
        if not receipts:
            return
        with self.store.write() as s:
            s.connection().execute(
                update(_RECORDS).where(_RECORDS.c.id == bindparam("record_id")),
                [{"record_id": record_id, "receipt_id": receipt} for record_id, receipt in receipts],
            )

    def latest(self, lg_code: str | None = None) -> Iterator[dict[str, Any]]:
        """The newest canonical record of each resident, in the order they were first stored."""
        newest = select(func.max(ImportedRecord.id)).group_by(ImportedRecord.lg_code, ImportedRecord.atena_no)
        if lg_code is not None:
            newest = newest.where(ImportedRecord.lg_code == lg_code)
        with self.store.read() as s:
            rows = s.execute(select(ImportedRecord.canonical).where(ImportedRecord.id.in_(newest))
                             .order_by(ImportedRecord.id).execution_options(yield_per=2000))
            for (canonical,) in rows:
                yield canonical

    def records(self, *, limit: int | None = None) -> Iterator[StoredRecord]:
        """Imported records, oldest first, for replay."""
        query = select(ImportedRecord.id, ImportedRecord.file_sha256, ImportedRecord.row_no,
                       ImportedRecord.mapping_id, ImportedRecord.mapping_version, ImportedRecord.canonical,
                       ImportedRecord.source_row, ImportBatch.layout
                       ).join(ImportBatch, ImportBatch.id == ImportedRecord.batch_id).order_by(ImportedRecord.id)
        if limit is not None:
            query = query.limit(limit)
        with self.store.read() as s:
            for record_id, file_sha256, row_no, mapping_id, version, canonical, stored, layout in s.execute(
                    query.execution_options(yield_per=2000)):
                yield StoredRecord(record_id, file_sha256, row_no, mapping_id, version, canonical,
                                   source_row(stored, layout))

    def count(self) -> int:
        with self.store.read() as s:
            return int(s.execute(select(func.count()).select_from(ImportedRecord)).scalar_one())


__all__ = ["BatchInfo", "ChunkResult", "ImportStore", "NewRecord", "RecordRow", "Rejection", "StoredRecord",
           "json_text", "source_row"]
