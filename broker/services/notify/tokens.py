"""Signed tokens for the links in mails: confirm (expires), manage (expires) and unsubscribe.

An unsubscribe token does not expire: a one-click link in a mail from last year must still work
(RFC 8058 expects the link to keep working for as long as mail may be read). Each token names its
purpose in the signature's salt, so a confirmation token can never unsubscribe or vice versa.
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from broker.errors import NotAllowed

CONFIRM_SECONDS = 72 * 3600
MANAGE_SECONDS = 30 * 24 * 3600
PURPOSES = {"confirm": CONFIRM_SECONDS, "manage": MANAGE_SECONDS, "unsubscribe": None}


class Tokens:
    def __init__(self, secret: str) -> None:
        self._serializers = {p: URLSafeTimedSerializer(secret, salt=f"chipla-notify-{p}") for p in PURPOSES}

    def make(self, purpose: str, subscriber_id: int) -> str:
        return str(self._serializers[purpose].dumps({"s": subscriber_id}))

    def read(self, purpose: str, token: str) -> int:
        """The subscriber id in a token of this purpose; expired or forged tokens are refused."""
        try:
            data = self._serializers[purpose].loads(token, max_age=PURPOSES[purpose])
        except SignatureExpired as exc:
            raise NotAllowed("リンクの有効期限が切れています", code="token_stale") from exc
        except BadSignature as exc:
            raise NotAllowed("リンクが正しくありません", code="authentication_failed") from exc
        if not isinstance(data, dict) or not isinstance(data.get("s"), int):
            raise NotAllowed("リンクが正しくありません", code="authentication_failed")
        return int(data["s"])
