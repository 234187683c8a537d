"""Signing the JSON summary with HMAC-SHA256 and the kit's key.

HMAC keeps the kit free of extra dependencies; the price is that verifying needs the same key, so a
procurement office verifies reports on the machine (or with the key file) that produced them. The key
is generated on first use under ``~/.config/chipla/`` (or wherever ``--key`` points) with mode 0600, and
never lives in the repository.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

ALGORITHM = "HMAC-SHA256"
KEY_ENV = "CHIPLA_CONFORMANCE_KEY"


def default_key_path() -> Path:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "chipla" / "conformance.key"


def key_path(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    env = os.environ.get(KEY_ENV)
    return Path(env) if env else default_key_path()


def load_key(path: Path | None = None, *, create: bool = True) -> bytes:
    """The key bytes; a missing key file is created (32 random bytes, hex) when ``create`` is set."""
    p = key_path(path)
    if not p.exists():
        if not create:
            raise FileNotFoundError(f"signing key not found: {p}")
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    text = p.read_text(encoding="ascii").strip()
    return bytes.fromhex(text)


def key_id(key: bytes) -> str:
    """A public fingerprint of the key, so a reader can tell which key signed a report."""
    return hashlib.sha256(b"chipla-conformance-key:" + key).hexdigest()[:16]


def canonical(document: dict[str, Any]) -> bytes:
    body = {k: v for k, v in document.items() if k != "signature"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(document: dict[str, Any], key: bytes) -> dict[str, Any]:
    mac = hmac.new(key, canonical(document), hashlib.sha256).hexdigest()
    return {**document, "signature": {"algorithm": ALGORITHM, "keyId": key_id(key), "value": mac}}


def signature_valid(document: dict[str, Any], key: bytes) -> bool:
    sig = document.get("signature") or {}
    if sig.get("algorithm") != ALGORITHM or sig.get("keyId") != key_id(key):
        return False
    expected = hmac.new(key, canonical(document), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, str(sig.get("value", "")))


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
