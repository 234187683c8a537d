"""Content-based router: which registered systems are entitled to an accepted message.

A subscription names (service, operation) and optionally the categories it wants (the service's
routing facts say which category a message has, e.g. 増 / 減 / 変更 of a change); the subscriber
must belong to the message's tenant and must not be its sender. A subscriber registered without a
delivery kind gets no deliveries: it fetches what it is entitled to itself (a pull subscriber, e.g. an
employer downloading its notices). Field entitlement is applied per destination at delivery time
(``FieldClasses.redact``).
"""

from __future__ import annotations

from broker.envelope import Envelope
from broker.registry import Snapshot
from broker.service import RoutingFacts


def destinations(envelope: Envelope, snapshot: Snapshot, facts: RoutingFacts | None = None) -> list[str]:
    header = envelope.header
    facts = facts or RoutingFacts()
    out: list[str] = []
    for sub in snapshot.subscriptions:
        if sub.service != header.service or sub.operation not in (header.operation, "*"):
            continue
        system = snapshot.systems.get(sub.system_id)
        if system is None or not system.active or system.lg_code != header.lg_code:
            continue
        if system.id == header.sender_system_id or not system.delivery_kind:
            continue
        if sub.categories and facts.category not in sub.categories:
            continue
        if facts.category_required and not sub.categories:
            continue
        if header.receiver_system_id and system.id != header.receiver_system_id:
            continue
        if system.id not in out:
            out.append(system.id)
    return out
