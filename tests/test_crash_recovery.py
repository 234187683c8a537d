"""kill -9 the hub while 1,000 accepted messages are undelivered; after a restart every accepted
message reaches each receiver exactly once (the receivers are idempotent on the message id)."""

from __future__ import annotations

import os
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
from simulators.loopback import LoopbackServer, free_port
from simulators.receiver import Inbox, receiver_app
from simulators.samples import SampleTown, header
from tests.wait import until

N = 500


def _start_hub(tmp: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with open(tmp / "hub.log", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "chipla.cli", "serve", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    _started.append(proc)
    until(lambda: _healthy(port), timeout=60, what="hub up")
    return proc


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.slow
def test_kill_9_with_undelivered_messages_loses_nothing(tmp_path: Path) -> None:
    zei_app, zei = receiver_app("zei", "zei-hub", "zei-secret-1")
    kaigo_app, kaigo = receiver_app("kaigo", "kaigo-hub", "kaigo-secret-1")
    zei_srv = LoopbackServer(zei_app, lifespan="off").start()
    kaigo_srv = LoopbackServer(kaigo_app, lifespan="off").start()
    zei.down = kaigo.down = True
    registry = {
        "systems": [
            {"id": "juki", "lgCode": "243035", "apiKeyEnv": "JUKI_KEY", "allow": ["jumin/IdoTsuchi"]},
            {"id": "zei", "lgCode": "243035", "wssUsername": "zei-hub", "wssPassword": "zei-secret-1",
             "deliveryKind": "soap", "endpointUrl": f"{zei_srv.url}/soap/jumin"},
            {"id": "kaigo", "lgCode": "243035", "deliveryKind": "webhook", "endpointUrl": f"{kaigo_srv.url}/webhook"},
        ],
        "subscriptions": [{"systemId": "zei", "service": "jumin", "operation": "IdoTsuchi"},
                          {"systemId": "kaigo", "service": "jumin", "operation": "IdoTsuchi"}],
    }
    (tmp_path / "registry.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    port = free_port()
    env = {**os.environ, "CHIPLA_DB_URL": db_url, "CHIPLA_REGISTRY_FILE": str(tmp_path / "registry.yaml"),
           "JUKI_KEY": "juki-key-0123456789", "CHIPLA_RETRY_BASE_SECONDS": "0.2", "CHIPLA_RETRY_CAP_SECONDS": "0.5",
           "CHIPLA_RETRY_MAX_ATTEMPTS": "100000", "CHIPLA_MQTT_URL": "off"}
    hub = _start_hub(tmp_path, port, env)
    try:
        _run_scenario(tmp_path, port, env, db_url, zei, kaigo, hub)
    finally:
        for proc in _started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
        zei_srv.stop()
        kaigo_srv.stop()


_started: list[subprocess.Popen[bytes]] = []


def _run_scenario(tmp_path: Path, port: int, env: dict[str, str], db_url: str, zei: Inbox, kaigo: Inbox,
                  hub: subprocess.Popen[bytes]) -> None:
    town = SampleTown()
    bodies = [{"meta": header("juki"), "ido": town.tennyu()} for _ in range(N)]
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers={"X-API-Key": "juki-key-0123456789"},
                          timeout=60, limits=httpx.Limits(max_connections=16))
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda b: client.post("/jumin/ido", json=b).status_code, bodies))
    assert codes.count(202) == N, sorted(set(codes))
    # receivers come back; kill the hub while most deliveries are still undelivered
    zei.down = kaigo.down = False
    until(lambda: len(zei.items) + len(kaigo.items) >= 20, timeout=60, what="deliveries under way")
    hub.send_signal(signal.SIGKILL)
    hub.wait(timeout=30)
    store = Store(db_url)
    with store.read() as s:
        undelivered = s.execute(select(func.count()).select_from(Delivery)
                                .where(Delivery.status != "delivered")).scalar_one()
    assert undelivered >= N  # of 2,000 deliveries, at least 1,000 were not done when it died
    hub = _start_hub(tmp_path, port, env)
    until(lambda: len(zei.items) == N and len(kaigo.items) == N, timeout=240,
          what="every accepted message at both receivers")
    until(lambda: _all_delivered(store), timeout=60, what="every outbox row delivered")
    hub.send_signal(signal.SIGTERM)
    hub.wait(timeout=30)
    sent = {b["meta"]["messageId"] for b in bodies}
    for inbox in (zei, kaigo):
        assert len({i["correlationId"] for i in inbox.items}) == N
        assert {i["correlationId"] for i in inbox.items} == sent
    store.dispose()


def _all_delivered(store: Store) -> bool:
    with store.read() as s:
        rows = dict(s.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
    return rows == {"delivered": 2 * N}
