"""The pipeline every door calls: stages 5–10 of the one stage order (docs/architecture.md).

    door: 1 read → 2 parse → 3 authenticate → 4 envelope (adapters/wire/intake.py)
    hub:  5 authorise → 6 service (catalogue, its checks) → 7 route (its facts)
          → 8 store (accept writer: original + outbox + its rules, one transaction) → 9 ack
                                                                                  ↓
                      derive (its mappings, from the stored original)   dispatch → delivered | retry | dead letter

The hub knows no service by name: what differs between services is declared by each one
(``broker.service.Service``) and found in the catalogue by the header's ``service``. A 照会 takes the
short way: authorise → audit → answer from the service's projection through the caller's view.
Anything refused on the way is kept in quarantine with its reason and audited; nothing is dropped.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import Any

from broker import audit, classification
from broker.accept import AcceptWriter, Derived, Receipt
from broker.catalog import ServiceCatalog
from broker.derive import Deriver
from broker.dispatch.base import Dispatcher
from broker.envelope import Envelope, Header
from broker.errors import HubError, NotAllowed
from broker.refusals import RefusalLog, RefusalPolicy
from broker.registry import SystemInfo, SystemRegistry
from broker.router import destinations
from broker.security.nonces import NonceCache
from broker.service import OperationKind, QueryContext, Service
from broker.store import Store

log = logging.getLogger(__name__)

BANGO_RIYO_PURPOSE = "bango_riyo"



class Hub:
    def __init__(self, store: Store, registry: SystemRegistry, services: ServiceCatalog,
                 refusal_policy: RefusalPolicy | None = None) -> None:
        self.store = store
        self.registry = registry
        self.services = services
        self.nonces = NonceCache(store)
        self.refusals = RefusalLog(store, refusal_policy)
        self.dispatcher: Dispatcher | None = None
        self.deriver = Deriver(store, services)
        self.writer = AcceptWriter(store, on_committed=self.wake, on_stored=self.deriver.committed)

    def attach_dispatcher(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    def wake(self, dests: list[str]) -> None:
        """Tell the dispatcher that work for these destinations was committed."""
        if self.dispatcher is not None:
            self.dispatcher.wake(dests)

    def start(self) -> None:
        self.refusals.start()
        self.deriver.start()
        self.writer.start()
        if self.dispatcher is not None:
            self.dispatcher.start()

    def stop(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.stop()
        self.writer.stop()
        self.deriver.stop()
        self.refusals.stop()

    # -- stages ------------------------------------------------------------------------------
    def authorise(self, caller: SystemInfo, envelope: Envelope) -> None:
        h = envelope.header
        if caller.id != h.sender_system_id:
            raise NotAllowed(f"認証されたシステム {caller.id} と送信元 {h.sender_system_id} が一致しません")
        if caller.lg_code != h.lg_code:
            raise NotAllowed(f"システム {caller.id} は団体 {h.lg_code} の電文を送れません")
        self.registry.authorize(caller, h.service, h.operation)

    def accept(self, envelope: Envelope, caller: SystemInfo,
               nonce: tuple[str, str] | None = None) -> Receipt:
        """Run a 通知 through the pipeline and return the receipt once it is durable."""
        return self.submit(envelope, caller, nonce).result(timeout=60)

    def submit(self, envelope: Envelope, caller: SystemInfo,
               nonce: tuple[str, str] | None = None) -> Future[Receipt]:
        """The stages up to the store; the future resolves when the envelope is durable."""
        self.authorise(caller, envelope)
        h = envelope.header
        service, _op = self.services.operation(h.service, h.operation, OperationKind.NOTICE)
        body = envelope.body
        service.check(body)
        subject = h.subject_key or service.subject_key(body)
        routes = destinations(envelope, self.registry.snapshot(), service.routing_facts(body))
        derived = Derived(subject_key=subject, destinations=routes, nonce=nonce,
                          rules=service.rules, facts=service.rule_facts(h, body))
        return self.writer.submit(envelope, derived)

    def answer(self, envelope: Envelope, caller: SystemInfo,
               nonce: tuple[str, str] | None = None) -> dict[str, Any]:
        """Run a 照会: authorise, audit who asked about whom, answer through the caller's view.

        Blocking (it reads the store): doors call it from a worker thread."""
        h = envelope.header
        self.authorise(caller, envelope)
        service, op = self.services.operation(h.service, h.operation, OperationKind.QUERY)
        assert op.query is not None
        self.record_query(caller, envelope, op.query.subject(envelope.body), nonce, authorised=True)
        ctx = QueryContext(self.store, h.lg_code, self._viewer(service, caller, h), caller)
        return op.query.answer(ctx, envelope.body)

    def record_query(self, caller: SystemInfo, envelope: Envelope, subject: str,
                     nonce: tuple[str, str] | None = None, *, authorised: bool = False) -> None:
        """照会 are audited: who asked about whom, for which purpose. Asking for 番号利用事務 without
        being registered for it is refused (2006), never answered with the 個人番号 quietly left out."""
        if not authorised:
            self.authorise(caller, envelope)
        h = envelope.header
        if h.purpose_code == BANGO_RIYO_PURPOSE and not caller.bango_riyo:
            raise NotAllowed(f"システム {caller.id} は番号利用事務 (bango_riyo) に登録されていません",
                             code="purpose_forbidden")
        with self.store.write() as s:
            if nonce is not None:
                self.nonces.persist(s, *nonce)
            audit.append(s, caller.id, f"query.{h.operation}", subject,
                         {"messageId": h.message_id, "purpose": h.purpose_code, "operator": h.operator_id})

    def _viewer(self, service: Service, caller: SystemInfo, header: Header) -> Any:
        """What a 照会 may return: ``specific`` fields (個人番号) only to a 番号利用事務 system asking
        for that purpose."""
        bango = caller.bango_riyo and header.purpose_code == BANGO_RIYO_PURPOSE
        allowed = classification.entitled_classes(bango_riyo=bango)

        def view(record: dict[str, Any], at: str) -> dict[str, Any]:
            redacted, _removed = service.classes.redact({at: record}, allowed)
            return dict(redacted[at])

        return view

    def quarantine(self, *, transport: str, original: bytes, headers: dict[str, Any], error: HubError,
                   sender: str | None, client: str = "") -> None:
        """Keep refused input with its reason (whole from a known sender, sampled when anonymous).
        Failing to quarantine is logged, never raised over the sender's answer."""
        self.refusals.record(transport=transport, original=original, headers=headers, error=error, sender=sender,
                             client=client or str(headers.get("client") or "unknown"))
