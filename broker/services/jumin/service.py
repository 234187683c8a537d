"""住民基本台帳 (service ``jumin``) as the hub sees it: one declaration, read by the core.

IdoTsuchi (住民異動通知) is a notice: stored, projected, routed by 増 / 減 / 変更, delivered in order per
宛名番号 with the IMI JSON-LD form beside it. The three 照会 are answered from the projection.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import mappings
from broker.classification import FieldClasses
from broker.envelope import Header
from broker.service import Contract, Operation, OperationKind, RoutingFacts, Service, operation_table
from broker.services.jumin import queries
from broker.services.jumin import rules as jumin_rules
from mappings import imi

HERE = Path(__file__).resolve().parent
#: answers of ``remap_needed`` kept (one or two sets of removed fields per destination in practice)
REMAP_ANSWERS_KEPT = 1024


class JuminService(Service):
    id = queries.SERVICE
    contract = Contract(namespace="urn:chipla:ns:jumin:1", xsd="jumin.xsd", wsdl="jumin.wsdl",
                        openapi="jumin.yaml", prefix="j")
    operations = operation_table(
        Operation(queries.NOTIFY, OperationKind.NOTICE),
        Operation("JuminShokai", OperationKind.QUERY, queries.JUMIN_SHOKAI),
        Operation("IdoIchiranShokai", OperationKind.QUERY, queries.IDO_ICHIRAN_SHOKAI),
        Operation("SetaiShokai", OperationKind.QUERY, queries.SETAI_SHOKAI),
    )
    classes = FieldClasses.from_yaml(HERE / "classification.yaml")
    mapping_ids = (imi.IDO_SPEC, imi.JUMIN_SPEC)
    rules = jumin_rules.JuminRules()

    def __init__(self, specs: mappings.SpecRegistry) -> None:
        self.specs = specs
        #: removed fields → whether the IMI form depends on them (the answer never changes for a spec)
        self._remap_needed: dict[tuple[str, ...], bool] = {}

    def subject_key(self, body: dict[str, Any]) -> str:
        return jumin_rules.subject_key(body["ido"])

    def check(self, body: dict[str, Any]) -> None:
        jumin_rules.check_codes(body["ido"])

    def routing_facts(self, body: dict[str, Any]) -> RoutingFacts:
        return RoutingFacts(category=jumin_rules.ido_category(body["ido"]))

    def rule_facts(self, header: Header, body: dict[str, Any]) -> dict[str, Any]:
        return jumin_rules.facts(header.lg_code, body["ido"])

    def notice_of_record(self, record: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """An imported resident record is a 住民異動通知 when it names its 異動事由 and 異動年月日."""
        jotai = record.get("jotai", {})
        if not jotai.get("idoJiyu") or not jotai.get("idoDate"):
            return None
        ido = {"idoJiyu": jotai["idoJiyu"], "idoDate": jotai["idoDate"]}
        if jotai.get("todokedeDate"):
            ido["todokedeDate"] = jotai["todokedeDate"]
        ido["jumin"] = record
        return queries.NOTIFY, {"ido": ido}

    @cached_property
    def _ido_spec(self) -> mappings.Spec:
        """The latest ido-imi spec (what ``imi.ido_to_imi`` applies), looked up once."""
        return self.specs.latest(imi.IDO_SPEC)

    def map(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Every accepted 異動 is stored with its IMI JSON-LD form, mapping id and version, and lineage.

        Fields the mapping could not produce are recorded beside the lineage rather than blocking the
        accept: the original is kept and can be replayed through a corrected mapping version. The
        spec runs compiled (``Spec.compiled``: the same output, lineage and errors as ``Spec.apply``,
        held to it by tests/mappings/test_compiled.py), since every accepted 異動 is mapped.
        """
        mapped = self._ido_spec.compiled.apply(body["ido"])
        lineage = list(_lineage(tuple(mapped.lineage)))
        lineage += [{"error": {"path": e.path, "reason": e.reason}} for e in mapped.errors]
        return [{"mapping_id": mapped.mapping_id, "mapping_version": str(mapped.mapping_version),
                 "output": mapped.output, "lineage": lineage}]

    def remap(self, body: dict[str, Any]) -> dict[str, Any] | None:
        return self._ido_spec.compiled.apply(body["ido"]).output

    def remap_needed(self, removed: Sequence[str]) -> bool:
        """The IMI form is made from ``ido`` alone, and only from the fields its spec reads (the
        個人番号 is not one of them): a body without other fields maps to the stored form."""
        key = tuple(removed)
        needed = self._remap_needed.get(key)
        if needed is None:  # a destination's redaction removes the same few fields from every 異動
            spec = self._ido_spec
            needed = any(path == "ido" or (path.startswith("ido.") and spec.depends_on(path[4:])) for path in key)
            if len(self._remap_needed) < REMAP_ANSWERS_KEPT:
                self._remap_needed[key] = needed
        return needed


@lru_cache(maxsize=256)
def _lineage(entries: tuple[mappings.LineageEntry, ...]) -> tuple[dict[str, Any], ...]:
    """The lineage of a spec version is the same for every record with the same fields present: build
    its stored form once (entries are frozen, the dicts are only read)."""
    return tuple(e.to_dict() for e in entries)
