"""A hub with the embedded engines and the simulated vendor systems, all on loopback.

Used by ``chipla demo``, the conformance self-test and the integration tests: one way to stand up
the town's systems, so all three exercise the same thing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization

from broker.operators import OperatorStore
from broker.services.zei import ZeiService
from chipla.app import build_app
from chipla.config import Settings
from chipla.wiring import Parts, build
from simulators.loopback import LoopbackServer
from simulators.receiver import Inbox, receiver_app
from simulators.sandbox_zei import ZEI_SENDER_ALLOW, SimulatedEmployer, register, start_employers

LG = "243035"
RECEIVERS = {
    "zei": ("個人住民税システム", "soap", False),
    "kokuho": ("国民健康保険システム", "soap", True),
    "kaigo": ("介護保険システム", "webhook", False),
}


@dataclass
class Receiver:
    id: str
    server: LoopbackServer
    inbox: Inbox
    username: str
    password: str
    webhook_secret: str | None = None

    def control(self, **kw: Any) -> None:
        httpx.post(f"{self.server.url}/control", json=kw, timeout=5).raise_for_status()


@dataclass
class RunningHub:
    parts: Parts
    server: LoopbackServer
    receivers: dict[str, Receiver]
    juki_user: str = "juki"
    juki_password: str = ""
    admin_key: str = ""
    juki_key: str = ""
    console_user: str = "kanri"
    console_password: str = ""
    employers: dict[str, SimulatedEmployer] = field(default_factory=dict)
    town_cert: bytes = b""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()
        for r in self.receivers.values():
            r.server.stop()
        for e in self.employers.values():
            e.stop()
        self.parts.store.dispose()


def registry_entries(receivers: dict[str, Receiver], juki_password: str, admin_key: str,
                     juki_key: str) -> list[dict[str, Any]]:
    systems: list[dict[str, Any]] = [
        {"id": "admin", "name": "運用管理", "lgCode": LG, "apiKey": admin_key, "roles": ["admin"],
         "allow": ["*/*"]},
        {"id": "juki", "name": "住民記録システム", "lgCode": LG, "apiKey": juki_key, "wssUsername": "juki",
         "wssPassword": juki_password, "bangoRiyo": True,
         "allow": ["jumin/IdoTsuchi", "jumin/JuminShokai", "jumin/IdoIchiranShokai", "jumin/SetaiShokai"]},
    ]
    for rid, r in receivers.items():
        name, kind, bango = RECEIVERS[rid]
        endpoint = f"{r.server.url}/soap/jumin" if kind == "soap" else f"{r.server.url}/webhook"
        systems.append({"id": rid, "name": name, "lgCode": LG, "wssUsername": r.username,
                        "wssPassword": r.password, "bangoRiyo": bango, "deliveryKind": kind,
                        "endpointUrl": endpoint,
                        "allow": ["jumin/JuminShokai", *(ZEI_SENDER_ALLOW if rid == "zei" else ())],
                        **({"webhookSecret": r.webhook_secret} if r.webhook_secret else {})})
    return systems


def start_hub(db_url: str, *, retry_base: float = 0.05, max_attempts: int = 4, port: int | None = None,
              retry_cap: float = 2.0, **settings: Any) -> RunningHub:
    """Start receivers, then the hub on ``port`` (a free one by default), registered with each other.

    Credentials are fresh random secrets each time; none is written to a file.
    """
    receivers: dict[str, Receiver] = {}
    for rid in RECEIVERS:
        user, pw = f"{rid}-hub", secrets.token_urlsafe(12)
        secret = secrets.token_urlsafe(24) if RECEIVERS[rid][1] == "webhook" else None
        app, inbox = receiver_app(rid, user, pw, webhook_secret=secret)
        receivers[rid] = Receiver(rid, LoopbackServer(app, lifespan="off").start(), inbox, user, pw, secret)
    juki_password, admin_key = secrets.token_urlsafe(12), secrets.token_urlsafe(24)
    juki_key = secrets.token_urlsafe(24)
    cfg = Settings(db_url=db_url, retry_base_seconds=retry_base, retry_max_attempts=max_attempts,
                   retry_cap_seconds=retry_cap, delivery_timeout=5.0, **settings)
    parts = build(cfg)
    for system in registry_entries(receivers, juki_password, admin_key, juki_key):
        parts.registry.upsert_system(system)
    for rid in receivers:
        parts.registry.add_subscription(rid, "jumin", "IdoTsuchi")
    console_password = secrets.token_urlsafe(15)
    OperatorStore(parts.store).add("kanri", console_password, "admin", display_name="運用管理者", actor="sandbox")
    zei = parts.services["zei"]
    assert isinstance(zei, ZeiService)
    town_cert = zei.issuer.signer.certificate.public_bytes(serialization.Encoding.PEM)
    employers = start_employers(town_cert)
    register(parts.registry, employers, LG)
    server = LoopbackServer(build_app(parts), port=port).start()
    notify_service = getattr(parts.hub, "notify_service", None)
    if notify_service is not None:  # links in mails point at this hub, whose port is known only now
        notify_service.public_url = server.url
    return RunningHub(parts, server, receivers, juki_password=juki_password, admin_key=admin_key,
                      juki_key=juki_key, console_password=console_password, employers=employers,
                      town_cert=town_cert)


def sqlite_url(tmp: Path) -> str:
    return f"sqlite:///{tmp / 'chipla.db'}"
