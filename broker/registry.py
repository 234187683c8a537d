"""Who is who: registered systems, their credentials, ACL entries and subscriptions.

The hot path reads an immutable snapshot that is rebuilt at most once per ``ttl`` seconds (and at
once after a change made through this process), so a change made by another process is seen within
that time. When the store is away, the last good snapshot keeps answering who is who for up to
``stale_seconds`` (the store's outage then answers 5002 at the accept, a code senders retry, not an
internal error at the credential check); past that, or with no snapshot yet, ``StoreUnavailable``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from broker.clock import now
from broker.errors import DuplicateConflict, NotAllowed, NotFound, RequestInvalid, StoreUnavailable
from broker.models import AclEntry, Subscription, System
from broker.store import Store, is_store_failure

log = logging.getLogger(__name__)

ADMIN_ROLE = "admin"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SystemInfo:
    id: str
    name: str
    lg_code: str
    bango_riyo: bool
    roles: tuple[str, ...]
    delivery_kind: str | None
    endpoint_url: str | None
    wsdl_url: str | None
    wss_username: str | None
    wss_secret: str | None
    active: bool
    webhook_secret: str | None = None

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles


@dataclass(frozen=True)
class SubscriptionInfo:
    id: int
    system_id: str
    service: str
    operation: str
    categories: tuple[str, ...] | None  # routing categories wanted; None: all


@dataclass
class Snapshot:
    systems: dict[str, SystemInfo] = field(default_factory=dict)
    by_api_key: dict[str, str] = field(default_factory=dict)
    by_wss_user: dict[str, str] = field(default_factory=dict)
    acl: set[tuple[str, str, str]] = field(default_factory=set)
    subscriptions: list[SubscriptionInfo] = field(default_factory=list)

    def allowed(self, system_id: str, service: str, operation: str) -> bool:
        return any(
            (system_id, s, o) in self.acl for s in (service, "*") for o in (operation, "*")
        )


class SystemRegistry:
    def __init__(self, store: Store, ttl: float = 1.0, stale_seconds: float = 300.0) -> None:
        self.store = store
        self.ttl = ttl
        self.stale_seconds = stale_seconds
        self._snap: Snapshot | None = None
        self._built_at = 0.0  # when the snapshot was read from the store
        self._tried_at = 0.0  # when a rebuild was last tried (failed tries wait ``ttl`` too)
        self._lock = threading.Lock()

    # -- reading -----------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        if self._snap is None or time.monotonic() - self._tried_at > self.ttl:
            with self._lock:
                if self._snap is None or time.monotonic() - self._tried_at > self.ttl:
                    self._rebuild()
        assert self._snap is not None
        return self._snap

    def _rebuild(self) -> None:
        self._tried_at = time.monotonic()
        try:
            self._snap = self._build()
            self._built_at = self._tried_at
        except Exception as exc:
            if not is_store_failure(exc):
                raise
            age = self._tried_at - self._built_at
            if self._snap is None or age > self.stale_seconds:
                self._snap = None
                raise StoreUnavailable("保存先に接続できません。しばらくしてから送り直してください",
                                       log_detail=f"registry reload: {type(exc).__name__}") from exc
            log.warning("store unreachable: serving the registry snapshot read %.0f s ago", age)

    def invalidate(self) -> None:
        self._snap = None

    def _build(self) -> Snapshot:
        snap = Snapshot()
        with self.store.read() as s:
            for row in s.execute(select(System)).scalars():
                info = SystemInfo(
                    id=row.id, name=row.name, lg_code=row.lg_code, bango_riyo=row.bango_riyo,
                    roles=tuple(row.roles or ()), delivery_kind=row.delivery_kind,
                    endpoint_url=row.endpoint_url, wsdl_url=row.wsdl_url, wss_username=row.wss_username,
                    wss_secret=row.wss_secret, active=row.active, webhook_secret=row.webhook_secret,
                )
                snap.systems[row.id] = info
                if row.api_key_sha256 and row.active:
                    snap.by_api_key[row.api_key_sha256] = row.id
                if row.wss_username and row.active:
                    snap.by_wss_user[row.wss_username] = row.id
            snap.acl = {(a.system_id, a.service, a.operation) for a in s.execute(select(AclEntry)).scalars()}
            for sub in s.execute(select(Subscription).where(Subscription.active.is_(True))).scalars():
                cats = tuple(sub.categories) if sub.categories else None
                snap.subscriptions.append(
                    SubscriptionInfo(sub.id, sub.system_id, sub.service, sub.operation, cats)
                )
        return snap

    def system(self, system_id: str) -> SystemInfo:
        info = self.snapshot().systems.get(system_id)
        if info is None:
            raise NotFound(f"system {system_id} is not registered")
        return info

    def system_for_api_key(self, api_key: str) -> SystemInfo | None:
        sid = self.snapshot().by_api_key.get(sha256_hex(api_key))
        return self.snapshot().systems.get(sid) if sid else None

    def system_for_wss_user(self, username: str) -> SystemInfo | None:
        sid = self.snapshot().by_wss_user.get(username)
        return self.snapshot().systems.get(sid) if sid else None

    def authorize(self, system: SystemInfo, service: str, operation: str) -> None:
        if not system.active or not self.snapshot().allowed(system.id, service, operation):
            raise NotAllowed(f"システム {system.id} には {service}/{operation} の権限がありません")

    # -- writing -----------------------------------------------------------------------------
    def upsert_system(self, data: dict[str, Any]) -> SystemInfo:
        """Create or replace a system with its ACL (``allow``: list of "service/operation")."""
        sid = str(data["id"])
        try:
            self._write_system(sid, data)
        except IntegrityError as exc:
            raise DuplicateConflict(f"system {sid}: API key or WS-Security username already in use") from exc
        self.invalidate()
        return self.system(sid)

    def _write_system(self, sid: str, data: dict[str, Any]) -> None:
        with self.store.write() as s:
            row = s.get(System, sid) or System(id=sid, created_at=now())
            row.name = str(data.get("name", sid))
            row.lg_code = str(data["lgCode"])
            if data.get("apiKey"):
                row.api_key_sha256 = sha256_hex(str(data["apiKey"]))
            if data.get("wssUsername"):
                row.wss_username = str(data["wssUsername"])
                row.wss_secret = str(data.get("wssPassword", ""))
            row.bango_riyo = bool(data.get("bangoRiyo", False))
            row.roles = list(data.get("roles", []))
            row.delivery_kind = data.get("deliveryKind")
            row.endpoint_url = data.get("endpointUrl")
            row.wsdl_url = data.get("wsdlUrl")
            row.active = bool(data.get("active", True))
            if data.get("webhookSecret"):
                row.webhook_secret = str(data["webhookSecret"])
            s.add(row)
            s.flush()
            s.execute(delete(AclEntry).where(AclEntry.system_id == sid))
            for entry in data.get("allow", []):
                service, _, operation = str(entry).partition("/")
                if not service or not operation:
                    raise RequestInvalid(f"ACL entry {entry!r} must read service/operation")
                s.add(AclEntry(system_id=sid, service=service, operation=operation))

    def delete_system(self, system_id: str) -> None:
        with self.store.write() as s:
            row = s.get(System, system_id)
            if row is None:
                raise NotFound(f"system {system_id} is not registered")
            s.delete(row)
        self.invalidate()

    def acl_of(self, system_id: str) -> list[str]:
        return sorted(f"{sv}/{op}" for sid, sv, op in self.snapshot().acl if sid == system_id)

    def add_subscription(self, system_id: str, service: str, operation: str,
                         categories: list[str] | None = None) -> SubscriptionInfo:
        self.system(system_id)
        with self.store.write() as s:
            existing = s.execute(select(Subscription).where(
                Subscription.system_id == system_id, Subscription.service == service,
                Subscription.operation == operation)).scalar_one_or_none()
            sub = existing or Subscription(system_id=system_id, service=service, operation=operation,
                                           created_at=now())
            sub.categories = categories or None
            sub.active = True
            s.add(sub)
            s.flush()
            sub_id = sub.id
        self.invalidate()
        return next(x for x in self.snapshot().subscriptions if x.id == sub_id)

    def remove_subscription(self, sub_id: int) -> None:
        with self.store.write() as s:
            row = s.get(Subscription, sub_id)
            if row is None:
                raise NotFound(f"subscription {sub_id} does not exist")
            s.delete(row)
        self.invalidate()
