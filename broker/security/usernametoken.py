"""WS-Security UsernameToken Profile 1.1 with PasswordDigest.

``PasswordDigest = Base64(SHA-1(nonce + created + password))`` where ``nonce`` is the decoded
Nonce bytes. A token is accepted once: its nonce goes into the replay cache for the freshness window,
and ``Created`` must lie within that window of the hub's clock.

The digest covers the decoded nonce, so the replay cache must be keyed on the decoded bytes too:
base64 has several spellings of the same bytes (the unused low bits of the last character), and a
cache keyed on the text would take a re-spelled captured token for a new one. Only the canonical
spelling is accepted, and the cache key is made from the bytes, never from the text as sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from broker.clock import now
from broker.errors import NotAllowed

PASSWORD_DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
)
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
)
FRESHNESS = timedelta(minutes=5)
CLOCK_SKEW = timedelta(seconds=60)
MIN_NONCE_BYTES = 8
MAX_NONCE_BYTES = 64
# xsd:dateTime as WS-Security writes it, with a zone: the digest binds the exact text.
_CREATED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})", re.ASCII)


@dataclass(frozen=True)
class UsernameToken:
    username: str
    password: str
    password_type: str
    nonce_b64: str | None
    created: str | None


@dataclass(frozen=True)
class VerifiedToken:
    """What a checked token leaves behind: who, when, and the replay-cache key of its nonce."""

    username: str
    created: datetime
    nonce_key: str

    @property
    def replay_key(self) -> tuple[str, str]:
        return self.username, self.nonce_key


def digest(nonce: bytes, created: str, secret: str) -> str:
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + secret.encode()).digest()).decode()


def decode_nonce(text: str) -> bytes:
    """The nonce bytes, from their one canonical base64 spelling only."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NotAllowed("UsernameToken Nonce is not base64", code="authentication_failed") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise NotAllowed("UsernameToken Nonce is not in canonical base64", code="authentication_failed")
    if not MIN_NONCE_BYTES <= len(raw) <= MAX_NONCE_BYTES:
        raise NotAllowed(f"UsernameToken Nonce must be {MIN_NONCE_BYTES}–{MAX_NONCE_BYTES} bytes",
                         code="authentication_failed")
    return raw


def nonce_key(nonce: bytes) -> str:
    """The replay-cache key of a nonce: made from its bytes, so one nonce has one key."""
    return base64.b64encode(nonce).decode("ascii")


def parse_created(text: str) -> datetime:
    if not _CREATED.fullmatch(text):
        raise NotAllowed("UsernameToken Created is not an xsd:dateTime with a zone", code="authentication_failed")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise NotAllowed("UsernameToken Created is not a valid instant", code="authentication_failed") from exc


def verify(token: UsernameToken, secret: str) -> VerifiedToken:
    """Check digest and freshness; the caller claims ``nonce_key`` in the replay cache."""
    if token.password_type != PASSWORD_DIGEST:
        raise NotAllowed("UsernameToken must use PasswordDigest", code="authentication_failed")
    if not token.nonce_b64 or not token.created:
        raise NotAllowed("UsernameToken needs Nonce and Created", code="authentication_failed")
    nonce = decode_nonce(token.nonce_b64)
    created = parse_created(token.created)
    if not hmac.compare_digest(digest(nonce, token.created, secret).encode(), token.password.encode()):
        raise NotAllowed("認証に失敗しました", code="authentication_failed")
    t = now()
    if created > t + CLOCK_SKEW or created < t - FRESHNESS:
        raise NotAllowed("UsernameToken Created is outside the freshness window", code="token_stale")
    return VerifiedToken(username=token.username, created=created, nonce_key=nonce_key(nonce))
