"""The 個人住民税 part of the self-test: the kit with ``--service zei`` against the hub.

- receiver: the kit plays the 個人住民税 system (``zei``'s credentials) sending 特別徴収税額通知;
- provider: the kit plays the employer without an endpoint (``tokucho-unso``, its own credentials and
  指定番号) after one notice for it was sent, and checks the signed 正本 with the town's certificate.
"""

from __future__ import annotations

import random
import tempfile
from datetime import date
from pathlib import Path

from conformance import runner
from simulators import zei_samples
from simulators.sandbox import RunningHub
from simulators.zei_sender import ZeiSender

TARGET = "hub-zei"
ROLES = ("receiver", "provider")
DOWNLOADER = zei_samples.EMPLOYERS[1]


def _common(hub: RunningHub, role: str, report: Path, key: Path | None) -> list[str]:
    argv = ["run", "--service", "zei", "--role", role, "--base-url", hub.url,
            "--report", str(report / TARGET / role), "--product", "chipla hub", "--vendor", "chipla", "--quiet"]
    return argv + (["--key", str(key)] if key is not None else [])


def receiver(hub: RunningHub, report: Path, key: Path | None) -> int:
    r = hub.receivers["zei"]
    return runner.main([*_common(hub, "receiver", report, key), f"--username={r.username}",
                        f"--password={r.password}", "--sender-id", "zei"])


def provider(hub: RunningHub, report: Path, key: Path | None) -> int:
    r = hub.receivers["zei"]
    notice = zei_samples.tsuchi(DOWNLOADER, date.today().year, random.Random())
    ZeiSender(hub.url, r.username, r.password).send(zei_samples.header("zei", DOWNLOADER.shitei_no), notice)
    employer = hub.employers[DOWNLOADER.system_id or ""]
    with tempfile.TemporaryDirectory(prefix="chipla-selftest-zei-") as tmp:
        cert = Path(tmp) / "town.pem"
        cert.write_bytes(hub.town_cert)
        return runner.main([*_common(hub, "provider", report, key), f"--username={employer.username}",
                            f"--password={employer.password}", "--sender-id", employer.id,
                            "--shitei-no", DOWNLOADER.shitei_no, "--town-cert", str(cert)])
