"""The store: engines, sessions and start-up housekeeping for one database URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from broker import audit, migrate
from broker.db import advisory_key, is_sqlite, make_engine, session_factory


def is_store_failure(exc: BaseException) -> bool:
    """Did the database fail us (connection refused or cut, server shutting down), rather than our code?"""
    if isinstance(exc, OperationalError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def affected(result: Any) -> int:
    """Rows changed by an UPDATE/DELETE (a CursorResult's rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)


class Store:
    """Owns the write engine (and, on SQLite, a separate engine for readers)."""

    def __init__(self, url: str, *, synchronous: str = "FULL") -> None:
        self.url = url
        self.engine: Engine = make_engine(url, synchronous=synchronous)
        self.read_engine: Engine = (
            make_engine(url, synchronous=synchronous, immediate=False) if is_sqlite(self.engine) else self.engine
        )
        self._write: sessionmaker[Session] = session_factory(self.engine)
        self._read: sessionmaker[Session] = session_factory(self.read_engine)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    def migrate(self) -> None:
        migrate.upgrade(self.engine)
        with self.write() as s:
            s.add_all(audit.heads_missing(s))

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction, committed on success."""
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Run a multi-transaction job in one process at a time: hub processes that start together
        would otherwise both find a row missing and both insert it. PostgreSQL: a session advisory
        lock, held on a connection of its own until the job ends; SQLite has one writer anyway."""
        if self.is_sqlite:
            yield
            return
        key = advisory_key(f"chipla.exclusive:{name}")
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
