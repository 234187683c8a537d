"""Console accounts in the hub's store: add, list, remove, change password, check a sign-in.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106). A sign-in for an unknown user
still verifies against a fixed hash, so the answer takes as long whether or not the user exists.
Every change is written to the audit chain with the acting person or ``cli``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select

from broker import audit
from broker.clock import now
from broker.operators.models import ConsoleUser
from broker.store import Store, affected

ROLES = ("viewer", "operator", "admin")
MIN_PASSWORD = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class UnknownUser(LookupError):
    """No console user by that name."""


class WeakPassword(ValueError):
    """A password shorter than ``MIN_PASSWORD`` characters, or a bad user name or role."""


def role_at_least(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


@dataclass(frozen=True)
class OperatorUser:
    username: str
    display_name: str
    role: str
    active: bool

    def can(self, needed: str) -> bool:
        return self.active and role_at_least(self.role, needed)


def _info(u: ConsoleUser) -> OperatorUser:
    return OperatorUser(u.username, u.display_name, u.role, u.active)


class OperatorStore:
    def __init__(self, store: Store, hasher: PasswordHasher | None = None) -> None:
        self.store = store
        self.hasher = hasher or PasswordHasher()
        self._decoy = self.hasher.hash("decoy password for unknown users")

    def add(self, username: str, password: str, role: str, *, display_name: str = "", actor: str = "cli") -> None:
        _check(username, password, role)
        t = now()
        with self.store.write() as s:
            if s.execute(select(ConsoleUser.id).where(ConsoleUser.username == username)).scalar() is not None:
                raise WeakPassword(f"user {username} already exists")
            s.add(ConsoleUser(username=username, display_name=display_name or username, role=role,
                              password_hash=self.hasher.hash(password), active=True, created_at=t,
                              password_changed_at=t))
            audit.append(s, actor, "console.user_added", username, {"role": role})

    def list(self) -> list[OperatorUser]:
        with self.store.read() as s:
            return [_info(u) for u in s.execute(select(ConsoleUser).order_by(ConsoleUser.username)).scalars()]

    def get(self, username: str) -> OperatorUser | None:
        with self.store.read() as s:
            u = s.execute(select(ConsoleUser).where(ConsoleUser.username == username)).scalar_one_or_none()
            return _info(u) if u is not None else None

    def remove(self, username: str, *, actor: str = "cli") -> None:
        with self.store.write() as s:
            if not affected(s.execute(delete(ConsoleUser).where(ConsoleUser.username == username))):
                raise UnknownUser(username)
            audit.append(s, actor, "console.user_removed", username)

    def set_password(self, username: str, password: str, *, actor: str = "cli") -> None:
        _check(username, password, "viewer")
        with self.store.write() as s:
            u = s.execute(select(ConsoleUser).where(ConsoleUser.username == username)).scalar_one_or_none()
            if u is None:
                raise UnknownUser(username)
            u.password_hash, u.password_changed_at = self.hasher.hash(password), now()
            audit.append(s, actor, "console.password_changed", username)

    def set_role(self, username: str, role: str, *, actor: str) -> None:
        if role not in ROLES:
            raise WeakPassword(f"role must be one of {', '.join(ROLES)}")
        with self.store.write() as s:
            u = s.execute(select(ConsoleUser).where(ConsoleUser.username == username)).scalar_one_or_none()
            if u is None:
                raise UnknownUser(username)
            u.role = role
            audit.append(s, actor, "console.role_changed", username, {"role": role})

    def authenticate(self, username: str, password: str) -> OperatorUser | None:
        """The user when name and password match an active account; ``None`` otherwise (always hashing)."""
        with self.store.read() as s:
            u = s.execute(select(ConsoleUser).where(ConsoleUser.username == username)).scalar_one_or_none()
        stored = u.password_hash if u is not None else self._decoy
        try:
            self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if u is None or not u.active:
            return None
        if self.hasher.check_needs_rehash(stored):
            with self.store.write() as s:
                row = s.get(ConsoleUser, u.id)
                if row is not None:
                    row.password_hash = self.hasher.hash(password)
        return _info(u)


def _check(username: str, password: str, role: str) -> None:
    if not _USERNAME.match(username):
        raise WeakPassword("user name: 2-64 characters a-z 0-9 . _ - starting with a letter or digit")
    if role not in ROLES:
        raise WeakPassword(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"password must have at least {MIN_PASSWORD} characters")
