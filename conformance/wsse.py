"""WS-Security UsernameToken with PasswordDigest, written and checked by the kit.

``PasswordDigest = Base64(SHA-1(nonce + created + password))`` with the decoded nonce bytes. The kit
writes tokens when it calls a product, and checks the tokens a sender under test writes to it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lxml import etree

from conformance.contract import PASSWORD_DIGEST, WSSE, WSU

FRESHNESS = timedelta(minutes=5)
CLOCK_SKEW = timedelta(seconds=60)
NONCE_ENCODING = ("http://docs.oasis-open.org/wss/2004/01/"
                  "oasis-200401-wss-soap-message-security-1.0#Base64Binary")


def digest(nonce: bytes, created: str, password: str) -> str:
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()


def utc_stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class TokenSpec:
    """What to put in a token; the fields exist so that probes can bend exactly one of them."""

    username: str
    password: str
    nonce: bytes
    created: str

    @classmethod
    def fresh(cls, username: str, password: str, age: timedelta = timedelta(0)) -> TokenSpec:
        return cls(username, password, os.urandom(16), utc_stamp(datetime.now(UTC) - age))


def security_header(spec: TokenSpec, *, digest_password: str | None = None) -> etree._Element:
    """A ``wsse:Security`` block; ``digest_password`` signs with another password (a wrong one)."""
    sec = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "wsu": WSU})
    tok = etree.SubElement(sec, f"{{{WSSE}}}UsernameToken")
    etree.SubElement(tok, f"{{{WSSE}}}Username").text = spec.username
    pw = etree.SubElement(tok, f"{{{WSSE}}}Password", Type=PASSWORD_DIGEST)
    pw.text = digest(spec.nonce, spec.created, spec.password if digest_password is None else digest_password)
    nonce = etree.SubElement(tok, f"{{{WSSE}}}Nonce", EncodingType=NONCE_ENCODING)
    nonce.text = base64.b64encode(spec.nonce).decode()
    etree.SubElement(tok, f"{{{WSU}}}Created").text = spec.created
    return sec


@dataclass(frozen=True)
class ReceivedToken:
    username: str
    password: str
    password_type: str
    nonce_b64: str
    created: str


def read_token(security: etree._Element | None) -> ReceivedToken | None:
    if security is None:
        return None
    tok = security.find(f"{{{WSSE}}}UsernameToken")
    if tok is None:
        return None
    pw = tok.find(f"{{{WSSE}}}Password")
    return ReceivedToken(
        username=(tok.findtext(f"{{{WSSE}}}Username") or "").strip(),
        password=(pw.text or "").strip() if pw is not None else "",
        password_type=pw.get("Type", "") if pw is not None else "",
        nonce_b64=(tok.findtext(f"{{{WSSE}}}Nonce") or "").strip(),
        created=(tok.findtext(f"{{{WSU}}}Created") or "").strip(),
    )


def token_problems(token: ReceivedToken | None, password: str | None,
                   now: datetime | None = None) -> list[str]:
    """Why a received token would be refused (empty when acceptable); the digest needs ``password``."""
    if token is None:
        return ["wsse:Security / UsernameToken がありません"]
    problems = []
    if token.password_type != PASSWORD_DIGEST:
        problems.append(f"Password Type が PasswordDigest ではありません: {token.password_type!r}")
    try:
        nonce = base64.b64decode(token.nonce_b64, validate=True)
        created = datetime.fromisoformat(token.created.replace("Z", "+00:00"))
    except (binascii.Error, ValueError):
        return [*problems, "Nonce または Created の形式が正しくありません"]
    if not nonce:
        problems.append("Nonce が空です")
    if created.tzinfo is None:
        problems.append("Created にタイムゾーンがありません")
        return problems
    t = now or datetime.now(UTC)
    if created > t + CLOCK_SKEW or created < t - FRESHNESS:
        problems.append(f"Created {token.created} が有効範囲（5分）外です")
    if password is not None and not hmac.compare_digest(digest(nonce, token.created, password),
                                                        token.password):
        problems.append("PasswordDigest が一致しません")
    return problems
