"""``chipla audit verify [--message RECEIPT_ID]``: walk the hash chain and name the first broken link,
or check one message against the entries that cover it."""

from __future__ import annotations

import argparse
import sys

from broker import audit
from broker.audit_message import verify_message
from broker.store import Store
from chipla.config import Settings
from chipla.failures import NO
from chipla.store_access import open_existing


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("audit", help="audit log tools")
    s = p.add_subparsers(dest="audit_command", required=True)
    v = s.add_parser("verify", help="verify the hash chain (exit 1 when a row was altered)")
    v.add_argument("--message", metavar="RECEIPT_ID",
                   help="check one message: its original against the digest its accept entry lists, each "
                        "delivery attempt listed in its entry, and the chain through those entries")
    v.set_defaults(func=verify)


def verify(args: argparse.Namespace) -> int:
    settings = Settings.load()
    store = open_existing(settings)
    try:
        if args.message:
            return _verify_message(store, args.message)
        with store.read() as s:
            result = audit.verify(s)
    finally:
        store.dispose()
    if result.ok:
        print(f"audit chain intact: {result.checked} entries")
        return 0
    where = f"at entry {result.broken_at}" if result.broken_at is not None else "at the end"
    print(f"audit chain BROKEN {where}: {result.reason} ({result.checked} entries verified before it)")
    return NO


def _verify_message(store: Store, receipt_id: str) -> int:
    with store.read() as s:
        verdict = verify_message(s, receipt_id)
    if verdict is None:
        print(f"chipla audit: no message with receipt id {receipt_id!r}", file=sys.stderr)
        print("  hint: the receipt id is the one the hub answered with (受付番号), as the console shows it",
              file=sys.stderr)
        return NO  # as for any id the store does not have (docs/cli.md); a deleted message looks the same
    entries = ", ".join(map(str, verdict.entries)) or "none"
    if verdict.ok:
        print(f"message {receipt_id} intact: original sha256 {verdict.sha256}, {verdict.attempts} delivery "
              f"attempt(s), audit entries {entries} linked")
        return 0
    for problem in verdict.problems:
        print(f"message {receipt_id} BROKEN: {problem}")
    print(f"(audit entries covering it: {entries})")
    return NO
