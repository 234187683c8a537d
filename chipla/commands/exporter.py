"""``chipla export --layout chukan_jumin``: the newest canonical record of each resident as CSV."""

from __future__ import annotations

import argparse
import sys

import mappings
from adapters.outbound.files.export import ExportRefused, export_csv
from chipla.store_access import open_existing


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("export", help="export imported residents as a 中間標準レイアウト CSV")
    p.add_argument("--layout", default="chukan_jumin", help="CSV layout (default: chukan_jumin)")
    p.add_argument("--mapping", help="ID or ID@VERSION (default: the latest mapping to the layout)")
    p.add_argument("--out", help="output file (default: standard output)")
    p.add_argument("--bom", action="store_true", help="start the file with a UTF-8 BOM (for Excel)")
    p.add_argument("--lg-code", help="only this 団体コード")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_existing()
    store.migrate()
    try:
        result = export_csv(store, mappings.registry(), layout=args.layout, mapping=args.mapping,
                            bom=args.bom, lg_code=args.lg_code)
    except ExportRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    if args.out:
        with open(args.out, "wb") as handle:
            handle.write(result.data)
    else:
        sys.stdout.buffer.write(result.data)
        sys.stdout.flush()
    for problem in result.problems:
        print(f"not exported: {problem}", file=sys.stderr)
    print(f"exported {result.rows:,} residents ({len(result.problems)} not exported)", file=sys.stderr)
    return 1 if result.problems else 0
