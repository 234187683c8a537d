"""``chipla db upgrade``: apply the Alembic migrations to CHIPLA_DB_URL."""

from __future__ import annotations

import argparse

from broker.store import Store
from chipla.config import Settings


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("db", help="database tools")
    s = p.add_subparsers(dest="db_command", required=True)
    s.add_parser("upgrade", help="migrate the schema to the latest revision").set_defaults(func=upgrade)


def upgrade(_: argparse.Namespace) -> int:
    store = Store(Settings.load().db_url)
    store.migrate()
    print(f"schema up to date: {store.url.split('@')[-1]}")
    return 0
