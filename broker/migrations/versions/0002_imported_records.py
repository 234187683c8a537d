"""imported records: import batches, shared lineages, imported canonical records

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", BigInt, autoincrement=True, nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("layout", sa.String(length=64), nullable=False),
        sa.Column("mapping_id", sa.String(length=64), nullable=False),
        sa.Column("mapping_version", sa.String(length=32), nullable=False),
        sa.Column("encoding", sa.String(length=16), nullable=False),
        sa.Column("last_row", sa.Integer(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("file_sha256", "layout", "mapping_id", "mapping_version",
                            name="uq_import_batches_file"),
    )
    op.create_table(
        "import_lineages",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("mapping_id", sa.String(length=64), nullable=False),
        sa.Column("mapping_version", sa.String(length=32), nullable=False),
        sa.Column("lineage", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "imported_records",
        sa.Column("id", BigInt, autoincrement=True, nullable=False),
        sa.Column("batch_id", BigInt, nullable=False),
        sa.Column("lg_code", sa.String(length=6), nullable=False),
        sa.Column("atena_no", sa.String(length=15), nullable=False),
        sa.Column("row_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("mapping_id", sa.String(length=64), nullable=False),
        sa.Column("mapping_version", sa.String(length=32), nullable=False),
        sa.Column("canonical", sa.JSON(), nullable=False),
        sa.Column("source_row", sa.JSON(), nullable=False),
        sa.Column("lineage_sha256", sa.String(length=64), nullable=False),
        sa.Column("receipt_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batches.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["lineage_sha256"], ["import_lineages.sha256"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("row_sha256", "lg_code", "atena_no", name="uq_imported_records_key"),
    )
    with op.batch_alter_table("imported_records", schema=None) as batch_op:
        batch_op.create_index("ix_imported_records_batch_id", ["batch_id"], unique=False)
        batch_op.create_index("ix_imported_records_resident", ["lg_code", "atena_no", "id"], unique=False)
        batch_op.create_index("ix_imported_records_mapping", ["mapping_id", "mapping_version", "id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("imported_records", schema=None) as batch_op:
        batch_op.drop_index("ix_imported_records_mapping")
        batch_op.drop_index("ix_imported_records_resident")
        batch_op.drop_index("ix_imported_records_batch_id")
    op.drop_table("imported_records")
    op.drop_table("import_lineages")
    op.drop_table("import_batches")
