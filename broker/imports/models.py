"""Tables of imported legacy records, on the same metadata as the rest of the store.

``imported_records`` is an idempotent consumer keyed by (団体コード, 宛名番号, row digest): the
digest covers the row's decoded values, so re-importing an unchanged file — or the same rows
re-encoded, or inside a later full extract — adds nothing, while a changed row of a resident is a
new record beside the old one. Lineage is the same for every row that produced the same fields, so
it is kept once in ``import_lineages`` and referenced by digest instead of being repeated per row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from broker.models import Base, BigInt


class ImportBatch(Base):
    """One file imported through one mapping version; a re-import of the same file reuses it.

    ``last_row`` is the last row whose outcome (record or quarantine entry) is committed, so an
    interrupted import can be run again without quarantining a row twice.
    """

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    layout: Mapped[str] = mapped_column(String(64))
    mapping_id: Mapped[str] = mapped_column(String(64))
    mapping_version: Mapped[str] = mapped_column(String(32))
    encoding: Mapped[str] = mapped_column(String(16))
    last_row: Mapped[int] = mapped_column(Integer, default=0)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    __table_args__ = (
        UniqueConstraint("file_sha256", "layout", "mapping_id", "mapping_version",
                         name="uq_import_batches_file"),
    )


class ImportLineage(Base):
    """A lineage (field ← sources through transforms) shared by every record that has it."""

    __tablename__ = "import_lineages"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mapping_id: Mapped[str] = mapped_column(String(64))
    mapping_version: Mapped[str] = mapped_column(String(32))
    lineage: Mapped[list[Any]] = mapped_column()


class ImportedRecord(Base):
    """A canonical record made from one row of a legacy file."""

    __tablename__ = "imported_records"
    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"), index=True)
    lg_code: Mapped[str] = mapped_column(String(6))
    atena_no: Mapped[str] = mapped_column(String(15))
    row_sha256: Mapped[str] = mapped_column(String(64))
    file_sha256: Mapped[str] = mapped_column(String(64))
    row_no: Mapped[int] = mapped_column(Integer)
    mapping_id: Mapped[str] = mapped_column(String(64))
    mapping_version: Mapped[str] = mapped_column(String(32))
    canonical: Mapped[dict[str, Any]] = mapped_column()
    # the decoded row as read, so an import mapping can be replayed over its own input: a CSV row as
    # its values in the layout's column order (the batch names the layout), a fixed-width record as
    # {column: text}; `broker.imports.store.source_row` reads both as {column: value}
    source_row: Mapped[dict[str, Any] | list[str]] = mapped_column(JSON)
    lineage_sha256: Mapped[str] = mapped_column(ForeignKey("import_lineages.sha256"))
    # hub receipt of the 住民異動通知 sent for this record (chipla import --send), if any
    receipt_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        # the resident leads: rows of an extract come in 宛名番号 order (or near it), so a chunk's
        # inserts fill neighbouring index pages instead of touching most of them (a digest is random)
        UniqueConstraint("lg_code", "atena_no", "row_sha256", name="uq_imported_records_key"),
        Index("ix_imported_records_resident", "lg_code", "atena_no", "id"),
        Index("ix_imported_records_mapping", "mapping_id", "mapping_version", "id"),
    )


__all__ = ["ImportBatch", "ImportLineage", "ImportedRecord"]
