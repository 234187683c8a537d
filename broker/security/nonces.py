"""Replay cache for UsernameToken nonces.

Memory answers first (fast path); the ``wss_nonces`` table makes the cache survive a restart and
span processes sharing one database. Entries older than the freshness window are useless to an
attacker (the token is stale anyway) and are purged.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from broker.clock import now
from broker.errors import NotAllowed
from broker.models import Nonce
from broker.security.usernametoken import CLOCK_SKEW, FRESHNESS
from broker.store import Store
from broker.store import affected as _count


class NonceCache:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._seen: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()
        self._last_purge = now()

    def claim_in_memory(self, username: str, nonce: str) -> None:
        """Refuse a nonce this process has seen within the window."""
        key = (username, nonce)
        t = now()
        with self._lock:
            if key in self._seen:
                raise NotAllowed("この認証トークンは既に使用されています", code="token_replayed")
            self._seen[key] = t + FRESHNESS + CLOCK_SKEW
            if (t - self._last_purge).total_seconds() > 30:
                self._seen = {k: v for k, v in self._seen.items() if v > t}
                self._last_purge = t

    def persist(self, session: Session, username: str, nonce: str) -> None:
        """Record the nonce inside the caller's transaction; refuse one another process recorded."""
        hit = session.execute(select(Nonce.username).where(Nonce.username == username, Nonce.nonce == nonce)
                              .with_for_update()).first()
        if hit is not None:
            raise NotAllowed("この認証トークンは既に使用されています", code="token_replayed")
        session.add(Nonce(username=username, nonce=nonce, expires_at=now() + FRESHNESS + CLOCK_SKEW))

    @staticmethod
    def purge(session: Session) -> int:
        """Drop nonces past the freshness window, inside the caller's transaction: a token that old
        is refused as stale anyway, so remembering its nonce protects nothing."""
        return _count(session.execute(delete(Nonce).where(Nonce.expires_at < now())))
