"""The runner: ``python -m conformance run …`` and ``verify``, also called by ``chipla conformance``.

``main(argv) -> int`` runs the feature suite in-process through pytest with the kit's own
configuration (the caller's pytest settings never leak in), writes the reports and returns 0 only for
a 準拠 verdict. ``verify(report_path) -> bool`` checks a report's signature and file hashes.

Exit statuses: 0 準拠; 1 不準拠; 2 usage error (bad options, unreadable report); 3 the run itself broke.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

from conformance import summary
from conformance.options import ROLES, SERVICES

PACKAGE_DIR = Path(__file__).resolve().parent
OK, NOT_CONFORMANT, USAGE, BROKEN = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m conformance", description="chipla conformance kit")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the suite against a product and write reports")
    run.add_argument("--base-url")
    run.add_argument("--role", required=True, choices=ROLES)
    run.add_argument("--service", default="jumin", choices=SERVICES)
    run.add_argument("--report", required=True, help="report directory")
    for name in ("--username", "--password", "--api-key", "--lg-code", "--sender-id", "--trigger-url",
                 "--wait", "--expect-count", "--listen", "--atena-no", "--setai-no", "--key",
                 "--http-timeout", "--product", "--vendor", "--product-version", "--shitei-no", "--town-cert"):
        run.add_argument(name)
    run.add_argument("--no-seed", action="store_true")
    run.add_argument("--quiet", action="store_true", help="only the verdict line")
    ver = sub.add_parser("verify", help="check a report's signature")
    ver.add_argument("report")
    ver.add_argument("--key")
    return p


def pytest_args(ns: argparse.Namespace) -> list[str]:
    """The pytest command line for one run (exposed so that callers can see what is executed)."""
    report = Path(ns.report).resolve()
    args = [str(PACKAGE_DIR), "-c", str(PACKAGE_DIR / "pytest.ini"), "--rootdir", str(PACKAGE_DIR),
            "--disable-plugin-autoload", "-p", "pytest_bdd.plugin", "-p", "no:cacheprovider",
            "-W", "ignore::pytest.PytestAssertRewriteWarning",
            f"--junitxml={report / summary.JUNIT}", f"--cucumberjson={report / summary.CUCUMBER}",
            "--role", ns.role, "--service", ns.service, "--report", str(report)]
    args += ["-q", "--no-header", "-rN"] if ns.quiet else ["-rf"]
    for flag in ("base_url", "username", "password", "api_key", "lg_code", "sender_id", "trigger_url",
                 "wait", "expect_count", "listen", "atena_no", "setai_no", "key", "http_timeout",
                 "product", "vendor", "product_version", "shitei_no", "town_cert"):
        value = getattr(ns, flag)
        if value is not None:
            args.append(f"--{flag.replace('_', '-')}={value}")  # "=": a secret may begin with "-"
    if ns.no_seed:
        args.append("--no-seed")
    return args


def run(ns: argparse.Namespace) -> int:
    report = Path(ns.report)
    report.mkdir(parents=True, exist_ok=True)
    stale = report / summary.SUMMARY
    if stale.exists():
        stale.unlink()
    code = pytest.main(pytest_args(ns), plugins=[])
    if code in (pytest.ExitCode.USAGE_ERROR,):
        return USAGE
    if not stale.exists():
        return BROKEN
    verdict = json.loads(stale.read_text(encoding="utf-8"))["verdict"]
    return OK if verdict == "準拠" else NOT_CONFORMANT


def verify(report_path: str | Path, key: str | Path | None = None) -> bool:
    """True when the summary (a file, or a report directory) is signed by the key and unaltered."""
    return summary.verify(report_path, Path(key) if key else None)


def main(argv: list[str] | None = None) -> int:
    try:
        ns = _parser().parse_args(argv)
    except SystemExit as exc:
        return USAGE if exc.code else OK
    if ns.command == "verify":
        ok = verify(ns.report, ns.key)
        print("改ざんなし（署名は有効）" if ok else "署名が無効、またはファイルが改ざんされています")
        return OK if ok else NOT_CONFORMANT
    return run(ns)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))


__all__ = ["main", "pytest_args", "verify"]
