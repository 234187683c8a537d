"""One delivery kind, different forms per service: the composition root registers, say, the signed
正本 delivery for ``zei`` beside the plain SOAP delivery of every other service under ``soap``."""

from __future__ import annotations

from collections.abc import Mapping

from broker.outbound import OutboundAdapter, OutboundMessage


class ByService(OutboundAdapter):
    def __init__(self, default: OutboundAdapter, per_service: Mapping[str, OutboundAdapter]) -> None:
        self.kind = default.kind
        self.default = default
        self.per_service = dict(per_service)
        self.sends_mapped = default.sends_mapped or any(a.sends_mapped for a in self.per_service.values())

    def deliver(self, message: OutboundMessage) -> None:
        self.per_service.get(message.header.service, self.default).deliver(message)

    def close(self) -> None:
        self.default.close()
        for adapter in self.per_service.values():
            adapter.close()
