"""Read a WS-Security UsernameToken out of a ``wsse:Security`` header, and write one."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime

from lxml import etree

from adapters.soap.envelope import WSSE, WSU, first_children
from broker.errors import NotAllowed
from broker.security.usernametoken import PASSWORD_DIGEST, UsernameToken, digest

_USERNAME_TOKEN = f"{{{WSSE}}}UsernameToken"
_USERNAME, _PASSWORD, _NONCE, _CREATED = (f"{{{WSSE}}}Username", f"{{{WSSE}}}Password", f"{{{WSSE}}}Nonce",
                                          f"{{{WSU}}}Created")


def read_token(security: etree._Element | None) -> UsernameToken:
    if security is None:
        raise NotAllowed("WS-Security UsernameToken がありません", code="unauthenticated")
    token = first_children(security, (_USERNAME_TOKEN,)).get(_USERNAME_TOKEN)
    if token is None:
        raise NotAllowed("WS-Security UsernameToken がありません", code="unauthenticated")
    parts = first_children(token, (_USERNAME, _PASSWORD, _NONCE, _CREATED))
    username = _text(parts, _USERNAME)
    pw = parts.get(_PASSWORD)
    if not username or pw is None:
        raise NotAllowed("UsernameToken の Username / Password がありません", code="unauthenticated")
    return UsernameToken(
        username=username.strip(),
        password=(pw.text or "").strip(),
        password_type=pw.get("Type", PASSWORD_DIGEST),
        nonce_b64=_text(parts, _NONCE).strip() or None,
        created=_text(parts, _CREATED).strip() or None,
    )


def _text(parts: dict[str, etree._Element], tag: str) -> str:
    """The text of the first ``tag`` child, '' when it is missing or empty (as ``findtext(tag) or ''``)."""
    elem = parts.get(tag)
    return "" if elem is None else elem.text or ""


def build_security(username: str, secret: str, *, nonce: bytes | None = None,
                   created: str | None = None) -> etree._Element:
    """A Security header with a fresh PasswordDigest token (used by the hub's own SOAP calls)."""
    nonce = nonce or os.urandom(16)
    created = created or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    sec = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "wsu": WSU})
    tok = etree.SubElement(sec, f"{{{WSSE}}}UsernameToken")
    etree.SubElement(tok, f"{{{WSSE}}}Username").text = username
    pw = etree.SubElement(tok, f"{{{WSSE}}}Password", Type=PASSWORD_DIGEST)
    pw.text = digest(nonce, created, secret)
    nonce_el = etree.SubElement(tok, f"{{{WSSE}}}Nonce")
    nonce_el.set("EncodingType", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary")
    nonce_el.text = base64.b64encode(nonce).decode()
    etree.SubElement(tok, f"{{{WSU}}}Created").text = created
    return sec
