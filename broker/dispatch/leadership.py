"""One relay per destination across all hub processes: the holder of a PostgreSQL session lock.

Every ``chipla serve`` process runs the relay's threads, but when each claimed for every destination,
two processes made twice the claims, each half the size, and queued on each other's claim locks.
So a destination's relay claims only while it holds that destination's session advisory lock, on a
connection kept for it. The lock goes with the session: a hub process that dies (kill -9 closes its
sockets) or loses its database connection leaves it, and another process's relay takes it at its
next try. The claims' own transaction lock still keeps the in-flight cap whatever happens, so two
relays that both believe they lead for a moment cannot pass it. SQLite has a single hub process:
there, every relay leads.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Connection, text

from broker.db import advisory_key
from broker.store import Store

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.0  # how often a follower tries the lock, and a leader checks its connection


def relay_lock_key(destination: str) -> int:
    """A stable signed 64-bit key per destination, apart from the claim locks' keys."""
    return advisory_key(f"chipla.relay:{destination}")


class Leadership:
    """Whether this process's relay for ``destination`` is the one that claims; cheap to ask often."""

    def __init__(self, store: Store, destination: str, check_seconds: float = CHECK_SECONDS) -> None:
        self.store = store
        self.destination = destination
        self.key = relay_lock_key(destination)
        self.check_seconds = check_seconds
        self._conn: Connection | None = None
        self._checked_at = float("-inf")

    def holds(self) -> bool:
        if self.store.is_sqlite:
            return True
        if time.monotonic() - self._checked_at < self.check_seconds:
            return self._conn is not None
        self._checked_at = time.monotonic()
        try:
            if self._conn is not None:
                self._conn.execute(text("SELECT 1"))
                return True
            conn = self.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar_one():
                self._conn = conn
                log.info("this process now relays deliveries to %s", self.destination)
                return True
            conn.close()  # not locked: the pooled connection holds nothing
        except Exception as exc:  # the store is away: lead again only after a fresh lock
            log.warning("relay lock for %s lost: %s", self.destination, f"{type(exc).__name__}: {exc}")
            self.release()
        return False

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:  # end the session, and its lock with it: a pooled connection would keep holding it
                conn.invalidate()
                conn.close()
            except Exception:
                log.debug("closing the relay lock's connection failed", exc_info=True)
