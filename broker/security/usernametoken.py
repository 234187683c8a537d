"""WS-Security UsernameToken Profile 1.1 with PasswordDigest.

``PasswordDigest = Base64(SHA-1(nonce + created + password))`` where ``nonce`` is the decoded
Nonce bytes. A token is accepted once: its nonce goes into the replay cache for the freshness window,
and ``Created`` must lie within that window of the hub's clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
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


@dataclass(frozen=True)
class UsernameToken:
    username: str
    password: str
    password_type: str
    nonce_b64: str | None
    created: str | None


def digest(nonce: bytes, created: str, secret: str) -> str:
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + secret.encode()).digest()).decode()


def verify(token: UsernameToken, secret: str) -> datetime:
    """Check digest and freshness; return the Created instant (the caller checks the nonce)."""
    if token.password_type != PASSWORD_DIGEST:
        raise NotAllowed("UsernameToken must use PasswordDigest", code="authentication_failed")
    if not token.nonce_b64 or not token.created:
        raise NotAllowed("UsernameToken needs Nonce and Created", code="authentication_failed")
    try:
        nonce = base64.b64decode(token.nonce_b64, validate=True)
        created = datetime.fromisoformat(token.created.replace("Z", "+00:00"))
    except (binascii.Error, ValueError) as exc:
        raise NotAllowed("UsernameToken Nonce or Created is malformed", code="authentication_failed") from exc
    if created.tzinfo is None:
        raise NotAllowed("UsernameToken Created needs a timezone", code="authentication_failed")
    if not hmac.compare_digest(digest(nonce, token.created, secret), token.password):
        raise NotAllowed("認証に失敗しました", code="authentication_failed")
    t = now()
    if created > t + CLOCK_SKEW or created < t - FRESHNESS:
        raise NotAllowed("UsernameToken Created is outside the freshness window", code="token_stale")
    return created
