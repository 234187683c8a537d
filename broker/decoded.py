"""Messages decoded once per process, for every destination that delivers them.

A message goes to several destinations, and each destination claims its deliveries on its own; the
stored envelope, canonical body and mapped form are JSON, and decoding them again for every
destination was the largest part of a claim. The delivering process keeps the recently decoded
messages here, by seq: the first claim (or the derive stage, which reads the body and makes the
mapped form anyway) decodes, the other destinations' claims find them.

What is kept is only ever read: the stored original of a message never changes, a mapped form is a
pure function of it, and a delivery redacts a copy of the body (``FieldClasses.redact``). An entry
carries the message's receipt id, and a reader compares it with the row it claimed, so a seq that
named another message (a store rebuilt under a running process) is decoded afresh, never mixed up.
The cache is bounded: the oldest entries go first; a destination far behind the others decodes
for itself, as it did before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

#: about ten seconds of the single-process accept rate; a few tens of MB at most
DEFAULT_SIZE = 4096


@dataclass(frozen=True)
class Decoded:
    receipt_id: str
    envelope: dict[str, Any]
    canonical: dict[str, Any]
    #: the stored mapped form; None when none was found (yet): a later reader looks again
    mapped: dict[str, Any] | None = None


class DecodedMessages:
    """A bounded, thread-safe map seq → :class:`Decoded`, oldest out first."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[int, Decoded] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, seq: int, receipt_id: str) -> Decoded | None:
        """The decoded message, if kept and still the message with this receipt id."""
        found = self._entries.get(seq)
        return found if found is not None and found.receipt_id == receipt_id else None

    def put(self, seq: int, decoded: Decoded) -> Decoded:
        """Keep ``decoded``; a mapped form already kept for the same message is not forgotten."""
        with self._lock:
            kept = self._entries.get(seq)
            if kept is not None and kept.receipt_id == decoded.receipt_id and decoded.mapped is None:
                decoded = replace(decoded, mapped=kept.mapped)
            self._entries[seq] = decoded
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return decoded

    def put_mapped(self, seq: int, receipt_id: str, mapped: dict[str, Any]) -> None:
        """The mapped form of a kept message (ignored when the message is not kept)."""
        with self._lock:
            kept = self._entries.get(seq)
            if kept is not None and kept.receipt_id == receipt_id:
                self._entries[seq] = replace(kept, mapped=mapped)
