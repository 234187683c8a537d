"""The kit finds every date-time without an offset in an answer, in XML and JSON alike."""

from __future__ import annotations

import pytest

from conformance.datetimes import DateTimeWatch, without_offset
from conformance.evidence import Exchange


@pytest.mark.parametrize(("body", "naive"), [
    (b"<j:acceptedAt>2026-11-29T14:10:41.107615</j:acceptedAt>", ["2026-11-29T14:10:41.107615"]),
    (b'{"acceptedAt": "2026-11-29T14:10:41"}', ["2026-11-29T14:10:41"]),
    (b"<t>2026-11-29T14:10</t>", ["2026-11-29T14:10"]),
    (b"<t>2026-11-29T14:10:41+0900</t>", ["2026-11-29T14:10:41"]),  # RFC 3339 and XSD want the colon
    (b"<t>2026-11-29T14:10:41.107615+09:00</t>", []),
    (b'{"a": "2026-11-29T05:10:41Z", "d": "2026-11-29"}', []),
    (b"receipt 12026-11-29T14:10:41 is an id, not a time", []),
])
def test_date_times_without_offset_are_found(body: bytes, naive: list[str]) -> None:
    assert without_offset(body) == naive


def test_the_watch_keeps_the_exchange_of_each_naive_date_time() -> None:
    watch = DateTimeWatch()
    exchange = Exchange.of("再送", "POST", "http://p/soap/jumin", {}, b"", 200, {}, b"", 3)
    watch.look(exchange, b"<a>2026-11-29T14:10:41+09:00</a><b>2026-11-29T14:10:41</b>")
    assert watch.seen == 2
    assert [(n.value, n.exchange.label) for n in watch.naive] == [("2026-11-29T14:10:41", "再送")]
