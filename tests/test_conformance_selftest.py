"""The hub passes its own conformance kit, and the signed reports of that run detect tampering."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest

from chipla import cli
from simulators import selftest as conformance_selftest
from simulators.loopback import LoopbackServer
from simulators.sender_app import notices, sender_app


def self_test(report: Path, key: Path, *extra: str) -> int:
    return cli.main(["conformance", "self-test", "--report", str(report), "--key", str(key), *extra])


def verify(path: Path, key: Path) -> int:
    return cli.main(["conformance", "verify", str(path), "--key", str(key)])


@pytest.fixture(scope="module")
def sandbox_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path, Path]:
    """One run of the whole sandbox (every target, every role); tests read copies of its reports."""
    root = tmp_path_factory.mktemp("selftest")
    status = self_test(root / "reports", root / "kit.key")
    return status, root / "reports", root / "kit.key"


def test_the_whole_sandbox_passes_the_kit(sandbox_run: tuple[int, Path, Path]) -> None:
    status, report, _ = sandbox_run
    assert status == 0
    targets = {(p.parent.parent.name, p.parent.name) for p in report.glob("*/*/summary.json")}
    assert {("hub", "provider"), ("hub", "receiver"), ("hub-zei", "provider"), ("hub-zei", "receiver"),
            ("juki", "sender")} <= targets


def test_signed_reports_detect_tampering(sandbox_run: tuple[int, Path, Path], tmp_path: Path) -> None:
    _, original, key = sandbox_run
    report = tmp_path / "reports"
    shutil.copytree(original, report)
    for target, role in (("hub", "provider"), ("hub", "receiver"), ("juki", "sender")):
        folder = report / target / role
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert summary["verdict"] == "準拠" and summary["target"]["role"] == role
        assert "準拠" in (folder / "report.html").read_text(encoding="utf-8")
    assert verify(report, key) == 0
    assert verify(report / "hub" / "provider", key) == 0

    provider = report / "hub" / "provider" / "summary.json"
    altered = provider.read_text(encoding="utf-8").replace('"準拠"', '"不準拠"', 1)
    provider.write_text(altered, encoding="utf-8")
    assert verify(report / "hub" / "provider", key) == 1
    assert verify(report, key) == 1, "one altered report makes the whole self-test fail verification"

    html = report / "juki" / "sender" / "report.html"
    html.write_text(html.read_text(encoding="utf-8").replace("準拠", "準拠 ", 1), encoding="utf-8")
    assert verify(report / "juki" / "sender", key) == 1
    assert verify(report / "hub" / "receiver", tmp_path / "other.key") == 2, "a missing key is not tampering"
    (tmp_path / "other.key").write_text("00" * 32 + "\n", encoding="ascii")
    assert verify(report / "hub" / "receiver", tmp_path / "other.key") == 1


def test_targets_chosen_on_the_command_line_are_the_only_ones_run(tmp_path: Path) -> None:
    assert self_test(tmp_path / "reports", tmp_path / "kit.key", "--target", "juki") == 0
    assert [p.relative_to(tmp_path / "reports").parent.as_posix()
            for p in (tmp_path / "reports").glob("*/*/summary.json")] == ["juki/sender"]


def test_verify_without_a_report_is_a_usage_error(tmp_path: Path) -> None:
    assert verify(tmp_path, tmp_path / "kit.key") == 2


def test_unknown_targets_are_refused_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown self-test targets"):
        conformance_selftest.run(tmp_path, targets=("mars",))


def test_reference_sender_sends_pairs_per_resident_oldest_first() -> None:
    sent = notices(5)
    assert [n["idoJiyu"] for n in sent] == ["10", "30", "10", "30", "10"]
    first, second = sent[0], sent[1]
    assert first["jumin"]["shikibetsu"]["atenaNo"] == second["jumin"]["shikibetsu"]["atenaNo"]
    assert first["idoDate"] < second["idoDate"]
    assert len({n["jumin"]["shikibetsu"]["atenaNo"] for n in sent}) == 3


@pytest.mark.parametrize("body", [{"count": 2}, {"target": "http://127.0.0.1:9/elsewhere", "count": 1},
                                  {"target": "http://127.0.0.1:9/soap/jumin", "count": 0}, [1, 2]])
def test_reference_sender_refuses_bad_triggers(body: object) -> None:
    app, log = sender_app("juki", "secret-password")
    server = LoopbackServer(app, lifespan="off").start()
    try:
        reply = httpx.post(f"{server.url}/trigger", json=body, timeout=5)
    finally:
        server.stop()
    assert reply.status_code == 400 and log.sent == 0 and not log.failed
