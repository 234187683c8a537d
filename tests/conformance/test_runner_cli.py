"""The kit's command line as a user meets it: one exit status per outcome, as the docs list them,
quiet output, help for every option, and the usage line of the command that was typed."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chipla import cli
from conformance import faulty_vendor, runner
from conformance.server import ThreadedServer
from tests.conformance.conftest import VENDOR_CREDENTIALS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def vendor() -> Iterator[ThreadedServer]:
    server = ThreadedServer(faulty_vendor.create_app({"replay_accepted"})).start()
    yield server
    server.stop()


def kit(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m conformance …`` as a vendor runs it, in a process of its own."""
    return subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_exit_0_conformant_quiet_prints_the_verdict_line_only(tmp_path: Path) -> None:
    server = ThreadedServer(faulty_vendor.create_app(set())).start()
    try:
        done = kit("run", "--base-url", server.url, "--role", "receiver", "--report", str(tmp_path / "r"),
                   "--key", str(tmp_path / "k.key"), "--quiet", *VENDOR_CREDENTIALS)
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"判定 jumin/receiver: 準拠（報告書 {tmp_path / 'r'}）"]
    assert done.stderr == ""


def test_exit_1_not_conformant_quiet_prints_no_traceback(vendor: ThreadedServer, tmp_path: Path) -> None:
    done = kit("run", "--base-url", vendor.url, "--role", "receiver", "--report", str(tmp_path / "r"),
               "--key", str(tmp_path / "k.key"), "--quiet", *VENDOR_CREDENTIALS)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [f"判定 jumin/receiver: 不準拠（報告書 {tmp_path / 'r'}）"]
    assert done.stderr == ""
    assert (tmp_path / "r" / "summary.json").is_file()


def test_exit_2_usage_error_names_the_command_typed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = kit("run", "--role", "provider", "--report", str(tmp_path / "r"), "--quiet")
    assert done.returncode == 2
    assert done.stdout == "" and "--base-url is needed for the provider role" in done.stderr
    assert "Traceback" not in done.stderr
    assert cli.main(["conformance", "run", "--role", "nobody", "--report", str(tmp_path / "r")]) == 2
    assert "usage: chipla conformance run" in capsys.readouterr().err
    assert runner.main(["run", "--role", "nobody", "--report", str(tmp_path / "r")]) == 2
    assert "usage: python -m conformance run" in capsys.readouterr().err


def test_exit_3_unreachable_product_one_line_and_no_report(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    for quiet in ((), ("--quiet",)):
        report = tmp_path / f"r{len(quiet)}"
        done = kit("run", "--base-url", url, "--role", "provider", "--report", str(report),
                   "--key", str(tmp_path / "k.key"), *quiet, *VENDOR_CREDENTIALS)
        assert done.returncode == 3
        assert done.stdout == ""
        assert done.stderr.splitlines() == [done.stderr.strip()] and url in done.stderr
        assert "接続できません" in done.stderr
        assert not (report / "summary.json").exists()


def test_the_pytest_route_writes_no_report_for_an_unreachable_product(tmp_path: Path) -> None:
    report = tmp_path / "r"
    done = subprocess.run([sys.executable, "-m", "pytest", "--pyargs", "conformance", "-p", "no:cacheprovider",
                           "--role", "receiver", "--base-url", f"http://127.0.0.1:{closed_port()}",
                           "--report", str(report), *VENDOR_CREDENTIALS, "-q"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 3, done.stdout[-2000:]
    assert not (report / "summary.json").exists()


def test_every_run_option_has_help_and_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    parser = runner._parser()
    run = next(a for a in parser._subparsers._group_actions[0].choices.values()  # type: ignore[union-attr]
               if a.prog.endswith(" run"))
    options = [a for a in run._actions if a.option_strings and a.dest != "help"]
    assert len(options) >= 22
    assert [a.option_strings for a in options if not a.help] == []
    assert cli.main(["conformance", "run", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: chipla conformance run")
    assert "0 準拠, 1 不準拠, 2 usage error, 3 the run broke" in out
    for flag in ("--sender-id", "--lg-code", "--quiet", "--http-timeout", "--product-version"):
        assert flag in out


def test_verify_tells_a_missing_key_from_an_altered_report(vendor: ThreadedServer, tmp_path: Path) -> None:
    key = tmp_path / "k.key"
    report = tmp_path / "r"
    assert runner.main(["run", "--base-url", vendor.url, "--role", "receiver", "--report", str(report),
                        "--key", str(key), "--quiet", *VENDOR_CREDENTIALS]) == 1
    assert kit("verify", str(report), "--key", str(key)).returncode == 0
    missing = kit("verify", str(report), "--key", "doesnotexist.key")
    assert missing.returncode == 2
    assert "署名鍵ファイルがありません" in missing.stderr and "doesnotexist.key" in missing.stderr
    assert "改ざん" not in missing.stderr + missing.stdout
    assert kit("verify", str(tmp_path / "nothing-here"), "--key", str(key)).returncode == 2
    (report / "report.html").write_text("altered", encoding="utf-8")
    altered = kit("verify", str(report), "--key", str(key))
    assert altered.returncode == 1 and "改ざん" in altered.stdout
