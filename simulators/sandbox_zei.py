"""The 個人住民税 part of the sandbox: two simulated employers and their registration at the hub.

- ``tokucho-seisakusho`` (指定番号 20260001) takes its 正本 at its own SOAP endpoint and is registered
  to receive 個人番号;
- ``tokucho-unso`` (20260002) has no endpoint: it downloads its 正本 over REST with its own API key;
- 20260003 木曽岬農園 is not registered at all (paper), which the 電子化率 counts.

The 個人住民税 system (``zei``, already a receiver of 住民異動通知) is allowed to send the notices.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from simulators.employer import EmployerInbox, employer_app
from simulators.loopback import LoopbackServer
from simulators.zei_samples import EMPLOYERS, Employer

ZEI_SENDER_ALLOW = ("zei/ZeigakuTsuchi",)
EMPLOYER_ALLOW = ["zei/TsuchiIchiranShokai", "zei/SeihonShutoku"]


@dataclass
class SimulatedEmployer:
    employer: Employer
    username: str
    password: str
    api_key: str
    server: LoopbackServer | None = None
    inbox: EmployerInbox | None = None

    @property
    def id(self) -> str:
        assert self.employer.system_id is not None
        return self.employer.system_id

    def registration(self, lg_code: str) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": self.id, "name": f"{self.employer.meisho}（給与担当）", "lgCode": lg_code,
            "apiKey": self.api_key, "wssUsername": self.username, "wssPassword": self.password,
            "bangoRiyo": self.employer.receipt == "soap", "allow": EMPLOYER_ALLOW}
        if self.server is not None:
            entry.update(deliveryKind=self.employer.receipt, endpointUrl=f"{self.server.url}/soap/zei-tokucho"
                         if self.employer.receipt == "soap" else f"{self.server.url}/webhook")
        return entry

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def start_employers(town_cert: bytes) -> dict[str, SimulatedEmployer]:
    """Start the employers that have an endpoint; fresh credentials each time, none written to a file."""
    out: dict[str, SimulatedEmployer] = {}
    for employer in EMPLOYERS:
        if employer.system_id is None:
            continue
        sim = SimulatedEmployer(employer, f"{employer.system_id}-hub", secrets.token_urlsafe(12),
                                secrets.token_urlsafe(24))
        if employer.receipt in ("soap", "webhook"):
            app, sim.inbox = employer_app(employer.shitei_no, sim.username, sim.password, town_cert)
            sim.server = LoopbackServer(app, lifespan="off").start()
        out[sim.id] = sim
    return out


def register(registry: Any, employers: dict[str, SimulatedEmployer], lg_code: str) -> None:
    """Each employer subscribes to 特別徴収税額通知 with its own 指定番号, and nothing else."""
    for sim in employers.values():
        registry.upsert_system(sim.registration(lg_code))
        registry.add_subscription(sim.id, "zei", "ZeigakuTsuchi", categories=[sim.employer.shitei_no])
