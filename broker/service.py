"""What a service (a 業務 or a feed) declares. The core runs these declarations and names no service.

A service is a package (``broker/services/<id>/``) that builds one :class:`Service`; the composition
root registers it in a :class:`broker.catalog.ServiceCatalog`. The hub, the router, the accept writer
and the dispatcher only ever meet a service through this interface:

    operations and their kind   → which (service, operation) the hub accepts (通知) or answers (照会)
    subject key                 → what orders deliveries to one destination
    routing facts               → what subscriptions may filter on
    field classes               → what each destination may receive (``broker.classification``)
    accept-time checks / rules  → refusals before and inside the accept transaction, projections
    queries                     → answers to 照会, from the service's projection
    mappings                    → the derived forms stored beside the original, and their spec ids
    contract                    → the files in api_specs/ that the doors serve and validate against
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from broker.accept import ServiceRules
from broker.classification import FieldClasses
from broker.envelope import Header
from broker.errors import RequestInvalid
from broker.registry import SystemInfo
from broker.store import Store


class OperationKind(StrEnum):
    """How the hub treats an operation."""

    NOTICE = "notice"  # 通知: stored with the original, routed, delivered at least once
    QUERY = "query"  # 照会: audited and answered from the service's projection, nothing stored


@dataclass(frozen=True)
class Contract:
    """The service's files in api_specs/. Element names follow one convention: operation ``Op`` is
    requested with ``{namespace}OpRequest`` and answered with ``{namespace}OpResponse``."""

    namespace: str  # XML namespace of the service's messages (or another stable URN of the service)
    xsd: str | None = None  # file under api_specs/xsd/ (imports common.xsd); needed by SOAP, REST and files
    wsdl: str | None = None  # file under api_specs/wsdl/, served at /soap/<service>?wsdl
    openapi: str | None = None  # fragment under api_specs/openapi/, merged under /api/v1
    prefix: str = "s"  # namespace prefix the hub writes in its XML answers

    def request_element(self, operation: str) -> str:
        return f"{{{self.namespace}}}{operation}Request"

    def response_element(self, operation: str) -> str:
        return f"{{{self.namespace}}}{operation}Response"


@dataclass(frozen=True)
class RoutingFacts:
    """What the router may use besides (service, operation, tenant).

    ``category`` is matched against a subscription's categories (e.g. 増 / 減 / 変更 of a 異動, or
    the one addressee of a notice). With ``category_required`` only subscriptions that name the
    category receive the message: a subscription without categories gets nothing.
    """

    category: str | None = None
    category_required: bool = False


@dataclass(frozen=True)
class QueryContext:
    """What a query may use: the store, the caller's tenant, the caller's entitled view, and the caller
    itself (a query that answers each caller only about its own records, e.g. an employer fetching its
    notices, filters by ``caller.id``)."""

    store: Store
    lg_code: str
    view: Callable[[dict[str, Any], str], dict[str, Any]]  # (record, its path in the body) → redacted copy
    caller: SystemInfo


@dataclass(frozen=True)
class Query:
    """A 照会: ``answer`` builds the response fields (without ``result``) from the request fields,
    ``subject`` names whom it is about for the audit log (who asked about whom)."""

    answer: Callable[[QueryContext, dict[str, Any]], dict[str, Any]]
    subject: Callable[[dict[str, Any]], str]
    #: REST parameters → the fields of ``OpRequest``, where the REST twin is laxer than the XSD (e.g.
    #: a default starting point); the result is checked against the XSD like a SOAP body
    from_rest: Callable[[dict[str, Any]], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Operation:
    name: str
    kind: OperationKind
    query: Query | None = None

    def __post_init__(self) -> None:
        if (self.kind is OperationKind.QUERY) != (self.query is not None):
            raise ValueError(f"operation {self.name}: a query needs a Query, and only a query has one")


class Service(ABC):
    """One 業務 or feed. Subclasses set the attributes and implement ``subject_key``."""

    id: str
    contract: Contract
    operations: Mapping[str, Operation]
    classes: FieldClasses
    mapping_ids: tuple[str, ...] = ()
    rules: ServiceRules | None = None  # accept-time rules needing the store, and projection rows

    @abstractmethod
    def subject_key(self, body: dict[str, Any]) -> str:
        """The key whose deliveries reach each destination in accept order (宛名番号, device id)."""

    def check(self, body: dict[str, Any]) -> None:
        """Accept-time checks that need no store (code lists); raise a ``HubError`` to refuse."""
        return None

    def routing_facts(self, body: dict[str, Any]) -> RoutingFacts:
        return RoutingFacts()

    def rule_facts(self, header: Header, body: dict[str, Any]) -> dict[str, Any]:
        """What ``rules`` need of one message, computed before the accept transaction."""
        return {}

    def map(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Derived forms stored with the message: rows of ``mapping_id``, ``mapping_version``,
        ``output`` and ``lineage``."""
        return []

    def remap(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The derived form of a redacted body, so a delivery never carries a removed field in it."""
        return None

    def remap_needed(self, removed: Sequence[str]) -> bool:
        """Whether a body without the ``removed`` fields (dotted body paths, as redaction names them)
        may map to another form than the stored one, made from the whole body: then a delivery of the
        redacted body carries ``remap`` of it. A service that knows which fields its mappings read
        answers False for fields they never read (the stored form is then sent as it is); unless it
        says so, any removed field counts."""
        return bool(removed)

    def notice_of_record(self, record: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """A canonical record imported from a file, as (operation, body) of the notice it makes, or None
        when the record describes no change (it is kept, not sent). Raise ``RequestInvalid`` when the
        service takes no records from files (the default)."""
        raise RequestInvalid(f"業務 {self.id} はファイルの記録を通知として受け付けません")

    def operation(self, name: str) -> Operation | None:
        return self.operations.get(name)


def operation_table(*ops: Operation) -> dict[str, Operation]:
    return {op.name: op for op in ops}


@dataclass
class _Declared:
    """Checks a service at registration, so a bad declaration stops the hub at start."""

    service: Service
    problems: list[str] = field(default_factory=list)

    def check(self) -> list[str]:
        s = self.service
        for attr in ("id", "contract", "operations", "classes"):
            if not hasattr(s, attr):
                self.problems.append(f"service {type(s).__name__} does not declare {attr}")
        if self.problems:
            return self.problems
        if not s.id.isidentifier() or s.id != s.id.lower():
            self.problems.append(f"service id {s.id!r} must be a lower-case identifier")
        for name, op in s.operations.items():
            if name != op.name:
                self.problems.append(f"{s.id}: operation {name!r} is declared as {op.name!r}")
        return self.problems


def problems_of(service: Service) -> list[str]:
    return _Declared(service).check()
