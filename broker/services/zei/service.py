"""個人住民税 (service ``zei``) as the hub sees it: one declaration, read by the core.

ZeigakuTsuchi (特別徴収税額通知) is a notice: its amounts are checked, it is projected per employer
and 年度, routed only to the employer subscribed with its 指定番号 (``category_required``), in order per
指定番号. Employers without an endpoint ask for their notices (TsuchiIchiranShokai) and fetch each
signed 正本 (SeihonShutoku) with their own credentials.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from broker.classification import FieldClasses
from broker.envelope import Header
from broker.service import Contract, Operation, OperationKind, Query, RoutingFacts, Service, operation_table
from broker.services.zei import issuing, queries
from broker.services.zei import rules as zei_rules

HERE = Path(__file__).resolve().parent


class ZeiService(Service):
    id = queries.SERVICE
    contract = Contract(namespace="urn:chipla:ns:zei:1", xsd="zei.xsd", wsdl="zei.wsdl", openapi="zei.yaml",
                        prefix="z")
    classes = FieldClasses.from_yaml(HERE / "classification.yaml")
    rules = zei_rules.ZeiRules()

    def __init__(self, issuer: issuing.Issuer) -> None:
        self.issuer = issuer
        self.operations = operation_table(
            Operation(queries.NOTIFY, OperationKind.NOTICE),
            Operation("TsuchiIchiranShokai", OperationKind.QUERY, Query(
                answer=queries.tsuchi_ichiran, subject=lambda f: f"tsuchi-ichiran:{f.get('nendo') or '*'}")),
            Operation("SeihonShutoku", OperationKind.QUERY, Query(
                answer=lambda ctx, f: queries.seihon_shutoku(ctx, f, self.issuer, self.classes),
                subject=lambda f: f"seihon:{f.get('receiptId')}")),
        )

    def subject_key(self, body: dict[str, Any]) -> str:
        return zei_rules.subject_key(body["tsuchi"])

    def check(self, body: dict[str, Any]) -> None:
        zei_rules.check(body["tsuchi"])

    def routing_facts(self, body: dict[str, Any]) -> RoutingFacts:
        """Each notice has exactly one addressee: the employer subscribed with its 指定番号."""
        return RoutingFacts(category=zei_rules.subject_key(body["tsuchi"]), category_required=True)

    def rule_facts(self, header: Header, body: dict[str, Any]) -> dict[str, Any]:
        return zei_rules.facts(header.lg_code, body["tsuchi"])
