"""The runner: ``python -m conformance run …`` and ``verify``, also called by ``chipla conformance``.

``main(argv, prog) -> int`` runs the feature suite in-process through pytest with the kit's own
configuration (the caller's pytest settings never leak in), writes the reports and returns 0 only for
a 準拠 verdict. ``verify(report_path) -> bool`` checks a report's signature and file hashes.

Exit statuses of ``run``: 0 準拠; 1 不準拠; 2 usage error (bad options); 3 the run itself broke (the
product could not be reached, or the suite stopped before a verdict) — then no report is signed.
Exit statuses of ``verify``: 0 intact; 1 altered, or signed by another key; 2 the report or the key
file is missing.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from conformance import reach, summary
from conformance.options import OPTIONS, ROLES, SERVICES
from conformance.signing import key_path

PACKAGE_DIR = Path(__file__).resolve().parent
OK, NOT_CONFORMANT, USAGE, BROKEN = 0, 1, 2, 3
PROG = "python -m conformance"
INTACT, ALTERED = "改ざんなし（署名は有効）", "署名が無効、またはファイルが改ざんされています"
_VALUE_FLAGS = ("base_url", "username", "password", "api_key", "lg_code", "sender_id", "trigger_url",
                "wait", "expect_count", "listen", "atena_no", "setai_no", "key", "http_timeout",
                "product", "vendor", "product_version", "shitei_no", "town_cert")
_OWN = {"--role", "--service", "--report"}  # declared with choices / required below


def _parser(prog: str = PROG) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description="chipla conformance kit (準拠確認キット)")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the suite against a product and write signed reports",
                         epilog="exit status: 0 準拠, 1 不準拠, 2 usage error, 3 the run broke (no report)")
    run.add_argument("--role", required=True, choices=ROLES,
                     help="the part the product plays: provider, receiver or sender")
    run.add_argument("--service", default="jumin", choices=SERVICES, help="業務 service (default jumin)")
    run.add_argument("--report", required=True,
                     help="directory for junit.xml, cucumber.json, report.html and the signed summary.json")
    for name, _dest, default, help_text in OPTIONS:
        if name in _OWN:
            continue
        if default is False:
            run.add_argument(name, action="store_true", help=help_text)
        else:
            run.add_argument(name, help=help_text)
    run.add_argument("--quiet", action="store_true", help="print only the verdict line (or why the run broke)")
    ver = sub.add_parser("verify", help="check a report's signature and file hashes",
                         epilog="exit status: 0 intact, 1 altered or signed by another key, "
                                "2 report or key file missing")
    ver.add_argument("report", help="report directory or its summary.json")
    ver.add_argument("--key", help="key file: the private key or its .pub "
                                   "(default $CHIPLA_CONFORMANCE_KEY, else ~/.config/chipla/conformance.key)")
    return p


def pytest_args(ns: argparse.Namespace) -> list[str]:
    """The pytest command line for one run (exposed so that callers can see what is executed)."""
    report = Path(ns.report).resolve()
    args = [str(PACKAGE_DIR), "-c", str(PACKAGE_DIR / "pytest.ini"), "--rootdir", str(PACKAGE_DIR),
            "--disable-plugin-autoload", "-p", "pytest_bdd.plugin", "-p", "no:cacheprovider",
            "-W", "ignore::pytest.PytestAssertRewriteWarning",
            f"--junitxml={report / summary.JUNIT}", f"--cucumberjson={report / summary.CUCUMBER}",
            "--role", ns.role, "--service", ns.service, "--report", str(report)]
    args += ["-q", "--no-header", "-rN", "--tb=no"] if ns.quiet else ["-rf"]
    for flag in _VALUE_FLAGS:
        value = getattr(ns, flag)
        if value is not None:
            args.append(f"--{flag.replace('_', '-')}={value}")  # "=": a secret may begin with "-"
    if ns.no_seed:
        args.append("--no-seed")
    return args


def _pytest(ns: argparse.Namespace) -> tuple[int, str]:
    """Run the suite; with --quiet its output is kept back and returned instead of printed."""
    if not ns.quiet:
        return int(pytest.main(pytest_args(ns), plugins=[])), ""
    held = io.StringIO()
    with redirect_stdout(held), redirect_stderr(held):
        code = pytest.main(pytest_args(ns), plugins=[])
    return int(code), held.getvalue()


def run(ns: argparse.Namespace) -> int:
    if ns.role != "sender" and ns.base_url:
        problem = reach.unreachable(ns.base_url, float(ns.http_timeout or 10))
        if problem:
            print(problem, file=sys.stderr)
            return BROKEN
    report = Path(ns.report)
    report.mkdir(parents=True, exist_ok=True)
    stale = report / summary.SUMMARY
    if stale.exists():
        stale.unlink()
    code, held = _pytest(ns)
    if code == pytest.ExitCode.USAGE_ERROR:
        for line in held.splitlines():
            if line.startswith("ERROR"):
                print(line, file=sys.stderr)
        return USAGE
    if code == BROKEN or not stale.exists():
        if ns.quiet:
            print(f"実行が中断しました（pytest 終了コード {code}）。報告書は作成していません。"
                  "--quiet を外すと詳細が表示されます", file=sys.stderr)
        return BROKEN
    verdict = json.loads(stale.read_text(encoding="utf-8"))["verdict"]
    if ns.quiet:
        print(f"判定 {ns.service}/{ns.role}: {verdict}（報告書 {report}）")
    return OK if verdict == "準拠" else NOT_CONFORMANT


def missing_key(key: str | Path | None) -> str | None:
    """The line to print when the key file to verify with does not exist (not a tampered report)."""
    path = key_path(Path(key) if key else None)
    return None if path.is_file() else f"署名鍵ファイルがありません: {path}（--key で鍵または .pub を指定してください）"


def verify(report_path: str | Path, key: str | Path | None = None) -> bool:
    """True when the summary (a file, or a report directory) is signed by the key and unaltered."""
    return summary.verify(report_path, Path(key) if key else None)


def verify_status(report_path: str | Path, key: str | Path | None = None) -> tuple[int, str]:
    """(exit status, line to print) of ``verify``: a missing key or report is not an altered report."""
    no_key = missing_key(key)
    if no_key:
        return USAGE, no_key
    path = Path(report_path)
    if not (path.is_file() or (path / summary.SUMMARY).is_file()):
        return USAGE, f"{report_path}: 準拠確認報告書 ({summary.SUMMARY}) が見つかりません"
    return (OK, INTACT) if verify(path, key) else (NOT_CONFORMANT, ALTERED)


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    """The command line; ``prog`` is the command the user typed, shown in usage and errors."""
    try:
        ns = _parser(prog).parse_args(argv)
    except SystemExit as exc:
        return USAGE if exc.code else OK
    if ns.command == "verify":
        status, line = verify_status(ns.report, ns.key)
        print(line, file=sys.stderr if status == USAGE else sys.stdout)
        return status
    return run(ns)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))


__all__ = ["main", "missing_key", "pytest_args", "verify", "verify_status"]
