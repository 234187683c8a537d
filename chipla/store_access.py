"""Open the configured store for a command that reads or changes what the hub stored.

Such a command must not create a store as a side effect: connecting SQLite to a missing file makes an
empty one, after which every command fails with "no such table". So the file must exist and carry the
schema; otherwise the command says what to do instead.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from broker.store import Store
from chipla.config import Settings
from chipla.failures import StoreMissing, redact_url


def open_existing(settings: Settings | None = None) -> Store:
    settings = settings or Settings.load()
    url = make_url(settings.db_url)
    on_disk = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if on_disk and not Path(str(url.database)).is_file():
        raise StoreMissing(f"there is no chipla store at {url.database} (CHIPLA_DB_URL)")
    store = Store(settings.db_url, synchronous=settings.sqlite_synchronous)
    if not inspect(store.engine).has_table("alembic_version"):
        store.dispose()
        raise StoreMissing(f"{redact_url(settings.db_url)} has no chipla tables (CHIPLA_DB_URL)")
    return store
