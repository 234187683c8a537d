"""``chipla opendata build FOLDER`` and ``chipla opendata check FOLDER``: publish the town's open data
into a folder (for any static web server, or the hub's ``/opendata/``), and check a folder."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from adapters.outbound.opendata.build import BuildOptions, build_site, default_town_folder
from adapters.outbound.opendata.check import check_folder
from adapters.outbound.opendata.datapackage import InvalidDataset
from adapters.outbound.opendata.definitions import load_town
from adapters.outbound.opendata.sensor_series import StoreSeries
from broker.clock import now
from broker.store import Store
from chipla.config import Settings
from vocab.located_yaml import DataFileError


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("opendata", help="build or check the open-data folder")
    actions = p.add_subparsers(dest="action", required=True)
    b = actions.add_parser("build", help="build every dataset into FOLDER (new versions only on change)")
    b.add_argument("folder", type=Path)
    b.add_argument("--town", type=Path, default=None, help="town data folder (default: towndata/243035)")
    b.add_argument("--as-of", type=date.fromisoformat, default=None, 
                   help="調査年月日 of 地域・年齢別人口 (default: today)")
    b.add_argument("--bom", action="store_true", help="start CSV files with a UTF-8 BOM (for Excel)")
    b.add_argument("--base-url", default="/opendata", help="URL the folder is served at (default: /opendata)")
    b.add_argument("--no-db", action="store_true",
                   help="skip datasets computed from the hub's records and observations")
    b.set_defaults(func=run_build)
    c = actions.add_parser("check", help="check a published folder, or a town data folder (with town.yaml)")
    c.add_argument("folder", type=Path)
    c.set_defaults(func=run_check)


def run_build(args: argparse.Namespace) -> int:
    store, series = None, None
    town = args.town or default_town_folder()
    if not args.no_db:
        store = Store(Settings.load().db_url)
        store.migrate()
        series = StoreSeries(store, load_town(town).town.lg_code)
    try:
        result = build_site(town, args.folder,
                            BuildOptions(now=now(), as_of=args.as_of or date.today(), bom=args.bom,
                                         base_url=args.base_url, store=store, series=series))
    except (DataFileError, InvalidDataset) as exc:
        print(f"公開できません: {exc}", file=sys.stderr)
        return 2
    finally:
        if store is not None:
            store.dispose()
    for p in result.published:
        print(f"{p.id}: 第{p.version}版{' (新しい版)' if p.new else ''}")
    for s in result.skipped:
        print(f"作らなかったもの: {s}", file=sys.stderr)
    print(f"オープンデータ公開件数: {result.count} 件 → {args.folder}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    problems = check_folder(args.folder)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{args.folder}: {'問題はありません' if not problems else f'{len(problems)} 件の問題'}")
    return 1 if problems else 0
