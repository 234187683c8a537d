"""``chipla replay --mapping ID --to VERSION``: what a candidate mapping version would change.

Stored messages and imported records are mapped in memory and compared; exit 1 when the candidate
would change something, 0 when it changes nothing, 2 when it cannot run. The one write is the derive
stage's catch-up: messages accepted but not derived yet get their mapped forms first.
"""

from __future__ import annotations

import argparse
import sys

import mappings
from broker.derive import Deriver
from broker.services.jumin.replay import ReplayRefused, render, replay
from chipla.services import catalog
from chipla.store_access import open_existing


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("replay", help="compare stored outputs with a candidate mapping version")
    p.add_argument("--mapping", required=True, help="mapping id, e.g. jumin-imi")
    p.add_argument("--to", required=True, help="candidate version")
    p.add_argument("--from", dest="from_version", help="baseline version when no output is stored "
                   "(default: the highest version below --to)")
    p.add_argument("--limit", type=int, help="compare at most N stored inputs")
    p.add_argument("--fields-only", action="store_true", help="print changed field paths without values")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_existing()
    specs = mappings.registry()
    try:
        report = replay(store, specs, args.mapping, args.to, from_version=args.from_version,
                        limit=args.limit, catch_up=Deriver(store, catalog(specs)).catch_up)
    except ReplayRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    print(render(report, show_values=not args.fields_only))
    return 1 if report.changed else 0
