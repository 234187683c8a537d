"""``chipla conformance run|verify|self-test|kpi|registry``: the conformance kit from the hub's CLI.

``run`` and ``verify`` hand over to the kit's own runner (``conformance.runner.main``) so that a vendor
running ``python -m conformance`` and an officer running ``chipla conformance`` get the same thing.
``self-test`` runs the whole kit against a fresh sandbox (``simulators.selftest``). ``kpi``
and ``registry`` are the procurement office's view of the town's 業務 systems; they use the same
data functions and JSON shape as the REST API (``/api/v1/procurement/…``).

Exit statuses follow the kit: 0 準拠 / intact, 1 不準拠 / altered / not found, 2 usage error or a
missing report or key file, 3 a run broke (no report signed).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from chipla.config import Settings
from conformance import runner
from conformance.summary import SUMMARY
from procurement import kpi, register
from procurement.register import KNOWN_GYOMU
from simulators import selftest as conformance_selftest

OK, NOT_CONFORMANT, USAGE = runner.OK, runner.NOT_CONFORMANT, runner.USAGE
INTACT, ALTERED = runner.INTACT, runner.ALTERED
PROG = "chipla conformance"


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("conformance", help="conformance kit: run, verify, self-test, procurement KPIs")
    s = p.add_subparsers(dest="conformance_command", required=True)
    # "+" as prefix: every "--option" after "run" goes to the kit's parser untouched (its --help too).
    run = s.add_parser("run", prefix_chars="+", add_help=False,
                       help="run the kit against a product (options as python -m conformance run)")
    run.add_argument("kit_args", nargs="*")
    run.set_defaults(func=run_cmd)
    ver = s.add_parser("verify", help="check a report's signature (exit 0 intact, 1 altered, "
                                      "2 report or key file missing)")
    ver.add_argument("report", help="report directory, summary.json, or a self-test directory")
    ver.add_argument("--key", help="key file, private or .pub (default as the kit)")
    ver.set_defaults(func=verify_cmd)
    st = s.add_parser("self-test", help="run the whole kit against a fresh hub and its simulated vendors")
    st.add_argument("--report", required=True, help="directory for the reports")
    st.add_argument("--key", help="signing key file (default as the kit)")
    st.add_argument("--target", action="append", choices=conformance_selftest.TARGETS,
                    help="only this target (repeatable; default all)")
    st.set_defaults(func=self_test_cmd)
    k = s.add_parser("kpi", help="仕様書への記載率 and 準拠製品の導入率 per 業務 and overall")
    k.add_argument("--registry", help="registry YAML (default CHIPLA_PROCUREMENT_REGISTRY, else the example)")
    k.add_argument("--reports", nargs="+", default=[], metavar="DIR",
                   help="signed kit reports that override the results the registry records")
    k.add_argument("--standard", choices=tuple(kpi.LIST_NAMES), help="one pinned 業務 list (default both)")
    k.add_argument("--key", help="key to verify --reports with (default as the kit)")
    k.add_argument("--json", action="store_true", help="print JSON (the REST shape) instead of tables")
    k.set_defaults(func=kpi_cmd)
    _add_registry(s)


def _add_registry(s: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    r = s.add_parser("registry", help="the procurement registry of 業務 systems")
    r.add_argument("--registry", help="registry YAML (default CHIPLA_PROCUREMENT_REGISTRY, else the example)")
    rs = r.add_subparsers(dest="registry_command", required=True)
    ls = rs.add_parser("list", help="all systems, or those of one 業務")
    ls.add_argument("--gyomu", choices=sorted(KNOWN_GYOMU))
    ls.set_defaults(func=registry_list_cmd)
    sh = rs.add_parser("show", help="the systems of one 業務")
    sh.add_argument("gyomu")
    sh.set_defaults(func=registry_show_cmd)
    ad = rs.add_parser("add", help="record a system (never into the kit's example registry)")
    ad.add_argument("--gyomu", required=True, choices=sorted(KNOWN_GYOMU))
    ad.add_argument("--vendor", required=True)
    ad.add_argument("--product", required=True)
    ad.add_argument("--version", required=True)
    ad.add_argument("--spec-requires-standard", required=True, action=argparse.BooleanOptionalAction,
                    help="the procurement 仕様書 requires the standard")
    ad.add_argument("--applic-registered", action="store_true", help="on APPLIC's 準拠登録製品一覧")
    ad.add_argument("--report", help="a signed kit report: its verdict becomes the recorded result")
    ad.add_argument("--key", help="key to verify --report with (default as the kit)")
    ad.add_argument("--replace", action="store_true", help="replace the entry of the same 業務 and product")
    ad.set_defaults(func=registry_add_cmd)


def run_cmd(args: argparse.Namespace) -> int:
    return runner.main(["run", *args.kit_args], prog=PROG)


def summaries(path: Path) -> list[Path]:
    """A report, or every report below a directory (a self-test writes one per target and role)."""
    if path.is_file() or (path / SUMMARY).is_file():
        return [path]
    return sorted(p.parent for p in path.rglob(SUMMARY)) if path.is_dir() else []


def verify_cmd(args: argparse.Namespace) -> int:
    no_key = runner.missing_key(args.key)
    if no_key:
        print(no_key)
        return USAGE
    found = summaries(Path(args.report))
    if not found:
        print(f"{args.report}: 準拠確認報告書 ({SUMMARY}) が見つかりません")
        return USAGE
    bad = 0
    for report in found:
        ok = runner.verify(report, args.key)
        bad += not ok
        print(f"{report}: " + (INTACT if ok else ALTERED))
    return OK if not bad else NOT_CONFORMANT


def self_test_cmd(args: argparse.Namespace) -> int:
    started = time.monotonic()
    targets = tuple(args.target or conformance_selftest.TARGETS)
    key = Path(args.key) if args.key else None
    outcomes = conformance_selftest.run(args.report, key=key, targets=targets)
    t = Table(title="chipla 自己準拠確認 (self-test)")
    for col in ("対象", "役割", "判定", "秒", "報告書"):
        t.add_column(col)
    for o in outcomes:
        colour = "green" if o.verdict == "準拠" else "red"
        t.add_row(o.target, o.role, f"[{colour}]{o.verdict}[/{colour}]", f"{o.seconds:.1f}", str(o.report))
    console = Console()
    console.print(t)
    status = conformance_selftest.status(outcomes)
    console.print(f"総合判定: {'準拠' if status == OK else '不準拠'}（{time.monotonic() - started:.1f} 秒）")
    return status


def registry_path(explicit: str | None) -> Path:
    return Path(explicit or Settings.load().procurement_registry or register.DEFAULT_PATH)


def _load(path: Path) -> register.ProcurementRegister | None:
    try:
        return register.load(path)
    except (OSError, register.RegisterError) as exc:
        print(f"調達台帳 {path} を読み込めません: {exc}")
        return None


def _resolve(ref: str, base: Path) -> Path:
    """A report reference of the registry, relative to the registry file, else to the working folder."""
    for root in (base, Path.cwd()):
        p = (root / ref).resolve()
        if p.exists():
            return p.parent if p.name == SUMMARY else p
    return (base / ref).resolve()


def signed_reports(reg: register.ProcurementRegister, reg_path: Path, dirs: list[str],
                   key: str | None) -> dict[str, dict[str, Any]]:
    """Summaries under ``dirs`` whose signature holds, keyed by the registry's report references."""
    verified: dict[Path, dict[str, Any]] = {}
    for d in dirs:
        for report in summaries(Path(d)):
            summary = report if report.is_file() else report / SUMMARY
            if runner.verify(report, key):
                verified[summary.parent.resolve()] = json.loads(summary.read_text(encoding="utf-8"))
            else:
                print(f"{report}: 署名が無効なため KPI に使いません")
    out: dict[str, dict[str, Any]] = {}
    for s in reg.systems:
        ref = s.conformance.report
        if ref and _resolve(ref, reg_path.parent) in verified:
            out[ref] = verified[_resolve(ref, reg_path.parent)]
    return out


def kpi_cmd(args: argparse.Namespace) -> int:
    path = registry_path(args.registry)
    reg = _load(path)
    if reg is None:
        return USAGE
    no_key = runner.missing_key(args.key) if args.reports else None
    if no_key:
        print(no_key)
        return USAGE
    reports = signed_reports(reg, path, args.reports, args.key)
    result = kpi.by_list_name(reg, args.standard, reports)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return OK
    console = Console()
    for name in kpi.LIST_NAMES:
        if name in result:
            console.print(_kpi_table(name, result[name], f"{reg.municipality} ({reg.lgCode})"))
    return OK


def _rate(r: dict[str, Any], denominator: int) -> str:
    return f"{r['count']} / {denominator} = {r['rate'] * 100:.1f}%"


def _kpi_table(name: str, data: dict[str, Any], town: str) -> Table:
    t = Table(title=f"{town} — {name} ({data['listVersion']}, {data['denominator']} 業務)", show_footer=True)
    n = data["denominator"]
    t.add_column("業務", footer="全体")
    t.add_column("システム数", justify="right")
    t.add_column(kpi.SPEC_RATE, justify="center", footer=_rate(data[kpi.SPEC_RATE], n))
    t.add_column(kpi.ADOPTION_RATE, justify="center", footer=_rate(data[kpi.ADOPTION_RATE], n))
    for row in data["perGyomu"]:
        t.add_row(row["業務"], str(row["systems"]), "✓" if row["仕様書に記載"] else "—",
                  "✓" if row["準拠製品"] else "—")
    return t


def _systems_table(title: str, systems: list[register.System]) -> Table:
    t = Table(title=title)
    for col in ("業務", "ベンダー", "製品", "版", "仕様書に標準を記載", "APPLIC登録", "最新の準拠確認"):
        t.add_column(col, overflow="fold")
    for s in systems:
        c = s.conformance
        latest = " ".join(x for x in (c.result, c.checkedAt, c.report) if x) or "未確認"
        product = f"〔記入例〕{s.product}" if s.example else s.product
        t.add_row(s.gyomu, s.vendor, product, s.version, "✓" if s.specRequiresStandard else "—",
                  "✓" if s.applicRegistered else "—", latest)
    return t


def registry_list_cmd(args: argparse.Namespace) -> int:
    path = registry_path(args.registry)
    reg = _load(path)
    if reg is None:
        return USAGE
    Console().print(_systems_table(f"{reg.municipality} ({reg.lgCode}) の業務システム — {path}",
                                   register.systems(reg, args.gyomu)))
    return OK


def registry_show_cmd(args: argparse.Namespace) -> int:
    reg = _load(registry_path(args.registry))
    if reg is None:
        return USAGE
    found = register.systems(reg, args.gyomu)
    if not found:
        print(f"業務 {args.gyomu!r} のシステムは登録されていません")
        return NOT_CONFORMANT
    Console().print(_systems_table(f"{args.gyomu}", found))
    return OK


def _recorded_result(report: str, key: str | None, reg_path: Path) -> dict[str, Any] | None:
    """The conformance entry for a signed report; None when its signature does not hold."""
    if not runner.verify(report, key):
        return None
    found = Path(report)
    summary = found if found.is_file() else found / SUMMARY
    doc = json.loads(summary.read_text(encoding="utf-8"))
    ref = os.path.relpath(found.resolve(), reg_path.resolve().parent)
    return {"report": ref, "result": doc["verdict"], "checkedAt": doc.get("finishedAt")}


def registry_add_cmd(args: argparse.Namespace) -> int:
    path = registry_path(args.registry)
    if path.resolve() == register.DEFAULT_PATH.resolve():
        print("キット同梱の記入例には書き込みません。自団体の台帳を用意してください: "
              f"cp {register.DEFAULT_PATH} town.yaml; chipla conformance registry --registry town.yaml add …"
              "（または CHIPLA_PROCUREMENT_REGISTRY=town.yaml）")
        return USAGE
    reg = _load(path)
    if reg is None:
        return USAGE
    entry: dict[str, Any] = {"gyomu": args.gyomu, "vendor": args.vendor, "product": args.product,
                             "version": args.version, "specRequiresStandard": args.spec_requires_standard,
                             "applicRegistered": args.applic_registered}
    no_key = runner.missing_key(args.key) if args.report else None
    if no_key:
        print(no_key)
        return USAGE
    if args.report:
        conformance = _recorded_result(args.report, args.key, path)
        if conformance is None:
            print(f"{args.report}: {ALTERED}。登録しません")
            return NOT_CONFORMANT
        entry["conformance"] = conformance
    try:
        reg = register.add(reg, entry, replace_existing=args.replace)
    except register.RegisterError as exc:
        print(str(exc))
        return USAGE
    register.save_atomically(reg, path)
    Console().print(_systems_table(f"登録しました — {path}", register.systems(reg, args.gyomu)))
    return OK
