"""``chipla audit verify``: walk the hash chain and name the first broken link."""

from __future__ import annotations

import argparse

from broker import audit
from chipla.config import Settings
from chipla.store_access import open_existing


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("audit", help="audit log tools")
    s = p.add_subparsers(dest="audit_command", required=True)
    v = s.add_parser("verify", help="verify the hash chain (exit 1 when a row was altered)")
    v.set_defaults(func=verify)


def verify(_: argparse.Namespace) -> int:
    settings = Settings.load()
    store = open_existing(settings)
    with store.read() as s:
        result = audit.verify(s)
    store.dispose()
    if result.ok:
        print(f"audit chain intact: {result.checked} entries")
        return 0
    where = f"at entry {result.broken_at}" if result.broken_at is not None else "at the end"
    print(f"audit chain BROKEN {where}: {result.reason} ({result.checked} entries verified before it)")
    return 1
