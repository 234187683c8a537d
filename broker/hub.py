"""The pipeline every inbound adapter calls, as one ordered list of stages:

    authenticate (adapter) → authorise → validate rules → map → route → store + outbox → ack
                                                                                  ↓
                                                              dispatch → delivered | retry | dead letter

Anything refused on the way is kept in quarantine with its reason and audited; nothing is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from broker import audit, classification
from broker.accept import AcceptWriter, Derived, Receipt
from broker.dispatch.base import Dispatcher
from broker.envelope import Envelope, Header
from broker.errors import HubError, NotAllowed, RequestInvalid
from broker.refusals import RefusalLog, RefusalPolicy
from broker.registry import Registry, SystemInfo
from broker.router import destinations
from broker.security.nonces import NonceCache
from broker.services import jumin
from broker.store import Store

log = logging.getLogger(__name__)

BANGO_RIYO_PURPOSE = "bango_riyo"

Mapper = Callable[[Envelope], list[dict[str, Any]]]


class Hub:
    def __init__(self, store: Store, registry: Registry, mapper: Mapper | None = None,
                 refusal_policy: RefusalPolicy | None = None) -> None:
        self.store = store
        self.registry = registry
        self.mapper = mapper
        self.nonces = NonceCache(store)
        self.refusals = RefusalLog(store, refusal_policy)
        self.dispatcher: Dispatcher | None = None
        self.writer = AcceptWriter(store, on_committed=self.wake)

    def attach_dispatcher(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    def wake(self, dests: list[str]) -> None:
        """Tell the dispatcher that work for these destinations was committed."""
        if self.dispatcher is not None:
            self.dispatcher.wake(dests)

    def start(self) -> None:
        self.refusals.start()
        self.writer.start()
        if self.dispatcher is not None:
            self.dispatcher.start()

    def stop(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.stop()
        self.writer.stop()
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
        if (h.service, h.operation) != (jumin.SERVICE, jumin.NOTIFY):
            raise RequestInvalid(f"{h.service}/{h.operation} is not a notification this hub accepts",
                                 code="unknown_operation")
        ido = envelope.body["ido"]
        jumin.check_codes(ido)
        subject = h.subject_key or jumin.subject_key(ido)
        routes = destinations(envelope, self.registry.snapshot(), jumin.ido_category(ido))
        mapped = self.mapper(envelope) if self.mapper else []
        derived = Derived(subject_key=subject, destinations=routes, mapped=mapped, nonce=nonce,
                          rules=jumin.RULES, facts=jumin.facts(h.lg_code, ido))
        return self.writer.submit(envelope, derived)

    def record_query(self, caller: SystemInfo, envelope: Envelope, subject: str,
                     nonce: tuple[str, str] | None = None) -> None:
        """照会 are audited: who asked about whom, for which purpose. Asking for 番号利用事務 without
        being registered for it is refused (2006), never answered with the 個人番号 quietly left out."""
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

    def entitled_view(self, caller: SystemInfo, header: Header, record: dict[str, Any]) -> dict[str, Any]:
        """What a 照会 may return: 個人番号 only to a 番号利用事務 system asking for that purpose."""
        bango = caller.bango_riyo and header.purpose_code == BANGO_RIYO_PURPOSE
        view, _removed = classification.redact("jumin", {"jumin": record},
                                               classification.entitled_classes(bango_riyo=bango))
        return dict(view["jumin"])

    def quarantine(self, *, channel: str, original: bytes, headers: dict[str, Any], error: HubError,
                   sender: str | None, client: str = "") -> None:
        """Keep refused input with its reason (whole from a known sender, sampled when anonymous).
        Failing to quarantine is logged, never raised over the sender's answer."""
        self.refusals.record(transport=channel, original=original, headers=headers, error=error, sender=sender,
                             client=client or str(headers.get("client") or "unknown"))
