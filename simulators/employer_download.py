"""A simulated employer without an endpoint: it downloads its signed 正本 over REST with its own key.

``sync()`` lists its notices, fetches each one it does not hold yet, and keeps it only after the
signature verifies against the town's certificate it was given — what a payroll office's client
would do once a day in May and after each 変更.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from broker import xmldsig
from broker.services.zei import seihon


@dataclass
class EmployerDownloader:
    hub_url: str
    api_key: str
    town_cert: bytes
    kept: dict[str, dict[str, Any]] = field(default_factory=dict)  # receipt id → 正本 content
    refused: list[str] = field(default_factory=list)

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.hub_url.rstrip('/')}/api/v1", headers={"X-API-Key": self.api_key},
                            timeout=30, trust_env=False)

    def sync(self, nendo: int | None = None) -> list[str]:
        """Fetch and verify every notice not held yet; returns the receipt ids newly kept."""
        new: list[str] = []
        with self._client() as api:
            listing = api.get("/zei/tsuchi", params={"nendo": nendo} if nendo else None)
            listing.raise_for_status()
            for entry in listing.json().get("entry", []):
                receipt = entry["receiptId"]
                if receipt in self.kept:
                    continue
                resp = api.get(f"/zei/tsuchi/{receipt}/seihon")
                resp.raise_for_status()
                try:
                    self.kept[receipt] = seihon.read(xmldsig.verify(resp.content, self.town_cert))
                except xmldsig.SignatureInvalid as exc:
                    self.refused.append(f"{receipt}: {exc}")
                    continue
                new.append(receipt)
        return new
