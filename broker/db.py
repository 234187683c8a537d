"""Engine creation for the embedded SQLite store and for PostgreSQL.

SQLite runs in WAL mode with ``BEGIN IMMEDIATE`` transactions, so concurrent writers queue on the
database lock instead of failing on a read-to-write upgrade; PostgreSQL uses row locks
(``FOR UPDATE SKIP LOCKED``) for outbox claims.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

PING_AFTER_IDLE_SECONDS = 2.0
_IDLE_SINCE = "chipla.idle_since"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for a PostgreSQL advisory lock named ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, synchronous: str = "FULL", immediate: bool = True) -> Engine:
    """Build an engine; for SQLite, ensure the folder exists and set the WAL pragmas.

    ``immediate=False`` gives a SQLite engine for readers, whose transactions must not take the
    write lock.
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, synchronous, immediate)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url, pool_size=10, max_overflow=20)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use only if it sat idle for a while.

    A ping on every checkout (``pool_pre_ping``) costs a round trip per transaction, about a tenth of
    a busy hub's time. A connection used a moment ago is as good as its last statement; one that sat
    idle may have been cut by a database restart. If a hot connection did die, its statement fails
    as a store failure (answered 5002, retried by the sender) and SQLAlchemy drops the whole pool.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool discards this connection and opens a new one
            raise DisconnectionError(f"pooled connection is gone: {exc}") from exc


def _sqlite_engine(url: str, synchronous: str, immediate: bool) -> Engine:
    db_path = url.split("///", 1)[-1]
    if db_path and db_path != ":memory:":
        folder = Path(db_path).parent
        if not folder.is_dir():
            if not folder.parent.is_dir():  # make the store's own folder (var/), never a whole tree
                raise FileNotFoundError(2, "the folder of the SQLite store does not exist", str(folder))
            folder.mkdir()
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
