"""docs/tutorial.md, walked as a new user would: its own blocks, run against a real `chipla serve`."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from lxml import etree

from simulators.loopback import free_port
from tests.wait import until

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial.md"


def block(marker: str) -> str:
    text = TUTORIAL.read_text(encoding="utf-8")
    start = text.index(f"<!-- tutorial:{marker} -->")
    match = re.search(r"```[a-z]*\n(.*?)```", text[start:], re.S)
    assert match, marker
    return match.group(1)


def table(marker: str) -> dict[str, str]:
    text = TUTORIAL.read_text(encoding="utf-8")
    start = text.index(f"<!-- tutorial:{marker} -->")
    rows = re.findall(r"^\| (.+?) \| `(.+?)` \|$", text[start:start + 2000], re.M)
    return {name: value for name, value in rows}


def digest(nonce: bytes, created: str, password: str) -> str:
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()


def test_the_digest_worked_through_is_right() -> None:
    rows = table("digest")
    nonce = rows["nonce (bytes)"].encode()
    assert base64.b64encode(nonce).decode() == rows["`Nonce` (base64 of the bytes)"]
    created, password = rows["`Created` (UTC, within 5 minutes of the hub's clock)"], rows["password"]
    sha1 = hashlib.sha1(nonce + created.encode() + password.encode())
    assert sha1.hexdigest() == rows["SHA-1 of nonce + Created + password (hex)"]
    assert digest(nonce, created, password) == rows["`Password` (base64 of that SHA-1)"]


@pytest.fixture
def walk(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], subprocess.Popen[str]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPLA_")}
    env.update(dict(re.findall(r"^export (\w+)=(\S+)$", block("secrets"), re.M)))
    receiver_port, hub_port = free_port(), free_port()
    (tmp_path / "registry.yaml").write_text(
        block("registry").replace("127.0.0.1:8081", f"127.0.0.1:{receiver_port}"), encoding="utf-8")
    (tmp_path / "receiver.py").write_text(block("receiver"), encoding="utf-8")
    receiver = subprocess.Popen([sys.executable, "receiver.py"], cwd=tmp_path, text=True, stdout=subprocess.PIPE,
                                env={**env, "RECEIVER_PORT": str(receiver_port)})
    serve = block("serve").split()
    assert serve[:3] == ["CHIPLA_REGISTRY_FILE=registry.yaml", "chipla", "serve"]
    hub = subprocess.Popen([sys.executable, "-m", "chipla.cli", "serve", "--port", str(hub_port)], cwd=tmp_path,
                           env={**env, "CHIPLA_REGISTRY_FILE": "registry.yaml", "CHIPLA_MQTT_URL": "off",
                                "CHIPLA_DB_URL": f"sqlite:///{tmp_path / 'hub.db'}"},
                           stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{hub_port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        until(up, timeout=60)
        yield base, env, receiver
    finally:
        hub.terminate()
        receiver.terminate()
        log = hub.communicate(timeout=30)[1]
        receiver.communicate(timeout=30)
    assert "registry: 4 systems (1 admin), 1 subscriptions" in log  # with the hub's mail destination


def test_the_tutorial_from_registry_to_delivery(walk: tuple[str, dict[str, str], subprocess.Popen[str]]) -> None:
    base, env, _receiver = walk
    juki = {"X-API-Key": env["TUTORIAL_JUKI_KEY"]}
    body = json.loads(block("rest-body"))
    first = httpx.post(f"{base}/api/v1/jumin/ido", json=body, headers=juki)
    assert first.status_code == 202 and first.json()["result"]["code"] == "0000", first.text
    again = httpx.post(f"{base}/api/v1/jumin/ido", json=body, headers=juki)
    assert again.status_code == 200 and again.json()["result"]["code"] == "0001"
    assert again.json()["receiptId"] == first.json()["receiptId"]

    nonce = os.urandom(16)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    password = env["TUTORIAL_JUKI_PASSWORD"]
    envelope = (block("soap-envelope").replace("{NONCE}", base64.b64encode(nonce).decode())
                .replace("{CREATED}", created).replace("{DIGEST}", digest(nonce, created, password))
                .replace("3f6c2a9e-1b7d-4c5e-8a90-2d4b6e8f0a02", str(uuid.uuid4())))
    soap = httpx.post(f"{base}/soap/jumin", content=envelope.encode("utf-8"),
                      headers={"content-type": "text/xml; charset=utf-8", "soapaction": '"urn:chipla:jumin:IdoTsuchi"'})
    root = etree.fromstring(soap.content)
    assert soap.status_code == 200, soap.text
    assert root.findtext(".//{urn:chipla:ns:common:1}code") == "0000", soap.text
    soap_receipt = root.findtext(".//{urn:chipla:ns:jumin:1}receiptId")

    query = block("query").split()
    assert "/api/v1/jumin/residents/100000001" in " ".join(query)
    resident = httpx.get(f"{base}/api/v1/jumin/residents/100000001", headers=juki)
    assert resident.status_code == 200 and resident.json()["jumin"]["jusho"]["oaza"] == "西対海地"

    admin = {"X-API-Key": env["TUTORIAL_ADMIN_KEY"]}
    assert "/api/v1/messages/RECEIPT_ID" in block("message")

    def delivered(receipt: str) -> bool:
        message = httpx.get(f"{base}/api/v1/messages/{receipt}", headers=admin).json()
        return any(d["status"] == "delivered" for d in message["deliveries"])

    until(lambda: delivered(first.json()["receiptId"]) and delivered(str(soap_receipt)), timeout=60)
