"""Signed session cookie and CSRF tokens for the console.

The cookie holds the user name, the role at sign-in and a random session id, signed with the
console secret (itsdangerous, HMAC-SHA1 over a timestamped payload) and refused after ``max_age``.
It is HttpOnly, SameSite=Strict, and Secure whenever the request came over TLS. The role is read
again from the store on every request, so removing a user or lowering a role takes effect at once.

Every form carries a CSRF token: an HMAC of the session id (or, before sign-in, of a random value
kept in its own cookie) under the secret. A POST whose token does not match is refused with 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "chipla_console"
PRESESSION_COOKIE = "chipla_console_pre"
MAX_AGE_SECONDS = 8 * 3600  # one working day


@dataclass(frozen=True)
class SessionData:
    username: str
    sid: str


class Sessions:
    def __init__(self, secret: str) -> None:
        if len(secret) < 32:
            raise ValueError("the console secret needs at least 32 characters")
        self._secret = secret.encode()
        self._signer = URLSafeTimedSerializer(secret, salt="chipla-console-session")

    # -- session -----------------------------------------------------------------------------
    def read(self, request: Request) -> SessionData | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._signer.loads(raw, max_age=MAX_AGE_SECONDS)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("s"), str):
            return None
        return SessionData(data["u"], data["s"])

    def start(self, request: Request, response: Response, username: str) -> None:
        """A fresh session id at every sign-in (no fixation); the pre-session cookie is dropped."""
        token = self._signer.dumps({"u": username, "s": secrets.token_urlsafe(16)})
        response.set_cookie(SESSION_COOKIE, token, max_age=MAX_AGE_SECONDS, path="/console",
                            httponly=True, samesite="strict", secure=_tls(request))
        response.delete_cookie(PRESESSION_COOKIE, path="/console", httponly=True, samesite="strict")

    def end(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/console", httponly=True, samesite="strict")

    # -- CSRF --------------------------------------------------------------------------------
    def csrf_token(self, request: Request) -> tuple[str, str | None]:
        """The token forms of this page carry, and a new pre-session cookie value to set when the
        browser has neither a session nor a pre-session cookie yet (before sign-in)."""
        anchor = self._anchor(request)
        if anchor is not None:
            return self._mac(anchor), None
        fresh = secrets.token_urlsafe(16)
        return self._mac("p:" + fresh), fresh

    def csrf_ok(self, request: Request, given: str) -> bool:
        anchor = self._anchor(request)
        return anchor is not None and bool(given) and hmac.compare_digest(self._mac(anchor), given)

    def set_presession(self, request: Request, response: Response, value: str) -> None:
        response.set_cookie(PRESESSION_COOKIE, value, max_age=3600, path="/console", httponly=True,
                            samesite="strict", secure=_tls(request))

    def _anchor(self, request: Request) -> str | None:
        session = self.read(request)
        if session is not None:
            return "s:" + session.sid
        pre = request.cookies.get(PRESESSION_COOKIE)
        return "p:" + pre if pre else None

    def _mac(self, anchor: str) -> str:
        return hmac.new(self._secret, b"csrf:" + anchor.encode(), hashlib.sha256).hexdigest()


def _tls(request: Request) -> bool:
    return request.url.scheme == "https"
