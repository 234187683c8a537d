"""Alembic environment: runs on the connection handed over by ``broker.migrate``."""

from __future__ import annotations

from alembic import context

import broker.imports.models  # noqa: F401  (the tables of revision 0002, on Base.metadata)
import broker.operators.models  # noqa: F401  (the table of revision 0005)
import broker.services.notify.models  # noqa: F401  (the tables of the notification revision)
import broker.services.sensors.models  # noqa: F401  (the tables of revision 0003)
import broker.services.zei.models  # noqa: F401  (the tables of revision 0004)
from broker.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - run through broker.migrate only
    raise RuntimeError("run migrations through broker.migrate.upgrade(engine)")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
