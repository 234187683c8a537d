"""The documented way to run the kit against a chipla hub (docs/conformance.md, "Against a chipla hub"):
as a system of the test tenant, the kit's run is 準拠 and no subscriber of the town receives anything."""

from __future__ import annotations

import re
import secrets
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from broker.models import Delivery, Message
from chipla import cli, registry_file
from simulators.samples import SampleTown, header
from simulators.sandbox import RunningHub, sqlite_url, start_hub
from simulators.sender import JukiSender
from tests.wait import until

DOC = Path(__file__).resolve().parents[2] / "docs" / "conformance.md"


def documented() -> tuple[str, list[str]]:
    """The registry entry (YAML) and the command lines of the test-tenant section, as written."""
    text = DOC.read_text(encoding="utf-8").split("### Against a chipla hub", 1)[1].split("\n## ", 1)[0]
    blocks = dict(re.findall(r"```(yaml|sh)\n(.*?)```", text, flags=re.S))
    commands = [c for c in blocks["sh"].replace("\\\n", " ").splitlines() if c.strip()]
    return blocks["yaml"], commands


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    running = start_hub(sqlite_url(tmp_path))
    yield running
    running.stop()


def test_a_kit_run_in_the_test_tenant_reaches_no_subscriber(hub: RunningHub, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    entry, commands = documented()
    # URL-safe secrets may begin with "-": the documented lines must still pass them as values
    secret = {"CHIPLA_SECRET_CONFORMANCE_KIT": "-" + secrets.token_urlsafe(18),
              "CHIPLA_APIKEY_CONFORMANCE_KIT": "-" + secrets.token_urlsafe(24)}
    for name, value in secret.items():
        monkeypatch.setenv(name, value)
    # the entry joins the town's systems ("merge": the sandbox's own systems stay as they are)
    (tmp_path / "registry.yaml").write_text("sync: merge\n" + entry, encoding="utf-8")
    registry_file.load(tmp_path / "registry.yaml", hub.parts.registry, env=secret)
    assert yaml.safe_load(entry)["systems"][0]["lgCode"] == "990001"
    subscribed = {s.system_id for s in hub.parts.registry.snapshot().subscriptions}
    assert {"zei", "kokuho", "kaigo"} <= subscribed  # the town's subscribers are there, and listening

    monkeypatch.chdir(tmp_path)
    assert len(commands) == 2
    for line in commands:
        argv = [a.replace("http://hub:8000", hub.url) for a in shlex.split(line)]
        argv = [re.sub(r"\$(\w+)", lambda m: secret[m.group(1)], a) for a in argv]
        assert argv[:3] == ["chipla", "conformance", "run"] and "--sender-id" not in argv
        assert cli.main([*argv[1:], "--key", str(tmp_path / "kit.key"), "--quiet"]) == 0, line

    with hub.parts.store.read() as s:
        kit_messages = s.execute(select(func.count()).select_from(Message)).scalar()
        deliveries = s.execute(select(func.count()).select_from(Delivery)).scalar()
    assert kit_messages, "the kit's notices were accepted and stored"
    assert deliveries == 0
    assert {rid: len(r.inbox.items) for rid, r in hub.receivers.items()} == {"zei": 0, "kokuho": 0, "kaigo": 0}

    # the control: a notice of the town itself does reach them
    JukiSender(hub.url, "juki", hub.juki_password).send(header("juki"), SampleTown(seed=3).tennyu())
    until(lambda: all(r.inbox.items for r in hub.receivers.values()), what="the town's notice delivered")
