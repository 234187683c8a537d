"""The services this hub runs, filled by the composition root and read-only afterwards.

The hub, the dispatcher and the doors look services up here by the ``service`` of the common header;
an unknown service or operation is the sender's error (1011), never a crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from broker.errors import RequestInvalid
from broker.service import Operation, OperationKind, Service, problems_of


class ServiceCatalog:
    def __init__(self, services: Iterable[Service]) -> None:
        self._services: dict[str, Service] = {}
        for service in services:
            problems = problems_of(service)
            if problems:
                raise ValueError("; ".join(problems))
            if service.id in self._services:
                raise ValueError(f"service {service.id} is registered twice")
            self._services[service.id] = service

    def __iter__(self) -> Iterator[Service]:
        return iter(self._services.values())

    def __contains__(self, service_id: object) -> bool:
        return service_id in self._services

    def get(self, service_id: str) -> Service | None:
        return self._services.get(service_id)

    def __getitem__(self, service_id: str) -> Service:
        service = self._services.get(service_id)
        if service is None:
            raise RequestInvalid(f"業務 {service_id} はこのハブにありません", code="unknown_operation")
        return service

    def operation(self, service_id: str, operation: str, kind: OperationKind) -> tuple[Service, Operation]:
        """The service and operation an envelope names, if it is of the kind the caller expects."""
        service = self[service_id]
        op = service.operation(operation)
        if op is None or op.kind is not kind:
            what = "notification" if kind is OperationKind.NOTICE else "query"
            raise RequestInvalid(f"{service_id}/{operation} is not a {what} this hub accepts",
                                 code="unknown_operation")
        return service, op
