"""An entry's hash is written around its detail's canonical text (serialised once, then stored), and
must be the very hash of the whole entry's canonical JSON that older entries carry."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from broker import audit
from broker.clock import JST

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def _whole_entry(prev: str, at: datetime, actor: str, action: str, subject: str, detail: dict[str, Any]) -> str:
    at_text = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = json.dumps({"at": at_text, "actor": actor, "action": action, "subject": subject, "detail": detail},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


@given(actor=st.text(), action=st.text(), subject=st.text(max_size=200),
       detail=st.dictionaries(st.text(max_size=8), _json, max_size=5),
       at=st.datetimes(timezones=st.just(JST)))
def test_the_hash_is_that_of_the_whole_entry(actor: str, action: str, subject: str, detail: dict[str, Any],
                                             at: datetime) -> None:
    prev = hashlib.sha256(subject.encode()).hexdigest()
    assert audit._digest(prev, at, actor, action, subject, detail) == _whole_entry(prev, at, actor, action,
                                                                                    subject, detail)
