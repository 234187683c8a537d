"""A redacted delivery carries the mapped form of the body it carries, made once where it can be.

The IMI form stored with a 異動 is made from the whole record. A destination without 番号利用事務
gets the body without the 個人番号, and the form it gets must be the form of that body: the stored
one when the mapping never reads a removed field (the 個人番号 is not mapped), else the body mapped
again. These tests hold the shortcut to the slow way on generated records and classifications.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mappings
from broker.classification import CLASSES, FieldClasses, entitled_classes
from broker.dispatch.base import Deliverer, Prepared
from broker.envelope import Header
from broker.outbound import FakeOutbound
from broker.outbox import Claimed
from broker.registry import SystemInfo
from broker.services.jumin import JuminService
from chipla.services import catalog
from mappings.spec import Spec
from simulators.samples import SampleTown, header

SPECS = mappings.registry()
JUMIN = JuminService(SPECS)


def _leaves(node: Any, path: str = "") -> list[str]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, f"{path}.{k}" if path else k)]
    if isinstance(node, list):
        return [p for item in node for p in _leaves(item, path)]
    return [path]


def _body(seed: int, changes: int) -> dict[str, Any]:
    town = SampleTown(seed=seed)
    ido = town.tennyu()
    for _ in range(changes):
        ido = town.next_ido()
    return {"ido": json.loads(json.dumps(ido))}


def test_the_kojin_bango_is_not_read_by_the_mapping_so_the_stored_form_is_the_redacted_form() -> None:
    allowed = entitled_classes(bango_riyo=False)
    for seed in range(20):
        body = _body(seed, seed % 5)
        redacted, removed = JUMIN.classes.redact(body, allowed)
        assert removed == ["ido.jumin.shikibetsu.kojinBango"]
        assert not JUMIN.remap_needed(removed)
        stored = JUMIN.map(body)[0]["output"]
        assert JUMIN.remap(redacted) == stored
        assert body["ido"]["jumin"]["shikibetsu"]["kojinBango"] not in json.dumps(stored, ensure_ascii=False)


@st.composite
def classified(draw: st.DrawFn) -> tuple[dict[str, Any], FieldClasses, frozenset[str]]:
    """A record, a classification of some of its fields (leaves or whole parts) and what a destination
    may receive."""
    body = _body(draw(st.integers(0, 5000)), draw(st.integers(0, 4)))
    leaves = _leaves(body)
    prefixes = sorted({".".join(p.split(".")[:n]) for p in leaves for n in range(1, len(p.split(".")) + 1)})
    table = draw(st.dictionaries(st.sampled_from(prefixes), st.sampled_from(CLASSES), max_size=6))
    allowed = frozenset(draw(st.lists(st.sampled_from(CLASSES), unique=True, max_size=3)))
    return body, FieldClasses(table), allowed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classified())
def test_a_delivered_form_is_always_the_form_of_the_delivered_body(
        case: tuple[dict[str, Any], FieldClasses, frozenset[str]]) -> None:
    body, classes, allowed = case
    redacted, removed = classes.redact(body, allowed)
    stored = JUMIN.map(body)[0]["output"]
    fresh = JUMIN.remap(redacted)
    remap = bool(removed) and JUMIN.remap_needed(removed)
    if not remap:
        assert fresh == stored  # the shortcut: nothing the mapping reads was removed
    # what the deliverer sends is the form of the body it sends, whichever way it was made
    assert Deliverer._mapped(FakeOutbound(), JUMIN, stored, redacted, bool(removed), remap) == fresh


def test_a_spec_depends_on_the_fields_its_rules_and_includes_read() -> None:
    spec: Spec = SPECS.latest("ido-imi")
    assert spec.depends_on("idoJiyu") and spec.depends_on("idoDate")
    assert spec.depends_on("jumin.shimei.shimei") and spec.depends_on("jumin.shikibetsu.atenaNo")
    assert spec.depends_on("jumin")  # the sub-record itself
    assert not spec.depends_on("jumin.shikibetsu.kojinBango")
    assert not spec.depends_on("jumin.honseki.hittosha")
    assert not spec.depends_on("elsewhere")


def _claimed(body: dict[str, Any]) -> Claimed:
    envelope = {"header": dataclasses.asdict(Header.from_wire(header("juki")))}
    return Claimed(1, "dest", 1, "r-1", envelope, body, None, datetime.now(UTC), "w", 1)


class _OneSystem:
    def __init__(self, info: SystemInfo) -> None:
        self.info = info

    def system(self, system_id: str) -> SystemInfo:
        return self.info


def _system(bango: bool) -> SystemInfo:
    return SystemInfo(id="dest", name="dest", lg_code="243035", bango_riyo=bango, roles=(), delivery_kind="fake",
                      endpoint_url=None, wsdl_url=None, wss_username=None, wss_secret=None, active=True)


def test_a_destination_without_bango_riyo_gets_the_stored_form_without_a_second_mapping() -> None:
    services = catalog(SPECS)
    body = _body(7, 2)
    stored = JUMIN.map(body)[0]["output"]
    fake = FakeOutbound()
    deliverer = Deliverer(_OneSystem(_system(False)), {"fake": fake}, services)  # type: ignore[arg-type]
    prepared = deliverer.prepare(_claimed(body))
    assert isinstance(prepared, Prepared) and prepared.wants_stored and not prepared.remap
    assert deliverer.send(prepared, stored).ok
    sent = fake.delivered[0]
    assert sent.mapped is stored and "kojinBango" not in sent.body["ido"]["jumin"]["shikibetsu"]
    assert sent.removed_fields == ("ido.jumin.shikibetsu.kojinBango",)


def test_a_redaction_of_a_mapped_field_maps_the_redacted_body_again() -> None:
    services = catalog(SPECS)
    jumin = services.get("jumin")
    assert jumin is not None
    body = _body(11, 1)
    stored = JUMIN.map(body)[0]["output"]
    name = body["ido"]["jumin"]["shimei"]["shimei"]
    original = jumin.classes
    jumin.classes = FieldClasses({"jumin.shimei": "specific", "jumin.shikibetsu.kojinBango": "specific",
                                  "jumin": "personal"})
    try:
        fake = FakeOutbound()
        deliverer = Deliverer(_OneSystem(_system(False)), {"fake": fake}, services)  # type: ignore[arg-type]
        prepared = deliverer.prepare(_claimed(body))
        assert isinstance(prepared, Prepared) and prepared.remap and not prepared.wants_stored
        assert deliverer.send(prepared, stored).ok
    finally:
        jumin.classes = original
    sent = fake.delivered[0].mapped
    assert sent is not None and sent != stored
    assert name not in json.dumps(sent, ensure_ascii=False) and name in json.dumps(stored, ensure_ascii=False)
