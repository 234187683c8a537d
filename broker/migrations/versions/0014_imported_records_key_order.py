"""imported records: the unique key ordered resident first (団体コード, 宛名番号, row digest)

Revision ID: 0014_imported_records_key_order
Revises: 0013_outbox_watch_indexes
Create Date: 2026-11-29 12:15:00

The key led with the row digest, a random value: every chunk of an import inserted its rows all
over that index, so each chunk's commit rewrote most of the index's pages (several MB per 5,000
rows, twice with the WAL). Led by the resident, rows of an extract — written in 宛名番号 order or
close to it — land next to each other, and the key still names one row of one resident. The
constraint keeps its name; `ON CONFLICT` on it is unchanged.
"""

from __future__ import annotations

from alembic import op

revision = "0014_imported_records_key_order"
down_revision = "0013_outbox_watch_indexes"
branch_labels = None
depends_on = None

KEY = "uq_imported_records_key"


def _key(columns: list[str]) -> None:
    with op.batch_alter_table("imported_records", schema=None) as batch_op:
        batch_op.drop_constraint(KEY, type_="unique")
        batch_op.create_unique_constraint(KEY, columns)


def upgrade() -> None:
    _key(["lg_code", "atena_no", "row_sha256"])


def downgrade() -> None:
    _key(["row_sha256", "lg_code", "atena_no"])
