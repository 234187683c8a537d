"""Webhook receivers can tell the hub's deliveries from anyone else's: HMAC over the body."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from adapters.outbound import webhook_signature
from broker.models import Delivery
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.support import RunningHub
from tests.wait import until


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=2000), secret=st.text(min_size=16, max_size=40), flip=st.integers(min_value=0))
def test_any_change_to_the_body_breaks_the_signature(body: bytes, secret: str, flip: int) -> None:
    signed = webhook_signature.headers(secret, body)
    assert webhook_signature.verify(secret, signed, body) is None
    tampered = bytearray(body + b"x")
    tampered[flip % len(tampered)] ^= 0x01
    assert webhook_signature.verify(secret, signed, bytes(tampered)) == "signature does not match"
    assert webhook_signature.verify(secret + "!", signed, body) == "signature does not match"


def test_old_or_missing_signatures_are_refused() -> None:
    body = b'{"meta": {}}'
    old = webhook_signature.headers("s" * 16, body, at=time.time() - 600)
    assert webhook_signature.verify("s" * 16, old, body) == "timestamp outside five minutes"
    assert webhook_signature.verify("s" * 16, {}, body) is not None


def test_the_hub_signs_webhook_deliveries_and_a_wrong_secret_ends_in_a_dead_letter(hub: RunningHub) -> None:
    kaigo = hub.receivers["kaigo"]
    sender = JukiSender(hub.url, "juki", hub.juki_password)
    sender.send(header("juki"), SampleTown(seed=31).next_ido())
    until(lambda: len(kaigo.inbox.items) == 1)
    assert kaigo.inbox.unsigned == 0  # the receiver refuses anything unsigned: it took the hub's delivery
    system = hub.parts.registry.system("kaigo")
    hub.parts.registry.upsert_system({"id": "kaigo", "name": system.name, "lgCode": system.lg_code,
                                      "deliveryKind": "webhook", "endpointUrl": system.endpoint_url,
                                      "wssUsername": system.wss_username, "wssPassword": system.wss_secret,
                                      "webhookSecret": "not-the-receivers-secret-0"})
    sender.send(header("juki"), SampleTown(seed=32, start_atena=100000701).next_ido())
    until(lambda: _dead(hub))
    assert kaigo.inbox.unsigned >= 1 and len(kaigo.inbox.items) == 1


def _dead(hub: RunningHub) -> bool:
    with hub.parts.store.read() as s:
        status = s.execute(select(Delivery.status).where(Delivery.destination == "kaigo")
                           .order_by(Delivery.id.desc())).scalars().first()
    return status == "dead"
