"""The declaration of NGSI notifications: one notice kind, ordered per subscription, all public.

The hub's doors do not take these messages (no XSD, WSDL or OpenAPI fragment): the notification tap
stores them with the outbox rows itself. The declaration gives the dispatcher their field classes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from broker.classification import FieldClasses
from broker.service import Contract, Operation, OperationKind, Service, operation_table

HERE = Path(__file__).resolve().parent


class NgsiNotifications(Service):
    id = "ngsi"
    contract = Contract(namespace="urn:chipla:ns:ngsi:1")
    operations = operation_table(Operation("notify", OperationKind.NOTICE))
    classes = FieldClasses.from_yaml(HERE / "classification.yaml")

    def subject_key(self, body: dict[str, Any]) -> str:
        return str(body.get("subscriptionId", ""))
