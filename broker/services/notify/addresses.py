"""Mail addresses are personal data: checked once, found by a keyed hash, shown masked.

The hash is an HMAC with the store's own key, so the stored hashes cannot be matched against a
list of guessed addresses by someone who only has the table.
"""

from __future__ import annotations

import hashlib
import hmac

from email_validator import EmailNotValidError, validate_email

from broker.errors import RequestInvalid


def normalise(address: str) -> str:
    """The address as it will be used for sending; refused with a clear reason when it is not one.

    Syntax only: whether the domain receives mail is the SMTP server's business, and checking DNS
    here would make subscribing depend on the network.
    """
    try:
        checked = validate_email(address.strip(), check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise RequestInvalid(f"メールアドレスの形式が正しくありません: {exc}", code="schema_invalid") from exc
    return str(checked.normalized)


def lookup_hash(key: bytes, address: str) -> str:
    """The exact-match key of an address: case-folded domain and local part, keyed HMAC-SHA256."""
    return hmac.new(key, address.casefold().encode("utf-8"), hashlib.sha256).hexdigest()


def mask(address: str) -> str:
    """``ta***@example.jp``: enough for a person to recognise their own address, not to learn one."""
    local, _, domain = address.rpartition("@")
    if not local:
        return "***"
    return f"{local[:2]}***@{domain}"
