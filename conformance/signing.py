"""Signing the JSON summary with Ed25519 and the kit's key.

The key file holds a 32-byte Ed25519 private key (hex), generated on first use under
``~/.config/chipla/`` (or wherever ``--key`` points) with mode 0600 and never kept in a repository;
beside it, ``<key>.pub`` holds the public key. The summary carries the public key and its fingerprint,
so anyone can check that a report is intact, and a procurement office that knows the kit's public
key (``--key`` pointing at the ``.pub`` file) can also check who signed it — without the private key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALGORITHM = "Ed25519"
KEY_ENV = "CHIPLA_CONFORMANCE_KEY"
PUBLIC_PREFIX = "ed25519-public "


def default_key_path() -> Path:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "chipla" / "conformance.key"


def key_path(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    env = os.environ.get(KEY_ENV)
    return Path(env) if env else default_key_path()


def load_key(path: Path | None = None, *, create: bool = True) -> bytes:
    """The private key bytes; a missing key file is created (with its ``.pub``) when ``create`` is set."""
    p = key_path(path)
    if not p.exists():
        if not create:
            raise FileNotFoundError(f"signing key not found: {p}")
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        seed = bytes.fromhex(p.read_text(encoding="ascii").strip())
        p.with_name(p.name + ".pub").write_text(PUBLIC_PREFIX + public_key(seed).hex() + "\n", encoding="ascii")
    text = p.read_text(encoding="ascii").strip()
    if text.startswith(PUBLIC_PREFIX):
        raise ValueError(f"{p} is a public key; signing needs the private key")
    return bytes.fromhex(text)


def load_public_key(path: Path | None = None) -> bytes:
    """The public key to check reports against: from a ``.pub`` file, or derived from a private key."""
    p = key_path(path)
    text = p.read_text(encoding="ascii").strip()
    if text.startswith(PUBLIC_PREFIX):
        return bytes.fromhex(text.removeprefix(PUBLIC_PREFIX))
    return public_key(bytes.fromhex(text))


def public_key(private: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public: bytes) -> str:
    """A fingerprint of the public key, so a reader can tell which key signed a report."""
    return hashlib.sha256(b"chipla-conformance-key:" + public).hexdigest()[:16]


def canonical(document: dict[str, Any]) -> bytes:
    body = {k: v for k, v in document.items() if k != "signature"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(document: dict[str, Any], key: bytes) -> dict[str, Any]:
    public = public_key(key)
    value = Ed25519PrivateKey.from_private_bytes(key).sign(canonical(document))
    return {**document, "signature": {"algorithm": ALGORITHM, "keyId": key_id(public),
                                      "publicKey": base64.b64encode(public).decode(),
                                      "value": base64.b64encode(value).decode()}}


def signature_valid(document: dict[str, Any], key: bytes) -> bool:
    """True when the document was signed with the private ``key`` and not changed since."""
    return signature_valid_public(document, public_key(key))


def signature_valid_public(document: dict[str, Any], public: bytes) -> bool:
    sig = document.get("signature") or {}
    if sig.get("algorithm") != ALGORITHM or sig.get("keyId") != key_id(public):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(str(sig.get("value", ""))),
                                                          canonical(document))
    except (InvalidSignature, ValueError):
        return False
    return True


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
