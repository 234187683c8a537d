"""The registry file: the documented example is valid, mistakes are named with file:line, and the
file is the truth — what it no longer names is deactivated, with an audit entry."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.outbound import webhook_signature
from broker.models import AuditEntry
from broker.registry import SystemRegistry
from broker.store import Store
from chipla import registry_file
from chipla.registry_file import RegistryFileError
from chipla.wiring import delivery_kinds
from tests.pg import ThrowawayPostgres

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
ENV = {"CHIPLA_SECRET_ADMIN_KEY": "a" * 32, "CHIPLA_SECRET_JUKI_KEY": "j" * 32, "CHIPLA_SECRET_JUKI_WSS": "w" * 16,
       "CHIPLA_SECRET_KOKUHO_WSS": "k" * 16, "CHIPLA_SECRET_KAIGO_HOOK": "h" * 24}


def documented(language: str, after: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(after):]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match, f"no {language} block after {after!r} in {DOC}"
    return match.group(1)


def write(tmp_path: Path, text: str, name: str = "registry.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    loaded = registry_file.read(write(tmp_path, documented("yaml", "## The registry file")), ENV, delivery_kinds())
    assert {s["id"] for s in loaded.systems} == {"admin", "juki", "kokuho", "kaigo"}
    assert loaded.systems[3]["webhookSecret"] == ENV["CHIPLA_SECRET_KAIGO_HOOK"]


def test_the_documented_receiver_check_accepts_the_hubs_signature() -> None:
    scope: dict[str, object] = {}
    exec(documented("python", "### How webhook receivers know"), scope)  # noqa: S102 - the docs' own code
    check = scope["from_the_hub"]
    body = b'{"meta": {"messageId": "r-1"}}'
    signed = webhook_signature.headers("h" * 24, body)
    assert check("h" * 24, signed, body) is True  # type: ignore[operator]
    assert check("h" * 24, signed, body + b" ") is False  # type: ignore[operator]


BROKEN = """\
systems:
  - id: kaigo
    lgCode: "243035"
    deliveryKind: webhok
    endpointURL: https://kaigo.example.lg.jp/hook
    apiKey: short
subscriptions:
  - {systemId: nobody, service: jumin, operation: IdoTsuchi}
"""


def test_every_mistake_is_named_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, BROKEN)
    with pytest.raises(RegistryFileError) as refused:
        registry_file.read(path, {}, delivery_kinds())
    text = "\n".join(refused.value.problems)
    assert f"{path}:5:" in text and "endpointURL" in text and "did you mean 'endpointUrl'" in text
    assert f"{path}:6:" in text and "apiKey" in text and "short" not in text.replace("too short", "")
    fixed = BROKEN.replace("endpointURL", "endpointUrl").replace("apiKey: short", "apiKey: " + "k" * 20)
    with pytest.raises(RegistryFileError) as refused:
        registry_file.read(write(tmp_path, fixed), {}, delivery_kinds())
    text = "\n".join(refused.value.problems)
    assert ":4:" in text and "webhok" in text and "did you mean 'webhook'" in text
    assert ":8:" in text and "nobody" in text


def test_a_secret_named_but_not_set_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, 'systems:\n  - {id: a, lgCode: "243035", apiKeyEnv: CHIPLA_NOT_SET}\n')
    with pytest.raises(RegistryFileError, match="CHIPLA_NOT_SET is not set"):
        registry_file.read(path, {})


SYSTEM = '  - {{id: {sid}, lgCode: "243035", apiKey: "{key}", allow: [jumin/JuminShokai]}}\n'


def test_the_file_is_the_truth_removed_entries_are_deactivated_and_audited(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    store.migrate()
    registry = SystemRegistry(store)
    both = ("systems:\n" + SYSTEM.format(sid="zei", key="z" * 20) + SYSTEM.format(sid="kaigo", key="k" * 20)
            + "subscriptions:\n  - {systemId: kaigo, service: jumin, operation: IdoTsuchi}\n")
    registry_file.load(write(tmp_path, both), registry)
    assert registry.system_for_api_key("k" * 20) is not None and len(registry.snapshot().subscriptions) == 1
    only_zei = "systems:\n" + SYSTEM.format(sid="zei", key="z" * 20)
    counts = registry_file.load(write(tmp_path, only_zei), registry)
    assert counts["deactivatedSystems"] == 1 and counts["deactivatedSubscriptions"] == 1
    assert registry.system_for_api_key("k" * 20) is None and registry.snapshot().subscriptions == []
    assert registry.system("kaigo").active is False  # kept for the audit trail, not deleted
    with store.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "registry.deactivated")).scalars().one()
    assert entry.detail["systems"] == ["kaigo"]
    merged = registry_file.load(write(tmp_path, "sync: merge\n" + SYSTEM.format(sid="kaigo", key="k" * 20)
                                      .join(["systems:\n", ""])), registry)
    assert "deactivatedSystems" not in merged and registry.system("zei").active is True
    assert registry.system("kaigo").active is True  # named again: active again


def test_registry_check_command(tmp_path: Path) -> None:
    good = write(tmp_path, documented("yaml", "## The registry file"), "good.yaml")
    bad = write(tmp_path, BROKEN, "bad.yaml")
    run = [sys.executable, "-m", "chipla.cli", "registry", "check"]
    ok = subprocess.run([*run, str(good)], env={**ENV, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                        timeout=120)
    assert ok.returncode == 0 and "4 systems (1 admin)" in ok.stdout, ok.stderr
    refused = subprocess.run([*run, str(bad)], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "bad.yaml:5:" in refused.stderr and "Traceback" not in refused.stderr


@pytest.mark.postgres
def test_hub_processes_starting_together_load_the_file_without_colliding(tmp_path: Path,
                                                                         postgres: ThrowawayPostgres) -> None:
    """``serve --workers N`` processes each load the file at start, on one PostgreSQL: none may find a
    system missing, insert it, and collide with the other's insert."""
    path = write(tmp_path, documented("yaml", "## The registry file"))
    for _ in range(4):  # the collision needs both transactions between the look and the insert
        url = postgres.new_database()
        stores = [Store(url) for _ in range(3)]
        stores[0].migrate()
        start = threading.Barrier(len(stores))
        try:
            with ThreadPoolExecutor(len(stores)) as pool:
                counts = list(pool.map(lambda store, go=start: _load_together(go, path, store), stores))
        finally:
            for store in stores:
                store.dispose()
        assert all(c["systems"] == 4 for c in counts)


def _load_together(start: threading.Barrier, path: Path, store: Store) -> dict[str, int]:
    start.wait()
    return registry_file.load(path, SystemRegistry(store), ENV, delivery_kinds())
