"""Prometheus counters of the core, exposed by the composition root at ``/metrics``, and the outbox
backlog gauges, read from the store at scrape time (the same for every process)."""

from __future__ import annotations

from prometheus_client import REGISTRY, Counter, Gauge

from broker.backlog import BacklogCollector

ACCEPTED = Counter("chipla_messages_accepted_total", "Messages durably accepted", ["service", "operation"])
DUPLICATES = Counter("chipla_messages_resent_total", "Re-sent message ids answered with the first receipt")
REFUSED = Counter("chipla_messages_refused_total", "Input refused, by transport and result code", ["channel", "code"])
QUARANTINED = Counter("chipla_quarantine_stored_total", "Refused input kept in quarantine (whole from a sender, "
                      "or a sample of anonymous input)", ["channel", "kind"])
UNSAMPLED = Counter("chipla_refusals_not_kept_total", "Anonymous refusals counted but not kept (over the "
                    "sample rate)", ["channel"])
RATE_LIMITED = Counter("chipla_refusals_rate_limited_total", "Requests turned away (2007) from a client address "
                       "refused too often", ["channel"])
QUARANTINE_PURGED = Counter("chipla_quarantine_purged_total", "Quarantine entries removed by retention or the "
                            "size cap", ["reason"])
QUARANTINE_BYTES = Gauge("chipla_quarantine_bytes", "Bytes of original input held in quarantine (last sweep)")
DELIVERIES = Counter("chipla_delivery_attempts_total", "Delivery attempts by outcome",
                     ["destination", "outcome"])
DERIVE_FAILED = Counter("chipla_derive_failures_total", "Attempts of the derive stage to make a message's mapped "
                        "forms that failed (each is tried again with backoff)", ["service"])
OUTBOX_BACKLOG = BacklogCollector()  # the composition root attaches the store
REGISTRY.register(OUTBOX_BACKLOG)
