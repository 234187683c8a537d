"""The service model: a bad declaration stops the hub at start; the router uses the service's facts."""

from __future__ import annotations

from typing import Any

import pytest

from broker.catalog import ServiceCatalog
from broker.classification import FieldClasses
from broker.envelope import Envelope, Header
from broker.errors import RequestInvalid
from broker.registry import Snapshot, SubscriptionInfo, SystemInfo
from broker.router import destinations
from broker.service import Contract, Operation, OperationKind, Query, RoutingFacts, Service, operation_table
from broker.services import field_classes
from chipla.services import catalog


class _Notices(Service):
    contract = Contract(namespace="urn:example:notices:1", xsd="common.xsd")
    operations = operation_table(Operation("Tsuchi", OperationKind.NOTICE))
    classes = FieldClasses({"rec.bango": "specific", "rec": "personal"})

    def __init__(self, service_id: str = "notices") -> None:
        self.id = service_id

    def subject_key(self, body: dict[str, Any]) -> str:
        return str(body["rec"]["key"])


def test_a_service_registered_twice_or_misnamed_stops_the_catalogue() -> None:
    with pytest.raises(ValueError, match="twice"):
        ServiceCatalog([_Notices(), _Notices()])
    with pytest.raises(ValueError, match="lower-case identifier"):
        ServiceCatalog([_Notices("Bad-Name")])


def test_a_query_needs_its_answer_and_a_notice_has_none() -> None:
    with pytest.raises(ValueError):
        Operation("Shokai", OperationKind.QUERY)
    with pytest.raises(ValueError):
        Operation("Tsuchi", OperationKind.NOTICE, Query(answer=lambda ctx, req: {}, subject=lambda req: ""))


def test_unknown_services_and_operations_of_the_wrong_kind_are_1011() -> None:
    services = ServiceCatalog([_Notices()])
    with pytest.raises(RequestInvalid) as unknown:
        services.operation("nothere", "Tsuchi", OperationKind.NOTICE)
    assert unknown.value.result.code == "1011"
    with pytest.raises(RequestInvalid):
        services.operation("notices", "Tsuchi", OperationKind.QUERY)
    assert services.operation("notices", "Tsuchi", OperationKind.NOTICE)[1].name == "Tsuchi"


def test_field_classes_match_at_any_depth_and_default_to_personal() -> None:
    classes = _Notices.classes
    body = {"msg": {"rec": {"bango": "123456789012", "name": "x"}}, "other": "y"}
    redacted, removed = classes.redact(body, frozenset({"public", "personal"}))
    assert removed == ["msg.rec.bango"] and redacted["msg"]["rec"] == {"name": "x"}
    assert classes.class_of("other") == "personal"
    with pytest.raises(ValueError):
        FieldClasses({"rec": "secret"})


def _system(sid: str) -> SystemInfo:
    return SystemInfo(sid, sid, "243035", False, (), "fake", None, None, None, None, True)


def test_a_notice_with_one_addressee_reaches_only_subscriptions_naming_it() -> None:
    snap = Snapshot(systems={s: _system(s) for s in ("a", "b", "all")}, subscriptions=[
        SubscriptionInfo(1, "a", "notices", "Tsuchi", ("A-1",)),
        SubscriptionInfo(2, "b", "notices", "Tsuchi", ("B-2",)),
        SubscriptionInfo(3, "all", "notices", "Tsuchi", None)])
    header = Header("m", "2026-01-01T00:00:00+09:00", "243035", "sender", "notices", "Tsuchi", "1.0")
    env = Envelope(header, {}, b"", "application/json", "rest")
    assert destinations(env, snap, RoutingFacts(category="A-1")) == ["a", "all"]
    assert destinations(env, snap, RoutingFacts(category="A-1", category_required=True)) == ["a"]


def test_the_registered_services_declare_their_contract_files() -> None:
    import api_specs

    for service in catalog():
        contract = service.contract
        assert contract.xsd is not None or (contract.wsdl is None and contract.openapi is None)
        for name, folder in ((contract.xsd, "xsd"), (contract.wsdl, "wsdl"), (contract.openapi, "openapi")):
            assert name is None or api_specs.path(folder, name).exists()


def test_readers_outside_the_pipeline_see_each_registered_services_own_classes() -> None:
    """Console masking and the open-data guard look classes up by id: the same as each declaration's."""
    for service in catalog():
        assert field_classes(service.id) == service.classes
    assert field_classes("zei").class_of("tsuchi.nozeiGimusha.kojinBango") == "specific"
    for unknown in ("nothing", "../zei", "jumin/../zei"):
        assert field_classes(unknown).class_of("anything") == "personal"
