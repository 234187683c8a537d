"""Prometheus counters of the core, exposed by the composition root at ``/metrics``."""

from __future__ import annotations

from prometheus_client import Counter

ACCEPTED = Counter("chipla_messages_accepted_total", "Messages durably accepted", ["service", "operation"])
DUPLICATES = Counter("chipla_messages_resent_total", "Re-sent message ids answered with the first receipt")
REFUSED = Counter("chipla_messages_refused_total", "Input refused and quarantined", ["channel", "code"])
DELIVERIES = Counter("chipla_delivery_attempts_total", "Delivery attempts by outcome",
                     ["destination", "outcome"])
