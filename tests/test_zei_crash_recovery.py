"""kill -9 the hub while accepted 特別徴収税額通知 are undelivered; after a restart every notice reaches
its employer exactly once, as a 正本 that still verifies against the town's configured certificate (the
正本 made before the kill were stored; the ones made after are signed with the same key)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import func, select

from broker.models import Delivery
from broker.store import Store
from simulators import zei_samples
from simulators.employer import employer_app
from simulators.loopback import LoopbackServer, free_port
from tests.wait import until
from tests.zei_samples import town_pki

N = 30  # one employer: its notices are delivered strictly one after the other
EMPLOYER = zei_samples.EMPLOYERS[0]


def _start_hub(tmp: Path, port: int, env: dict[str, str],
               started: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    with open(tmp / "hub.log", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "chipla.cli", "serve", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    started.append(proc)
    until(lambda: _healthy(port), timeout=60, what="hub up")
    return proc


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.slow
def test_kill_9_with_undelivered_notices_loses_nothing(tmp_path: Path) -> None:
    _, town = town_pki()
    key_file, cert_file = town.write(tmp_path, "town")
    app, inbox = employer_app(EMPLOYER.shitei_no, "emp-hub", "emp-secret-1", town.cert_pem)
    server = LoopbackServer(app, lifespan="off").start()
    inbox.down = True
    registry = {
        "systems": [
            {"id": "zei", "lgCode": "243035", "apiKeyEnv": "ZEI_KEY", "allow": ["zei/ZeigakuTsuchi"]},
            {"id": "seisakusho", "lgCode": "243035", "wssUsername": "emp-hub", "wssPassword": "emp-secret-1",
             "bangoRiyo": True, "deliveryKind": "soap", "endpointUrl": f"{server.url}/soap/zei-tokucho"},
        ],
        "subscriptions": [{"systemId": "seisakusho", "service": "zei", "operation": "ZeigakuTsuchi",
                           "idoCategories": [EMPLOYER.shitei_no]}],
    }
    (tmp_path / "registry.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    port = free_port()
    env = {**os.environ, "CHIPLA_DB_URL": db_url, "CHIPLA_REGISTRY_FILE": str(tmp_path / "registry.yaml"),
           "ZEI_KEY": "zei-key-0123456789", "CHIPLA_RETRY_BASE_SECONDS": "0.2", "CHIPLA_RETRY_CAP_SECONDS": "0.5",
           "CHIPLA_RETRY_MAX_ATTEMPTS": "100000", "CHIPLA_MQTT_URL": "off",
           "CHIPLA_SIGNING_KEY": str(key_file), "CHIPLA_SIGNING_CERT": str(cert_file)}
    started: list[subprocess.Popen[bytes]] = []
    try:
        hub = _start_hub(tmp_path, port, env, started)
        rng = random.Random(20260515)
        bodies = [{"meta": zei_samples.header("zei", EMPLOYER.shitei_no),
                   "tsuchi": zei_samples.tsuchi(EMPLOYER, 2026, rng, employees=2)} for _ in range(N)]
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers={"X-API-Key": "zei-key-0123456789"},
                              timeout=60, limits=httpx.Limits(max_connections=8))
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda b: client.post("/zei/tsuchi", json=b), bodies))
        assert [a.status_code for a in answers].count(202) == N
        receipts = {a.json()["receiptId"] for a in answers}
        inbox.down = False
        until(lambda: len(inbox.items) >= 10, timeout=60, what="deliveries under way")
        hub.send_signal(signal.SIGKILL)
        hub.wait(timeout=30)
        store = Store(db_url)
        with store.read() as s:
            undelivered = s.execute(select(func.count()).select_from(Delivery)
                                    .where(Delivery.status != "delivered")).scalar_one()
        assert undelivered > 0, "the hub delivered everything before it was killed: nothing was proven"
        hub = _start_hub(tmp_path, port, env, started)
        until(lambda: len(inbox.items) == N, timeout=180, what="every notice at its employer")
        assert {i["receiptId"] for i in inbox.items} == receipts
        assert all(i["signatureValid"] for i in inbox.items) and not inbox.refused
        hub.send_signal(signal.SIGTERM)
        hub.wait(timeout=30)
        store.dispose()
        client.close()
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
        server.stop()
