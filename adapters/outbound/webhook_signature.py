"""How a webhook receiver knows a delivery comes from the hub: an HMAC over the body.

    X-Chipla-Timestamp: 1796000000                      (Unix seconds when the hub sent it)
    X-Chipla-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body bytes>")>

The secret is the receiver's ``webhookSecret`` in the registry. A receiver recomputes the HMAC over
the exact bytes it received, compares in constant time, refuses a timestamp more than five minutes
from its clock (a captured delivery cannot be replayed later), and deduplicates on
``Idempotency-Key`` (a retry is signed anew, with the same key).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

TIMESTAMP_HEADER = "x-chipla-timestamp"
SIGNATURE_HEADER = "x-chipla-signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def headers(secret: str, body: bytes, at: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if at is None else at)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(secret: str, received: Mapping[str, str], body: bytes, now: float | None = None) -> str | None:
    """None when the delivery is the hub's and fresh; otherwise why it is not."""
    stamp, given = received.get(TIMESTAMP_HEADER, ""), received.get(SIGNATURE_HEADER, "")
    if not stamp.isdigit() or not given:
        return "missing X-Chipla-Timestamp or X-Chipla-Signature"
    if abs((time.time() if now is None else now) - int(stamp)) > TOLERANCE_SECONDS:
        return "timestamp outside five minutes"
    if not hmac.compare_digest(signature(secret, int(stamp), body).encode(), given.encode()):
        return "signature does not match"
    return None
