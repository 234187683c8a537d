"""webhook secret: the HMAC key the hub signs webhook deliveries with

Revision ID: 0004_webhook_secret
Revises: 0003
Create Date: 2026-11-29 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_webhook_secret"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("systems") as batch:
        batch.add_column(sa.Column("webhook_secret", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("systems") as batch:
        batch.drop_column("webhook_secret")
